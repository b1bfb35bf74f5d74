from __future__ import annotations

import pytest

from tocsin.alert.levels import Level
from tocsin.errors import ParseError
from tocsin.expr.evaluate import EvalError
from tocsin.expr.match import MatchContext, MatchError, compile_match

MINUTE = 60 * 1_000_000_000


def context(
    level: Level = Level.CRITICAL,
    previous: Level = Level.OK,
    duration: int = 6 * MINUTE,
    tags: dict[str, str] | None = None,
) -> MatchContext:
    return MatchContext(
        level=level,
        previous_level=previous,
        name="cpu",
        task_name="cpu_alert",
        duration=duration,
        tags={"host": "serverA", "cpu": "cpu-total"} if tags is None else tags,
    )


SPEC_EXAMPLES = [
    ("changed() == TRUE", context(), True),
    ("changed() == TRUE", context(previous=Level.CRITICAL), False),
    ("changed()", context(), True),
    ("changed()", context(level=Level.OK, previous=Level.OK), False),
    ("level() >= WARNING", context(level=Level.WARNING), True),
    ("level() >= WARNING", context(level=Level.INFO), False),
    ("\"host\" == 'serverA' AND level() == CRITICAL", context(), True),
    ("\"host\" == 'serverA' AND level() == CRITICAL", context(level=Level.WARNING), False),
    ("\"host\" == 'serverA' AND level() == CRITICAL", context(tags={"host": "serverB"}), False),
    ("alertDuration() > 5m", context(duration=6 * MINUTE), True),
    ("alertDuration() > 5m", context(duration=5 * MINUTE), False),
]


@pytest.mark.parametrize(
    ("text", "ctx", "expected"),
    SPEC_EXAMPLES,
    ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(SPEC_EXAMPLES)],
)
def test_spec_examples(text: str, ctx: MatchContext, expected: bool) -> None:
    assert compile_match(text).matches(ctx) is expected


OTHER_CASES = [
    ("name() == 'cpu' AND taskName() == 'cpu_alert'", True),
    ("level() == 3 AND OK == 0 AND INFO == 1 AND WARNING == 2", True),
    ("strHasPrefix(\"host\", 'server')", True),
    ('"host" =~ /^server[AB]$/ AND "cpu" !~ /^cpu[0-9]/', True),
    ("if(level() > WARNING, 'page', 'mail') == 'page'", True),
    ("alertDuration() / 1m == 6", True),
    ("string(alertDuration()) == '6m'", True),
    ("!changed() OR \"host\" == 'x'", False),
    ('isPresent("host")', True),
    ("level() > WARNING OR \"missing\" == 'x'", True),
]


@pytest.mark.parametrize(("text", "expected"), OTHER_CASES, ids=[t for t, _ in OTHER_CASES])
def test_other_expressions(text: str, expected: bool) -> None:
    assert compile_match(text).matches(context()) is expected


EVAL_ERRORS = [
    ("\"dc\" == 'east'", "no tag exists for dc"),
    ("level() == CRITICAL AND \"dc\" == 'east'", "no tag exists for dc"),
    ("level()", "TypeGuard: expression returned unexpected type int, expected boolean"),
    ('"host"', "TypeGuard: expression returned unexpected type string, expected boolean"),
    (
        "level() == 'CRITICAL'",
        "mismatched type to binary operator. got int == string. see bool(), int(), float(), string(), duration()",
    ),
    ('isPresent("dc")', "Failed to handle 1 argument: no tag exists for dc"),
    # `duration()` is the conversion builtin since v1.5.8 (alertDuration() replaced it here).
    (
        "duration() > 5m",
        'error calling "duration": duration expects one or two arguments duration(value, unit) '
        "where unit is optional depending on the type of value.",
    ),
]


@pytest.mark.parametrize(("text", "message"), EVAL_ERRORS, ids=[t for t, _ in EVAL_ERRORS])
def test_evaluation_errors(text: str, message: str) -> None:
    expression = compile_match(text)
    with pytest.raises(EvalError) as info:
        expression.matches(context())
    assert str(info.value) == message


_PRIMARY = '"number","string","duration","identifier","TRUE","FALSE","==","(","-","!"'
COMPILE_ERRORS = [
    ("host == 'a'", 'unknown identifier "host"', 1, 1),
    ("level() >= warning", 'unknown identifier "warning"', 1, 12),
    ("level() >= ", f'parser: unexpected EOF line 1 char 12 in "evel() >= ". expected: {_PRIMARY}', 1, 12),
    ("changed() == TRUE AND", f'parser: unexpected EOF line 1 char 22 in "= TRUE AND". expected: {_PRIMARY}', 1, 22),
    ("lambda: changed()", f'parser: unexpected lambda line 1 char 1 in "lambda: ch". expected: {_PRIMARY}', 1, 1),
    ("", f'parser: unexpected EOF line 1 char 1 in "". expected: {_PRIMARY}', 1, 1),
    ("changed(1)", 'function "changed" takes no arguments, got 1 line 1 char 1', 1, 1),
    (
        "level() > 1 AND\n  alertDuration(5m) > 1m",
        'function "alertDuration" takes no arguments, got 1 line 2 char 3',
        2,
        3,
    ),
    ("name('x') == 'cpu'", 'function "name" takes no arguments, got 1 line 1 char 1', 1, 1),
    ("taskName(1, 2) == ''", 'function "taskName" takes no arguments, got 2 line 1 char 1', 1, 1),
    ("level() == nope()", 'undefined function: "nope" line 1 char 12', 1, 12),
    (
        "level() == 1 + 1.5",
        "mismatched type to binary operator. got int + float. see bool(), int(), float(), "
        "string(), duration() line 1 char 14",
        1,
        14,
    ),
    ('"host" =~ /(/', "parser: error parsing regexp: missing closing ): `(` line 1 char 11", 1, 11),
]


@pytest.mark.parametrize(
    ("text", "message", "line", "column"), COMPILE_ERRORS, ids=[c[0] or "empty" for c in COMPILE_ERRORS]
)
def test_compile_errors(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(MatchError) as info:
        compile_match(text)
    assert (str(info.value), info.value.line, info.value.column) == (message, line, column)
    assert isinstance(info.value, ParseError)


def test_source_is_kept_and_expression_is_reusable() -> None:
    text = "\"host\" == 'serverA' AND level() == CRITICAL"
    expression = compile_match(text)
    assert expression.source == text
    results = [expression.matches(context(level=level)) for level in Level]
    assert results == [False, False, False, True]


def test_match_state_is_per_expression() -> None:
    first, second = compile_match("count() == 1"), compile_match("count() == 1")
    assert [first.matches(context()), first.matches(context()), second.matches(context())] == [True, False, True]
