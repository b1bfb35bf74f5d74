"""The InfluxDB 1.x client against real influxd instances: failover, each way of signing in, TLS, writes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme

from tests.support.influxd import Influxd
from tests.support.server import free_port
from tests.support.sink import Answer, HttpSink
from tocsin.influxdb.client import InfluxClient, InfluxDBError, Result, Series, safe_url, shared_secret_token
from tocsin.influxdb.settings import ClusterSettings
from tocsin.transports.tls import client_context

SECRET = "a-shared-secret-of-32-characters"
VERSION = "1.6.7~rc0"  # Debian bookworm's influxdb, as scripts/peers/influxdb.sh installs it
ADMIN = "CREATE USER \"admin\" WITH PASSWORD 's3cret' WITH ALL PRIVILEGES"


@pytest.fixture
async def sink() -> AsyncIterator[HttpSink]:
    server = await HttpSink().start()
    yield server
    await server.close()


async def test_a_dead_url_and_a_5xx_hand_the_request_to_the_next(influxd: Influxd, sink: HttpSink) -> None:
    sink.answer(Answer(503, body=b'{"error":"overloaded"}'))
    dead = f"http://127.0.0.1:{free_port()}"
    client = InfluxClient(ClusterSettings("c", (dead, sink.url, influxd.url)))
    try:
        await client.execute('CREATE DATABASE "db"')
        assert [r.path for r in sink.requests] == ["/query"]
        await client.write(b"m,host=a v=1 1000000000\n", database="db")
        # the URL that answered last is tried first
        assert [r.path for r in sink.requests] == ["/query"]
        assert await client.query('SELECT * FROM "db"."autogen"."m"') == [
            Result(series=(Series("m", {}, ("time", "host", "v"), [[1_000_000_000, "a", 1]]),))
        ]
    finally:
        await client.close()


async def test_no_url_answering_is_retryable_and_names_each_without_credentials() -> None:
    port = free_port()
    client = InfluxClient(ClusterSettings.of({"name": "c", "urls": [f"http://bob:pw@127.0.0.1:{port}"]}))
    try:
        with pytest.raises(InfluxDBError) as raised:
            await client.ping()
    finally:
        await client.close()
    assert (str(raised.value), raised.value.retryable) == (
        f"failed to reach InfluxDB: http://127.0.0.1:{port}: connection refused",
        True,
    )
    assert safe_url(f"https://u:p@[::1]:{port}/x?y=1") == f"https://[::1]:{port}/x"


async def test_basic_and_shared_secret_sign_in_and_a_wrong_password_is_not_retried(tmp_path: Path) -> None:
    influxd = Influxd(tmp_path / "influx", http=f'  auth-enabled = true\n  shared-secret = "{SECRET}"\n')
    try:
        first = InfluxClient(ClusterSettings("c", (influxd.url,)))
        await first.execute(ADMIN)  # the first user may be created without credentials
        await first.close()
        for settings in (
            ClusterSettings("c", (influxd.url,), username="admin", password="s3cret"),
            ClusterSettings("c", (influxd.url,), username="admin", shared_secret=SECRET),
        ):
            client = InfluxClient(settings)
            try:
                assert await client.query("SHOW DATABASES") == [
                    Result(series=(Series("databases", {}, ("name",), []),))
                ]
            finally:
                await client.close()
        wrong = InfluxClient(ClusterSettings("c", (influxd.url,), username="admin", password="nope"))
        try:
            with pytest.raises(InfluxDBError) as raised:
                await wrong.query("SHOW DATABASES")
        finally:
            await wrong.close()
        assert (str(raised.value), raised.value.retryable, raised.value.status) == ("authorization failed", False, 401)
    finally:
        influxd.stop()


async def test_a_token_and_gzip_writes_go_as_influxdb_takes_them(sink: HttpSink) -> None:
    sink.answer(Answer(204))
    client = InfluxClient(ClusterSettings("c", (sink.url,), token="tok-123", compression="gzip"))
    try:
        await client.write(b"m v=1 1\n", database="db", retention_policy="rp", precision="s", consistency="all")
    finally:
        await client.close()
    (request,) = sink.requests
    assert (request.method, request.path, request.query_string) == (
        "POST",
        "/write",
        "db=db&rp=rp&precision=s&consistency=all",
    )
    assert (request.header("Authorization"), request.header("Content-Encoding")) == ("Token tok-123", "gzip")
    assert request.body == b"m v=1 1\n"  # as the sink's server inflated it


def pad(part: str) -> str:
    return part + "=" * (-len(part) % 4)


def test_the_shared_secret_token_is_an_hs256_jwt_for_the_user() -> None:
    token = shared_secret_token("admin", SECRET, 1_700_000_000.0)
    head, claims, _ = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(pad(head))) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(pad(claims))) == {"username": "admin", "exp": 1_700_000_060}


async def test_https_with_the_cluster_s_ca_or_without_verification(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    pem, key, ca_pem = tmp_path / "server.pem", tmp_path / "server.key", tmp_path / "ca.pem"
    cert.cert_chain_pems[0].write_to_path(str(pem))
    cert.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_pem))
    influxd = Influxd(
        tmp_path / "influx",
        http=f'  https-enabled = true\n  https-certificate = "{pem}"\n  https-private-key = "{key}"\n',
        scheme="https",
    )
    try:
        for settings in (
            ClusterSettings("c", (influxd.url,), ssl_ca=str(ca_pem)),
            ClusterSettings("c", (influxd.url,), insecure_skip_verify=True),
        ):
            tls = client_context(settings.ssl_ca, "", "", settings.insecure_skip_verify)
            client = InfluxClient(settings, tls)
            try:
                assert await client.ping() == VERSION
            finally:
                await client.close()
        plain = InfluxClient(ClusterSettings("c", (influxd.url,)), client_context("", "", "", False))
        try:
            with pytest.raises(InfluxDBError) as raised:
                await plain.ping()
        finally:
            await plain.close()
        assert (
            str(raised.value) == f"failed to reach InfluxDB: {influxd.url}: TLS: unable to get local issuer certificate"
        )
    finally:
        influxd.stop()
