from __future__ import annotations

import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.support.sink import Answer, HttpSink
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import HttpRequest
from tocsin.transports.http import MAX_RESPONSE_BYTES, HttpTransport, _read_capped


@pytest.fixture
async def http() -> AsyncIterator[HttpTransport]:
    transport = HttpTransport()
    yield transport
    await transport.close()


async def test_sends_method_path_query_headers_and_body_exactly(sink: HttpSink, http: HttpTransport) -> None:
    req = HttpRequest(
        "POST",
        sink.url + "/hook/id?a=1&b=%20x",
        headers=(("X-Custom", "v"), ("X-Repeat", "1"), ("X-Repeat", "2")),
        body=b'{"k":"v"}\n',
    )
    outcome = await http.send(req, 5.0)
    assert (outcome.status, outcome.detail) == (200, "")
    (got,) = await sink.wait_for(1)
    assert (got.method, got.path, got.query_string, got.body) == ("POST", "/hook/id", "a=1&b=%20x", b'{"k":"v"}\n')
    assert got.header("X-Custom") == "v"
    assert got.header_values("X-Repeat") == ["1", "2"]
    assert got.header("Content-Type") is None  # no Content-Type unless the handler sets one
    assert got.header("Content-Length") == "10"


async def test_capture_response_keeps_the_start_of_the_body(sink: HttpSink, http: HttpTransport) -> None:
    sink.answer(Answer(201, body=b"a" * 500))
    outcome = await http.send(HttpRequest("POST", sink.url, capture_response=True), 5.0)
    assert (outcome.status, outcome.detail) == (201, "a" * 300)


async def test_error_status_is_classified_with_retry_after(sink: HttpSink, http: HttpTransport) -> None:
    sink.answer(Answer(429, headers=(("Retry-After", "3"),), body=b"slow down"))
    with pytest.raises(DeliveryError) as caught:
        await http.send(HttpRequest("POST", sink.url + "/x"), 5.0)
    error = caught.value
    assert (error.reason, error.retryable, error.retry_after, error.status) == (Reason.RATE_LIMITED, True, 3.0, 429)
    assert str(error) == f"HTTP 429 from {sink.url}/x: slow down"


async def test_redacted_url_replaces_the_real_one(sink: HttpSink, http: HttpTransport) -> None:
    sink.answer(Answer(404))
    req = HttpRequest("POST", sink.url + "/secret-token", redacted_url=sink.url + "/xxxxx")
    with pytest.raises(DeliveryError) as caught:
        await http.send(req, 5.0)
    assert str(caught.value) == f"HTTP 404 from {sink.url}/xxxxx"


async def test_a_status_the_handler_rejects_without_http_error(sink: HttpSink, http: HttpTransport) -> None:
    sink.answer(Answer(204))
    req = HttpRequest("POST", sink.url, success=lambda status: status == 200)
    with pytest.raises(DeliveryError) as caught:
        await http.send(req, 5.0)
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (
        Reason.OTHER,
        False,
        f"HTTP 204 from {sink.url}",
    )


@pytest.mark.parametrize(
    ("own", "given"), [(0.3, 30.0), (None, 0.3)], ids=["request-timeout-wins", "delivery-timeout-when-unset"]
)
async def test_timeout_against_a_hanging_peer(
    sink: HttpSink, http: HttpTransport, own: float | None, given: float
) -> None:
    sink.hang()
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await http.send(HttpRequest("POST", sink.url + "/slow", timeout=own), given)
    assert time.monotonic() - started < 5
    assert (caught.value.reason, caught.value.retryable) == (Reason.TIMEOUT, True)
    assert str(caught.value) == f"POST {sink.url}/slow: no answer within 0.3s"
    assert len(sink.requests) == 1


async def test_refused_connection_is_a_retryable_network_error(sink: HttpSink, http: HttpTransport) -> None:
    url = sink.url + "/token-abc"
    await sink.close()
    with pytest.raises(DeliveryError) as caught:
        await http.send(HttpRequest("POST", url, redacted_url="http://redacted"), 5.0)
    assert (caught.value.reason, caught.value.retryable) == (Reason.NETWORK, True)
    assert "token-abc" not in str(caught.value)
    assert str(caught.value).startswith("POST http://redacted: ")
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "not a url", "http://[::1/x"], ids=["scheme", "relative", "host"]
)
async def test_invalid_urls_are_config_errors(http: HttpTransport, url: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        await http.send(HttpRequest("POST", url), 5.0)
    assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (
        Reason.CONFIG,
        False,
        f"POST {url}: invalid URL",
    )


async def test_one_session_serves_every_request_and_close_resets_it(sink: HttpSink, http: HttpTransport) -> None:
    await http.send(HttpRequest("POST", sink.url), 5.0)
    first = http._session
    await http.send(HttpRequest("POST", sink.url), 5.0)
    assert http._session is first
    await http.close()
    assert http._session is None
    await http.send(HttpRequest("POST", sink.url), 5.0)
    assert len(await sink.wait_for(3)) == 3


async def test_reads_at_most_64_kib_of_a_response(sink: HttpSink) -> None:
    sink.answer(Answer(200, body=b"z" * 200_000))
    async with aiohttp.ClientSession() as client, client.post(sink.url) as resp:
        assert len(await _read_capped(resp)) == MAX_RESPONSE_BYTES == 65536


def _self_signed(directory: Path) -> ssl.SSLContext:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def test_verify_tls_decides_whether_a_self_signed_peer_is_accepted(tmp_path: Path, http: HttpTransport) -> None:
    server = await HttpSink().start(ssl_context=_self_signed(tmp_path))
    try:
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", server.url + "/x", body=b"a"), 5.0)
        assert (caught.value.reason, caught.value.retryable) == (Reason.TLS, True)
        assert "certificate verify failed" in str(caught.value)
        assert len(server.requests) == 0
        outcome = await http.send(HttpRequest("POST", server.url + "/x", body=b"a", verify_tls=False), 5.0)
        assert outcome.status == 200
        assert [r.body for r in await server.wait_for(1)] == [b"a"]
    finally:
        await server.close()
