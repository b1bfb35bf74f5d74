"""The lean HTTP/1.1 fast path: the same bytes on the wire as aiohttp, every answer framing, reuse and failures.

A raw asyncio server reads each request exactly and answers scripted bytes, so framing (chunked, close-
delimited, 1xx, gzip) and connection handling are checked on a real socket.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable

import aiohttp
import pytest

from tests.support.sink import HttpSink
from tocsin.delivery.errors import DeliveryError, Reason
from tocsin.handlers.requests import HttpRequest
from tocsin.transports import http1
from tocsin.transports.http import MAX_RESPONSE_BYTES, HttpTransport

Answerer = Callable[[int], bytes]  # request number (from 0) -> raw answer bytes; b"" = close without answering


class RawServer:
    """Reads whole requests (headers and Content-Length body) and answers with scripted raw bytes."""

    def __init__(self, answer: Answerer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.connections = 0
        self.ended = 0  # connections that ended, by either side
        self.close_after_answer = False
        self.trickle = False  # write answers one byte at a time
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                number = len(self.requests)
                self.requests.append(head + body)
                raw = self.answer(number)
                if not raw:
                    break
                if self.trickle:
                    for i in range(len(raw)):
                        writer.write(raw[i : i + 1])
                        await writer.drain()
                        await asyncio.sleep(0)
                else:
                    writer.write(raw)
                    await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        self.ended += 1
        writer.close()

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
async def http() -> AsyncIterator[HttpTransport]:
    transport = HttpTransport()
    yield transport
    await transport.close()


def ok(body: bytes = b"", extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def test_the_same_request_bytes_as_aiohttp(http: HttpTransport) -> None:
    sink = await HttpSink().start()
    try:
        headers = (("X-A", "1"), ("Content-Type", "application/json"), ("X-A", "2"))
        url = sink.url + "/a b/c?x=1%202&y=é#frag"
        await http.send(HttpRequest("POST", url, headers=headers, body=b"{}"), 5.0)
        async with (
            aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as client,
            client.request("POST", url, headers=headers, data=b"{}") as resp,
        ):
            assert resp.status == 200
        fast, reference = await sink.wait_for(2)
        assert (fast.method, fast.path, fast.query_string, fast.body) == ("POST", "/a%20b/c", "x=1%202&y=%C3%A9", b"{}")
        assert (fast.method, fast.path, fast.query_string, fast.headers, fast.body) == (
            reference.method,
            reference.path,
            reference.query_string,
            reference.headers,
            reference.body,
        )
        assert [name for name, _ in fast.headers] == [
            "Host",
            "X-A",
            "Content-Type",
            "X-A",
            "Accept",
            "Accept-Encoding",
            "User-Agent",
            "Content-Length",
        ]
    finally:
        await sink.close()


async def test_caller_headers_replace_the_defaults_in_place(http: HttpTransport) -> None:
    server = await RawServer(lambda n: ok()).start()
    try:
        headers = (("host", "example.test"), ("User-Agent", "tocsin-test"), ("Accept", "application/json"))
        await http.send(HttpRequest("PUT", server.url + "/", headers=headers, body=b"x"), 5.0)
        assert server.requests == [
            b"PUT / HTTP/1.1\r\nhost: example.test\r\nUser-Agent: tocsin-test\r\nAccept: application/json\r\n"
            b"Accept-Encoding: gzip, deflate\r\nContent-Length: 1\r\n\r\nx"
        ]
    finally:
        await server.close()


async def test_keep_alive_reuses_one_connection(http: HttpTransport) -> None:
    server = await RawServer(lambda n: ok(b"%d" % n)).start()
    try:
        for _ in range(5):
            outcome = await http.send(HttpRequest("POST", server.url + "/x", body=b"a", capture_response=True), 5.0)
            assert outcome.status == 200
        assert (server.connections, len(server.requests)) == (1, 5)
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
            "hello world",
        ),
        (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", "ok"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
            % (len(gzip.compress(b"zipped")), gzip.compress(b"zipped")),
            "zipped",
        ),
        (b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 3\r\n\r\nabc", "abc"),
    ],
    ids=["chunked-with-extension-and-trailer", "interim-100-continue", "gzip", "folded-header"],
)
async def test_answer_framings(http: HttpTransport, raw: bytes, body: str) -> None:
    server = await RawServer(lambda n: raw).start()
    try:
        for _ in range(2):  # the second exchange proves the framing left the connection usable
            outcome = await http.send(HttpRequest("POST", server.url + "/", body=b"a", capture_response=True), 5.0)
            assert outcome.detail == body
        assert server.connections == 1
    finally:
        await server.close()


async def test_close_delimited_and_connection_close_answers_are_not_reused(http: HttpTransport) -> None:
    answers = [b"HTTP/1.0 200 OK\r\n\r\nuntil close", ok(b"bye", b"Connection: close\r\n"), ok(b"fresh")]
    server = await RawServer(lambda n: answers[n]).start()
    server.close_after_answer = True
    try:
        got = [
            (await http.send(HttpRequest("POST", server.url + "/", body=b"a", capture_response=True), 5.0)).detail
            for _ in answers
        ]
        assert got == ["until close", "bye", "fresh"]
        assert server.connections == 3
    finally:
        await server.close()


async def test_an_idle_connection_the_server_closed_is_not_used_again(http: HttpTransport) -> None:
    server = await RawServer(lambda n: ok()).start()
    server.close_after_answer = True  # without saying Connection: close
    try:
        await http.send(HttpRequest("POST", server.url + "/", body=b"a"), 5.0)
        await asyncio.sleep(0.05)  # the FIN arrives
        await http.send(HttpRequest("POST", server.url + "/", body=b"b"), 5.0)
        assert (server.connections, len(server.requests)) == (2, 2)
    finally:
        await server.close()


async def test_an_answer_past_the_cap_is_cut_and_its_connection_dropped(http: HttpTransport) -> None:
    big = b"x" * (MAX_RESPONSE_BYTES + 10)
    server = await RawServer(lambda n: ok(big)).start()
    try:
        req = HttpRequest("POST", server.url + "/", body=b"a", success=lambda s: False)
        with pytest.raises(DeliveryError) as caught:
            await http.send(req, 5.0)
        assert caught.value.status == 200
        await http.send(HttpRequest("POST", server.url + "/", body=b"a"), 5.0)
        assert server.connections == 2
    finally:
        await server.close()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the server closed the connection without answering"),
        (b"SMTP ready\r\n\r\n", "invalid answer: expected http/, rtsp/ or ice/"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "in the middle of the answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "invalid answer: invalid character in content-length"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "invalid answer: invalid character in chunk size",
        ),
    ],
    ids=["closed-without-answer", "not-http", "truncated-body", "bad-length", "bad-chunk"],
)
async def test_broken_answers_are_retryable_network_failures(http: HttpTransport, raw: bytes, message: str) -> None:
    server = await RawServer(lambda n: raw).start()
    server.close_after_answer = True
    try:
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", server.url + "/p", body=b"a"), 5.0)
        assert (caught.value.reason, caught.value.retryable) == (Reason.NETWORK, True)
        assert str(caught.value).startswith(f"POST {server.url}/p: ")
        assert message in str(caught.value)
    finally:
        await server.close()


async def test_a_hung_server_times_out_and_the_next_request_gets_a_fresh_connection(http: HttpTransport) -> None:
    sink = await HttpSink().start()
    sink.hang()
    try:
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", sink.url + "/h", body=b"a"), 0.2)
        assert (caught.value.reason, str(caught.value)) == (Reason.TIMEOUT, f"POST {sink.url}/h: no answer within 0.2s")
        sink.hang(False)
        assert (await http.send(HttpRequest("POST", sink.url + "/h", body=b"b"), 5.0)).status == 200
    finally:
        await sink.close()


def _redirect(status: int, location: str) -> Callable[[int], bytes]:
    return lambda n: b"HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % (status, location.encode())


async def test_a_307_to_another_origin_is_not_followed_by_default(http: HttpTransport) -> None:
    target = await HttpSink().start()
    origin = await RawServer(_redirect(307, target.url + "/moved")).start()
    try:
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", origin.url + "/old", body=b"payload"), 5.0)
        assert (caught.value.reason, caught.value.retryable, str(caught.value)) == (
            Reason.CLIENT_ERROR,
            False,
            f"POST {origin.url}/old: 307 redirect to another origin ({target.url}/moved) not followed; "
            '[delivery] redirects = "any" follows it',
        )
        assert target.requests == []
    finally:
        await origin.close()
        await target.close()


async def test_any_follows_a_307_without_credentials_or_custom_headers() -> None:
    http = HttpTransport(redirects="any")
    target = await HttpSink().start()
    origin = await RawServer(_redirect(307, target.url + "/moved")).start()
    try:
        headers = (("Authorization", "Bearer secret"), ("X-Api-Key", "k"), ("Content-Type", "application/json"))
        outcome = await http.send(HttpRequest("POST", origin.url + "/old", headers=headers, body=b"payload"), 5.0)
        assert outcome.status == 200
        (moved,) = await target.wait_for(1)
        assert (moved.method, moved.path, moved.body) == ("POST", "/moved", b"payload")
        assert (moved.header("Authorization"), moved.header("X-Api-Key"), moved.header("Content-Type")) == (
            None,
            None,
            "application/json",
        )
    finally:
        await http.close()
        await origin.close()
        await target.close()


@pytest.mark.parametrize("status", [301, 302, 303])
async def test_a_redirect_that_would_turn_the_post_into_a_get_fails(http: HttpTransport, status: int) -> None:
    origin = await RawServer(_redirect(status, "/moved")).start()
    try:
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", origin.url + "/old", body=b"payload"), 5.0)
        assert str(caught.value) == (
            f"POST {origin.url}/old: {status} redirect to {origin.url}/moved not followed: it would turn the POST "
            "into a GET; use the new URL"
        )
        assert len(origin.requests) == 1
    finally:
        await origin.close()


async def test_a_same_origin_308_is_followed_with_its_headers(http: HttpTransport) -> None:
    hops = iter([_redirect(308, "/new")(0), ok()])
    origin = await RawServer(lambda n: next(hops)).start()
    try:
        headers = (("X-Api-Key", "k"),)
        outcome = await http.send(HttpRequest("POST", origin.url + "/old", headers=headers, body=b"payload"), 5.0)
        assert outcome.status == 200
        assert [r.split(b" ")[1] for r in origin.requests] == [b"/old", b"/new"]
        assert all(b"X-Api-Key: k" in r and r.endswith(b"payload") for r in origin.requests)
    finally:
        await origin.close()


async def test_credentials_in_the_url_go_through_aiohttp_as_basic_auth(http: HttpTransport) -> None:
    sink = await HttpSink().start()
    try:
        await http.send(HttpRequest("POST", sink.url.replace("//", "//user:pw@") + "/", body=b"a"), 5.0)
        (got,) = await sink.wait_for(1)
        assert ("Authorization", "Basic dXNlcjpwdw==") in got.headers
    finally:
        await sink.close()


async def test_a_header_with_a_line_break_never_splits_the_request(http: HttpTransport) -> None:
    server = await RawServer(lambda n: ok()).start()
    try:
        req = HttpRequest("POST", server.url + "/", headers=(("X-Evil", "a\r\nX-Injected: 1"),), body=b"a")
        with pytest.raises(DeliveryError):
            await http.send(req, 5.0)
        assert all(b"X-Injected" not in r for r in server.requests)
    finally:
        await server.close()


async def test_a_kept_alive_connection_the_peer_dropped_is_retried_once_on_a_new_one(http: HttpTransport) -> None:
    # the second request finds the connection closed under it (no answer): it goes again, on a new connection
    answers = [ok(b"first"), b"", ok(b"fresh")]
    server = await RawServer(lambda n: answers[n]).start()
    try:
        got = []
        for _ in range(2):
            req = HttpRequest("POST", server.url + "/", body=b"a", capture_response=True)
            got.append((await http.send(req, 5.0)).detail)
        assert got == ["first", "fresh"]
        assert (server.connections, len(server.requests)) == (2, 3)
    finally:
        await server.close()


async def test_the_retry_on_a_new_connection_happens_once(http: HttpTransport) -> None:
    answers = [ok(), b"", b""]
    server = await RawServer(lambda n: answers[n]).start()
    try:
        await http.send(HttpRequest("POST", server.url + "/", body=b"a"), 5.0)
        with pytest.raises(DeliveryError) as caught:
            await http.send(HttpRequest("POST", server.url + "/p", body=b"b"), 5.0)
        assert str(caught.value) == f"POST {server.url}/p: the server closed the connection without answering"
        assert (caught.value.reason, server.connections, len(server.requests)) == (Reason.NETWORK, 2, 3)
    finally:
        await server.close()


async def test_idle_connections_are_closed_by_a_timer(http: HttpTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http1, "IDLE_TIMEOUT", 0.05)
    server = await RawServer(lambda n: ok()).start()
    try:
        await http.send(HttpRequest("POST", server.url + "/", body=b"a"), 5.0)
        assert server.ended == 0
        for _ in range(100):
            if server.ended:
                break
            await asyncio.sleep(0.01)
        assert server.ended == 1  # the client closed it, with nothing to send
        await http.send(HttpRequest("POST", server.url + "/", body=b"b"), 5.0)
        assert (server.connections, len(server.requests)) == (2, 2)
    finally:
        await server.close()


async def test_an_answer_split_into_single_bytes_is_framed(http: HttpTransport) -> None:
    body = b'{"ok":true}'
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    server = await RawServer(lambda n: raw).start()
    server.trickle = True
    try:
        outcome = await http.send(HttpRequest("POST", server.url + "/", body=b"a", capture_response=True), 5.0)
        assert (outcome.status, outcome.detail) == (200, '{"ok":true}')
    finally:
        await server.close()
