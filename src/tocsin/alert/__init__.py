"""The alert model: levels, events and the state a topic keeps per alert ID."""
