"""An alert node's properties, read once from its NodeSpec and checked as Kapacitor checks them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tocsin.errors import ConfigError
from tocsin.expr.values import Duration
from tocsin.pipeline.spec import NodeSpec

DEFAULT_ID = "{{ .Name }}:{{ .Group }}"
DEFAULT_MESSAGE = "{{ .ID }} is {{ .Level }}"
DEFAULT_DETAILS = "{{ json . }}"
DEFAULT_HISTORY = 21
MIN_HISTORY = 2

ERR_FLAP_THRESHOLDS = "alert flap thresholds are percentages and should be between 0 and 1"


@dataclass(frozen=True, slots=True)
class Inhibit:
    """One `.inhibit(category, equalTags...)` call."""

    category: str
    equal_tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Everything an alert node reads from its properties (levels and templates are compiled elsewhere)."""

    id_template: str = DEFAULT_ID
    message_template: str = DEFAULT_MESSAGE
    details_template: str = DEFAULT_DETAILS
    history: int = DEFAULT_HISTORY
    state_changes_only: bool = False
    state_changes_only_duration: int = 0
    use_flapping: bool = False
    flap_low: float = 0.0
    flap_high: float = 0.0
    no_recoveries: bool = False
    all: bool = False
    level_tag: str = ""
    level_field: str = ""
    message_field: str = ""
    duration_field: str = ""
    id_tag: str = ""
    id_field: str = ""
    topic: str = ""
    category: str = ""
    inhibits: tuple[Inhibit, ...] = field(default_factory=tuple)

    @property
    def annotates(self) -> bool:
        """Whether triggered items get any level/message/duration/id tag or field."""
        return any(
            (self.level_tag, self.id_tag, self.level_field, self.message_field, self.duration_field, self.id_field)
        )

    @classmethod
    def from_spec(cls, spec: NodeSpec) -> AlertSettings:
        """Read the properties of an alert node; raises ConfigError for values Kapacitor rejects."""
        sco_calls = spec.properties.get("stateChangesOnly") or []
        sco_duration = 0
        if sco_calls and sco_calls[-1]:
            sco_duration = _nanoseconds(sco_calls[-1][0], "stateChangesOnly")
        flap_calls = spec.properties.get("flapping") or []
        low = high = 0.0
        if flap_calls:
            low, high = (float(v) for v in flap_calls[-1][:2])
            # Kapacitor only rejects thresholds above 1.
            if low > 1 or high > 1:
                raise ConfigError(ERR_FLAP_THRESHOLDS)
        return cls(
            id_template=_text(spec, "id", DEFAULT_ID),
            message_template=_text(spec, "message", DEFAULT_MESSAGE),
            details_template=_text(spec, "details", DEFAULT_DETAILS),
            history=max(MIN_HISTORY, int(spec.last("history", DEFAULT_HISTORY))),
            state_changes_only=bool(sco_calls),
            state_changes_only_duration=sco_duration,
            use_flapping=bool(flap_calls),
            flap_low=low,
            flap_high=high,
            no_recoveries=spec.has("noRecoveries"),
            all=spec.has("all"),
            level_tag=_text(spec, "levelTag"),
            level_field=_text(spec, "levelField"),
            message_field=_text(spec, "messageField"),
            duration_field=_text(spec, "durationField"),
            id_tag=_text(spec, "idTag"),
            id_field=_text(spec, "idField"),
            topic=_text(spec, "topic"),
            category=_text(spec, "category"),
            inhibits=tuple(
                Inhibit(str(args[0]), tuple(str(a) for a in args[1:]))
                for args in spec.properties.get("inhibit") or []
                if args
            ),
        )


def _text(spec: NodeSpec, prop: str, default: str = "") -> str:
    value = spec.last(prop, default)
    if not isinstance(value, str):
        raise ConfigError(f"{spec.name}: property {prop} wants a string, got {value!r}")
    return value


def _nanoseconds(value: Any, prop: str) -> int:
    if isinstance(value, Duration):
        return value.ns
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ConfigError(f"property {prop} wants a duration, got {value!r}")
