"""The engine: intake, topic state, topic handlers and the delivery pipeline, without any HTTP."""
