"""Expression text as Kapacitor prints it (LambdaNode.ExpressionString), for var listings."""

from __future__ import annotations

from tocsin.expr import ast as expr_ast
from tocsin.expr.gostrconv import format_float


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = format_float(value, "f")
    return text if "." in text else text + ".0"


def expression_text(node: expr_ast.Node) -> str:
    """One expression on one line: `"value" > 90.0 AND ("host" == 'a')`."""
    if isinstance(node, expr_ast.LambdaNode):
        return expression_text(node.expression)
    if isinstance(node, expr_ast.NumberNode):
        return _number(node.value)
    if isinstance(node, expr_ast.StringNode):
        if node.triple:
            return f"'''{node.value}'''"
        return "'" + node.value.replace("'", "\\'") + "'"
    if isinstance(node, expr_ast.DurationNode):
        return node.literal
    if isinstance(node, expr_ast.BoolNode):
        return "TRUE" if node.value else "FALSE"
    if isinstance(node, expr_ast.RegexNode):
        return f"/{node.literal}/"
    if isinstance(node, expr_ast.ReferenceNode):
        return '"' + node.name.replace('"', '\\"') + '"'
    if isinstance(node, expr_ast.IdentifierNode):
        return node.name
    if isinstance(node, expr_ast.StarNode):
        return "*"
    if isinstance(node, expr_ast.ListNode):
        return "[" + ", ".join(expression_text(item) for item in node.items) + "]"
    if isinstance(node, expr_ast.UnaryNode):
        return node.op.label + expression_text(node.operand)
    if isinstance(node, expr_ast.FunctionNode):
        return node.name + "(" + ", ".join(expression_text(arg) for arg in node.args) + ")"
    text = f"{expression_text(node.left)} {node.op.label} {expression_text(node.right)}"
    return f"({text})" if node.parens else text
