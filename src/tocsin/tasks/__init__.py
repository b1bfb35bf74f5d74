"""TICKscript tasks: running compiled pipelines over written points, and the tasks/templates service."""
