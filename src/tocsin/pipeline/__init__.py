"""Compiled TICKscript pipelines: the node graph a task runs, built from the syntax tree and the vars."""
