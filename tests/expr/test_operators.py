from __future__ import annotations

import math

import pytest

from tocsin.expr.errors import EvalError
from tocsin.expr.evaluate import MapScope, compile_expression
from tocsin.expr.parser import parse_expression
from tocsin.expr.regex import compile_go_regex
from tocsin.expr.values import MISSING, Duration, Time, Value

S = 1_000_000_000
REFS: dict[str, Value] = {
    "i": 7,
    "j": -7,
    "big": 9223372036854775807,
    "f": 2.5,
    "z": 0.0,
    "s": "serverA",
    "t": "b",
    "b": True,
    "d": Duration(90 * S),
    "e": Duration(30 * S),
    "re": compile_go_regex("^server"),
    "time": Time(0),
    "gone": MISSING,
}


def run(text: str) -> Value:
    return compile_expression(parse_expression(text))(MapScope(REFS))


RESULTS: list[tuple[str, Value]] = [
    ('"i" + 3', 10),
    ('"i" - 10', -3),
    ('"i" * 3', 21),
    ('"i" / 2', 3),
    ('"j" / 2', -3),
    ('"i" % 4', 3),
    ('"j" % 4', -3),
    ('"big" + 1', -9223372036854775808),
    ('"f" + 1.5', 4.0),
    ('"f" - 0.5', 2.0),
    ('"f" * 2.0', 5.0),
    ('"f" / 2.0', 1.25),
    ('"f" / "z"', math.inf),
    ('-"f" / "z"', -math.inf),
    ("\"s\" + '-1'", "serverA-1"),
    ('"d" + "e"', Duration(120 * S)),
    ('"d" - "e"', Duration(60 * S)),
    ('"d" * 2', Duration(180 * S)),
    ('2 * "d"', Duration(180 * S)),
    ('"d" * 0.5', Duration(45 * S)),
    ('0.5 * "d"', Duration(45 * S)),
    ('"d" / 3', Duration(30 * S)),
    ('"d" / 4.0', Duration(22_500_000_000)),
    ('"d" / "e"', 3),
    ('-"d"', Duration(-90 * S)),
    ('-"i"', -7),
    ('!"b"', False),
    ('"i" > 6.5', True),
    ('6.5 < "i"', True),
    ('"i" == 7.0', True),
    ('"i" != 7.0', False),
    ('"f" >= 2', True),
    ('"f" <= 2', False),
    ('"i" == 7', True),
    ("\"s\" == 'serverA'", True),
    ("\"s\" < 'serverB'", True),
    ("\"t\" > 'a'", True),
    ("\"t\" >= 'b'", True),
    ("'B' < \"t\"", True),
    ('"d" > 1m', True),
    ('"d" <= 90s', True),
    ('"d" == 90s', True),
    ('"b" == TRUE', True),
    ('"b" != TRUE', False),
    ('"s" =~ /^server[A-Z]$/', True),
    ('"s" =~ /A/', True),
    ('"s" !~ /^client/', True),
    ('"s" =~ "re"', True),
    ('"b" AND "i" > 3', True),
    ('"b" AND "i" > 10', False),
    ('FALSE OR "i" > 10 OR "s" == \'serverA\'', True),
    ('"i" > 10 AND "gone" > 1', False),
    ('"i" > 1 OR "gone" > 1', True),
    ('"b" OR FALSE OR "gone"', True),
    ('"b" AND (1 > 2 OR "i" == 7) AND !FALSE', True),
]


@pytest.mark.parametrize(("text", "expected"), RESULTS, ids=[t for t, _ in RESULTS])
def test_results(text: str, expected: Value) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is type(expected)


def test_float_nan_from_zero_over_zero() -> None:
    result = run('"z" / "z"')
    assert isinstance(result, float) and math.isnan(result)


_SEE = "see bool(), int(), float(), string(), duration()"
ERRORS: list[tuple[str, str]] = [
    ('"i" + 1.5', f"mismatched type to binary operator. got int + float. {_SEE}"),
    ('"f" * 2', f"mismatched type to binary operator. got float * int. {_SEE}"),
    ("\"i\" + 'a'", f"mismatched type to binary operator. got int + string. {_SEE}"),
    ('"s" == 1', f"mismatched type to binary operator. got string == int. {_SEE}"),
    ('"i" == TRUE', f"mismatched type to binary operator. got int == boolean. {_SEE}"),
    ('"d" > 5', f"mismatched type to binary operator. got duration > int. {_SEE}"),
    ('"i" % 2.0', f"mismatched type to binary operator. got int % float. {_SEE}"),
    ("\"s\" =~ 'server'", f"mismatched type to binary operator. got string =~ string. {_SEE}"),
    ('"b" AND "i"', f"mismatched type to binary operator. got boolean AND int. {_SEE}"),
    ('"b" AND TRUE AND "s"', f"mismatched type to binary operator. got boolean AND string. {_SEE}"),
    ('"d" + "i"', f"mismatched type to binary operator. got duration + int. {_SEE}"),
    ('"b" + TRUE', "invalid math operator + for type boolean"),
    ('"b" < FALSE', "invalid comparison operator < for type boolean"),
    ('"f" % 2.0', "invalid math operator % for type float"),
    ('"i" AND TRUE', "invalid logical operator AND for type int"),
    ('"s" OR TRUE', "invalid logical operator OR for type string"),
    ('"i" =~ /x/', "invalid comparison operator =~ for type int"),
    ('"re" == /x/', "invalid comparison operator == for type regex"),
    ('"time" > "time"', "invalid comparison operator > for type time"),
    ('"d" % 2', "invalid math operator % for type duration"),
    ('-"s"', "invalid math operator - for type string"),
    ('!"i"', "invalid logical operator ! for type int"),
    ('"gone" > 1', 'left reference value "gone" is missing value'),
    ('1 < "gone"', 'right reference value "gone" is missing value'),
    ('"gone" AND TRUE', 'left reference value "gone" is missing value'),
    ('"b" AND "gone"', 'right reference value "gone" is missing value'),
    ('FALSE OR FALSE OR "gone"', 'right reference value "gone" is missing value'),
    ('-"gone"', 'reference value "gone" is missing value'),
    ('"i" / 0', "runtime error: integer divide by zero"),
    ('"i" % 0', "runtime error: integer divide by zero"),
    ('"d" / 0', "runtime error: integer divide by zero"),
    ('"nothere" == 1', 'left reference value "nothere" is missing value'),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[t for t, _ in ERRORS])
def test_errors(text: str, message: str) -> None:
    with pytest.raises(EvalError) as info:
        run(text)
    assert str(info.value) == message
