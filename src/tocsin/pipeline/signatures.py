"""Argument signatures of TICKscript methods, as the Go methods Kapacitor calls by reflection declare them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Param(StrEnum):
    """A Go parameter type; the value is the name Kapacitor's reflect errors print."""

    STRING = "string"
    INT = "int64"
    FLOAT = "float64"
    BOOL = "bool"
    DURATION = "time.Duration"
    LAMBDA = "*ast.LambdaNode"
    REGEX = "*regexp.Regexp"
    ANY = "interface {}"  # strings, `*`, numbers: whatever the node accepts
    NODE = "pipeline.Node"  # another node of the script (`|join(errors)`, `|union(a, b)`)


@dataclass(frozen=True, slots=True)
class Sig:
    """Fixed parameters, then an optional variadic parameter (`...string`)."""

    params: tuple[Param, ...] = ()
    variadic: Param | None = None

    @property
    def min_args(self) -> int:
        return len(self.params)


NONE = Sig()
STR = Sig((Param.STRING,))
INT = Sig((Param.INT,))
FLOAT = Sig((Param.FLOAT,))
BOOL = Sig((Param.BOOL,))
DUR = Sig((Param.DURATION,))
LAMBDA = Sig((Param.LAMBDA,))
STR_PAIR = Sig((Param.STRING, Param.STRING))
STR_ANY = Sig((Param.STRING, Param.ANY))
STRS = Sig(variadic=Param.STRING)
ANYS = Sig(variadic=Param.ANY)
LAMBDAS = Sig(variadic=Param.LAMBDA)
DURS = Sig(variadic=Param.DURATION)
NODE_LIST = Sig(variadic=Param.NODE)
