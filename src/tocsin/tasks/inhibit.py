"""Inhibition across alert nodes: while a group is non-OK, matching events of a category are dropped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class Inhibitors:
    """Active inhibitions, shared by every task of a server.

    An alert node with `.inhibit(category, equalTags...)` marks each of its groups active while the group
    is non-OK. An event from an alert node with `.category(category)` is inhibited when some active entry
    of that category has, for every one of its equal tags, the same value in the event's tags.
    """

    def __init__(self) -> None:
        self._active: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}

    def set(
        self, owner: str, group: str, category: str, equal_tags: Sequence[str], tags: Mapping[str, str], active: bool
    ) -> None:
        """Record whether `owner`'s (an alert node's unique name) `group` currently inhibits `category`."""
        key = (owner, group)
        if active:
            self._active[key] = (category, {t: tags.get(t, "") for t in equal_tags})
        else:
            self._active.pop(key, None)

    def drop_owner(self, owner: str) -> None:
        """Forget every inhibition of a node whose task stopped."""
        for key in [k for k in self._active if k[0] == owner]:
            del self._active[key]

    def inhibited(self, category: str, tags: Mapping[str, str]) -> bool:
        """Whether an event of `category` with `tags` is currently inhibited."""
        if not category:
            return False
        for cat, wanted in self._active.values():
            if cat == category and all(tags.get(k, "") == v for k, v in wanted.items()):
                return True
        return False
