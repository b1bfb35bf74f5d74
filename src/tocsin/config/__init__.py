"""Configuration: kapacitor.conf sections declared as schemas, loaded from TOML and env, overridden over HTTP."""
