"""Tocsin: an alerting gateway that speaks Kapacitor's alert API and never loses an accepted alert."""

__version__ = "0.1.0"

# The version Tocsin reports in X-Kapacitor-Version: clients such as Chronograf gate features on it.
KAPACITOR_COMPAT_VERSION = "1.8.3"
