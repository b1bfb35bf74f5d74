"""The pipeline graph under construction: node ids in creation order, as Kapacitor assigns them."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.nodes import EDGE_OF, Provides
from tocsin.pipeline.spec import EdgeType, NodeSpec
from tocsin.pipeline.values import spec_value


class GraphBuilder:
    """Creates nodes, links them and records property calls."""

    def __init__(self, source: EdgeType) -> None:
        self.nodes: list[NodeSpec] = []
        self.add_source(source.value, source, source)

    def add_source(self, desc: str, provides: EdgeType, wants: EdgeType, args: tuple[Any, ...] = ()) -> NodeSpec:
        """A node without parents (the root, or a stats node)."""
        node = NodeSpec(len(self.nodes), desc, args, provides=provides, wants=wants)
        self.nodes.append(node)
        return node

    def add_child(
        self, parent: NodeSpec, desc: str, args: tuple[Any, ...] = (), provides: Provides = Provides.SAME
    ) -> NodeSpec:
        """A node linked below `parent`; it wants what the parent provides."""
        edge = parent.provides if provides is Provides.SAME else EDGE_OF[provides]
        node = NodeSpec(len(self.nodes), desc, tuple(spec_value(a) for a in args), provides=edge, wants=parent.provides)
        node.parents.append(parent.id)
        parent.children.append(node.id)
        self.nodes.append(node)
        return node

    def add_merge(self, parents: list[NodeSpec], desc: str, args: tuple[Any, ...] = ()) -> NodeSpec:
        """A node below several parents (`join`, `union`), in parent order; it provides what the first does."""
        first = parents[0]
        node = NodeSpec(len(self.nodes), desc, args, provides=first.provides, wants=first.provides)
        for parent in parents:
            node.parents.append(parent.id)
            parent.children.append(node.id)
        self.nodes.append(node)
        return node

    def add_stats(self, watched: NodeSpec, interval: Any) -> NodeSpec:
        """`|stats(interval)`: a new source reporting on `watched`, which gets a noop child if it has none."""
        stats = self.add_source("stats", EdgeType.STREAM, EdgeType.STREAM, (interval,))
        stats.watches = watched.id
        if not watched.children:
            self.add_child(watched, "noop")
        return stats

    @staticmethod
    def set_property(node: NodeSpec, name: str, args: tuple[Any, ...] | list[Any]) -> None:
        """Record one call of a property method."""
        node.properties.setdefault(name, []).append(tuple(spec_value(a) for a in args))
