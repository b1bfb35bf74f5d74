"""InfluxDB 1.x line protocol: the body of `/write` to `tocsin.points.Point`s."""

from __future__ import annotations

from tocsin.lineprotocol.errors import LineProtocolError, PartialWriteError
from tocsin.lineprotocol.parser import parse_points

__all__ = ["LineProtocolError", "PartialWriteError", "parse_points"]
