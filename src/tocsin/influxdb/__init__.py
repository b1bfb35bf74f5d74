"""InfluxDB 1.x clusters: the `[[influxdb]]` connections, their subscriptions, queries and writes."""
