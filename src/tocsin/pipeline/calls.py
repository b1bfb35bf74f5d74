"""Argument checks for method calls, failing the way Kapacitor's reflection calls fail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tocsin.expr.tokens import Position
from tocsin.pipeline.errors import (
    ERR_CALLING,
    ERR_DOUBLE_QUOTES,
    ERR_TOO_MANY_TO_SET,
    REFLECT_SET,
    REFLECT_TOO_FEW,
    REFLECT_TOO_MANY,
    REFLECT_USING,
    REFLECT_VARIADIC,
    TickCompileError,
    at,
)
from tocsin.pipeline.signatures import Param, Sig
from tocsin.pipeline.values import NodeRef, go_type


def expand_list(args: Sequence[Any]) -> list[Any]:
    """A single list argument stands for the arguments themselves (`.groupBy(groupBy)`)."""
    if len(args) == 1 and isinstance(args[0], list):
        return list(args[0])
    return list(args)


def _fits(value: Any, param: Param) -> bool:
    if param is Param.NODE:
        return isinstance(value, NodeRef)
    return param is Param.ANY or go_type(value) == param.value


def _calling(pos: Position, name: str, obj: str, reason: str) -> TickCompileError:
    if "*ast.ReferenceNode" in reason and "type string" in reason:
        return at(pos, ERR_DOUBLE_QUOTES)
    return at(pos, ERR_CALLING.format(name=name, obj=obj, reason=reason))


def check_call(pos: Position, name: str, obj: str, sig: Sig, args: Sequence[Any]) -> None:
    """A Go method call: argument count, then each argument's type."""
    fixed = sig.params
    if sig.variadic is None and len(args) > len(fixed):
        raise _calling(pos, name, obj, REFLECT_TOO_MANY)
    if len(args) < len(fixed):
        raise _calling(pos, name, obj, REFLECT_TOO_FEW)
    for value, param in zip(args, fixed, strict=False):
        if not _fits(value, param):
            raise _calling(pos, name, obj, REFLECT_USING.format(got=go_type(value), want=param.value))
    if sig.variadic is not None:
        for value in args[len(fixed) :]:
            if not _fits(value, sig.variadic):
                reason = REFLECT_VARIADIC.format(got=go_type(value), want=sig.variadic.value)
                raise _calling(pos, name, obj, reason)


def check_field(pos: Position, name: str, field: str, obj: str, param: Param, args: Sequence[Any]) -> None:
    """A Go field set by reflection: exactly one value of the field's type."""
    if len(args) != 1:
        raise at(pos, ERR_TOO_MANY_TO_SET.format(field=field, obj=obj))
    if not _fits(args[0], param):
        raise _calling(pos, name, obj, REFLECT_SET.format(got=go_type(args[0]), want=param.value))
