"""An event whose alert JSON line exercises Go's encoder (HTML escapes, fractional time)."""

from __future__ import annotations

from tocsin.alert.event import Event
from tocsin.alert.levels import Level

EVENT = Event(topic="t", id="a<b>&c", level=Level.WARNING, time=1_500_000, message="m", duration=3)
LINE = (
    b'{"id":"a\\u003cb\\u003e\\u0026c","message":"m","details":"","time":"1970-01-01T00:00:00.0015Z",'
    b'"duration":3,"level":"WARNING","data":{"series":null},"previousLevel":"OK","recoverable":true}\n'
)
