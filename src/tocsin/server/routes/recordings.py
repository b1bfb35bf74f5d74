"""Recordings and replays: /kapacitor/v1/recordings[/stream|batch|query|<id>], /kapacitor/v1/replays[/batch|query|<id>].

`GET /replays/<id>/result` is Tocsin's: what the replay's copy of the task produced (Kapacitor keeps only stats).
"""

from __future__ import annotations

from aiohttp import web

from tocsin.server.responses import no_content, pretty
from tocsin.server.routes.tasks import answering, first_values, read_body, service_of
from tocsin.tasks.errors import TaskApiError
from tocsin.tasks.recordings import Recordings

NO_RECORDING_ID = "must specify recording id on path"
NO_REPLAY_ID = "must specify replay id on path"


def recordings_of(request: web.Request) -> Recordings:
    return service_of(request).recordings


async def list_recordings(request: web.Request) -> web.StreamResponse:
    fields = request.query.getall("fields", [])
    return pretty(recordings_of(request).list_recordings(first_values(request), fields))


async def record_stream(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).record_stream(await read_body(request)), 201)


async def record_batch(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).record_batch(await read_body(request)), 201)


async def record_query(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).record_query(await read_body(request)), 201)


async def get_recording(request: web.Request) -> web.StreamResponse:
    status, body = recordings_of(request).get_recording(request.match_info["id"])
    return pretty(body, status)


async def delete_recording(request: web.Request) -> web.StreamResponse:
    await recordings_of(request).delete_recording(request.match_info["id"])
    return no_content()


async def list_replays(request: web.Request) -> web.StreamResponse:
    fields = request.query.getall("fields", [])
    return pretty(recordings_of(request).list_replays(first_values(request), fields))


async def create_replay(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).create_replay(await read_body(request)), 201)


async def replay_batch(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).replay_batch(await read_body(request)), 201)


async def replay_query(request: web.Request) -> web.StreamResponse:
    return pretty(await recordings_of(request).replay_query(await read_body(request)), 201)


async def get_replay(request: web.Request) -> web.StreamResponse:
    status, body = recordings_of(request).get_replay(request.match_info["id"])
    return pretty(body, status)


async def replay_result(request: web.Request) -> web.StreamResponse:
    return pretty(recordings_of(request).replay_result(request.match_info["id"]))


async def delete_replay(request: web.Request) -> web.StreamResponse:
    await recordings_of(request).delete_replay(request.match_info["id"])
    return no_content()


async def missing_recording(request: web.Request) -> web.StreamResponse:
    raise TaskApiError(NO_RECORDING_ID)


async def missing_replay(request: web.Request) -> web.StreamResponse:
    raise TaskApiError(NO_REPLAY_ID)


def add(router: web.UrlDispatcher, prefix: str) -> None:
    """Register the recordings and replays routes under `prefix`."""
    base = f"{prefix}/recordings"
    router.add_get(base, answering(list_recordings), allow_head=False)
    router.add_post(base + "/stream", answering(record_stream))
    router.add_post(base + "/batch", answering(record_batch))
    router.add_post(base + "/query", answering(record_query))
    router.add_get(base + "/", answering(missing_recording), allow_head=False)
    router.add_delete(base + "/", answering(missing_recording))
    router.add_get(base + "/{id}", answering(get_recording), allow_head=False)
    router.add_delete(base + "/{id}", answering(delete_recording))
    base = f"{prefix}/replays"
    router.add_get(base, answering(list_replays), allow_head=False)
    router.add_post(base, answering(create_replay))
    router.add_post(base + "/", answering(create_replay))  # the path API.md's examples use
    router.add_post(base + "/batch", answering(replay_batch))
    router.add_post(base + "/query", answering(replay_query))
    router.add_get(base + "/", answering(missing_replay), allow_head=False)
    router.add_delete(base + "/", answering(missing_replay))
    router.add_get(base + "/{id}/result", answering(replay_result), allow_head=False)
    router.add_get(base + "/{id}", answering(get_replay), allow_head=False)
    router.add_delete(base + "/{id}", answering(delete_replay))
