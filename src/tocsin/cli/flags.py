"""Command-line flags parsed the way Go's `flag` package does: `-name value`, `--name value`, `-name=value`.

Flags are single-dash long names; a boolean flag takes no separate value (`-skipVerify` or `-skipVerify=false`);
`--` ends the flags. Go stops at the first positional argument; `interspersed=True` keeps looking for flags
after positionals instead, so `tocsin list topics --json` works as well as `tocsin --json list topics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tocsin.cli.errors import HelpRequested, UsageError

FlagValue = str | bool | int

FLAG_UNDEFINED = "flag provided but not defined: -{name}"
FLAG_BAD_SYNTAX = "bad flag syntax: {arg}"
FLAG_NEEDS_ARGUMENT = "flag needs an argument: -{name}"
FLAG_INVALID_BOOL = 'invalid boolean value "{value}" for -{name}: parse error'
FLAG_INVALID_VALUE = 'invalid value "{value}" for flag -{name}: {reason}'

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_go_bool(text: str) -> bool | None:
    """Go's `strconv.ParseBool`: the boolean, or None when the text is not one."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


@dataclass(frozen=True)
class Flag:
    """One declared flag; its type is the type of its default."""

    name: str
    default: FlagValue
    help: str
    choices: tuple[str, ...] = ()


@dataclass
class ParsedArgs:
    """Flag values (defaults filled in), the names given explicitly, and the positional arguments."""

    values: dict[str, FlagValue]
    given: set[str] = field(default_factory=set)
    positional: list[str] = field(default_factory=list)

    def string(self, name: str) -> str:
        """The value of a string flag."""
        value = self.values[name]
        assert isinstance(value, str)
        return value

    def boolean(self, name: str) -> bool:
        """The value of a boolean flag."""
        value = self.values[name]
        assert isinstance(value, bool)
        return value

    def integer(self, name: str) -> int:
        """The value of an integer flag."""
        value = self.values[name]
        assert isinstance(value, int) and not isinstance(value, bool)
        return value


class FlagSet:
    """The flags one verb accepts; `verb` names the usage shown with errors."""

    def __init__(self, verb: str = "") -> None:
        self.verb = verb
        self._flags: dict[str, Flag] = {}

    def add(self, name: str, default: FlagValue, help: str, *, choices: Sequence[str] = ()) -> None:
        """Declare a flag; `choices` restricts a string flag to those values (or empty)."""
        self._flags[name] = Flag(name, default, help, tuple(choices))

    def extend(self, other: FlagSet) -> None:
        """Also accept every flag of `other` (the global flags after a verb)."""
        for flag in other._flags.values():
            self._flags.setdefault(flag.name, flag)

    def describe(self) -> str:
        """One entry per flag, as Go's `PrintDefaults` lays them out."""
        lines = []
        for flag in sorted(self._flags.values(), key=lambda f: f.name):
            kind = "" if isinstance(flag.default, bool) else (" int" if isinstance(flag.default, int) else " string")
            lines.append(f"  -{flag.name}{kind}")
            text = flag.help
            if flag.default not in ("", False, 0):
                text += f" (default {flag.default})"
            lines.append(f"    \t{text}")
        return "\n".join(lines)

    def parse(self, args: Sequence[str], *, interspersed: bool = False) -> ParsedArgs:
        """Parse `args`; raises UsageError on a bad flag and HelpRequested on `-h`/`-help`."""
        parsed = ParsedArgs(values={f.name: f.default for f in self._flags.values()})
        rest = list(args)
        while rest:
            arg = rest.pop(0)
            if len(arg) < 2 or arg[0] != "-":
                parsed.positional.append(arg)
                if interspersed:
                    continue
                parsed.positional.extend(rest)
                break
            if arg == "--":
                parsed.positional.extend(rest)
                break
            self._parse_one(arg, rest, parsed)
        return parsed

    def _parse_one(self, arg: str, rest: list[str], parsed: ParsedArgs) -> None:
        name = arg[2:] if arg[1] == "-" else arg[1:]
        if not name or name[0] in "-=":
            raise UsageError(FLAG_BAD_SYNTAX.format(arg=arg), self.verb)
        name, has_value, value = name.partition("=")
        flag = self._flags.get(name)
        if flag is None:
            if name in ("h", "help"):
                raise HelpRequested(self.verb)
            raise UsageError(FLAG_UNDEFINED.format(name=name), self.verb)
        if isinstance(flag.default, bool):
            result = parse_go_bool(value) if has_value else True
            if result is None:
                raise UsageError(FLAG_INVALID_BOOL.format(value=value, name=name), self.verb)
            parsed.values[name] = result
        else:
            if not has_value:
                if not rest:
                    raise UsageError(FLAG_NEEDS_ARGUMENT.format(name=name), self.verb)
                value = rest.pop(0)
            parsed.values[name] = self._convert(flag, value)
        parsed.given.add(name)

    def _convert(self, flag: Flag, value: str) -> FlagValue:
        if isinstance(flag.default, int):
            try:
                return int(value, 0)
            except ValueError:
                raise UsageError(
                    FLAG_INVALID_VALUE.format(value=value, name=flag.name, reason="parse error"), self.verb
                ) from None
        if flag.choices and value and value not in flag.choices:
            reason = "must be one of " + ", ".join(flag.choices)
            raise UsageError(FLAG_INVALID_VALUE.format(value=value, name=flag.name, reason=reason), self.verb)
        return value
