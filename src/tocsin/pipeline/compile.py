"""TICKscript program -> Pipeline: statements evaluated in order against the node definitions (tick/eval.go)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.expr.tokens import Position
from tocsin.expr.values import Duration
from tocsin.handlers.base import ConfigView
from tocsin.pipeline import deadman
from tocsin.pipeline.builder import GraphBuilder
from tocsin.pipeline.calls import check_call, check_field, expand_list
from tocsin.pipeline.declared import declared_var, zero_value
from tocsin.pipeline.errors import (
    ERR_CALLING,
    ERR_CHAIN_IS_PROPERTY,
    ERR_INVALID_TYPE_SUPPLIED,
    ERR_INVALID_VAR_TYPE,
    ERR_MISSING_VAR,
    ERR_MIXED_EDGES,
    ERR_NO_METHOD,
    ERR_NO_PROPERTY_OF,
    ERR_NOT_A_NODE,
    ERR_PROPERTY_IS_CHAIN,
    ERR_REDEFINE,
    ERR_WINDOW_BATCH,
    TickCompileError,
    at,
    unsupported,
)
from tocsin.pipeline.handlers import HANDLER_METHODS, global_handlers, handler_properties, positional_options
from tocsin.pipeline.nodes import (
    ALERT_PROPERTIES,
    CHAINS,
    MERGE_CHAINS,
    NODES,
    UNSUPPORTED_CHAINS,
    chain_names,
    lower_first,
)
from tocsin.pipeline.program import implicit_dbrps, script_type
from tocsin.pipeline.scope import Scope, evaluate_expression
from tocsin.pipeline.spec import DeclaredVar, EdgeType, HandlerCall, NodeSpec, Pipeline
from tocsin.pipeline.values import HandlerRef, NodeRef, go_type, type_name
from tocsin.pipeline.vars import VAR_TYPES, TaskVar, tick_value
from tocsin.tick.ast import Chain, ChainOp, Comment, Dbrp, Expression, Link, Program, VarDecl

ALERT_DATA = "*pipeline.AlertNodeData"  # what alert property methods (`.stateChangesOnly()`) return


def _name_pos(link: Link) -> Position:
    # Kapacitor positions a call at its name, just after the operator.
    return Position(link.pos.offset + 1, link.pos.line, link.pos.column + 1)


class _Compiler:
    def __init__(
        self, program: Program, task_vars: Mapping[str, TaskVar], config: ConfigView | None, ignore_missing: bool
    ) -> None:
        self.program = program
        self.task_vars = task_vars
        self.config = config
        self.ignore_missing = ignore_missing
        self.type = script_type(program)
        self.graph = GraphBuilder(self.type)
        self.scope = Scope()
        self.scope.values[self.type.value] = NodeRef(0, f"*pipeline.{self.type.value.title()}Node")
        self.declared: dict[str, DeclaredVar] = {}
        self.deadman = deadman.settings(config)

    def run(self) -> Pipeline:
        dbrps: list[tuple[str, str]] = []
        for statement in self.program.statements:
            if isinstance(statement, VarDecl):
                self._declare(statement)
            elif isinstance(statement, Dbrp):
                pair = (statement.database, statement.retention_policy)
                if pair not in dbrps:
                    dbrps.append(pair)
            elif not isinstance(statement, Comment):
                self._value(statement.expression)
        if self.deadman.global_:
            nodes = self.graph.nodes
            interval = Duration(self.deadman.interval)
            deadman.expand(self.graph, nodes[0], self.deadman.threshold, interval, (), self.deadman)
        for node in self.graph.nodes:
            if node.desc == "alert":
                node.handlers.extend(global_handlers(node.handlers, self.config))
        return Pipeline(self.type, self.graph.nodes, dbrps, self.declared)

    # -- vars ---------------------------------------------------------------------------------------------
    def _supplied(self, name: str, expected: str) -> Any:
        var = self.task_vars[name]
        if var.type != expected:
            raise TickCompileError(ERR_INVALID_TYPE_SUPPLIED.format(name=name, got=var.type, exp=expected))
        return tick_value(name, var)

    def _declare(self, decl: VarDecl) -> None:
        if decl.value is None:
            typ = decl.type_name or ""
            if typ not in VAR_TYPES:
                raise TickCompileError(ERR_INVALID_VAR_TYPE.format(type=typ))
            self.declared[decl.name] = DeclaredVar(decl.name, typ, None, decl.description)
            if decl.name in self.task_vars:
                self.scope.values[decl.name] = self._supplied(decl.name, typ)
            elif self.ignore_missing:
                self.scope.values[decl.name] = zero_value(typ, decl.pos)
            else:
                raise TickCompileError(ERR_MISSING_VAR.format(name=decl.name))
            return
        value = self._value(decl.value)
        if decl.name in self.scope.values:
            raise TickCompileError(ERR_REDEFINE.format(name=decl.name))
        typ = type_name(value)
        if typ != "invalid type":
            self.declared[decl.name] = declared_var(decl.name, value, decl.description)
        if decl.name in self.task_vars:
            value = self._supplied(decl.name, typ)
        self.scope.values[decl.name] = value

    def _value(self, expression: Expression) -> Any:
        if isinstance(expression, Chain):
            return self._chain(expression)
        return evaluate_expression(expression, self.scope, self._chain)

    # -- chains -------------------------------------------------------------------------------------------
    def _chain(self, chain: Chain) -> Any:
        obj = self.scope.get(chain.head.name)
        for link in chain.links:
            obj = self._link(obj, link)
        return obj

    def _link(self, obj: Any, link: Link) -> Any:
        pos = _name_pos(link)
        if link.op is ChainOp.AT:
            raise unsupported(link.name, pos, udf=True)
        if not isinstance(obj, NodeRef | HandlerRef):
            raise at(pos, ERR_NOT_A_NODE.format(type=go_type(obj)))
        if not link.call:
            raise at(pos, ERR_NO_PROPERTY_OF.format(obj=obj.go_type, name=link.name))
        args = expand_list([self._value(arg) for arg in link.args])
        node = self.graph.nodes[obj.id if isinstance(obj, NodeRef) else obj.node_id]
        name = lower_first(link.name)
        props, chains = self._members(node, obj)
        if link.op is ChainOp.PIPE:
            if name in chains:
                return self._chain_method(node, obj, name, link.name, args, pos)
            if name in props:
                raise at(pos, ERR_CHAIN_IS_PROPERTY.format(name=link.name, obj=obj.go_type))
        else:
            if name in props:
                return self._property(node, obj, name, link.name, args, pos)
            if name in chains:
                raise at(pos, ERR_PROPERTY_IS_CHAIN.format(name=link.name, obj=obj.go_type))
        raise at(pos, ERR_NO_METHOD.format(name=link.name, obj=obj.go_type))

    def _members(self, node: NodeSpec, obj: NodeRef | HandlerRef) -> tuple[set[str], set[str]]:
        """Property and chaining method names callable on `obj` (a handler adds its own properties)."""
        definition = NODES[node.desc]
        props = set(definition.properties)
        if node.desc == "alert":
            props |= set(HANDLER_METHODS)
        if isinstance(obj, HandlerRef):
            props |= set(handler_properties(node.handlers[obj.index].kind))
        return props, chain_names(definition, props)

    def _chain_method(
        self, node: NodeSpec, obj: NodeRef | HandlerRef, name: str, written: str, args: list[Any], pos: Position
    ) -> NodeRef:
        if name in UNSUPPORTED_CHAINS:
            raise unsupported(written, pos)
        chain = CHAINS[name]
        check_call(pos, written, obj.go_type, chain.sig, args)
        if chain.wants_stream and node.provides is not EdgeType.STREAM:
            raise at(pos, ERR_CALLING.format(name=written, obj=obj.go_type, reason=ERR_WINDOW_BATCH))
        if name == "stats":
            return NodeRef(self.graph.add_stats(node, args[0]).id, chain.go_type)
        if name == "deadman":
            alert = deadman.expand(self.graph, node, args[0], args[1], args[2:], self.deadman)
            return NodeRef(alert.id, chain.go_type)
        if name in MERGE_CHAINS:
            others = [self.graph.nodes[arg.id] for arg in args]
            for other in others:
                if other.provides is not node.provides:
                    reason = ERR_MIXED_EDGES.format(name=written, a=node.provides.value, b=other.provides.value)
                    raise at(pos, reason)
            return NodeRef(self.graph.add_merge([node, *others], chain.desc).id, chain.go_type)
        child = self.graph.add_child(node, chain.desc, tuple(args), chain.provides)
        return NodeRef(child.id, chain.go_type)

    def _property(
        self, node: NodeSpec, obj: NodeRef | HandlerRef, name: str, written: str, args: list[Any], pos: Position
    ) -> NodeRef | HandlerRef:
        if isinstance(obj, HandlerRef):
            handler = node.handlers[obj.index]
            prop = handler_properties(handler.kind).get(name)
            if prop is not None:
                check_call(pos, written, obj.go_type, prop.sig, args)
                prop.set(handler.options, [getattr(a, "ns", a) for a in args])
                return obj
        if name in HANDLER_METHODS:
            method = HANDLER_METHODS[name]
            check_call(pos, written, obj.go_type, method.sig, args)
            node.handlers.append(HandlerCall(method.kind, method.method, positional_options(method, args)))
            return HandlerRef(node.id, len(node.handlers) - 1, method.go_type)
        definition = NODES[node.desc].properties[name]
        if definition.field is not None:
            check_field(pos, written, definition.field, obj.go_type, definition.sig.params[0], args)
            self.graph.set_property(node, name, args)
            return obj
        check_call(pos, written, obj.go_type, definition.sig, args)
        self.graph.set_property(node, name, args)
        if node.desc == "alert" and name in ALERT_PROPERTIES and name != "quiet":
            return NodeRef(node.id, ALERT_DATA)
        return obj


def compile_program(
    program: Program,
    vars: Mapping[str, TaskVar] | None = None,
    config: ConfigView | None = None,
    *,
    ignore_missing: bool = False,
) -> Pipeline:
    """Evaluate a parsed script with task vars; raises TickCompileError with Kapacitor's texts."""
    return _Compiler(program, vars or {}, config, ignore_missing).run()


def declared_vars(program: Program) -> dict[str, DeclaredVar]:
    """The script's vars with their defaults (typed declarations without a value give None)."""
    return compile_program(program, ignore_missing=True).vars


__all__ = ["compile_program", "declared_vars", "implicit_dbrps", "script_type"]
