"""`[stats]`: Tocsin's internal statistics, written to InfluxDB and answered at /kapacitor/v1/debug/vars."""
