"""Go text/template's predefined functions, with Go's semantics and error texts (text/template/funcs.go).

`and` and `or` short-circuit, so the executor evaluates them itself; they are listed here for arity checks.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tocsin.gotemplate.errors import (
    ERR_BAD_COMPARISON,
    ERR_BAD_COMPARISON_TYPE,
    ERR_NO_COMPARISON,
    FuncError,
)
from tocsin.gotemplate.escape import html, js, urlquery
from tocsin.gotemplate.gofmt import format_value, sprint, sprintln
from tocsin.gotemplate.goprintf import sprintf
from tocsin.gotemplate.values import go_type_name, is_true, map_zero

VALUE = "reflect.Value"
ANY = "interface {}"
STRING = "string"


@dataclass(frozen=True, slots=True)
class FuncSpec:
    """How a function is called: `fixed` leading parameters, then more if `variadic`."""

    fn: Callable[..., Any]
    fixed: int
    variadic: bool
    param_type: str = ANY
    first_type: str | None = None

    def type_of(self, i: int) -> str:
        """The Go type of argument `i` (for validation of strings and nils)."""
        return self.first_type if i == 0 and self.first_type is not None else self.param_type


@lru_cache(maxsize=1024)
def callable_spec(fn: Callable[..., Any], skip_self: bool = False) -> FuncSpec:
    """The arity of a Python callable: required positionals fixed; defaults or *args make it variadic."""
    fixed, variadic = 0, False
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some C callables have no signature: accept any arguments
        return FuncSpec(fn, 0, True)
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            if p.default is p.empty:
                fixed += 1
            else:
                variadic = True
        elif p.kind is p.VAR_POSITIONAL:
            variadic = True
    return FuncSpec(fn, fixed - 1 if skip_self else fixed, variadic)


def _basic_kind(v: Any) -> str | None:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return None


def eq(arg1: Any, *rest: Any) -> bool:
    """True if arg1 equals any of the rest (Go's eq)."""
    if not rest:
        raise FuncError(ERR_NO_COMPARISON)
    k1 = _basic_kind(arg1)
    for arg in rest:
        k2 = _basic_kind(arg)
        if k1 != k2:
            if arg1 is not None and arg is not None:
                raise FuncError(ERR_BAD_COMPARISON)
            continue
        if k1 is not None:
            if arg1 == arg:
                return True
            continue
        if arg1 is None or arg is None:
            if arg1 is arg:
                return True
            continue
        for v in (arg1, arg):
            if isinstance(v, (dict, list, tuple)) or callable(v):
                raise FuncError(f"non-comparable type {format_value(v)}: {go_type_name(v)}")
        if type(arg1) is type(arg) and arg1 == arg:
            return True
    return False


def ne(arg1: Any, arg2: Any) -> bool:
    """Go's ne."""
    return not eq(arg1, arg2)


def lt(arg1: Any, arg2: Any) -> bool:
    """Go's lt: ints, floats and strings, each only with its own kind."""
    k1, k2 = _basic_kind(arg1), _basic_kind(arg2)
    if k1 is None or k2 is None:
        raise FuncError(ERR_BAD_COMPARISON_TYPE)
    if k1 != k2:
        raise FuncError(ERR_BAD_COMPARISON)
    if k1 == "bool":
        raise FuncError(ERR_BAD_COMPARISON_TYPE)
    return bool(arg1 < arg2)


def le(arg1: Any, arg2: Any) -> bool:
    """Go's le."""
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: Any, arg2: Any) -> bool:
    """Go's gt."""
    return not le(arg1, arg2)


def ge(arg1: Any, arg2: Any) -> bool:
    """Go's ge."""
    return not lt(arg1, arg2)


def not_(arg: Any) -> bool:
    """Go's not."""
    return not is_true(arg)


