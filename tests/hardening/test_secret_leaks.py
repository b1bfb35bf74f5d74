"""Plant a distinctive value in every secret config field and secret handler option; no answer or log shows one.

Topic handler answers (create, list, get) are scanned too: they show secret options as a placeholder.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.hardening.conftest import Start, engine_of
from tests.support.client import Client
from tocsin.config.loader import load_text
from tocsin.config.registry import all_sections
from tocsin.config.schema import FieldType, Section
from tocsin.config.view import redact
from tocsin.errors import ConfigError
from tocsin.handlers.registry import all_kinds
from tocsin.logs import LogfmtFormatter
from tocsin.pipeline.handlers import HANDLER_METHODS

CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port: every peer fails fast


def token(n: int) -> str:
    return f"QzLEAK{n:03d}xQ"


def _value(field_name: str, n: int) -> str:
    return f"{CLOSED}/{token(n)}" if "url" in field_name else token(n)


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def _toml(section: Section, values: dict[str, Any]) -> str:
    head = f"[[{section.name}]]" if section.is_list else f"[{section.name}]"
    return head + "\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items())


def planted_config() -> tuple[str, list[str]]:
    """kapacitor.conf text with a token in every secret field (and the section enabled where that loads)."""
    parts, tokens, n = [], [], 0
    for section in all_sections().values():
        if not section.name or not section.secrets:
            continue
        values: dict[str, Any] = {}
        for field in section.fields:
            if field.name in section.secrets and field.type is FieldType.STRING:
                n += 1
                values[field.name] = _value(field.name, n)
                tokens.append(token(n))
            elif field.name in section.secrets and field.type is FieldType.STRING_MAP:
                n += 1
                values[field.name] = {"X-Planted": token(n)}
                tokens.append(token(n))
            elif field.name in section.secrets and field.type is FieldType.OBJECT:
                values[field.name] = {}
                for sub in field.fields:
                    n += 1
                    values[field.name][sub.name] = token(n)
                    tokens.append(token(n))
            elif field.name in section.secrets:
                raise AssertionError(f"[{section.name}] {field.name}: no way to plant a {field.type} secret")
            elif field.name == section.element_key:
                values[field.name] = "leak"
            elif field.type is FieldType.STRING and "url" in field.name and field.name != "api-url":
                values[field.name] = CLOSED
            elif field.type is FieldType.STRING_LIST and field.name == "urls":  # [[influxdb]]
                values[field.name] = [CLOSED]
        if section.name == "http":
            values["admin-user"] = "boss"
        for extra in ({"enabled": True}, {}):
            text = _toml(section, {**values, **extra})
            try:
                load_text(text, "probe.conf", environ={})
            except ConfigError:
                continue
            parts.append(text)
            break
        else:
            raise AssertionError(f"cannot plant secrets in [{section.name}]")
    return "".join(parts), tokens


def secret_handler_options() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(kind, options, token) for every handler option marked secret."""
    n = 500
    for kind in all_kinds():
        for opt in kind.options:
            if opt.secret and opt.type.value == "string":
                n += 1
                url = {"url": CLOSED} if any(o.name == "url" for o in kind.options) else {}
                yield kind.name, {opt.name: token(n), **url}, token(n)


def found(text: str, tokens: list[str]) -> list[str]:
    return [t for t in tokens if t in text]


@pytest.fixture
def server_log() -> Iterator[tuple[io.StringIO, logging.Handler]]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield buffer, handler
    root.removeHandler(handler)
    root.setLevel(old)


async def _texts(client: Client, paths: list[str]) -> list[str]:
    return [await (await client.get(p)).text() for p in paths]


