"""The alert node of TICKscript tasks: level state per group, emit rules, templates and events."""
