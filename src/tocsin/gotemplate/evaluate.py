"""Evaluation of pipelines, commands, fields and function calls, as Go's text/template/exec.go does it.

Go's reflect.Value cases map onto Python as described in `values`; an absent map key inside a field
chain is the ABSENT marker, which becomes None (printed `<no value>`) when the chain ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from tocsin.gocompat.quoting import go_quote
from tocsin.gotemplate.builtins import ANY, BUILTINS, STRING, VALUE, FuncSpec, callable_spec
from tocsin.gotemplate.errors import TemplateError, line_and_column
from tocsin.gotemplate.gofmt import format_value
from tocsin.gotemplate.nodes import (
    BoolNode,
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    VariableNode,
)
from tocsin.gotemplate.values import StringMap, Struct, go_type_name, is_true, struct_fields

MISSING: Any = object()  # no final value passed down the pipeline
ABSENT: Any = object()  # an absent map key, inside a field chain


class Evaluator:
    """Evaluation state: variable stack and the node being evaluated (for Go's error context)."""

    def __init__(
        self,
        top_name: str,
        text: str,
        trees: Mapping[str, ListNode],
        funcs: Mapping[str, FuncSpec],
        html: bool,
    ) -> None:
        self.top_name = top_name
        self.name = top_name
        self.text = text
        self.trees = trees
        self.funcs = funcs
        self.html = html
        self.out: list[str] = []
        self.vars: list[list[Any]] = []
        self.node: Node | None = None
        self.depth = 0

    # errors ---------------------------------------------------------------------------------------
    def errorf(self, message: str) -> NoReturn:
        node = self.node
        if node is None:
            raise TemplateError(f"template: {self.name}: {message}")
        prefix = self.text[: node.pos]
        line, column = line_and_column(self.text, node.pos)
        byte_col = len(prefix[prefix.rfind("\n") + 1 :].encode("utf-8"))
        context = str(node)
        if len(context.encode("utf-8")) > 20:
            context = context[:20] + "..."
        raise TemplateError(
            f'template: {self.top_name}:{line}:{byte_col}: executing "{self.name}" at <{context}>: {message}',
            line,
            column,
        )

    # variables ------------------------------------------------------------------------------------
    def var_value(self, name: str) -> Any:
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # evaluation -----------------------------------------------------------------------------------
    def eval_pipeline(self, dot: Any, pipe: PipeNode) -> Any:
        self.node = pipe
        value = MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.vars.append([var.ident[0], value])
        return value

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            self.node = first
            return self.eval_field_chain(dot, dot, first, first.ident, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, VariableNode):
            return self.eval_variable(dot, first, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain(dot, first, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        self.node = first
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, node: NumberNode) -> Any:
        self.node = node
        if node.value is None:
            self.errorf(f"{node.text} overflows int")
        return node.value

    def eval_variable(self, dot: Any, var: VariableNode, args: list[Node] | None, final: Any) -> Any:
        self.node = var
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            if args is not None:
                self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_chain(self, dot: Any, chain: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.node = chain
        if isinstance(chain.node, NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, ANY, chain.node)
        return self.eval_field_chain(dot, receiver, chain, tuple(chain.fields), args, final)

    def eval_field_chain(
        self, dot: Any, receiver: Any, node: Node, ident: tuple[str, ...], args: list[Node] | None, final: Any
    ) -> Any:
        last = len(ident) - 1
        iface = False
        for i, name in enumerate(ident):
            if i == last:
                value = self.eval_field(dot, name, node, args, final, receiver, iface)
                return None if value is ABSENT else value
            value = self.eval_field(dot, name, node, None, MISSING, receiver, iface)
            generic_map = isinstance(receiver, dict) and not isinstance(receiver, StringMap)
            iface = generic_map or (value is None and struct_fields(receiver) is not None)
            receiver = value
        return None  # unreachable: ident is never empty

    def eval_field(
        self,
        dot: Any,
        name: str,
        node: Node,
        args: list[Node] | None,
        final: Any,
        receiver: Any,
        iface: bool,
    ) -> Any:
        """Field `name` of `receiver`: a method call, a map entry or a struct field."""
        plain = final is MISSING and (args is None or len(args) == 1)
        if plain and type(receiver) is dict:
            return receiver.get(name, ABSENT)
        if plain and type(receiver) is Struct and name in receiver.go_fields():
            return receiver[name]
        if receiver is ABSENT:
            return ABSENT
        if receiver is None:
            if iface:
                self.errorf(f"nil pointer evaluating interface {{}}.{name}")
            return ABSENT
        fields = struct_fields(receiver)
        method = getattr(type(receiver), name, None) if name[:1].isupper() else None
        if callable(method) and not (fields is not None and name in fields):
            spec = callable_spec(method, skip_self=True)
            bound = FuncSpec(getattr(receiver, name), spec.fixed, spec.variadic)
            return self.eval_call(dot, bound, False, node, name, args, final)
        has_args = (args is not None and len(args) > 1) or final is not MISSING
        if isinstance(receiver, Mapping):
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name, ABSENT)
        if fields is not None and name in fields:
            if has_args:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return fields[name]
        type_name = "interface {}" if iface else go_type_name(receiver)
        self.errorf(f"can't evaluate field {name} in type {type_name}")

    def eval_function(self, dot: Any, node: IdentifierNode, cmd: Node, args: list[Node] | None, final: Any) -> Any:
        self.node = node
        name = node.ident
        spec = self.funcs.get(name)
        is_builtin = spec is None
        if spec is None:
            spec = BUILTINS.get(name)
        if spec is None:
            self.errorf(f"{go_quote(name)} is not a defined function")
        return self.eval_call(dot, spec, is_builtin, cmd, name, args, final)

    def eval_call(
        self,
        dot: Any,
        spec: FuncSpec,
        is_builtin: bool,
        node: Node,
        name: str,
        args: list[Node] | None,
        final: Any,
    ) -> Any:
        params = args[1:] if args is not None else []
        num_in = len(params) + (final is not MISSING)
        if spec.variadic:
            if num_in < spec.fixed:
                self.errorf(f"wrong number of args for {name}: want at least {spec.fixed} got {len(params)}")
        elif num_in != spec.fixed:
            self.errorf(f"wrong number of args for {name}: want {spec.fixed} got {num_in}")
        if is_builtin and name in ("and", "or"):
            want = name == "or"
            value = None
            for param in params:
                value = self.eval_arg(dot, VALUE, param)
                if is_true(value) == want:
                    return value
            return value if final is MISSING else final
        argv = [self.eval_arg(dot, spec.type_of(i), p) for i, p in enumerate(params)]
        if final is not MISSING:
            argv.append(self.validate(final, spec.type_of(len(params))))
        if is_builtin and name == "call":
            argv.insert(0, str(params[0]) if params else format_value(final))
        try:
            return spec.fn(*argv)
        except TemplateError:
            raise
        except Exception as exc:  # Go's safeCall turns a panic or a returned error into this message
            self.node = node
            self.errorf(f"error calling {name}: {exc}")

    def validate(self, value: Any, param_type: str) -> Any:
        if param_type != STRING or isinstance(value, str):
            return value
        if value is None:
            self.errorf("invalid value; expected string")
        self.errorf(f"wrong type for value; expected string; got {go_type_name(value)}")

    def eval_arg(self, dot: Any, param_type: str, node: Node) -> Any:
        self.node = node
        if isinstance(node, FieldNode):
            return self.validate(self.eval_field_chain(dot, dot, node, node.ident, None, MISSING), param_type)
        if isinstance(node, StringNode):
            return node.text
        if isinstance(node, VariableNode):
            return self.validate(self.eval_variable(dot, node, None, MISSING), param_type)
        if isinstance(node, DotNode):
            return self.validate(dot, param_type)
        if isinstance(node, NilNode):
            if param_type == STRING:
                self.errorf("cannot assign nil to string")
            return None
        if isinstance(node, PipeNode):
            return self.validate(self.eval_pipeline(dot, node), param_type)
        if isinstance(node, IdentifierNode):
            return self.validate(self.eval_function(dot, node, node, None, MISSING), param_type)
        if isinstance(node, ChainNode):
            return self.validate(self.eval_chain(dot, node, None, MISSING), param_type)
        if param_type == STRING:
            self.errorf(f"expected string; found {node}")
        if isinstance(node, BoolNode):
            return node.value
        if isinstance(node, NumberNode):
            return self.ideal_constant(node)
        self.errorf(f"can't handle assignment of {node} to empty interface argument")
