"""Task leases on PostgreSQL: which instance runs each enabled TICKscript task, and which instances are alive.

A task is run by the instance named in `task_leases.owner` until `lease_until`; each instance also keeps a
row in `instances` with the same lease, its presence. Both are renewed in one transaction (a round), on the
server's clock, every third of the lease. A round runs under a transaction advisory lock, so that it sees
every round committed before it: two instances never claim one task, and shares are counted exactly.

Fair share: an instance claims free tasks (no lease, or an expired one) only while it holds fewer than
ceil(runnable tasks / live instances), counting itself. Tasks do not move while their owner is alive (a move
would restart their windows): an instance that starts while the others hold every task runs none until one is
released (graceful stop) or expires, or a new task is enabled.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

# pg_advisory_xact_lock key for task lease rounds ("tocsin" + 3; migrations + 1, delivery claims + 2).
TASK_LOCK = 0x746F6373696E0003

_PRESENCE = """
INSERT INTO instances (name, lease_until) VALUES ($1, $2::timestamptz + make_interval(secs => $3))
ON CONFLICT (name) DO UPDATE SET lease_until = EXCLUDED.lease_until
"""
# Leases of tasks that are no longer runnable here go; so do expired ones of tasks this instance does not
# know as runnable (free either way, the row is only clutter).
_GIVE_UP = """
DELETE FROM task_leases
WHERE NOT (task = ANY($2::text[])) AND (owner = $1 OR lease_until < $3::timestamptz)
"""
# A lease of this instance that ran out and nobody took is still its own: renewing it is safe.
_RENEW = """
UPDATE task_leases SET lease_until = $2::timestamptz + make_interval(secs => $3) WHERE owner = $1 RETURNING task
"""
_GONE = "DELETE FROM instances WHERE lease_until < $1::timestamptz"
_LIVE = "SELECT count(*) FROM instances WHERE lease_until >= $1::timestamptz"
_HELD = "SELECT task FROM task_leases WHERE task = ANY($1::text[]) AND lease_until >= $2::timestamptz"
_CLAIM = """
INSERT INTO task_leases (task, owner, lease_until)
SELECT t, $2, $3::timestamptz + make_interval(secs => $4) FROM unnest($1::text[]) AS t
ON CONFLICT (task) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
"""
_RELEASE = "DELETE FROM task_leases WHERE owner = $1"
_ABSENT = "DELETE FROM instances WHERE name = $1"


def fair_share(runnable: int, live: int) -> int:
    """How many tasks one of `live` instances may hold of `runnable` ones."""
    return math.ceil(runnable / max(1, live))


async def hold_tasks(
    conn: Any, instance: str, lease: float, runnable: Collection[str], candidates: Collection[str] | None
) -> set[str]:
    """One round on `conn` (an asyncpg connection): see `Cluster.hold_tasks`."""
    wanted = sorted(set(runnable))
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", TASK_LOCK)
        now = await conn.fetchval("SELECT clock_timestamp()")
        await conn.execute(_PRESENCE, instance, now, lease)
        await conn.execute(_GONE, now)
        await conn.execute(_GIVE_UP, instance, wanted, now)
        mine = {r[0] for r in await conn.fetch(_RENEW, instance, now, lease)}
        room = fair_share(len(wanted), int(await conn.fetchval(_LIVE, now))) - len(mine)
        if room <= 0:
            return mine
        pool = sorted(set(wanted if candidates is None else candidates).intersection(wanted) - mine)
        if not pool:
            return mine
        held = {r[0] for r in await conn.fetch(_HELD, pool, now)}
        free = [task for task in pool if task not in held][:room]
        if free:
            await conn.execute(_CLAIM, free, instance, now, lease)
        return mine | set(free)


async def release_tasks(conn: Any, instance: str) -> None:
    """Give back every lease of `instance` and its presence."""
    await conn.execute(_RELEASE, instance)
    await conn.execute(_ABSENT, instance)
