"""The syntax tree the parser builds and the compiler walks: one small class per construct.

Each class lists its ``fields``; ``Node.__init__`` takes them positionally plus ``lineno``, so
``For(target, iter, body, else_, test, recursive, lineno=3)`` reads like the template it came
from. ``repr()`` shows the tree, which helps when learning how a template is understood.
"""

from __future__ import annotations

from typing import Any


class Node:
    """Base class: positional ``fields`` and the template ``lineno`` the node starts on."""

    fields: tuple[str, ...] = ()

    def __init__(self, *values: Any, lineno: int = 0) -> None:
        if len(values) != len(self.fields):
            raise TypeError(f"{type(self).__name__} takes {len(self.fields)} fields, got {len(values)}")
        for field, value in zip(self.fields, values):
            setattr(self, field, value)
        self.lineno = lineno

    def __repr__(self) -> str:
        inside = ", ".join(f"{field}={getattr(self, field)!r}" for field in self.fields)
        return f"{type(self).__name__}({inside})"


def _node(name: str, fields: str, doc: str) -> type:
    return type(name, (Node,), {"fields": tuple(fields.split()), "__doc__": doc})


# -- Statements ------------------------------------------------------------------------------

Template = _node("Template", "body", "The whole template: a list of statements.")
Output = _node("Output", "nodes", "Text and ``{{ expressions }}`` to write, in order.")
Data = _node("Data", "text", "Literal template text.")
If = _node("If", "test body elifs else_", "``if``/``elif``/``else``; elifs is a list of (test, body).")
For = _node("For", "target iter body else_ test recursive", "A ``for`` loop with its options.")
Set = _node("Set", "target value", "``{% set target = value %}``.")
SetBlock = _node("SetBlock", "target body filter", "``{% set target %}body{% endset %}``.")
With = _node("With", "targets values body", "``{% with a=1 %}``: a new scope with assignments.")
Macro = _node("Macro", "name args defaults body", "``{% macro name(args) %}``.")
CallBlock = _node("CallBlock", "call args defaults body", "``{% call macro() %}``: body is ``caller()``.")
FilterBlock = _node("FilterBlock", "body filter", "``{% filter f %}``: body output through filters.")
Include = _node("Include", "template with_context ignore_missing", "``{% include %}``.")
Import = _node("Import", "template target with_context", "``{% import 'x' as name %}``.")
FromImport = _node("FromImport", "template names with_context",
                   "``{% from 'x' import a, b as c %}``; names is a list of (name, alias).")
Extends = _node("Extends", "template", "``{% extends %}``: render a parent with these blocks.")
Block = _node("Block", "name body scoped required", "``{% block name %}``: overridable content.")

# -- Expressions ----------------------------------------------------------------------------

Name = _node("Name", "name ctx", "A variable; ctx is 'load' or 'store'.")
NSRef = _node("NSRef", "name attr", "``ns.attr`` as a ``set`` target (namespace objects only).")
Const = _node("Const", "value", "A literal: string, number, true/false/none.")
TupleLiteral = _node("TupleLiteral", "items ctx", "``(a, b)`` or an unpacking target ``a, b``.")
ListLiteral = _node("ListLiteral", "items", "``[a, b]``.")
DictLiteral = _node("DictLiteral", "pairs", "``{k: v}``; pairs is a list of (key, value).")
Getattr = _node("Getattr", "node attr", "``node.attr`` (falls back to ``node['attr']``).")
Getitem = _node("Getitem", "node arg", "``node[arg]`` (falls back to ``node.arg``).")
Slice = _node("Slice", "start stop step", "``start:stop:step`` inside ``[]``.")
Call = _node("Call", "node args kwargs dyn_args dyn_kwargs", "A call; kwargs is a list of (name, value).")
Filter = _node("Filter", "node name args kwargs dyn_args dyn_kwargs", "``node|name(args)``.")
Test = _node("Test", "node name args kwargs dyn_args dyn_kwargs", "``node is name(args)``.")
BinOp = _node("BinOp", "op left right", "Arithmetic: + - * / // % **.")
Unary = _node("Unary", "op node", "Unary + or -.")
Not = _node("Not", "node", "``not node``.")
And = _node("And", "left right", "``left and right``.")
Or = _node("Or", "left right", "``left or right``.")
Compare = _node("Compare", "expr ops", "Chained comparison; ops is a list of (operator, expr).")
CondExpr = _node("CondExpr", "test expr1 expr2", "``expr1 if test else expr2`` (expr2 may be None).")
Concat = _node("Concat", "nodes", "``a ~ b ~ c``: string concatenation.")


def iter_child_nodes(node: Any) -> Any:
    """Every Node directly inside ``node`` (through lists and tuples of fields)."""
    stack = [getattr(node, field) for field in node.fields]
    while stack:
        value = stack.pop()
        if isinstance(value, Node):
            yield value
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
