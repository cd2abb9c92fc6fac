"""The parser: tokens -> a tree of ``nodes``, by recursive descent.

Statements are dispatched on the tag's first name (``parse_for``, ``parse_if``...). Expressions
follow Jinja's precedence, loosest first, one function per level::

    conditional (a if b else c) < or < and < not < comparisons (== != < <= > >= in, not in)
    < + - < ~ < * / // % < ** < unary - + < primary with .attr [item] (call) |filter is test

Every error is a TemplateSyntaxError naming the template, the line and the column, and says
what was expected (for example "Encountered unknown tag 'endfro'. Jinja was looking for ...").

Does not: decide what names mean or which filters exist (see ``compiler``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import nodes
from .exceptions import TemplateAssertionError, TemplateSyntaxError
from .lexer import Token

_COMPARE_OPERATORS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "none": None, "None": None}
# Names that end an expression where a test argument could otherwise start.
_NOT_AN_ARGUMENT = {"and", "or", "else", "in", "is", "not", "if", "recursive", "with", "without"}


class Parser:
    """Parses one token list; ``parse()`` returns a ``nodes.Template``."""

    def __init__(self, tokens: list[Token], name: Optional[str] = None, source: Optional[str] = None) -> None:
        self.tokens, self.index = tokens, 0
        self.name, self.source = name, source
        self._end_token_stack: list[tuple[str, ...]] = []
        self._statements: dict[str, Callable[[], Any]] = {
            "if": self.parse_if, "for": self.parse_for, "set": self.parse_set, "with": self.parse_with,
            "macro": self.parse_macro, "call": self.parse_call_block, "filter": self.parse_filter_block,
            "include": self.parse_include, "import": self.parse_import, "from": self.parse_from,
            "extends": self.parse_extends, "block": self.parse_block,
        }

    # -- Token stream ------------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def look(self) -> Token:
        return self.tokens[min(self.index + 1, len(self.tokens) - 1)]

    def next(self) -> Token:
        token = self.tokens[self.index]
        if token.type != "eof":
            self.index += 1
        return token

    def skip_if(self, type: str, value: Any = None) -> bool:
        if self.current.test(type, value):
            self.next()
            return True
        return False

    def expect(self, type: str, value: Any = None) -> Token:
        token = self.current
        if not token.test(type, value):
            wanted = repr(value) if value is not None else _describe_type(type)
            self.fail(f"expected {wanted}, got {_describe(token)}", token)
        return self.next()

    def fail(self, message: str, token: Optional[Token] = None, error_class: type = TemplateSyntaxError) -> Any:
        token = token or self.current
        error = error_class(message, token.lineno, self.name, column=token.column or None)
        error.source = self.source
        raise error

    # -- Statements ------------------------------------------------------------------------

    def parse(self) -> Any:
        return nodes.Template(self.subparse(), lineno=1)

    def subparse(self, end_tokens: tuple[str, ...] = ()) -> list[Any]:
        """Statements until a ``{% name %}`` in ``end_tokens`` (left as the current token)."""
        body: list[Any] = []
        if end_tokens:
            self._end_token_stack.append(end_tokens)
        try:
            while self.current.type != "eof":
                token = self.current
                if token.type == "data":
                    body.append(nodes.Output([nodes.Data(token.value, lineno=token.lineno)], lineno=token.lineno))
                    self.next()
                elif token.type == "variable_begin":
                    self.next()
                    expression = self.parse_tuple()
                    self.expect("variable_end")
                    body.append(nodes.Output([expression], lineno=token.lineno))
                elif token.type == "block_begin":
                    self.next()
                    if end_tokens and self.current.type == "name" and self.current.value in end_tokens:
                        return body
                    body.append(self.parse_statement())
                else:
                    self.fail(f"unexpected {_describe(token)}")
            if end_tokens:
                self._fail_eof(end_tokens)
            return body
        finally:
            if end_tokens:
                self._end_token_stack.pop()

    def _fail_eof(self, end_tokens: tuple[str, ...]) -> None:
        expected = " or ".join(repr(name) for name in end_tokens)
        self.fail(f"Unexpected end of template. Jinja was looking for the following tags: {expected}."
                  f" {self._describe_innermost_block()}")

    def _describe_innermost_block(self) -> str:
        """Which open tag the innermost expected ``end...`` tag closes (``endif`` -> ``if``)."""
        closing = next(name for name in self._end_token_stack[-1] if name.startswith("end"))
        return f"The innermost block that needs to be closed is {closing[3:]!r}."

    def parse_statement(self) -> Any:
        token = self.current
        if token.type != "name":
            self.fail("tag name expected", token)
        handler = self._statements.get(token.value)
        if handler is None:
            self._fail_unknown_tag(token)
        return handler()  # type: ignore[misc]

    def _fail_unknown_tag(self, token: Token) -> None:
        message = f"Encountered unknown tag {token.value!r}."
        if self._end_token_stack:
            expected = " or ".join(repr(name) for name in self._end_token_stack[-1])
            message += f" Jinja was looking for the following tags: {expected}. {self._describe_innermost_block()}"
        self.fail(message, token)

    def _body_until(self, *end_tokens: str, drop_needle: bool = False) -> list[Any]:
        self.expect("block_end")
        body = self.subparse(end_tokens)
        if drop_needle:
            self.next()
        return body

    def parse_if(self) -> Any:
        lineno = self.next().lineno
        test = self.parse_tuple(with_condexpr=False)
        body = self._body_until("elif", "else", "endif")
        elifs, else_ = [], []
        while True:
            keyword = self.next().value  # elif, else or endif
            if keyword == "elif":
                elif_test = self.parse_tuple(with_condexpr=False)
                elifs.append((elif_test, self._body_until("elif", "else", "endif")))
            elif keyword == "else":
                else_ = self._body_until("endif")
            else:
                break
        self.expect("block_end")
        return nodes.If(test, body, elifs, else_, lineno=lineno)

    def parse_for(self) -> Any:
        lineno = self.next().lineno
        target = self.parse_assign_target(extra_end_names=("in",))
        self.expect("name", "in")
        iterable = self.parse_tuple(with_condexpr=False, extra_end_names=("recursive",))
        test = self.parse_expression() if self.skip_if("name", "if") else None
        recursive = self.skip_if("name", "recursive")
        body = self._body_until("endfor", "else")
        else_ = []
        if self.next().value == "else":
            else_ = self._body_until("endfor")
            self.next()
        self.expect("block_end")
        return nodes.For(target, iterable, body, else_, test, recursive, lineno=lineno)

    def parse_set(self) -> Any:
        lineno = self.next().lineno
        target = self.parse_assign_target(with_namespace=True)
        if self.skip_if("operator", "="):
            value = self.parse_tuple()
            self.expect("block_end")
            return nodes.Set(target, value, lineno=lineno)
        filter_node = self.parse_filter(None) if self.current.test("operator", "|") else None
        body = self._body_until("endset", drop_needle=True)
        self.expect("block_end")
        return nodes.SetBlock(target, body, filter_node, lineno=lineno)

    def parse_with(self) -> Any:
        lineno = self.next().lineno
        targets, values = [], []
        while not self.current.test("block_end"):
            if targets:
                self.expect("operator", ",")
            targets.append(self.parse_assign_target())
            self.expect("operator", "=")
            values.append(self.parse_expression())
        body = self._body_until("endwith", drop_needle=True)
        self.expect("block_end")
        return nodes.With(targets, values, body, lineno=lineno)

    def parse_macro(self) -> Any:
        lineno = self.next().lineno
        name = self.expect("name").value
        args, defaults = self.parse_signature()
        body = self._body_until("endmacro", drop_needle=True)
        self.skip_if("name", name)
        self.expect("block_end")
        return nodes.Macro(name, args, defaults, body, lineno=lineno)

    def parse_signature(self) -> tuple[list[str], list[Any]]:
        """``(a, b=1)`` of a macro or call block: argument names and trailing defaults."""
        args: list[str] = []
        defaults: list[Any] = []
        self.expect("operator", "(")
        while not self.current.test("operator", ")"):
            if args:
                self.expect("operator", ",")
            token = self.expect("name")
            if self.skip_if("operator", "="):
                defaults.append(self.parse_expression())
            elif defaults:
                self.fail("non-default argument follows default argument", token)
            args.append(token.value)
        self.expect("operator", ")")
        return args, defaults

    def parse_call_block(self) -> Any:
        lineno = self.next().lineno
        args, defaults = self.parse_signature() if self.current.test("operator", "(") else ([], [])
        call = self.parse_expression()
        if not isinstance(call, nodes.Call):
            self.fail("expected call", self.current)
        body = self._body_until("endcall", drop_needle=True)
        self.expect("block_end")
        return nodes.CallBlock(call, args, defaults, body, lineno=lineno)

    def parse_filter_block(self) -> Any:
        lineno = self.next().lineno
        filter_node = self.parse_filter(None, start_inline=True)
        body = self._body_until("endfilter", drop_needle=True)
        self.expect("block_end")
        return nodes.FilterBlock(body, filter_node, lineno=lineno)

    def _parse_context_modifier(self, default: bool) -> bool:
        if self.current.test("name", "with") or self.current.test("name", "without"):
            if self.look().test("name", "context"):
                with_context = self.next().value == "with"
                self.next()
                return with_context
        return default

    def parse_include(self) -> Any:
        lineno = self.next().lineno
        template = self.parse_expression()
        ignore_missing = False
        if self.current.test("name", "ignore") and self.look().test("name", "missing"):
            self.next()
            self.next()
            ignore_missing = True
        with_context = self._parse_context_modifier(True)
        self.expect("block_end")
        return nodes.Include(template, with_context, ignore_missing, lineno=lineno)

    def parse_import(self) -> Any:
        lineno = self.next().lineno
        template = self.parse_expression()
        self.expect("name", "as")
        target = self.expect("name").value
        with_context = self._parse_context_modifier(False)
        self.expect("block_end")
        return nodes.Import(template, target, with_context, lineno=lineno)

    def parse_from(self) -> Any:
        lineno = self.next().lineno
        template = self.parse_expression()
        self.expect("name", "import")
        names: list[tuple[str, str]] = []
        with_context = False
        while True:
            if names:
                self.expect("operator", ",")
            if self.current.type == "name" and self.current.value in ("with", "without") \
                    and self.look().test("name", "context"):
                with_context = self._parse_context_modifier(False)
                break
            token = self.expect("name")
            if token.value.startswith("_"):
                self.fail("names starting with an underline can not be imported", token, TemplateAssertionError)
            alias = self.expect("name").value if self.skip_if("name", "as") else token.value
            names.append((token.value, alias))
            if not self.current.test("operator", ","):
                with_context = self._parse_context_modifier(False)
                break
        self.expect("block_end")
        return nodes.FromImport(template, names, with_context, lineno=lineno)

    def parse_extends(self) -> Any:
        lineno = self.next().lineno
        template = self.parse_expression()
        self.expect("block_end")
        return nodes.Extends(template, lineno=lineno)

    def parse_block(self) -> Any:
        lineno = self.next().lineno
        name = self.expect("name").value
        scoped = self.skip_if("name", "scoped")
        required = self.skip_if("name", "required")
        if self.current.test("operator", "-"):
            self.fail("Use an underscore instead of a dash in block names.")
        body = self._body_until("endblock", drop_needle=True)
        if required and any(not _is_blank(node) for node in body):
            self.fail("Required blocks can only contain comments or whitespace", self.tokens[self.index - 1])
        self.skip_if("name", name)
        self.expect("block_end")
        return nodes.Block(name, body, scoped, required, lineno=lineno)

    # -- Assignment targets ------------------------------------------------------------------

    def parse_assign_target(self, with_namespace: bool = False, extra_end_names: tuple[str, ...] = ()) -> Any:
        """A name, ``a, b`` / ``(a, b)`` for unpacking, or ``ns.attr`` in ``set``."""
        token = self.current
        if with_namespace and token.type == "name" and self.look().test("operator", "."):
            self.next()
            self.next()
            return nodes.NSRef(token.value, self.expect("name").value, lineno=token.lineno)
        items = []
        while True:
            if items:
                if not self.skip_if("operator", ","):
                    break
                if not self._starts_target(extra_end_names):
                    break
            items.append(self._parse_target_atom())
        if len(items) == 1 and not self.tokens[self.index - 1].test("operator", ","):
            return items[0]
        return nodes.TupleLiteral(items, "store", lineno=token.lineno)

    def _starts_target(self, extra_end_names: tuple[str, ...]) -> bool:
        token = self.current
        if token.test("operator", "("):
            return True
        return token.type == "name" and token.value not in extra_end_names

    def _parse_target_atom(self) -> Any:
        token = self.current
        if self.skip_if("operator", "("):
            target = self.parse_assign_target()
            self.expect("operator", ")")
            return target
        name = self.expect("name").value
        if name in _CONSTANTS:
            self.fail(f"can't assign to constant {name!r}", token)
        return nodes.Name(name, "store", lineno=token.lineno)

    # -- Expressions ---------------------------------------------------------------------------

    def parse_tuple(self, with_condexpr: bool = True, extra_end_names: tuple[str, ...] = ()) -> Any:
        """An expression, or several separated by commas (an implicit tuple)."""
        lineno = self.current.lineno
        items = []
        while True:
            if items:
                if not self.skip_if("operator", ","):
                    break
                if self._at_expression_end(extra_end_names):
                    break
            items.append(self.parse_expression(with_condexpr))
        if len(items) == 1 and not self.tokens[self.index - 1].test("operator", ","):
            return items[0]
        return nodes.TupleLiteral(items, "load", lineno=lineno)

    def _at_expression_end(self, extra_end_names: tuple[str, ...]) -> bool:
        token = self.current
        if token.type in ("variable_end", "block_end", "eof"):
            return True
        if token.type == "operator" and token.value in (")", "]", "}"):
            return True
        return token.type == "name" and token.value in extra_end_names

    def parse_expression(self, with_condexpr: bool = True) -> Any:
        return self.parse_condexpr() if with_condexpr else self.parse_or()

    def parse_condexpr(self) -> Any:
        lineno = self.current.lineno
        expr1 = self.parse_or()
        while self.skip_if("name", "if"):
            test = self.parse_or()
            expr2 = self.parse_condexpr() if self.skip_if("name", "else") else None
            expr1 = nodes.CondExpr(test, expr1, expr2, lineno=lineno)
        return expr1

    def parse_or(self) -> Any:
        left = self.parse_and()
        while self.skip_if("name", "or"):
            left = nodes.Or(left, self.parse_and(), lineno=left.lineno)
        return left

    def parse_and(self) -> Any:
        left = self.parse_not()
        while self.skip_if("name", "and"):
            left = nodes.And(left, self.parse_not(), lineno=left.lineno)
        return left

    def parse_not(self) -> Any:
        if self.current.test("name", "not"):
            lineno = self.next().lineno
            return nodes.Not(self.parse_not(), lineno=lineno)
        return self.parse_compare()

    def parse_compare(self) -> Any:
        expr = self.parse_math1()
        ops = []
        while True:
            token = self.current
            if token.type == "operator" and token.value in _COMPARE_OPERATORS:
                self.next()
                ops.append((_COMPARE_OPERATORS[token.value], self.parse_math1()))
            elif token.test("name", "in"):
                self.next()
                ops.append(("in", self.parse_math1()))
            elif token.test("name", "not") and self.look().test("name", "in"):
                self.next()
                self.next()
                ops.append(("notin", self.parse_math1()))
            else:
                break
        return nodes.Compare(expr, ops, lineno=expr.lineno) if ops else expr

    def _parse_binary(self, operators: tuple[str, ...], operand: Callable[[], Any]) -> Any:
        left = operand()
        while self.current.type == "operator" and self.current.value in operators:
            operator = self.next().value
            left = nodes.BinOp(operator, left, operand(), lineno=left.lineno)
        return left

    def parse_math1(self) -> Any:
        return self._parse_binary(("+", "-"), self.parse_concat)

    def parse_concat(self) -> Any:
        parts = [self.parse_math2()]
        while self.skip_if("operator", "~"):
            parts.append(self.parse_math2())
        return parts[0] if len(parts) == 1 else nodes.Concat(parts, lineno=parts[0].lineno)

    def parse_math2(self) -> Any:
        return self._parse_binary(("*", "/", "//", "%"), self.parse_pow)

    def parse_pow(self) -> Any:
        return self._parse_binary(("**",), self.parse_unary)

    def parse_unary(self, with_filter: bool = True) -> Any:
        token = self.current
        if token.type == "operator" and token.value in ("-", "+"):
            self.next()
            node = nodes.Unary(token.value, self.parse_unary(False), lineno=token.lineno)
        else:
            node = self.parse_primary()
        node = self.parse_postfix(node)
        return self.parse_filter_expr(node) if with_filter else node

    def parse_primary(self) -> Any:
        token = self.current
        if token.type == "name":
            self.next()
            if token.value in _CONSTANTS:
                return nodes.Const(_CONSTANTS[token.value], lineno=token.lineno)
            return nodes.Name(token.value, "load", lineno=token.lineno)
        if token.type == "string":
            self.next()
            text = token.value
            while self.current.type == "string":  # adjacent strings concatenate, as in Python
                text += self.next().value
            return nodes.Const(text, lineno=token.lineno)
        if token.type in ("integer", "float"):
            self.next()
            return nodes.Const(token.value, lineno=token.lineno)
        if token.test("operator", "("):
            self.next()
            node = self.parse_tuple(extra_end_names=())
            self.expect("operator", ")")
            return node
        if token.test("operator", "["):
            return self.parse_list()
        if token.test("operator", "{"):
            return self.parse_dict()
        return self.fail(f"unexpected {_describe(token)}", token)

    def parse_list(self) -> Any:
        lineno = self.expect("operator", "[").lineno
        items = []
        while not self.current.test("operator", "]"):
            if items:
                self.expect("operator", ",")
                if self.current.test("operator", "]"):
                    break
            items.append(self.parse_expression())
        self.expect("operator", "]")
        return nodes.ListLiteral(items, lineno=lineno)

    def parse_dict(self) -> Any:
        lineno = self.expect("operator", "{").lineno
        pairs = []
        while not self.current.test("operator", "}"):
            if pairs:
                self.expect("operator", ",")
                if self.current.test("operator", "}"):
                    break
            key = self.parse_expression()
            self.expect("operator", ":")
            pairs.append((key, self.parse_expression()))
        self.expect("operator", "}")
        return nodes.DictLiteral(pairs, lineno=lineno)

    def parse_postfix(self, node: Any) -> Any:
        while True:
            token = self.current
            if token.test("operator", "."):
                self.next()
                attribute = self.next()
                if attribute.type == "name":
                    node = nodes.Getattr(node, attribute.value, lineno=token.lineno)
                elif attribute.type == "integer":
                    node = nodes.Getitem(node, nodes.Const(attribute.value), lineno=token.lineno)
                else:
                    self.fail("expected name or number", attribute)
            elif token.test("operator", "["):
                node = self.parse_subscript(node)
            elif token.test("operator", "("):
                node = self.parse_call(node)
            else:
                return node

    def parse_subscript(self, node: Any) -> Any:
        lineno = self.expect("operator", "[").lineno
        args = []
        while not self.current.test("operator", "]"):
            if args:
                self.expect("operator", ",")
            args.append(self.parse_subscribed())
        self.expect("operator", "]")
        if not args:
            self.fail("expected subscript expression")
        arg = args[0] if len(args) == 1 else nodes.TupleLiteral(args, "load", lineno=lineno)
        return nodes.Getitem(node, arg, lineno=lineno)

    def parse_subscribed(self) -> Any:
        parts: list[Any] = []
        if not self.current.test("operator", ":"):
            parts.append(self.parse_expression())
            if not self.current.test("operator", ":"):
                return parts[0]
        else:
            parts.append(None)
        self.next()
        parts.append(None if self.current.type == "operator" and self.current.value in ":]," else self.parse_expression())
        if self.skip_if("operator", ":"):
            parts.append(None if self.current.type == "operator" and self.current.value in "]," else self.parse_expression())
        else:
            parts.append(None)
        return nodes.Slice(*parts, lineno=self.current.lineno)

    def parse_call_args(self) -> tuple[list[Any], list[tuple[str, Any]], Any, Any]:
        self.expect("operator", "(")
        args: list[Any] = []
        kwargs: list[tuple[str, Any]] = []
        dyn_args = dyn_kwargs = None
        first = True
        while not self.current.test("operator", ")"):
            if not first:
                self.expect("operator", ",")
                if self.current.test("operator", ")"):
                    break
            first = False
            if self.skip_if("operator", "**"):
                dyn_kwargs = self.parse_expression()
            elif self.skip_if("operator", "*"):
                dyn_args = self.parse_expression()
            elif self.current.type == "name" and self.look().test("operator", "="):
                key = self.next().value
                self.next()
                kwargs.append((key, self.parse_expression()))
            else:
                if kwargs or dyn_args is not None or dyn_kwargs is not None:
                    self.fail("invalid syntax for function call expression")
                args.append(self.parse_expression())
        self.expect("operator", ")")
        return args, kwargs, dyn_args, dyn_kwargs

    def parse_call(self, node: Any) -> Any:
        lineno = self.current.lineno
        return nodes.Call(node, *self.parse_call_args(), lineno=lineno)

    def parse_filter_expr(self, node: Any) -> Any:
        while True:
            token = self.current
            if token.test("operator", "|"):
                node = self.parse_filter(node)
            elif token.test("name", "is"):
                node = self.parse_test(node)
            elif token.test("operator", "("):
                node = self.parse_call(node)
            else:
                return node

    def parse_filter(self, node: Any, start_inline: bool = False) -> Any:
        """``|name(args)`` (repeatable); ``node`` None builds a filter chain for filter blocks."""
        while self.current.test("operator", "|") or start_inline:
            if not start_inline:
                self.next()
            start_inline = False
            token = self.expect("name")
            name = token.value
            while self.current.test("operator", ".") and self.look().type == "name":
                self.next()
                name += "." + self.next().value
            args = self.parse_call_args() if self.current.test("operator", "(") else ([], [], None, None)
            node = nodes.Filter(node, name, *args, lineno=token.lineno)
        return node

    def parse_test(self, node: Any) -> Any:
        token = self.next()  # "is"
        negated = self.skip_if("name", "not")
        name_token = self.expect("name")
        name = name_token.value
        while self.current.test("operator", ".") and self.look().type == "name":
            self.next()
            name += "." + self.next().value
        args: Any = ([], [], None, None)
        if self.current.test("operator", "("):
            args = self.parse_call_args()
        elif self._starts_test_argument():
            argument = self.parse_primary()
            args = ([self.parse_postfix(argument)], [], None, None)
        node = nodes.Test(node, name, *args, lineno=token.lineno)
        return nodes.Not(node, lineno=token.lineno) if negated else node

    def _starts_test_argument(self) -> bool:
        token = self.current
        if token.type in ("string", "integer", "float"):
            return True
        if token.type == "name":
            return token.value not in _NOT_AN_ARGUMENT
        return token.type == "operator" and token.value in ("[", "{")


def _is_blank(node: Any) -> bool:
    return isinstance(node, nodes.Output) and all(
        isinstance(item, nodes.Data) and not item.text.strip() for item in node.nodes)


def _describe_type(type: str) -> str:
    return {"block_end": "end of statement block", "variable_end": "end of print statement",
            "name": "name", "string": "string", "eof": "end of template"}.get(type, type)


def _describe(token: Token) -> str:
    if token.type in ("name", "operator"):
        return repr(token.value)
    return _describe_type(token.type)


__all__ = ["Parser"]
