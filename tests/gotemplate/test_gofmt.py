"""Go fmt emulation: Sprintf verbs and flags, %v of every value kind, Sprint/Sprintln spacing."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.gotemplate import GoDuration, GoTime, StringMap, Struct, sprint, sprintf, sprintln

FLOAT_V = [
    ("integral", 42.0, "42"),
    ("fraction", 42.5, "42.5"),
    ("six-digits", 123456.0, "123456"),
    ("million", 1e6, "1e+06"),
    ("seven-digits", 1234567.0, "1.234567e+06"),
    ("small", 0.00001, "1e-05"),
    ("small-fixed", 0.0001, "0.0001"),
    ("1e21", 1e21, "1e+21"),
    ("hundred-thousand", 100000.0, "100000"),
    ("negative", -0.5, "-0.5"),
    ("shortest-repr", 0.1 + 0.2, "0.30000000000000004"),
    ("big-fraction", 12345678.9, "1.23456789e+07"),
    ("zero", 0.0, "0"),
    ("negative-zero", -0.0, "-0"),
    ("tiny", 1e-7, "1e-07"),
    ("plus-inf", float("inf"), "+Inf"),
    ("minus-inf", float("-inf"), "-Inf"),
    ("nan", float("nan"), "NaN"),
]


@pytest.mark.parametrize(("value", "want"), [r[1:] for r in FLOAT_V], ids=[r[0] for r in FLOAT_V])
def test_float_v(value: float, want: str) -> None:
    assert sprintf("%v", [value]) == want
    assert sprint([value]) == want


SPRINTF = [
    # floats
    ("f-default", "%f", [3.14159], "3.141590"),
    ("f-prec", "%.2f", [97.5123], "97.51"),
    ("f-zero-prec", "%0.3f", [1.0], "1.000"),
    ("f-round-half-even-binary", "%.2f", [2.675], "2.67"),
    ("f-width", "%8.3f|", [3.14159], "   3.142|"),
    ("f-left", "%-8.2f|", [3.14159], "3.14    |"),
    ("f-zero-pad-negative", "%08.3f", [-3.14159], "-003.142"),
    ("f-plus", "%+.1f", [2.0], "+2.0"),
    ("f-space", "% .1f", [2.0], " 2.0"),
    ("f-inf-zero-pad", "%06f", [float("inf")], "  +Inf"),
    ("e", "%e", [1234.5678], "1.234568e+03"),
    ("E-prec", "%.2E", [1234.5678], "1.23E+03"),
    ("g", "%g", [1234.5678], "1234.5678"),
    ("g-million", "%g", [1e6], "1e+06"),
    ("g-prec", "%.3g", [1234.5678], "1.23e+03"),
    ("G-small", "%G", [1e-10], "1E-10"),
    ("percent-suffix", "%6.2f%%", [97.5], " 97.50%"),
    # integers
    ("d", "%d", [42], "42"),
    ("d-width", "%5d|", [42], "   42|"),
    ("d-left", "%-5d|", [42], "42   |"),
    ("d-zero-negative", "%05d", [-42], "-0042"),
    ("d-plus", "%+d", [5], "+5"),
    ("d-prec", "%.3d", [7], "007"),
    ("d-prec-and-zero", "%08.3d", [7], "     007"),
    ("x", "%x %X %#x", [255, 255, 255], "ff FF 0xff"),
    ("x-negative", "%x", [-255], "-ff"),
    ("o-b", "%o %b %#o", [8, 5, 8], "10 101 010"),
    ("c", "%c%c", [72, 0x263A], "H☺"),
    ("q-int", "%q", [65], "'A'"),
    ("U", "%U %#U", [0x1F600, 65], "U+1F600 U+0041 'A'"),
    # strings
    ("s", "%s", ["hi"], "hi"),
    ("s-width", "%6s|%-6s|", ["hi", "hi"], "    hi|hi    |"),
    ("s-zero-flag-ignored", "%05s", ["ab"], "   ab"),
    ("s-prec", "%.2s|%5.1s", ["hello", "abc"], "he|    a"),
    ("q", "%q", ['a"b\n\x01é'], '"a\\"b\\n\\x01é"'),
    ("q-plus-ascii", "%+q", ["é"], '"\\u00e9"'),
    ("q-sharp-backquote", "%#q", ["a\\b"], "`a\\b`"),
    ("x-string", "%x|% x|%X", ["hi", "hi", "hi"], "6869|68 69|6869"),
    ("v-string", "%v", ["plain"], "plain"),
    # bools and nil
    ("t", "%t %v", [True, False], "true false"),
    ("t-width", "%6t|", [True], "  true|"),
    ("nil-v", "%v", [None], "<nil>"),
    ("nil-d", "%d", [None], "%!d(<nil>)"),
    # bad verbs
    ("s-of-int", "%s", [5], "%!s(int=5)"),
    ("d-of-string", "%d", ["x"], "%!d(string=x)"),
    ("d-of-float", "%d", [1.5], "%!d(float64=1.5)"),
    ("f-of-int", "%f", [5], "%!f(int=5)"),
    ("t-of-int", "%t", [1], "%!t(int=1)"),
    ("unknown-verb", "%z", [1], "%!z(int=1)"),
    ("d-of-bool", "%d", [True], "%!d(bool=true)"),
    # argument handling
    ("missing", "%d %d", [1], "1 %!d(MISSING)"),
    ("extra", "%d", [1, 2], "1%!(EXTRA int=2)"),
    ("extra-mixed", "hi", ["a", 3, None], "hi%!(EXTRA string=a, int=3, <nil>)"),
    ("no-verb", "100%", [], "100%!(NOVERB)"),
    ("percent", "%d%%", [5], "5%"),
    ("indexed", "%[2]d %[1]d", [1, 2], "2 1"),
    ("indexed-reuse", "%[1]d %[1]x", [255], "255 ff"),
    ("bad-index", "%[3]d", [1], "%!d(BADINDEX)"),
    ("star-width", "%*d|", [5, 42], "   42|"),
    ("star-negative-width", "%*d|", [-4, 7], "7   |"),
    ("star-prec", "%.*f", [2, 3.14159], "3.14"),
    ("bad-width", "%*d", ["x", 1], "%!(BADWIDTH)1"),
    # composites
    ("slice", "%v", [[1, "a", None]], "[1 a <nil>]"),
    ("slice-verb-per-element", "%d|%x|%q", [[1, 2], [255, 16], ["a", "b"]], '[1 2]|[ff 10]|["a" "b"]'),
    ("slice-width-per-element", "%3d", [[1, 2]], "[  1   2]"),
    ("map-sorted", "%v", [{"b": 1, "a": 2}], "map[a:2 b:1]"),
    ("map-int-keys", "%v", [{10: "b", 9: "a"}], "map[9:a 10:b]"),
    ("map-nested", "%v", [{"a": [1, 2], "b": {"c": None}}], "map[a:[1 2] b:map[c:<nil>]]"),
    ("string-map", "%v", [StringMap(host="h", dc="d")], "map[dc:d host:h]"),
    ("struct", "%v", [Struct("main.S", A="x", B=1)], "{x 1}"),
    ("struct-plus", "%+v", [Struct("main.S", A="x", B=1)], "{A:x B:1}"),
    ("struct-nested-stringer", "%v", [Struct("main.S", D=GoDuration(1500))], "{1.5µs}"),
    ("duration", "%v %s %d", [GoDuration(1_500_000_000)] * 3, "1.5s 1.5s 1500000000"),
    ("time", "%v", [GoTime(0)], "1970-01-01 00:00:00 +0000 UTC"),
    ("duration-bad-verb", "%f", [GoDuration(60_000_000_000)], "%!f(time.Duration=1m0s)"),
    (
        "types",
        "%T %T %T %T %T %T %T %T %T",
        [1, 1.5, "s", True, None, {"a": 1}, [1], GoDuration(1), StringMap()],
        "int float64 string bool <nil> map[string]interface {} []interface {} time.Duration map[string]string",
    ),
]


@pytest.mark.parametrize(("fmt", "args", "want"), [r[1:] for r in SPRINTF], ids=[r[0] for r in SPRINTF])
def test_sprintf(fmt: str, args: list[Any], want: str) -> None:
    assert sprintf(fmt, args) == want


SPRINT = [
    ("numbers", [1, 2], "1 2"),
    ("strings", ["a", "b"], "ab"),
    ("string-between", [1, "a", 2], "1a2"),
    ("strings-around", ["a", 1, 2, "b"], "a1 2b"),
    ("nils", [None, None], "<nil> <nil>"),
    ("float-bool", [1.0, True], "1 true"),
    ("empty", [], ""),
    ("stringer-is-not-string", [GoDuration(1), GoDuration(2)], "1ns 2ns"),
]


@pytest.mark.parametrize(("args", "want"), [r[1:] for r in SPRINT], ids=[r[0] for r in SPRINT])
def test_sprint(args: list[Any], want: str) -> None:
    assert sprint(args) == want


def test_sprintln_always_spaces_and_ends_with_newline() -> None:
    assert sprintln(["a", "b", 1]) == "a b 1\n"
