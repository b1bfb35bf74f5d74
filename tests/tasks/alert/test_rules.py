"""Level determination with resets, missing levels and expression errors."""

from __future__ import annotations

import logging

import pytest

from tocsin.alert.levels import Level
from tocsin.expr.errors import CompileError
from tocsin.pipeline.spec import NodeSpec
from tocsin.tasks.alert.rules import LevelRules

from .helpers import lam

LOG = logging.getLogger("tests.alert.rules")

RESETS = {
    "info": lam('"value" > 60'),
    "infoReset": lam('"value" < 50'),
    "warn": lam('"value" > 70'),
    "warnReset": lam('"value" < 60'),
    "crit": lam('"value" > 80'),
    "critReset": lam('"value" < 70'),
}


def rules(props: dict[str, object], quiet: bool = False) -> LevelRules:
    spec = NodeSpec(id=3, desc="alert", properties={k: [(v,)] for k, v in props.items()})
    return LevelRules(spec, LOG, quiet)


def run(r: LevelRules, values: list[object]) -> list[Level]:
    current = Level.OK
    out = []
    for v in values:
        current = r.determine("", {"value": v}, {}, 0, current)
        out.append(current)
    return out


def test_docs_reset_example() -> None:
    got = run(rules(RESETS), [61, 73, 64, 85, 62, 56, 47])
    assert [lv.name for lv in got] == ["INFO", "WARNING", "WARNING", "CRITICAL", "INFO", "INFO", "OK"]


def test_without_resets_levels_follow_values() -> None:
    props = {k: v for k, v in RESETS.items() if not k.endswith("Reset")}
    got = run(rules(props), [61, 73, 64, 85, 62, 56, 47])
    assert [lv.name for lv in got] == ["INFO", "WARNING", "INFO", "CRITICAL", "INFO", "OK", "OK"]


def test_reset_without_its_level_is_ignored() -> None:
    got = run(rules({"crit": lam('"value" > 80'), "warnReset": lam("FALSE")}), [90, 50])
    assert got == [Level.CRITICAL, Level.OK]


def test_missing_levels_are_skipped() -> None:
    got = run(rules({"crit": lam('"value" > 80')}), [90, 70, 95])
    assert got == [Level.CRITICAL, Level.OK, Level.CRITICAL]


def test_expression_error_counts_false_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    r = rules({"crit": lam('"other" > 80'), "warn": lam('"value" > 70')})
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        assert r.determine("", {"value": 75}, {}, 0, Level.OK) == Level.WARNING
    assert [rec.getMessage() for rec in caplog.records] == [
        'alert3: error evaluating expression for level CRITICAL: left reference value "other" is missing value'
    ]


def test_reset_error_is_logged_and_falls_through(caplog: pytest.LogCaptureFixture) -> None:
    r = rules({"warn": lam('"value" > 70'), "warnReset": lam('"other" < 60')})
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        assert r.determine("", {"value": 65}, {}, 0, Level.WARNING) == Level.OK
    assert [rec.getMessage() for rec in caplog.records] == [
        "alert3: error evaluating reset expression for current level WARNING: "
        'left reference value "other" is missing value'
    ]


def test_quiet_suppresses_error_logs(caplog: pytest.LogCaptureFixture) -> None:
    r = rules({"crit": lam('"other" > 80')}, quiet=True)
    with caplog.at_level(logging.DEBUG, logger=LOG.name):
        assert r.determine("", {"value": 90}, {}, 0, Level.OK) == Level.OK
    assert caplog.records == []


def test_non_boolean_result_is_an_error(caplog: pytest.LogCaptureFixture) -> None:
    r = rules({"crit": lam('"value" + 1')})
    with caplog.at_level(logging.ERROR, logger=LOG.name):
        assert r.determine("", {"value": 90}, {}, 0, Level.OK) == Level.OK
    assert [rec.getMessage() for rec in caplog.records] == [
        "alert3: error evaluating expression for level CRITICAL: expression returned unexpected type int"
    ]


def test_compile_error_names_the_property() -> None:
    with pytest.raises(CompileError) as info:
        rules({"warnReset": lam("TRUE"), "warn": lam('nofunc("x")')})
    assert str(info.value) == (
        'Failed to compile stateful expression for warn: undefined function: "nofunc" line 1 char 9'
    )
