"""The optional extras: pyproject's, tocsin/extras.py's and the handler kinds' agree, and a configuration that
needs a missing one is refused with the extra's name (the libraries are hidden from the finder here)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.hardening.conftest import Start, start
from tocsin import extras
from tocsin.errors import StoreError
from tocsin.handlers.registry import all_kinds
from tocsin.store.factory import open_store

__all__ = ["start"]  # the in-process server fixture

PYPROJECT = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    monkeypatch.setattr(extras, "_installed", lambda module: module not in modules)


def test_the_extras_are_the_same_everywhere() -> None:
    optional = PYPROJECT["optional-dependencies"]
    assert set(optional) - {"all", "test"} == set(extras.MODULES)
    assert optional["all"] == ["tocsin[" + ",".join(extras.MODULES) + "]"]
    assert "tocsin[all]" in optional["test"]
    for extra, modules in extras.MODULES.items():
        (requirement,) = optional[extra]
        assert requirement.split(">")[0] == modules[0]  # the distribution is named as its module
        assert not any(r.startswith(modules[0]) for r in PYPROJECT["dependencies"])
    kinds = {kind.name: kind.package_extra for kind in all_kinds() if kind.package_extra}
    assert kinds == {"kafka": "kafka", "mqtt": "mqtt", "snmptrap": "snmp"}


def test_nothing_is_missing_in_the_test_environment() -> None:
    assert [extra for extra in extras.MODULES if extras.missing(extra, "x")] == []


async def test_a_handler_whose_extra_is_missing_is_refused(start: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "aiokafka")
    client = await start()
    handler = {"id": "k", "kind": "kafka", "options": {"cluster": "c", "topic": "alerts"}}
    resp = await client.post("/kapacitor/v1/alerts/topics/t/handlers", json=handler)
    assert (resp.status, (await resp.json())["error"]) == (
        400,
        "failed to create handler: the kafka handler needs the tocsin[kafka] extra (aiokafka), which is not "
        'installed: pip install "tocsin[kafka]"',
    )


async def test_a_task_chaining_a_handler_whose_extra_is_missing_is_refused(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hide(monkeypatch, "aiomqtt")
    client = await start()
    script = "stream\n    |from()\n        .measurement('m')\n    |alert()\n        .crit(lambda: TRUE)\n"
    script += "        .mqtt('t')\n"
    task = {"id": "m", "type": "stream", "dbrps": [{"db": "db", "rp": "rp"}], "script": script}
    resp = await client.post("/kapacitor/v1/tasks", json=task)
    assert resp.status == 400
    assert (await resp.json())["error"] == (
        "invalid TICKscript: alert node alert2: .mqtt(): the mqtt handler needs the tocsin[mqtt] extra (aiomqtt), "
        "which is not "
        'installed: pip install "tocsin[mqtt]"'
    )
    assert (await (await client.get("/kapacitor/v1/tasks")).json())["tasks"] == []


def test_a_postgresql_store_without_its_extra_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _hide(monkeypatch, "asyncpg")
    with pytest.raises(StoreError) as err:
        open_store("postgresql://127.0.0.1/test", str(tmp_path))
    assert str(err.value) == (
        "[storage] url postgresql:// needs the tocsin[postgres] extra (asyncpg), which is not installed: "
        'pip install "tocsin[postgres]"'
    )


async def test_a_service_test_of_a_kind_whose_extra_is_missing_says_so(
    start: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hide(monkeypatch, "aiokafka", "aiomqtt", "pysnmp")
    client = await start(
        '[[kafka]]\nenabled = true\nid = "example"\nbrokers = ["127.0.0.1:9"]\n'
        '[[mqtt]]\nenabled = true\nname = "default"\nurl = "tcp://127.0.0.1:9"\n'
        '[snmptrap]\nenabled = true\naddr = "127.0.0.1:9"\n'
    )
    answers = {}
    for kind in ("kafka", "mqtt", "snmptrap"):
        body = {"topic": "alerts"} if kind == "mqtt" else {}
        resp = await client.post(f"/kapacitor/v1/service-tests/{kind}", json=body)
        answers[kind] = (resp.status, await resp.json())
    assert answers == {
        kind: (
            200,
            {
                "success": False,
                "message": f"the {kind} handler needs the tocsin[{extra}] extra ({module}), which is not installed: "
                f'pip install "tocsin[{extra}]"',
            },
        )
        for kind, extra, module in (
            ("kafka", "kafka", "aiokafka"),
            ("mqtt", "mqtt", "aiomqtt"),
            ("snmptrap", "snmp", "pysnmp"),
        )
    }
