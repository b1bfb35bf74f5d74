"""No file read through the config API: template file paths set over HTTP must be inside
`[config-override] allowed-file-dirs`, and the refusal is the same whether or not the file exists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hardening.conftest import Start, engine_of
from tests.support.sink import HttpSink
from tocsin.config.overrides import FILE_NOT_ALLOWED

CONFIG = "/kapacitor/v1/config/httppost"


@pytest.mark.parametrize("path", ["/etc/shadow", "/etc/passwd", "/no/such/file"])
@pytest.mark.parametrize("field", ["alert-template-file", "row-template-file"])
async def test_a_template_file_over_the_api_is_refused(start: Start, path: str, field: str) -> None:
    client = await start()
    resp = await client.post(CONFIG, json={"add": {"endpoint": "x", "url": "http://127.0.0.1:9/", field: path}})
    text = FILE_NOT_ALLOWED.format(field=field, path=path)
    assert (resp.status, await resp.json()) == (403, {"error": text, "message": text})
    resp = await client.post(CONFIG + "/example", json={"set": {field: path}})
    assert resp.status == 403


async def test_inside_the_allowed_dir_it_is_used_and_a_symlink_out_is_refused(
    start: Start, sink: HttpSink, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "alert.tmpl").write_text('{"say": "{{ .Message }}"}')
    (templates / "escape.tmpl").symlink_to("/etc/passwd")
    client = await start(f'[config-override]\nallowed-file-dirs = ["{templates}"]\n')
    resp = await client.post(
        CONFIG,
        json={
            "add": {
                "endpoint": "x",
                "url": "http://127.0.0.1:9/",
                "alert-template-file": str(templates / "escape.tmpl"),
            }
        },
    )
    assert resp.status == 403
    add = {"endpoint": "t", "url": sink.url, "alert-template-file": str(templates / "alert.tmpl")}
    assert (await client.post(CONFIG, json={"add": add})).status == 204
    handler = {"id": "h", "kind": "post", "options": {"endpoint": "t"}}
    assert (await client.post("/kapacitor/v1/alerts/topics/t/handlers", json=handler)).status == 200
    event = {"topic": "t", "id": "a", "level": "CRITICAL", "message": "disk full"}
    assert (await client.post("/tocsin/v1/events", json=event)).status == 202
    await engine_of(client).wait_idle()
    assert [json.loads(r.body) for r in sink.requests] == [{"say": "disk full"}]
