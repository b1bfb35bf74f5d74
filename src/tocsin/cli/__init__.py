"""The `tocsin` command-line client: Kapacitor's CLI verbs for topics, handlers and service tests, plus deliveries."""
