"""A fake Kapacitor/Tocsin API on a random port that records every request, and builders for its answers."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

VECTORS: dict[str, Any] = json.loads((Path(__file__).with_name("api_vectors_cli.json")).read_text())["vectors"]
NOT_FOUND = {"error": "Not Found", "message": "Not Found"}


@dataclass
class Recorded:
    """One request as the fake server saw it."""

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    raw_query: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)

    def line(self) -> str:
        return f"{self.method} {self.raw_path}" + (f"?{self.raw_query}" if self.raw_query else "")


@dataclass
class FakeApi:
    """Routes `(method, path)` to a status and a JSON body (bytes go out as they are); unknown routes get 404."""

    url: str = ""
    routes: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def on(self, method: str, path: str, body: Any = None, status: int = 200) -> None:
        self.routes[(method, path)] = (status, body)

    def lines(self) -> list[str]:
        return [r.line() for r in self.requests]


def _handler_class(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urllib.parse.unquote(parts.path)
            api.requests.append(
                Recorded(
                    method=self.command,
                    path=path,
                    raw_path=parts.path,
                    query=dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                    raw_query=parts.query,
                    body=body,
                    headers={k: v for k, v in self.headers.items()},
                )
            )
            status, answer = api.routes.get((self.command, path), (404, NOT_FOUND))
            if status == 204 or answer is None:
                payload = b""
            elif isinstance(answer, bytes):
                payload = answer
            else:
                payload = json.dumps(answer, indent=4).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@dataclass
class Result:
    """What one CLI run produced."""

    code: int
    out: str
    err: str


Run = Callable[..., Result]


@contextmanager
def serving() -> Iterator[FakeApi]:
    """Run a fake API in a background thread for the duration of the block."""
    fake = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def topic(topic_id: str, level: str = "OK", collected: int = 0) -> dict[str, Any]:
    """A topic object as the real server writes it."""
    base = f"/kapacitor/v1/alerts/topics/{topic_id}"
    return {
        "link": {"rel": "self", "href": base},
        "id": topic_id,
        "level": level,
        "collected": collected,
        "events-link": {"rel": "events", "href": base + "/events"},
        "handlers-link": {"rel": "handlers", "href": base + "/handlers"},
    }


def handler(topic_id: str, handler_id: str, kind: str, options: Any = None, match: str = "") -> dict[str, Any]:
    """A handler object as the real server writes it (no `topic`, always `match`)."""
    return {
        "link": {"rel": "self", "href": f"/kapacitor/v1/alerts/topics/{topic_id}/handlers/{handler_id}"},
        "id": handler_id,
        "kind": kind,
        "options": options if options is not None else {},
        "match": match,
    }
