"""Runtime nodes of TICKscript tasks, one module per node kind (see `tocsin.tasks.registry`)."""
