"""InfluxDB subscriptions managed as Kapacitor manages them (services/influxdb/service.go).

At start, and every `subscriptions-sync-interval`, each enabled cluster without `disable-subscriptions` is
compared with what it should have: SHOW DATABASES, SHOW RETENTION POLICIES, SHOW SUBSCRIPTIONS; the
subscription named after this Tocsin (tocsin.influxdb.destinations) is created on every db.rp wanted, dropped
and created again when it is wrong, dropped on a db.rp no longer wanted. Subscriptions of other names are
never touched. All of it runs in the background: the server starts whether InfluxDB answers or not; until
`startup-timeout` an unreachable cluster is retried with Kapacitor's backoff, then every interval.

Several instances on one shared store (subscription-mode cluster): every instance publishes its destination
in the store (a document refreshed at each sync), and the instance with the lowest server ID among those whose
document is fresh keeps ONE subscription, mode ALL, listing them all (a task runs only on the instance that
holds it, so each instance must receive every point). Kapacitor makes mode ANY with this server's destination;
a single Tocsin gets mode ALL with its one destination. In server mode each instance keeps its own
subscription, mode ANY, as Kapacitor does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tocsin.errors import TocsinError
from tocsin.influxdb import destinations as dst
from tocsin.influxdb.client import InfluxClient
from tocsin.influxdb.clusters import Clusters, client_for
from tocsin.influxdb.grants import Grants, cluster_of, new_token
from tocsin.influxdb.querytext import quote_ident
from tocsin.influxdb.settings import ClusterSettings
from tocsin.influxdb.udp import UdpListener, bind_host

if TYPE_CHECKING:
    from tocsin.engine.engine import Engine

log = logging.getLogger(__name__)

PEERS = "influxdb_subscribers"  # store namespace: each instance's destinations, by "<cluster>/<server id>"
NS = 1_000_000_000
DEFAULT_INTERVAL = 60.0  # Kapacitor's default, also for an interval of 0 (its ApplyConditionalDefaults)
# Kapacitor's backoff (cenkalti/backoff defaults) while InfluxDB does not answer at start.
BACKOFF_FIRST, BACKOFF_FACTOR, BACKOFF_MAX = 0.5, 1.5, 60.0
SYNC_LIMIT = 60.0  # seconds one cluster's sync may take
TICK = 1.0  # seconds between looks at the config (clusters may be added through the config API)


@dataclass
class _State:
    """What the service knows of one cluster between syncs."""

    started: float
    next_due: float = 0.0
    backoff: float = BACKOFF_FIRST
    synced: bool = False
    gave_up: bool = False
    linked: bool = False  # subscriptions were managed (to drop them once disable-subscriptions is set)
    last_error: str = ""
    count: int = 0
    listeners: dict[dst.DbRp, UdpListener] = field(default_factory=dict)
    udp: tuple[str, int, int] = ("", 0, 0)
    published: str = ""  # the key of this instance's document
    element: Mapping[str, Any] | None = None  # the cluster's settings at the last attempt


class SubscriptionService:
    """Creates, fixes and drops this server's subscriptions on every enabled cluster."""

    def __init__(self, engine: Engine, clusters: Clusters) -> None:
        self.engine = engine
        self.clusters = clusters
        self.grants = Grants(engine.store)
        self._port = _port_of(engine.config.bind_address)
        self._states: dict[str, _State] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()

    def set_http_port(self, port: int) -> None:
        """The port the API listens on, once the server knows it (it may have bound port 0)."""
        self._port = port
        self._wake.set()

    def subscription_count(self) -> int:
        """Subscriptions of this Tocsin on every cluster at the last sync (debug vars' num_subscriptions)."""
        return sum(state.count for state in self._states.values())

    async def open(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tocsin-subscriptions")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for state in self._states.values():
            await self._stop_listeners(state, set())
            await self._unpublish(state)
        self._states.clear()

    async def sync_now(self) -> dict[str, str]:
        """Sync every enabled cluster now; each cluster's error ("" when it synced)."""
        async with self._lock:
            for element in self.clusters.enabled():
                self._state(str(element["name"])).next_due = 0.0
            await self._pass()
            return {name: state.last_error for name, state in self._states.items()}

    async def _run(self) -> None:
        while True:
            async with self._lock:
                await self._pass()
            due = min((s.next_due for s in self._states.values()), default=time.monotonic() + TICK)
            wait = max(0.0, min(due - time.monotonic(), TICK))
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _state(self, name: str) -> _State:
        state = self._states.get(name)
        if state is None:
            state = self._states[name] = _State(started=time.monotonic())
        return state

    async def _pass(self) -> None:
        enabled = {str(e["name"]): e for e in self.clusters.enabled()}
        for name in [n for n in self._states if n not in enabled]:
            state = self._states.pop(name)
            await self._stop_listeners(state, set())
            await self._unpublish(state)
            if state.linked and state.element is not None:
                await self._forget(state.element)
        for name, element in enabled.items():
            state = self._state(name)
            if time.monotonic() >= state.next_due:
                await self._attempt(element, state)

    async def _forget(self, element: Mapping[str, Any]) -> None:
        """A cluster removed or disabled through the config API: drop this Tocsin's subscriptions on it, as
        Kapacitor does, with a client of its last settings (best effort: it may be gone for good)."""
        name, ids = str(element["name"]), self.engine.identity
        sub_name = dst.subscription_name(str(element["subscription-mode"]), ids.cluster_id, ids.server_id)
        try:
            client = client_for(ClusterSettings.of(element))
            try:
                await self._unlink(client, name, sub_name)
            finally:
                await client.close()
        except Exception as exc:  # logged, never raised: the cluster is no longer ours to manage
            log.warning("influxdb cluster %r removed: its subscriptions not dropped: %s", name, dst.scrub(str(exc)))

    async def _attempt(self, element: Mapping[str, Any], state: _State) -> None:
        name = str(element["name"])
        state.element = element
        interval = int(element.get("subscriptions-sync-interval") or 0) / NS or DEFAULT_INTERVAL
        try:
            # one cluster that never answers (timeout = 0) must not hold the others' syncs
            done = await asyncio.wait_for(self._sync(element, state), SYNC_LIMIT)
        except TimeoutError:
            self._failed(element, state, f"no answer within {SYNC_LIMIT:g}s", interval)
            return
        except Exception as exc:  # any failure is logged and retried: subscriptions must never stop Tocsin
            self._failed(element, state, dst.scrub(str(exc) or type(exc).__name__), interval)
            return
        now = time.monotonic()
        if not done:  # the API's port is not known yet; set_http_port wakes the loop
            state.next_due = now + TICK
            return
        if state.last_error:
            log.info("influxdb cluster %r: subscriptions synced again", name)
        state.last_error, state.synced, state.gave_up = "", True, False
        state.backoff = BACKOFF_FIRST
        state.next_due = now + interval

    def _failed(self, element: Mapping[str, Any], state: _State, text: str, interval: float) -> None:
        name, now = str(element["name"]), time.monotonic()
        if text != state.last_error:
            log.warning("influxdb cluster %r: subscriptions not synced: %s", name, text)
            state.last_error = text
        startup = int(element.get("startup-timeout") or 0) / NS
        left = startup - (now - state.started)
        if not state.synced and left > 0:
            state.next_due = now + min(state.backoff, left)
            state.backoff = min(state.backoff * BACKOFF_FACTOR, BACKOFF_MAX)
            return
        if not state.synced and not state.gave_up:
            state.gave_up = True
            log.error(
                "influxdb cluster %r: not reachable within startup-timeout (%gs); trying again every %gs",
                name,
                startup,
                interval,
            )
        state.next_due = now + interval

    async def _sync(self, element: Mapping[str, Any], state: _State) -> bool:
        name = str(element["name"])
        mode, protocol = str(element["subscription-mode"]), str(element["subscription-protocol"])
        ids = self.engine.identity
        sub_name = dst.subscription_name(mode, ids.cluster_id, ids.server_id)
        client = self.clusters.client(name)
        if element.get("disable-subscriptions"):
            await self._stop_listeners(state, set())
            await self._unpublish(state)
            if state.linked:
                await self._unlink(client, name, sub_name)
                state.linked = False
            state.count = 0
            return True
        host = str(element.get("kapacitor-hostname") or "") or self.engine.config.hostname
        http_base = ""
        if protocol != "udp":
            port = int(element.get("http-port") or 0) or self._port
            if not port:
                return False
            http_base = dst.base_url(protocol, host, port, str(element.get("subscription-path") or ""))
        want = dst.wanted(
            await _dbrps(client), element.get("subscriptions") or {}, element.get("excluded-subscriptions") or {}
        )
        udp: dict[dst.DbRp, str] = {}
        if protocol == "udp":
            await self._listen(element, state, want)
            udp = {dbrp: dst.base_url("udp", host, lis.port) for dbrp, lis in state.listeners.items()}
        own = _Peer(ids.server_id, http_base, udp)
        peers, manager = [own], True
        if mode == "cluster":
            peers = await self._peers(name, state, own, element)
            manager = min(p.server for p in peers) == own.server
        rows = dst.existing(await client.query("SHOW SUBSCRIPTIONS"))
        ours = {(r.database, r.retention_policy): r for r in rows if r.name == sub_name}
        state.linked = True
        if not manager:
            state.count = len([dbrp for dbrp in ours if dbrp in want])
            return True
        target_mode = dst.ALL if mode == "cluster" else dst.ANY
        use_tokens = protocol != "udp" and bool(self.engine.config.get("http", "auth-enabled"))
        state.count = await self._reconcile(
            client, name, sub_name, want, ours, peers, target_mode, protocol, use_tokens
        )
        return True

    async def _reconcile(
        self,
        client: InfluxClient,
        cluster: str,
        sub_name: str,
        want: set[dst.DbRp],
        ours: Mapping[dst.DbRp, dst.Existing],
        peers: Sequence[_Peer],
        mode: str,
        protocol: str,
        use_tokens: bool,
    ) -> int:
        for dbrp in sorted(set(ours) - want):
            await client.execute(dst.drop_statement(sub_name, dbrp))
            log.info("dropped subscription %s on %s.%s (no longer subscribed)", sub_name, *dbrp)
        used: set[str] = set()
        count = 0
        for dbrp in sorted(want):
            bases = sorted({url for p in peers if (url := p.destination(dbrp)).startswith(protocol + "://")})
            if not bases:
                continue
            row = ours.get(dbrp)
            token: str | None = None
            if row is not None:
                fits, token = await self._fits(row, bases, mode, cluster, sub_name, use_tokens)
                if fits:
                    count += 1
                    if token:
                        used.add(token)
                    continue
                await client.execute(dst.drop_statement(sub_name, dbrp))
            targets = bases
            if use_tokens:
                if not token:
                    token = new_token(cluster)
                    await self.grants.grant(token, cluster, sub_name, *dbrp)
                used.add(token)
                targets = [dst.with_token(b, token) for b in bases]
            await client.execute(dst.create_statement(sub_name, dbrp, mode, targets))
            action = "fixed" if row is not None else "created"
            log.info("%s subscription %s on %s.%s: %s %s", action, sub_name, *dbrp, mode, " ".join(bases))
            count += 1
        await self.grants.revoke_unused(cluster, sub_name, used)
        return count

    async def _fits(
        self, row: dst.Existing, bases: list[str], mode: str, cluster: str, sub_name: str, use_tokens: bool
    ) -> tuple[bool, str | None]:
        """Whether an existing subscription is what it should be; and its token when that may be kept."""
        split = [dst.split_credential(d) for d in row.destinations]
        tokens = {t for _, t in split}
        token: str | None = None
        if use_tokens and len(tokens) == 1:
            only = next(iter(tokens))
            if only and cluster_of(only) == cluster:
                dbrp = (row.database, row.retention_policy)
                if await self.grants.valid(only, cluster, sub_name, *dbrp):
                    token = only
        same = row.mode == mode and sorted(bare for bare, _ in split) == bases
        if use_tokens:
            return same and token is not None, token
        return same and tokens == {None}, None

    async def _unlink(self, client: InfluxClient, cluster: str, sub_name: str) -> None:
        """disable-subscriptions was set while running: drop this Tocsin's subscriptions, as Kapacitor does."""
        for row in dst.existing(await client.query("SHOW SUBSCRIPTIONS")):
            if row.name == sub_name:
                await client.execute(dst.drop_statement(sub_name, (row.database, row.retention_policy)))
                log.info(
                    "dropped subscription %s on %s.%s (subscriptions disabled)",
                    sub_name,
                    row.database,
                    row.retention_policy,
                )
        await self.grants.revoke_unused(cluster, sub_name, set())

    async def _listen(self, element: Mapping[str, Any], state: _State, want: set[dst.DbRp]) -> None:
        settings = (
            str(element.get("udp-bind") or ""),
            int(element.get("udp-buffer") or 0),
            int(element.get("udp-read-buffer") or 0),
        )
        if settings != state.udp:
            await self._stop_listeners(state, set())
            state.udp = settings
        await self._stop_listeners(state, want)
        for dbrp in sorted(want - set(state.listeners)):
            listener = UdpListener(
                bind_host(settings[0]), *dbrp, self.engine.write_points, buffer=settings[1], read_buffer=settings[2]
            )
            await listener.open()
            state.listeners[dbrp] = listener

    async def _stop_listeners(self, state: _State, keep: set[dst.DbRp]) -> None:
        for dbrp in [d for d in state.listeners if d not in keep]:
            await state.listeners.pop(dbrp).close()

    async def _peers(self, cluster: str, state: _State, own: _Peer, element: Mapping[str, Any]) -> list[_Peer]:
        """Publish this instance's destinations, then those of every instance whose document is fresh."""
        key = f"{cluster}/{own.server}"
        await self.engine.store.put_document(PEERS, key, own.doc(cluster))
        state.published = key
        interval = int(element.get("subscriptions-sync-interval") or 0) / NS or DEFAULT_INTERVAL
        # Three missed refreshes mean the instance is gone (stopped without saying so, or cut off).
        oldest = time.time() - 3 * interval - 5.0
        peers = [own]
        for other_key, doc in (await self.engine.store.load_documents(PEERS)).items():
            if other_key == key or doc.get("cluster") != cluster:
                continue
            if float(doc.get("updated") or 0) >= oldest:
                peers.append(_Peer.of(doc))
        return peers

    async def _unpublish(self, state: _State) -> None:
        if state.published:
            with contextlib.suppress(TocsinError, OSError):
                await self.engine.store.delete_document(PEERS, state.published)
            state.published = ""


@dataclass(frozen=True, slots=True)
class _Peer:
    """One instance's destinations: the same http(s) URL for every db.rp, or a UDP port per db.rp."""

    server: str
    http: str
    udp: Mapping[dst.DbRp, str]

    def destination(self, dbrp: dst.DbRp) -> str:
        return self.http or self.udp.get(dbrp, "")

    def doc(self, cluster: str) -> dict[str, Any]:
        udp = [[db, rp, url] for (db, rp), url in sorted(self.udp.items())]
        return {"cluster": cluster, "server": self.server, "updated": time.time(), "http": self.http, "udp": udp}

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> _Peer:
        udp = {(str(e[0]), str(e[1])): str(e[2]) for e in doc.get("udp") or () if len(e) == 3}
        return cls(str(doc.get("server", "")), str(doc.get("http") or ""), udp)


async def _dbrps(client: InfluxClient) -> list[dst.DbRp]:
    found: list[dst.DbRp] = []
    for db in dst.first_column(await client.query("SHOW DATABASES")):
        rps = dst.first_column(await client.query(f"SHOW RETENTION POLICIES ON {quote_ident(db)}"))
        found.extend((db, rp) for rp in rps)
    return found


def _port_of(bind_address: str) -> int:
    _, _, port = bind_address.rpartition(":")
    return int(port) if port.isdigit() else 0


def subscriptions_of(engine: Engine) -> SubscriptionService:
    """The subscription service `tocsin.wiring.assemble` attached; LookupError without one."""
    return engine.service_of(SubscriptionService)
