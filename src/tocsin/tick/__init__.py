"""TICKscript: the statement-level syntax tree, parser and formatter (expressions live in `tocsin.expr`)."""