async def test_no_secret_in_answers_or_logs(start: Start, server_log: tuple[io.StringIO, logging.Handler]) -> None:
    conf, tokens = planted_config()
    buffer, handler = server_log
    client = await start(conf.replace("[http]\n", "[http]\nauth-enabled = false\n", 1))
    engine = engine_of(client)
    handler.setFormatter(LogfmtFormatter(lambda text: redact(engine.config, text)))
    answers: list[str] = []
    sections = all_sections()
    answers += await _texts(client, ["/kapacitor/v1/config", *[f"/kapacitor/v1/config/{s}" for s in sections if s]])
    tests = (await (await client.get("/kapacitor/v1/service-tests")).json())["services"]
    answers.append(json.dumps(tests))

    async def run_test(name: str) -> str:
        resp = await client.post(f"/kapacitor/v1/service-tests/{name}", json={})
        return await resp.text()

    answers += await asyncio.gather(*(run_test(t["name"]) for t in tests))
    option_tokens = []
    for i, (kind, options, secret) in enumerate(secret_handler_options()):
        resp = await client.post(
            "/kapacitor/v1/alerts/topics/leak/handlers", json={"id": f"h{i}", "kind": kind, "options": options}
        )
        assert resp.status == 200, await resp.text()
        answers.append(await resp.text())
        answers.append(await (await client.get(f"/kapacitor/v1/alerts/topics/leak/handlers/h{i}")).text())
        option_tokens.append(secret)
    assert len(option_tokens) >= 4
    event = {"topic": "leak", "id": "a", "level": "CRITICAL", "message": "m"}
    assert (await client.post("/tocsin/v1/events", json=[event])).status == 202
    for _ in range(100):
        rows = (await (await client.get("/tocsin/v1/deliveries", params={"status": "pending"})).json())["deliveries"]
        if not rows:
            break
        await asyncio.sleep(0.05)
    deliveries = await _texts(client, ["/tocsin/v1/deliveries"])
    ids = [d["id"] for d in json.loads(deliveries[0])["deliveries"]]
    assert ids and all(d["lastError"] for d in json.loads(deliveries[0])["deliveries"])
    deliveries += await _texts(client, [f"/tocsin/v1/deliveries/{i}" for i in ids])
    answers += deliveries
    answers += await _texts(client, ["/kapacitor/v1/debug/vars", "/metrics", "/kapacitor/v1/alerts/topics"])
    handlers_answer = await (await client.get("/kapacitor/v1/alerts/topics/leak/handlers")).text()
    assert json.loads(handlers_answer)["handlers"][0]["redacted"]
    answers.append(handlers_answer)
    answers.append(await (await client.post("/tocsin/v1/dry-run", json=[event])).text())
    for text in [*answers, buffer.getvalue()]:
        assert found(text, tokens) == []
        assert found(text, option_tokens) == [], text[:3000]
    assert len(tokens) >= 20


def _task_scripts() -> dict[str, str]:
    """One task per TICKscript handler method taking its secrets from the config, and `post` to an endpoint."""
    methods = [m.method for m in HANDLER_METHODS.values() if not m.positional]
    chains = {m.lower(): f".{m}()" for m in methods}
    chains["post"] = ".post().endpoint('leak')"
    chains["email"] = ".email('ops@example.com')"
    return {
        name: "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
        f"        .crit(lambda: \"v\" > 5)\n        .message('{{{{ .ID }}}} {{{{ .Level }}}}')\n        {chain}\n"
        for name, chain in chains.items()
    }


async def test_no_secret_in_task_answers_deliveries_or_logs(
    start: Start, server_log: tuple[io.StringIO, logging.Handler]
) -> None:
    conf, tokens = planted_config()
    buffer, handler = server_log
    client = await start(conf.replace("[http]\n", "[http]\nauth-enabled = false\n", 1))
    engine = engine_of(client)
    handler.setFormatter(LogfmtFormatter(lambda text: redact(engine.config, text)))
    answers: list[str] = []
    started = []
    for name, script in _task_scripts().items():
        body = {"id": name, "script": script, "status": "enabled", "dbrps": [{"db": "db", "rp": "rp"}]}
        resp = await client.post("/kapacitor/v1/tasks", json=body)
        answers.append(await resp.text())
        assert resp.status in (200, 500), answers[-1]
        if resp.status == 200:
            started.append(name)
    assert len(started) >= 15, started
    for value in (7, 1, 8):  # CRITICAL, OK, CRITICAL: deliveries to peers that all fail
        resp = await client.post("/write", params={"db": "db", "rp": "rp"}, data=f"cpu,host=h v={value}")
        assert resp.status == 204
    for _ in range(200):
        rows = (await (await client.get("/tocsin/v1/deliveries", params={"status": "pending"})).json())["deliveries"]
        if not rows:
            break
        await asyncio.sleep(0.05)
    deliveries = (await (await client.get("/tocsin/v1/deliveries", params={"limit": "1000"})).json())["deliveries"]
    assert len({d["handler"] for d in deliveries}) >= 15 and all(d["lastError"] for d in deliveries)
    answers.append(json.dumps(deliveries))
    answers += await _texts(client, [f"/tocsin/v1/deliveries/{d['id']}" for d in deliveries])
    paths = [
        "/kapacitor/v1/tasks",
        "/kapacitor/v1/tasks?dot-view=labels&script-format=raw",
        "/kapacitor/v1/alerts/topics",
        "/kapacitor/v1/debug/vars",
        "/metrics",
    ]
    for name in _task_scripts():
        paths += [f"/kapacitor/v1/tasks/{name}", f"/kapacitor/v1/tasks/{name}?dot-view=labels"]
        paths += [f"/kapacitor/v1/alerts/topics/main:{name}:alert2/events"]
    answers += await _texts(client, paths)
    assert '"executing": true' in answers[-3]
    print(f"tasks started {len(started)}, deliveries {len(deliveries)}, answers {len(answers)}, tokens {len(tokens)}")
    for text in [*answers, buffer.getvalue()]:
        assert found(text, tokens) == [], text[:3000]
