"""Reading an alert node's properties, with Kapacitor's defaults and checks."""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.errors import ConfigError
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec
from tocsin.tasks.alert.settings import ERR_FLAP_THRESHOLDS, AlertSettings, Inhibit

from .helpers import make_node


def settings(**props: Any) -> AlertSettings:
    return AlertSettings.from_spec(NodeSpec(id=1, desc="alert", properties={k: [v] for k, v in props.items()}))


def test_defaults() -> None:
    s = settings()
    assert (s.id_template, s.message_template, s.details_template, s.history) == (
        "{{ .Name }}:{{ .Group }}",
        "{{ .ID }} is {{ .Level }}",
        "{{ json . }}",
        21,
    )
    assert (s.state_changes_only, s.use_flapping, s.no_recoveries, s.all, s.annotates, s.inhibits) == (
        False,
        False,
        False,
        False,
        False,
        (),
    )


def test_properties() -> None:
    s = settings(
        stateChangesOnly=(Duration(5_000_000_000),),
        flapping=(0.2, 0.6),
        history=(10,),
        noRecoveries=(),
        all=(),
        levelTag=("l",),
        topic=("ops",),
        category=("system",),
        inhibit=("net", "host", "dc"),
    )
    assert (s.state_changes_only, s.state_changes_only_duration, s.use_flapping, s.flap_low, s.flap_high) == (
        True,
        5_000_000_000,
        True,
        0.2,
        0.6,
    )
    assert (s.history, s.no_recoveries, s.all, s.level_tag, s.annotates, s.topic, s.category) == (
        10,
        True,
        True,
        "l",
        True,
        "ops",
        "system",
    )
    assert s.inhibits == (Inhibit("net", ("host", "dc")),)


def test_state_changes_only_without_duration() -> None:
    s = settings(stateChangesOnly=())
    assert (s.state_changes_only, s.state_changes_only_duration) == (True, 0)


@pytest.mark.parametrize("value", [1, 0, -3], ids=["one", "zero", "negative"])
def test_history_is_at_least_two(value: int) -> None:
    assert settings(history=(value,)).history == 2


@pytest.mark.parametrize("thresholds", [(0.5, 1.5), (1.1, 0.5)], ids=["high", "low"])
def test_flap_thresholds_above_one_are_rejected(thresholds: tuple[float, float]) -> None:
    with pytest.raises(ConfigError) as info:
        settings(flapping=thresholds)
    assert str(info.value) == ERR_FLAP_THRESHOLDS
    assert ERR_FLAP_THRESHOLDS == "alert flap thresholds are percentages and should be between 0 and 1"


def test_node_construction_rejects_bad_flap_thresholds() -> None:
    with pytest.raises(ConfigError, match=r"^alert flap thresholds are percentages and should be between 0 and 1$"):
        make_node({"flapping": (0.5, 2)})


def test_integer_thresholds_are_accepted() -> None:
    s = settings(flapping=(0, 1))
    assert (s.flap_low, s.flap_high) == (0.0, 1.0)


def test_non_string_template_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"^alert1: property message wants a string, got 3$"):
        settings(message=(3,))
