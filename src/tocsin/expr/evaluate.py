"""Compile expression trees into Python closures and evaluate them against a scope.

`compile_expression(node, bindings)` resolves at compile time everything that does not depend on the
data: identifiers (through `Bindings.identifier`), function lookups (with a fresh instance of each
stateful builtin, so state is per expression), and constant sub-expressions, which are folded. A
constant sub-expression that fails (`1 + 1.0`) is a CompileError, as Kapacitor rejects it when the
expression is created. What remains is a closure `evaluator(scope) -> Value` that raises EvalError.

Runtime error texts follow Kapacitor: `mismatched type to binary operator. got int + float. see bool(),
int(), float(), string(), duration()`, `left reference value "x" is missing value`, `error calling
"f": ...`, `Failed to handle 1 argument: ...`. AND and OR short-circuit from left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tocsin.expr import ast
from tocsin.expr.errors import CompileError, EvalError
from tocsin.expr.functions import BUILTINS
from tocsin.expr.operators import binary_error, binary_function, binary_impls, unary
from tocsin.expr.tokens import TokenKind
from tocsin.expr.values import MISSING, Duration, Value

__all__ = [
    "Bindings",
    "CompileError",
    "EvalError",
    "Evaluator",
    "MapScope",
    "Scope",
    "compile_expression",
    "evaluate",
]

Evaluator = Callable[[Any], Value]

ERR_UNDEFINED_FUNCTION = 'undefined function: "{name}"'
ERR_ARGUMENT = "Failed to handle {index} argument: {error}"
ERR_CALLING = 'error calling "{name}": {error}'
ERR_MISSING_ARGS = 'Cannot call function "{name}" argument {args} is missing'
ERR_NOT_EVALUABLE = "a {what} cannot be evaluated in an expression"
ERR_TOO_COMPLEX = "expression too complex"
ERR_POSITION = "{message} line {line} char {char}"

MAX_DEPTH = 250


class Scope(Protocol):
    """Runtime data an expression reads: references (`"host"`) and identifiers (vars)."""

    def reference(self, name: str) -> Value:
        """The field or tag value, or MISSING."""

    def identifier(self, name: str) -> Value:
        """The value of a bare identifier; raises EvalError when undefined."""


@dataclass(frozen=True)
class MapScope:
    """A Scope over plain mappings (fields and tags merged by the caller, vars)."""

    references: Mapping[str, Value]
    identifiers: Mapping[str, Value] | None = None

    def reference(self, name: str) -> Value:
        """The value of `"name"`, or MISSING."""
        return self.references.get(name, MISSING)

    def identifier(self, name: str) -> Value:
        """The value of var `name`."""
        if self.identifiers is None or name not in self.identifiers:
            raise EvalError(f'undefined identifier "{name}"')
        return self.identifiers[name]


class Bindings:
    """Compile-time name resolution; the default reads everything from a runtime `Scope`."""

    def reference(self, node: ast.ReferenceNode) -> Evaluator:
        """An evaluator for `"name"`."""
        name = node.name
        return lambda scope: scope.reference(name)

    def identifier(self, node: ast.IdentifierNode) -> Evaluator:
        """An evaluator for a bare identifier (or raise CompileError)."""
        name = node.name
        return lambda scope: scope.identifier(name)

    def call(self, node: ast.FunctionNode, args: Sequence[Evaluator]) -> Evaluator | None:
        """An evaluator for a call this binding implements itself, or None to use the builtins."""
        return None

    def is_constant_identifier(self, node: ast.IdentifierNode) -> bool:
        """Whether `identifier(node)` ignores the scope (so it can be folded)."""
        return False


@dataclass(frozen=True, slots=True)
class _Compiled:
    evaluate: Evaluator
    constant: bool
    depth: int
    reference: str | None = None


def _position_error(node: ast.Node, message: str) -> CompileError:
    text = ERR_POSITION.format(message=message, line=node.pos.line, char=node.pos.column)
    return CompileError(text, node.pos.line, node.pos.column)


def _constant(value: Value) -> _Compiled:
    return _Compiled(lambda scope: value, constant=True, depth=1)


class _Compiler:
    def __init__(self, bindings: Bindings) -> None:
        self.bindings = bindings

    def compile(self, node: ast.Node) -> _Compiled:
        compiled = self._compile(node)
        if compiled.depth > MAX_DEPTH:
            raise _position_error(node, ERR_TOO_COMPLEX)
        if compiled.constant and not isinstance(node, ast.NumberNode | ast.StringNode | ast.BoolNode):
            return self._fold(node, compiled)
        return compiled

    def _compile(self, node: ast.Node) -> _Compiled:
        if isinstance(node, ast.NumberNode | ast.StringNode | ast.BoolNode):
            return _constant(node.value)
        if isinstance(node, ast.DurationNode):
            return _constant(Duration(node.nanoseconds))
        if isinstance(node, ast.RegexNode):
            return _constant(node.pattern)
        if isinstance(node, ast.ReferenceNode):
            return _Compiled(self.bindings.reference(node), False, 1, node.name)
        if isinstance(node, ast.IdentifierNode):
            constant = self.bindings.is_constant_identifier(node)
            return _Compiled(self.bindings.identifier(node), constant, 1)
        if isinstance(node, ast.UnaryNode):
            return self._unary(node)
        if isinstance(node, ast.BinaryNode):
            return self._binary(node)
        if isinstance(node, ast.FunctionNode):
            return self._call(node)
        if isinstance(node, ast.LambdaNode):
            return self.compile(node.expression)
        what = "list" if isinstance(node, ast.ListNode) else "star"
        raise _position_error(node, ERR_NOT_EVALUABLE.format(what=what))

    def _unary(self, node: ast.UnaryNode) -> _Compiled:
        operand = self.compile(node.operand)
        inner, op, ref = operand.evaluate, node.op, operand.reference
        return _Compiled(lambda scope: unary(op, inner(scope), ref), operand.constant, operand.depth + 1)

    def _binary(self, node: ast.BinaryNode) -> _Compiled:
        # Walk the left spine iteratively: long `a OR b OR c ...` chains must not recurse per operand.
        spine: list[ast.BinaryNode] = []
        current: ast.Node = node
        while isinstance(current, ast.BinaryNode):
            spine.append(current)
            current = current.left
        result = self.compile(current)
        index = len(spine) - 1
        while index >= 0:
            link = spine[index]
            if link.op in (TokenKind.AND, TokenKind.OR):
                operands = [result, self.compile(link.right)]
                while index > 0 and spine[index - 1].op is link.op:
                    index -= 1
                    operands.append(self.compile(spine[index].right))
                result = _logical(link.op, operands)
            else:
                result = _arithmetic(link.op, result, self.compile(link.right))
            if result.constant and index > 0:
                result = self._fold(spine[index], result)
            index -= 1
        return result

    def _fold(self, node: ast.Node, compiled: _Compiled) -> _Compiled:
        try:
            return _constant(compiled.evaluate(None))
        except EvalError as exc:
            raise _position_error(node, str(exc)) from None

    def _call(self, node: ast.FunctionNode) -> _Compiled:
        args = [self.compile(arg) for arg in node.args]
        depth = max((a.depth for a in args), default=0) + 1
        evaluators = [a.evaluate for a in args]
        custom = self.bindings.call(node, evaluators)
        if custom is not None:
            return _Compiled(custom, False, depth)
        builtin = BUILTINS.get(node.name)
        if builtin is None:
            raise _position_error(node, ERR_UNDEFINED_FUNCTION.format(name=node.name))
        impl = builtin.make()
        names = [a.reference for a in args]
        return _Compiled(_caller(node.name, impl, evaluators, names, builtin.accepts_missing), False, depth)


def _arithmetic(op: TokenKind, left: _Compiled, right: _Compiled) -> _Compiled:
    fn = binary_function(op, left.reference, right.reference)
    left_eval = left.evaluate
    depth = max(left.depth, right.depth) + 1
    constant = left.constant and right.constant
    if right.constant:
        right_value = right.evaluate(None)
        if constant:
            return _Compiled(lambda scope: fn(left_eval(scope), right_value), constant, depth)
        # `fn` without its per-call table lookup on both types (`"usage_idle" < 5`, `"host" =~ /web/`)
        impls = binary_impls(op, type(right_value))
        left_ref, right_ref = left.reference, right.reference

        def with_constant(scope: Any) -> Value:
            left_value = left_eval(scope)
            impl = impls.get(type(left_value))
            if impl is None:
                raise binary_error(op, left_value, right_value, left_ref, right_ref)
            return impl(left_value, right_value)

        return _Compiled(with_constant, constant, depth)
    right_eval = right.evaluate
    return _Compiled(lambda scope: fn(left_eval(scope), right_eval(scope)), constant, depth)


def _logical(op: TokenKind, operands: list[_Compiled]) -> _Compiled:
    evaluators = [o.evaluate for o in operands]
    references = [o.reference for o in operands]
    decided = op is TokenKind.OR
    undecided = not decided
    first, second = evaluators[0], evaluators[1]
    first_ref, second_ref = references[0], references[1]

    def run_pair(scope: Any) -> Value:
        value = first(scope)
        if value is decided:
            return value
        if value is not undecided:
            raise binary_error(op, value, None, first_ref, None)
        right = second(scope)
        if type(right) is not bool:
            raise binary_error(op, value, right, None, second_ref)
        return right

    def run_chain(scope: Any) -> Value:
        value = first(scope)
        if type(value) is not bool:
            raise binary_error(op, value, None, first_ref, None)
        for index in range(1, len(evaluators)):
            if value is decided:
                return value
            value = evaluators[index](scope)
            if type(value) is not bool:
                raise binary_error(op, not decided, value, None, references[index])
        return value

    depth = max(o.depth for o in operands) + 1
    run = run_pair if len(evaluators) == 2 else run_chain
    return _Compiled(run, all(o.constant for o in operands), depth)


def _caller(
    name: str,
    impl: Callable[[Sequence[Value]], Value],
    args: Sequence[Evaluator],
    names: Sequence[str | None],
    accepts_missing: bool,
) -> Evaluator:
    def call(scope: Any) -> Value:
        values: list[Value] = []
        try:
            for arg in args:
                values.append(arg(scope))
        except EvalError as exc:
            raise EvalError(ERR_ARGUMENT.format(index=len(values) + 1, error=exc)) from None
        if not accepts_missing:
            for value in values:
                if value is MISSING:
                    missing = [f'"{n}"' for v, n in zip(values, names, strict=True) if v is MISSING]
                    raise EvalError(ERR_MISSING_ARGS.format(name=name, args=", ".join(missing)))
        try:
            return impl(values)
        except (ValueError, ArithmeticError) as exc:
            raise EvalError(ERR_CALLING.format(name=name, error=exc)) from None

    return call


def compile_expression(node: ast.Node, bindings: Bindings | None = None) -> Evaluator:
    """Compile `node` once; call the result with a scope for each evaluation. Raises CompileError."""
    return _Compiler(bindings or Bindings()).compile(node).evaluate


def evaluate(node: ast.Node, scope: Scope) -> Value:
    """Compile and evaluate `node` against `scope` (compile once with compile_expression to repeat)."""
    return compile_expression(node)(scope)
