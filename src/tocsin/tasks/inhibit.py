"""Inhibition across alert nodes: while a group is non-OK, matching events of a category are dropped.

On a shared store the inhibitions of this instance's alert nodes are published as documents (`inhibitions`,
one per owner and group, keyed by the instance's server ID) and those of the other instances are read back when
they change (tasks/follow.py), so an alert raised on one instance inhibits alerts raised on another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tocsin.store.base import Store

INHIBIT_NS = "inhibitions"

Entry = tuple[str, dict[str, str]]  # (category, the equal tags' values)


class Inhibitors:
    """Active inhibitions, shared by every task of a server (and, with `shared`, by every instance).

    An alert node with `.inhibit(category, equalTags...)` marks each of its groups active while the group
    is non-OK. An event from an alert node with `.category(category)` is inhibited when some active entry
    of that category has, for every one of its equal tags, the same value in the event's tags.
    """

    def __init__(self, *, shared: bool = False) -> None:
        self.shared = shared
        self._active: dict[tuple[str, str], Entry] = {}
        self._remote: dict[str, Entry] = {}  # other instances' entries, by document key
        self._changed: set[tuple[str, str]] = set()  # (owner, group) to publish
        self._claimed: set[str] = set()  # tasks started here: other instances' entries for them are stale

    def set(
        self, owner: str, group: str, category: str, equal_tags: Sequence[str], tags: Mapping[str, str], active: bool
    ) -> None:
        """Record whether `owner`'s (an alert node's unique name) `group` currently inhibits `category`."""
        key = (owner, group)
        if active:
            entry = (category, {t: tags.get(t, "") for t in equal_tags})
            if self._active.get(key) == entry:
                return
            self._active[key] = entry
        elif self._active.pop(key, None) is None:
            return
        if self.shared:
            self._changed.add(key)

    def drop_owner(self, owner: str) -> None:
        """Forget every inhibition of a node whose task stopped."""
        for key in [k for k in self._active if k[0] == owner]:
            del self._active[key]
            if self.shared:
                self._changed.add(key)

    def claim_task(self, task_id: str) -> None:
        """The task runs here now: what another instance published for its alert nodes (a crash left it there)
        goes at the next publish."""
        if self.shared:
            self._claimed.add(task_id)

    def inhibited(self, category: str, tags: Mapping[str, str]) -> bool:
        """Whether an event of `category` with `tags` is currently inhibited."""
        if not category:
            return False
        for entries in (self._active.values(), self._remote.values()):
            for cat, wanted in entries:
                if cat == category and all(tags.get(k, "") == v for k, v in wanted.items()):
                    return True
        return False

    @property
    def unpublished(self) -> bool:
        return bool(self._changed or self._claimed)

    async def publish(self, store: Store, instance: str) -> None:
        """Write this instance's changed entries (and remove the stale ones of owners it claimed)."""
        changed, self._changed = self._changed, set()
        claimed, self._claimed = self._claimed, set()
        for owner, group in changed:
            key = f"{instance}\t{owner}\t{group}"
            entry = self._active.get((owner, group))
            if entry is None:
                await store.delete_document(INHIBIT_NS, key)
            else:
                await store.put_document(INHIBIT_NS, key, {"category": entry[0], "tags": entry[1]})
        for key in [k for k in self._remote if k.split("\t")[1].partition(":")[0] in claimed]:
            del self._remote[key]
            await store.delete_document(INHIBIT_NS, key)

    def load_remote(self, docs: Mapping[str, Mapping[str, Any]], instance: str) -> None:
        """The other instances' entries, as the store holds them."""
        self._remote = {
            key: (str(doc["category"]), {str(k): str(v) for k, v in doc["tags"].items()})
            for key, doc in docs.items()
            if not key.startswith(instance + "\t") and isinstance(doc.get("tags"), Mapping)
        }
