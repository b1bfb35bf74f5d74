"""Random bodies, encodings and parameters to /write while a task with an alert node runs.

Every answer is 204 or a plain-text 400 (never 5xx). After a 400 the task's stats, the topics, the alert
events and the outbox are exactly as before; only InfluxDB's partial write (`partial write: ... dropped=N`, a 400
that keeps the other points) may change them, as InfluxDB and Kapacitor do.
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.conftest import FAST_RETRY
from tests.hardening.live import RAN, Live, count

EXAMPLES = 600
TASK = """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .warn(lambda: "v" > 2)
        .crit(lambda: "v" > 5)
        .log('/dev/null')
        .tcp('127.0.0.1:9')
"""
TOPIC = "main:w:alert2"
_PIECES = [
    "cpu",
    ",",
    " ",
    "=",
    '"',
    "\\",
    "\n",
    "host=a",
    "host=b",
    "v=7",
    "v=1",
    "v=3i",
    "v=t",
    "time=1",
    ",time=x",
    "1600000000000000000",
    "-1",
    "9223372036854775808",
    "é",
    "\x00",
    "#",
    "1e400",
    "NaN",
]
_LINES = st.builds(
    lambda host, value, ts: f"cpu,host={host} v={value}{ts}",
    st.sampled_from(["a", "b", "c d", "é"]),
    st.sampled_from(["1", "3", "7", "7i", "-1e3", "true", '"s"']),
    st.sampled_from(["", " 1600000000000000000", " 1600000000", " -5"]),
)


@st.composite
def _line_protocol(draw: st.DrawFn) -> bytes:
    text = "\n".join(draw(st.lists(_LINES, min_size=1, max_size=4)))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(_PIECES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
    return text.encode()


pieces = st.lists(st.sampled_from(_PIECES)).map(lambda p: "".join(p).encode())
bodies = _line_protocol() | _line_protocol() | st.binary(max_size=80) | pieces
encodings = st.sampled_from(["none", "gzip", "raw-as-gzip", "truncated-gzip", "deflate", "raw-as-deflate"])
params = st.fixed_dictionaries(
    {"db": st.just("db"), "rp": st.just("rp")}, optional={"precision": st.sampled_from(["", "n", "s", "x"])}
) | st.fixed_dictionaries(
    {},
    optional={
        "db": st.sampled_from(["db", "", "other"]) | st.text(max_size=4),
        "rp": st.sampled_from(["rp", "", "x"]) | st.text(max_size=4),
        "precision": st.sampled_from(["", "n", "ns", "u", "ms", "s", "m", "h", "x", "0"]) | st.text(max_size=3),
    },
)


def _encode(body: bytes, encoding: str) -> tuple[bytes, dict[str, str]]:
    if encoding == "gzip":
        return gzip.compress(body), {"Content-Encoding": "gzip"}
    if encoding == "truncated-gzip":
        return gzip.compress(body)[:-6], {"Content-Encoding": "gzip"}
    if encoding == "deflate":
        return zlib.compress(body), {"Content-Encoding": "deflate"}
    if encoding.startswith("raw-as-"):
        return body, {"Content-Encoding": encoding.removeprefix("raw-as-")}
    return body, {}


class Ingest:
    """The live server with task `w` running, and the state a rejected write must not change."""

    def __init__(self, live: Live) -> None:
        self.live = live
        body = {"id": "w", "script": TASK, "status": "enabled", "dbrps": [{"db": "db", "rp": "rp"}]}
        assert live.call("POST", "/kapacitor/v1/tasks", json.dumps(body))[0] == 200

    def settle(self) -> None:
        """Wait until no delivery is pending, so the state only changes by a write."""
        for _ in range(400):
            status, text = self.live.call("GET", "/tocsin/v1/deliveries", params={"status": "pending"})
            if status == 200 and not json.loads(text)["deliveries"]:
                return
            time.sleep(0.01)
        raise AssertionError("deliveries stay pending")

    def state(self) -> tuple[Any, ...]:
        """Node stats of `w`, the topics, the task topic's events and the outbox."""
        task = json.loads(self.live.call("GET", "/kapacitor/v1/tasks/w")[1])
        assert task["executing"], task
        return (
            task["stats"]["node-stats"],
            self.live.call("GET", "/kapacitor/v1/alerts/topics"),
            self.live.call("GET", f"/kapacitor/v1/alerts/topics/{TOPIC}/events"),
            self.live.call("GET", "/tocsin/v1/deliveries", params={"limit": "1000"}),
        )


@pytest.fixture(scope="module")
def ingest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ingest]:
    server = Live(tmp_path_factory.mktemp("fuzz-write"), FAST_RETRY)
    yield Ingest(server)
    server.stop()


OUTCOMES: dict[str, int] = {}
# aiohttp's own answer (plain text: the encoding's name) when a compressed body that came in one packet with the
# headers does not inflate; the route never sees the request.
PROTOCOL_ERRORS = {"deflate", "gzip"}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(bodies, encodings, params, st.sampled_from(["/write", "/kapacitor/v1/write"]))
def _writes(ingest: Ingest, body: bytes, encoding: str, query: dict[str, str], path: str) -> None:
    ingest.settle()
    before = ingest.state()
    data, headers = _encode(body, encoding)
    status, text = ingest.live.call("POST", path, data, params=query, headers=headers)
    count("write")
    assert status in (204, 400), (status, text)
    kind = "204" if status == 204 else "partial" if text.startswith("partial write:") else "400"
    if status == 400 and text in PROTOCOL_ERRORS:
        kind = "400 from aiohttp"  # a body that arrived with the headers and does not inflate
    OUTCOMES[kind] = OUTCOMES.get(kind, 0) + 1
    if kind == "400":
        assert text.endswith("\n") and text.strip(), text
        assert not text.startswith("{"), text  # Kapacitor's write errors are plain text
    if kind.startswith("400"):
        assert ingest.state() == before, text


def test_writes(ingest: Ingest) -> None:
    RAN.pop("write", None)
    _writes(ingest)
    print(f"write fuzz inputs: {RAN['write']} ({OUTCOMES})")
    assert RAN["write"] >= 400, RAN
    assert OUTCOMES.get("204", 0) > 20 and OUTCOMES.get("400", 0) > 20, OUTCOMES
    alerts = json.loads(ingest.live.call("GET", f"/kapacitor/v1/alerts/topics/{TOPIC}/events")[1])["events"]
    assert alerts, "no write ever raised an alert"