def length(item: Any) -> int:
    """Go's len: bytes of a string, elements of a slice or map."""
    if isinstance(item, str):
        return len(item) if item.isascii() else len(item.encode("utf-8"))
    if isinstance(item, (list, tuple, dict)):
        return len(item)
    if item is None:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    raise FuncError(f"len of type {go_type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is None:
        raise FuncError("cannot index slice/array with nil")
    if isinstance(index, bool) or not isinstance(index, int):
        raise FuncError(f"cannot index slice/array with type {go_type_name(index)}")
    if index < 0 or index > cap:
        raise FuncError(f"index out of range: {index}")
    return index


def index(item: Any, *indexes: Any) -> Any:
    """Go's index: item[i][j]...; a missing map key yields the map's zero value."""
    if item is None:
        raise FuncError("index of untyped nil")
    for idx in indexes:
        if item is None:
            raise FuncError("index of nil pointer")
        if isinstance(item, (str, list, tuple)):
            seq: Any = item.encode("utf-8") if isinstance(item, str) else item
            x = _index_arg(idx, len(seq))
            if x == len(seq):
                raise FuncError(f"index out of range: {x}")
            item = seq[x]
        elif isinstance(item, Mapping):
            if idx is None:
                raise FuncError("value is nil; should be of type string")
            if not isinstance(idx, str) and all(isinstance(k, str) for k in item):
                raise FuncError(f"value has type {go_type_name(idx)}; should be string")
            item = item[idx] if idx in item else map_zero(item)  # type: ignore[arg-type]
        else:
            raise FuncError(f"can't index item of type {go_type_name(item)}")
    return item


def slice_(item: Any, *indexes: Any) -> Any:
    """Go's slice: item[i:j] or item[i:j:k]."""
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        seq: Any = item.encode("utf-8")
    elif isinstance(item, (list, tuple)):
        seq = item
    else:
        raise FuncError(f"can't slice item of type {go_type_name(item)}")
    idx = [0, len(seq), len(seq)]
    for i, value in enumerate(indexes):
        idx[i] = _index_arg(value, len(seq))
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = seq[idx[0] : idx[1]]
    return part.decode("utf-8", "replace") if isinstance(part, bytes) else part


def call(name: str, fn: Any, *args: Any) -> Any:
    """Go's call: invoke a function value; `name` is the callee's text for error messages."""
    if fn is None:
        raise FuncError("call of nil")
    if not callable(fn):
        raise FuncError(f"non-function {name} of type {go_type_name(fn)}")
    spec = callable_spec(fn)
    if spec.variadic and len(args) < spec.fixed:
        raise FuncError(f"wrong number of args for {name}: got {len(args)} want at least {spec.fixed}")
    if not spec.variadic and len(args) != spec.fixed:
        raise FuncError(f"wrong number of args for {name}: got {len(args)} want {spec.fixed}")
    return fn(*args)


def _printf(fmt: str, *args: Any) -> str:
    return sprintf(fmt, args)


def _print(*args: Any) -> str:
    return sprint(args)


def _println(*args: Any) -> str:
    return sprintln(args)


def _short_circuit(*args: Any) -> Any:
    raise AssertionError("and/or are evaluated by the executor")


BUILTINS: dict[str, FuncSpec] = {
    "and": FuncSpec(_short_circuit, 1, True, VALUE),
    "or": FuncSpec(_short_circuit, 1, True, VALUE),
    "not": FuncSpec(not_, 1, False, VALUE),
    "len": FuncSpec(length, 1, False, VALUE),
    "index": FuncSpec(index, 1, True, VALUE),
    "slice": FuncSpec(slice_, 1, True, VALUE),
    "call": FuncSpec(call, 1, True, VALUE),
    "eq": FuncSpec(eq, 1, True, VALUE),
    "ne": FuncSpec(ne, 2, False, VALUE),
    "lt": FuncSpec(lt, 2, False, VALUE),
    "le": FuncSpec(le, 2, False, VALUE),
    "gt": FuncSpec(gt, 2, False, VALUE),
    "ge": FuncSpec(ge, 2, False, VALUE),
    "html": FuncSpec(html, 0, True),
    "js": FuncSpec(js, 0, True),
    "urlquery": FuncSpec(urlquery, 0, True),
    "print": FuncSpec(_print, 0, True),
    "printf": FuncSpec(_printf, 1, True, ANY, STRING),
    "println": FuncSpec(_println, 0, True),
}
