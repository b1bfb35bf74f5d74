from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.sink import HttpSink, TcpSink
from tocsin.alert.event import Event
from tocsin.alert.levels import Level
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import ExecRequest, FileAppend, HttpRequest, Publish, TcpRequest
from tocsin.transports import Transports


async def test_dispatches_each_request_type(
    transports: Transports, sink: HttpSink, tcp_sink: TcpSink, tmp_path: Path
) -> None:
    prog = tmp_path / "prog.sh"
    prog.write_text('#!/bin/sh\ncat > "$(dirname "$0")/stdin"\n')
    prog.chmod(0o755)
    log = tmp_path / "a.log"

    assert (await transports.send(HttpRequest("POST", sink.url, body=b"h"), 5.0)).status == 200
    assert (await transports.send(TcpRequest(tcp_sink.address, b"t"), 5.0)).status is None
    assert (await transports.send(ExecRequest((str(prog),), b"e"), 5.0)).status is None
    assert (await transports.send(FileAppend(str(log), b"f\n"), 5.0)).status is None

    assert [r.body for r in await sink.wait_for(1)] == [b"h"]
    assert await tcp_sink.wait_for(1) == [b"t"]
    assert (tmp_path / "stdin").read_bytes() == b"e"
    assert log.read_bytes() == b"f\n"


async def test_publish_is_not_a_transport_request(transports: Transports) -> None:
    event = Event(topic="t", id="id", level=Level.CRITICAL, time=0)
    with pytest.raises(TypeError, match="Publish requests are collected into topics"):
        await transports.send(Publish(("other",), event), 5.0)


@pytest.mark.parametrize(("own", "given"), [(0.3, 30.0), (None, 0.3)], ids=["own-wins", "delivery-default"])
async def test_exec_timeout_precedence(transports: Transports, tmp_path: Path, own: float | None, given: float) -> None:
    prog = tmp_path / "slow.sh"
    prog.write_text("#!/bin/sh\nsleep 30\n")
    prog.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await transports.send(ExecRequest((str(prog),), b"", timeout=own), given)
    assert time.monotonic() - started < 5
    assert (caught.value.reason, str(caught.value)) == (
        Reason.TIMEOUT,
        f"exec {prog}: killed after 0.3s without exiting",
    )
