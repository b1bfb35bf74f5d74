"""Topic-handler `match` expressions (Kapacitor services/alert, spec api.md §2.5).

`compile_match(text)` parses a lambda body (no `lambda:` prefix) once; `MatchExpression.matches(ctx)`
evaluates it per event. Identifiers OK/INFO/WARNING/CRITICAL become the ints 0-3; references read the
event's tags only; the functions `changed()`, `level()`, `name()`, `taskName()` and `alertDuration()`
read the event, and every other builtin (`strHasPrefix`, `if`, ...) works as in TICKscript.

Errors. `compile_match` raises only MatchError, whose `.line`/`.column` locate the problem:
- syntax errors use Kapacitor's parser text, which already carries the position:
  `parser: unexpected EOF line 1 char 12 in "level() >= ". expected: "number","string",...`;
- `unknown identifier "x"` is Kapacitor's exact text (the position is only in the attributes);
- other compile errors (unknown function, wrong argument count, a constant sub-expression that cannot
  be evaluated) end with ` line L char C`.
`matches` raises EvalError (`no tag exists for host`, type mismatches, a non-boolean result); the caller
logs it and treats the event as not matching.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tocsin.alert.levels import Level
from tocsin.errors import ParseError
from tocsin.expr import ast
from tocsin.expr.errors import CompileError, ExprParseError
from tocsin.expr.evaluate import Bindings, EvalError, Evaluator, compile_expression
from tocsin.expr.parser import parse_expression
from tocsin.expr.values import Duration, Value, type_name

ERR_UNKNOWN_IDENTIFIER = 'unknown identifier "{name}"'
ERR_NO_TAG = "no tag exists for {name}"
ERR_ARGUMENTS = 'function "{name}" takes no arguments, got {count} line {line} char {char}'
ERR_NOT_BOOLEAN = "TypeGuard: expression returned unexpected type {type}, expected boolean"

_LEVELS = {level.name: int(level) for level in Level}


class MatchError(ParseError):
    """A match expression that cannot be compiled; `line`/`column` are 1-based."""


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What a match expression can see of one event in one topic."""

    level: Level
    previous_level: Level
    name: str
    task_name: str
    duration: int
    tags: Mapping[str, str]


def _changed(ctx: MatchContext) -> Value:
    return ctx.level != ctx.previous_level


def _level(ctx: MatchContext) -> Value:
    return int(ctx.level)


def _name(ctx: MatchContext) -> Value:
    return ctx.name


def _task_name(ctx: MatchContext) -> Value:
    return ctx.task_name


def _alert_duration(ctx: MatchContext) -> Value:
    return Duration(ctx.duration)


_EVENT_FUNCTIONS: dict[str, Callable[[MatchContext], Value]] = {
    "changed": _changed,
    "level": _level,
    "name": _name,
    "taskName": _task_name,
    "alertDuration": _alert_duration,
}


class _MatchBindings(Bindings):
    def reference(self, node: ast.ReferenceNode) -> Evaluator:
        name = node.name
        missing = ERR_NO_TAG.format(name=name)

        def tag(ctx: MatchContext) -> Value:
            try:
                return ctx.tags[name]
            except KeyError:
                raise EvalError(missing) from None

        return tag

    def identifier(self, node: ast.IdentifierNode) -> Evaluator:
        level = _LEVELS.get(node.name)
        if level is None:
            message = ERR_UNKNOWN_IDENTIFIER.format(name=node.name)
            raise CompileError(message, node.pos.line, node.pos.column)
        return lambda ctx: level

    def is_constant_identifier(self, node: ast.IdentifierNode) -> bool:
        return True

    def call(self, node: ast.FunctionNode, args: Sequence[Evaluator]) -> Evaluator | None:
        function = _EVENT_FUNCTIONS.get(node.name)
        if function is None:
            return None
        if args:
            line, char = node.pos.line, node.pos.column
            message = ERR_ARGUMENTS.format(name=node.name, count=len(args), line=line, char=char)
            raise CompileError(message, line, char)
        return function


class MatchExpression:
    """A compiled match expression; compile once, call `matches` per event."""

    __slots__ = ("_evaluator", "source")

    def __init__(self, source: str, evaluator: Evaluator) -> None:
        self.source = source
        self._evaluator = evaluator

    def matches(self, ctx: MatchContext) -> bool:
        """Whether the event matches; raises EvalError when the expression cannot be evaluated."""
        result = self._evaluator(ctx)
        if result is True or result is False:
            return result
        raise EvalError(ERR_NOT_BOOLEAN.format(type=type_name(result)))

    def __repr__(self) -> str:
        return f"MatchExpression({self.source!r})"


def compile_match(text: str) -> MatchExpression:
    """Parse and compile a match expression; raises MatchError (with `.line`/`.column`)."""
    try:
        node = parse_expression(text)
        return MatchExpression(text, compile_expression(node, _MatchBindings()))
    except (ExprParseError, CompileError) as exc:
        raise MatchError(str(exc), exc.line, exc.column) from None
