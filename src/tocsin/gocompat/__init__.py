"""Go-compatible formatting: Kapacitor's wire bytes come from Go's encoders, so Tocsin reproduces them."""
