"""The code generator: a ``nodes`` tree -> Python source for one template module.

A template becomes plain Python, readable with ``Template.source``:
- ``root(context)`` is a generator yielding the output; each ``{% block %}`` becomes a
  ``block_<name>(context)`` generator, each macro, call block, recursive loop and set/filter
  block a nested generator. Rendering is ``"".join(root(context))``; streaming iterates it.
- Template variables become Python locals named ``l_<depth>_<name>``. A name is read from the
  context once, at the top of the function that needs it; a ``for``, ``with`` or ``macro`` body
  gets fresh names for what it assigns, so nothing leaks out of a loop (Jinja's scoping).
- Consecutive text and ``{{ }}`` outputs merge into one ``yield 'text%s' % (to_html(x),)``;
  ``to_html`` escapes unless the value is ``Markup`` (with autoescape), ``to_text`` only
  converts to str.
- Filters and tests are looked up once, when the module is loaded: an unknown one is an error
  at compile time, or (inside an ``if`` branch) when that branch runs, as in Jinja.
Each generated line remembers its template line, so errors point at the template (see
``__init__.Template``).

Does not: tokenize or parse (see ``lexer``, ``parser``), or hold runtime helpers (``runtime``).
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from . import nodes
from .exceptions import TemplateAssertionError
from .runtime import pass_arg_of

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/", "//": "//", "%": "%", "**": "**"}
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in", "notin": "not in"}
_SCOPE_NODES = (nodes.For, nodes.With, nodes.Macro, nodes.CallBlock, nodes.Block)


class Frame:
    """The names of one template scope and the Python identifiers that hold them.

    ``function`` frames start a Python function: names not found in any frame are read from the
    context at its top (``resolves``), or, for a nested function, in the enclosing one.
    """

    def __init__(self, parent: Optional[Frame], depth: int, function: bool = False,
                 toplevel: bool = False) -> None:
        self.parent = parent
        self.depth = depth
        self.function = function
        self.toplevel = toplevel
        self.symbols: dict[str, str] = {}
        self.resolves: dict[str, str] = {}  # on function frames: name -> identifier to resolve
        self.block_name: Optional[str] = None

    def function_frame(self) -> Frame:
        frame = self
        while not frame.function:
            frame = frame.parent  # type: ignore[assignment]
        return frame


class CodeGenerator:
    """Generates the source of one template; ``generate(tree)`` returns it."""

    def __init__(self, environment: Any, name: Optional[str], filename: Optional[str],
                 autoescape: bool) -> None:
        self.environment = environment
        self.name = name
        self.filename = filename
        self.autoescape = autoescape
        self.lines: list[tuple[int, str, int]] = []  # (indent, code, template line)
        self.indentation = 0
        self.lineno = 1
        self.counter = 0
        self.filters: dict[str, str] = {}
        self.tests: dict[str, str] = {}
        self.module_lines: list[str] = []
        self.conditional_depth = 0
        self.has_extends = False
        self.guard_output = False  # root output after {% extends %} only while no parent is set
        self.block_names: list[str] = []

    # -- Writing ---------------------------------------------------------------------------

    def write(self, code: str) -> None:
        self.lines.append((self.indentation, code, self.lineno))

    def temporary(self) -> str:
        self.counter += 1
        return f"t_{self.counter}"

    def indent(self) -> None:
        self.indentation += 1

    def outdent(self) -> None:
        self.indentation -= 1

    def fail(self, message: str, lineno: int) -> None:
        raise TemplateAssertionError(message, lineno, self.name, self.filename)

    def source(self) -> tuple[str, list[tuple[int, int]]]:
        """The module source and its (python line, template line) pairs."""
        text = list(self.module_lines)
        debug_info = []
        for indent, code, lineno in self.lines:
            text.append("    " * indent + code)
            debug_info.append((len(text), lineno))
        return "\n".join(text) + "\n", debug_info

    # -- Module and functions ----------------------------------------------------------------

    def generate(self, tree: Any) -> str:
        self.has_extends = _has_toplevel_extends(tree.body)
        blocks = [node for node in _walk_statements(tree.body) if isinstance(node, nodes.Block)]
        self._check_unique_blocks(blocks)
        frame = Frame(None, 0, function=True, toplevel=True)
        self.write_function("root", "context, environment=environment", tree.body, frame, 1, root=True)
        for block in blocks:
            self.write_block_function(block)
        self.write("blocks = {" + ", ".join(f"{b.name!r}: block_{b.name}" for b in blocks) + "}")
        self.module_lines = [f"# template {self.name!r}" + ("" if self.autoescape else " (no autoescape)")]
        self.module_lines += [f"{ident} = environment.filters[{name!r}]" if name in self.environment.filters
                              else f"{ident} = missing_filter({name!r})" for name, ident in self.filters.items()]
        self.module_lines += [f"{ident} = environment.tests[{name!r}]" if name in self.environment.tests
                              else f"{ident} = missing_test({name!r})" for name, ident in self.tests.items()]
        return self.source()[0]

    def _check_unique_blocks(self, blocks: list[Any]) -> None:
        seen: set[str] = set()
        for block in blocks:
            if block.name in seen:
                self.fail(f"block {block.name!r} defined twice", block.lineno)
            seen.add(block.name)

    def write_function(self, name: str, signature: str, body: list[Any], frame: Frame, lineno: int,
                       root: bool = False, prologue: Iterator[str] = iter(())) -> None:
        """``def name(signature):`` with ``body``; the context reads go in once it is known
        which names the body needs."""
        self.lineno = lineno
        self.write(f"def {name}({signature}):")
        self.indent()
        if frame.parent is None:  # a top-level function: bind what the generated code calls
            self.write("resolve = context.resolve")
            self.write("call = context.call")
            self.write("eval_ctx = context.eval_ctx")
        for line in prologue:
            self.write(line)
        insert_at = len(self.lines)
        if root and self.has_extends:
            self.write("parent_template = None")
            self.guard_output = True
        self.declare_stored_names(body, frame)
        self.write_body(body, frame)
        if root and self.has_extends:
            self.write("if parent_template is not None:")
            self.indent()
            self.write("yield from parent_template.root_render_func(context)")
            self.outdent()
        self.guard_output = False
        self.write("if 0: yield None  # a generator even with nothing to write")
        self.outdent()
        self.lines[insert_at:insert_at] = [(self.indentation + 1, line, lineno) for line in self._resolve_lines(frame)]

    def _resolve_lines(self, frame: Frame) -> list[str]:
        return [f"{ident} = resolve({name!r})" for name, ident in frame.resolves.items()]

    def write_block_function(self, block: Any) -> None:
        frame = Frame(None, 0, function=True)
        frame.block_name = block.name
        if block.required:
            self.lineno = block.lineno
            self.write(f"def block_{block.name}(context, environment=environment):")
            self.indent()
            self.write(f"raise TemplateRuntimeError({f'Required block {block.name!r} not found'!r})")
            self.write("yield None")
            self.outdent()
            return
        self.write_function(f"block_{block.name}", "context, environment=environment", block.body,
                            frame, block.lineno)

    # -- Scopes --------------------------------------------------------------------------------

    def declare_stored_names(self, body: list[Any], frame: Frame, skip: tuple[str, ...] = ()) -> None:
        """Give ``frame`` identifiers for what ``body`` assigns; start them at the outer value."""
        for name in _stored_names(body):
            if name in skip or name in frame.symbols:
                continue
            outer = self.lookup(frame.parent, name) if frame.parent is not None else None
            ident = f"l_{frame.depth}_{name}"
            frame.symbols[name] = ident
            if frame.function and frame.parent is None:
                frame.resolves[name] = ident  # read from the context at the top of the function
            else:
                self.write(f"{ident} = {outer or self.resolve_in_function(frame, name)}")

    def lookup(self, frame: Optional[Frame], name: str) -> Optional[str]:
        while frame is not None:
            if name in frame.symbols:
                return frame.symbols[name]
            frame = frame.parent
        return None

    def resolve_in_function(self, frame: Frame, name: str) -> str:
        """The identifier a name not assigned anywhere is read into, at the outermost function."""
        outermost = frame
        while outermost.parent is not None:
            outermost = outermost.parent
        outermost = outermost.function_frame()
        ident = outermost.resolves.get(name) or outermost.symbols.get(name)
        if ident is None:
            ident = outermost.resolves[name] = f"l_0_{name}"
        return ident

    def reference(self, frame: Frame, name: str) -> str:
        return self.lookup(frame, name) or self.resolve_in_function(frame, name)

    def visible_names(self, frame: Frame) -> dict[str, str]:
        """Every template name with a Python identifier here (for include/scoped blocks)."""
        names: dict[str, str] = {}
        chain = []
        while frame is not None:
            chain.append(frame)
            frame = frame.parent  # type: ignore[assignment]
        for each in reversed(chain):
            names.update(each.resolves)
            names.update(each.symbols)
        return names

    # -- Statements ----------------------------------------------------------------------------

    def write_body(self, body: list[Any], frame: Frame) -> None:
        pending: list[Any] = []
        for node in body:
            if isinstance(node, nodes.Output):
                pending.extend(node.nodes)
                continue
            self.write_output(pending, frame)
            pending = []
            self.lineno = node.lineno
            getattr(self, f"visit_{type(node).__name__}")(node, frame)
        self.write_output(pending, frame)

    def write_output(self, items: list[Any], frame: Frame) -> None:
        """One ``yield`` for consecutive text and expressions."""
        if not items:
            return
        template, args = [], []
        for item in items:
            if isinstance(item, nodes.Data):
                template.append(item.text.replace("%", "%%"))
            else:
                self.lineno = item.lineno
                template.append("%s")
                converter = "to_html" if self.autoescape else "to_text"
                value = self.expression(item, frame)
                if self.environment.finalize is not None:
                    value = f"finalize({value})"
                args.append(f"{converter}({value})")
        text = "".join(template)
        if not args:
            code = repr(text.replace("%%", "%"))
        elif text == "%s":
            code = args[0]
        else:
            code = f"{text!r} % ({', '.join(args)},)"
        if self.guard_output and frame.function_frame().toplevel:
            self.write("if parent_template is None:")
            self.indent()
            self.write(f"yield {code}")
            self.outdent()
        else:
            self.write(f"yield {code}")

    def visit_If(self, node: Any, frame: Frame) -> None:
        self.conditional_depth += 1
        self.write(f"if {self.expression(node.test, frame)}:")
        self.write_indented(node.body, frame)
        for test, body in node.elifs:
            self.lineno = test.lineno
            self.write(f"elif {self.expression(test, frame)}:")
            self.write_indented(body, frame)
        if node.else_:
            self.write("else:")
            self.write_indented(node.else_, frame)
        self.conditional_depth -= 1

    def write_indented(self, body: list[Any], frame: Frame) -> None:
        self.indent()
        self.write("pass")
        self.write_body(body, frame)
        self.outdent()

    def visit_For(self, node: Any, frame: Frame) -> None:
        loop_frame = Frame(frame, frame.depth + 1)
        target_names = _target_names(node.target)
        for name in target_names:
            loop_frame.symbols[name] = f"l_{loop_frame.depth}_{name}"
        uses_loop = "loop" not in target_names and _uses_name(node.body + [node.test] if node.test else node.body, "loop")
        iterable = self.expression(node.iter, frame)
        if node.test is not None:
            iterable = self.write_loop_filter(node, loop_frame, iterable)
        if node.recursive:
            self.write_recursive_loop(node, frame, loop_frame, iterable)
            return
        if uses_loop:
            loop_frame.symbols["loop"] = f"l_{loop_frame.depth}_loop"
            iterable_code = f"LoopContext({iterable}, undefined, None, 0)"
            self.write(f"{loop_frame.symbols['loop']} = {iterable_code}")
            iterable = loop_frame.symbols["loop"]
        self.write_loop(node, frame, loop_frame, iterable)

    def write_loop(self, node: Any, frame: Frame, loop_frame: Frame, iterable: str) -> None:
        iterated = self.temporary() if node.else_ else None
        if iterated:
            self.write(f"{iterated} = False")
        self.write(f"for {self.assign_target(node.target, loop_frame)} in {iterable}:")
        self.indent()
        if iterated:
            self.write(f"{iterated} = True")
        self.declare_stored_names(node.body, loop_frame, skip=tuple(loop_frame.symbols))
        self.write("pass")
        self.write_body(node.body, loop_frame)
        self.outdent()
        if iterated:
            self.write(f"if not {iterated}:")
            self.write_indented(node.else_, Frame(frame, frame.depth + 1))

    def write_loop_filter(self, node: Any, loop_frame: Frame, iterable: str) -> str:
        """``for x in items if test``: a generator that keeps the items passing the test."""
        function = self.temporary()
        self.write(f"def {function}(iterable):")
        self.indent()
        self.write(f"for {self.assign_target(node.target, loop_frame)} in iterable:")
        self.indent()
        self.write(f"if {self.expression(node.test, loop_frame)}:")
        self.indent()
        self.write(f"yield {self.target_value(node.target, loop_frame)}")
        self.outdent()
        self.outdent()
        self.outdent()
        return f"{function}({iterable})"

    def write_recursive_loop(self, node: Any, frame: Frame, loop_frame: Frame, iterable: str) -> None:
        """``for ... recursive``: the loop is a function; ``loop(children)`` calls it again."""
        function = self.temporary()
        loop_frame.symbols["loop"] = f"l_{loop_frame.depth}_loop"
        self.write(f"def {function}(iterable, depth0):")
        self.indent()
        self.write(f"{loop_frame.symbols['loop']} = LoopContext(iterable, undefined, {function}, depth0, "
                   f"{self.autoescape})")
        self.write_loop(node, frame, loop_frame, loop_frame.symbols["loop"])
        self.write("if 0: yield None")
        self.outdent()
        self.write_yield_from(f"{function}({iterable}, 0)", frame)

    def write_yield_from(self, code: str, frame: Frame) -> None:
        self.write_guarded(f"yield from {code}", frame)

    def write_guarded(self, statement: str, frame: Frame) -> None:
        """``statement`` (a yield); at the top level of a child template, only without a parent."""
        if self.guard_output and frame.function_frame().toplevel:
            self.write("if parent_template is None:")
            self.indent()
            self.write(statement)
            self.outdent()
        else:
            self.write(statement)

    def assign_target(self, target: Any, frame: Frame) -> str:
        if isinstance(target, nodes.Name):
            return frame.symbols.get(target.name) or self.reference(frame, target.name)
        return "(" + ", ".join(self.assign_target(item, frame) for item in target.items) + ",)"

    target_value = assign_target

    def export(self, name: str, ident: str, frame: Frame) -> None:
        """Top-level assignments are visible to blocks, includes and importers."""
        if frame.toplevel:
            self.write(f"context.vars[{name!r}] = {ident}")
            if not name.startswith("_"):
                self.write(f"context.exported_vars.add({name!r})")

    def visit_Set(self, node: Any, frame: Frame) -> None:
        self.write_set(node.target, self.expression(node.value, frame), frame)

    def visit_SetBlock(self, node: Any, frame: Frame) -> None:
        value = self.capture(node.body, frame)
        if node.filter is not None:
            value = self.filter_call(node.filter, value, frame)
        self.write_set(node.target, value, frame)

    def write_set(self, target: Any, value: str, frame: Frame) -> None:
        """``{% set %}``: a namespace attribute, or names (exported at the top level)."""
        if isinstance(target, nodes.NSRef):
            self.write(f"set_namespace_attribute({self.reference(frame, target.name)}, "
                       f"{target.attr!r}, {value})")
            return
        self.write(f"{self.assign_target(target, frame)} = {value}")
        for name in _target_names(target):
            self.export(name, self.reference(frame, name), frame)

    def capture(self, body: list[Any], frame: Frame) -> str:
        """Render ``body`` into a string (Markup with autoescape) via a nested generator."""
        function = self.temporary()
        inner = Frame(frame, frame.depth + 1)
        self.write(f"def {function}():")
        self.indent()
        self.declare_stored_names(body, inner)
        self.write_body(body, inner)
        self.write("if 0: yield None")
        self.outdent()
        join = "markup_concat" if self.autoescape else "concat"
        return f"{join}({function}())"

    def visit_FilterBlock(self, node: Any, frame: Frame) -> None:
        value = self.filter_call(node.filter, self.capture(node.body, frame), frame)
        self.write_output_code(("to_html" if self.autoescape else "to_text") + f"({value})", frame)

    def write_output_code(self, code: str, frame: Frame) -> None:
        self.write_guarded(f"yield {code}", frame)

    def visit_With(self, node: Any, frame: Frame) -> None:
        inner = Frame(frame, frame.depth + 1)
        values = [self.expression(value, frame) for value in node.values]
        for target in node.targets:
            for name in _target_names(target):
                inner.symbols[name] = f"l_{inner.depth}_{name}"
        for target, value in zip(node.targets, values):
            self.write(f"{self.assign_target(target, inner)} = {value}")
        self.declare_stored_names(node.body, inner, skip=tuple(inner.symbols))
        self.write_body(node.body, inner)

    def visit_Macro(self, node: Any, frame: Frame) -> None:
        ident = self.write_macro_function(node, frame, node.name)
        self.write(f"{self.reference(frame, node.name)} = {ident}")
        self.export(node.name, self.reference(frame, node.name), frame)

    def write_macro_function(self, node: Any, frame: Frame, name: str) -> str:
        """The generator of a macro (or call block body) wrapped in a ``Macro`` object."""
        inner = Frame(frame, frame.depth + 1)
        arguments = list(node.args)
        for argument in arguments:
            inner.symbols[argument] = f"l_{inner.depth}_{argument}"
        specials = [special for special in ("caller", "varargs", "kwargs")
                    if special not in arguments and _uses_name(node.body + node.defaults, special)]
        for special in specials:
            inner.symbols[special] = f"l_{inner.depth}_{special}"
        function = self.temporary()
        parameters = [inner.symbols[name] for name in arguments + specials]
        self.write(f"def {function}({', '.join(parameters)}):")
        self.indent()
        first_default = len(arguments) - len(node.defaults)
        for index, default in enumerate(node.defaults):
            ident = inner.symbols[arguments[first_default + index]]
            self.write(f"if {ident} is missing:")
            self.indent()
            self.write(f"{ident} = {self.expression(default, inner)}")
            self.outdent()
        self.declare_stored_names(node.body, inner, skip=tuple(inner.symbols))
        self.write_body(node.body, inner)
        self.write("if 0: yield None")
        self.outdent()
        return (f"Macro(environment, {function}, {name!r}, {tuple(arguments)!r}, "
                f"{'kwargs' in specials}, {'varargs' in specials}, {'caller' in specials}, "
                f"{self.autoescape}, {len(arguments) - len(node.defaults)})")

    def visit_CallBlock(self, node: Any, frame: Frame) -> None:
        caller = self.temporary()
        self.write(f"{caller} = {self.write_macro_function(node, frame, 'caller')}")
        call = node.call
        extra = [("caller", nodes.Name("__caller__", "load"))]
        code = self.call_code(call.node, call.args, call.kwargs + extra, call.dyn_args, call.dyn_kwargs,
                              frame, overrides={"__caller__": caller})
        converter = "to_html" if self.autoescape else "to_text"
        self.write_output_code(f"{converter}({code})", frame)

    def visit_Include(self, node: Any, frame: Frame) -> None:
        variables = "{" + ", ".join(f"{name!r}: {ident}" for name, ident in self.visible_names(frame).items()) + "}"
        code = (f"include(environment, context, {self.expression(node.template, frame)}, {self.name!r}, "
                f"{node.with_context}, {variables if node.with_context else '{}'}, {node.ignore_missing})")
        self.write_yield_from(code, frame)

    def visit_Import(self, node: Any, frame: Frame) -> None:
        ident = self.reference(frame, node.target)
        self.write(f"{ident} = import_module(environment, context, {self.expression(node.template, frame)}, "
                   f"{self.name!r}, {node.with_context})")
        if frame.toplevel:
            self.write(f"context.vars[{node.target!r}] = {ident}")

    def visit_FromImport(self, node: Any, frame: Frame) -> None:
        module = self.temporary()
        template = self.expression(node.template, frame)
        self.write(f"{module} = import_module(environment, context, {template}, {self.name!r}, {node.with_context})")
        importer = f" (imported on line {node.lineno}" + (f" in {self.name!r})" if self.name else ")")
        for name, alias in node.names:
            ident = self.reference(frame, alias)
            self.write(f"{ident} = imported_name({module}, {name!r}, undefined, {importer!r})")
            if frame.toplevel:
                self.write(f"context.vars[{alias!r}] = {ident}")

    def visit_Extends(self, node: Any, frame: Frame) -> None:
        if not frame.toplevel:
            self.fail("cannot use extend from a non top-level scope", node.lineno)
        self.write("if parent_template is not None:")
        self.indent()
        self.write("raise TemplateRuntimeError('extended multiple times')")
        self.outdent()
        self.write(f"parent_template = extend(environment, context, {self.expression(node.template, frame)}, "
                   f"{self.name!r})")

    def visit_Block(self, node: Any, frame: Frame) -> None:
        context = "context"
        if node.scoped:
            names = self.visible_names(frame)
            context = "context.derived({" + ", ".join(f"{name!r}: {ident}" for name, ident in names.items()) + "})"
        if frame.toplevel and self.has_extends:
            self.write("if parent_template is None:")
            self.indent()
            self.write(f"yield from context.blocks[{node.name!r}][0]({context})")
            self.outdent()
        else:
            self.write(f"yield from context.blocks[{node.name!r}][0]({context})")

    # -- Expressions -----------------------------------------------------------------------------

    def expression(self, node: Any, frame: Frame) -> str:
        return getattr(self, f"expr_{type(node).__name__}")(node, frame)

    def expr_Name(self, node: Any, frame: Frame) -> str:
        if node.name == "super" and self.lookup(frame, "super") is None:
            block = frame.function_frame().block_name
            if block is not None:
                return f"context.super({block!r}, block_{block})"
        if node.name == "self" and self.lookup(frame, "self") is None:
            return "TemplateReference(context)"
        return self.reference(frame, node.name)

    def expr_Const(self, node: Any, frame: Frame) -> str:
        return repr(node.value)

    def expr_TupleLiteral(self, node: Any, frame: Frame) -> str:
        return "(" + "".join(f"{self.expression(item, frame)}, " for item in node.items) + ")"

    def expr_ListLiteral(self, node: Any, frame: Frame) -> str:
        return "[" + ", ".join(self.expression(item, frame) for item in node.items) + "]"

    def expr_DictLiteral(self, node: Any, frame: Frame) -> str:
        pairs = (f"{self.expression(k, frame)}: {self.expression(v, frame)}" for k, v in node.pairs)
        return "{" + ", ".join(pairs) + "}"

    def expr_Getattr(self, node: Any, frame: Frame) -> str:
        return f"getattr_({self.expression(node.node, frame)}, {node.attr!r})"

    def expr_Getitem(self, node: Any, frame: Frame) -> str:
        return f"getitem_({self.expression(node.node, frame)}, {self.expression(node.arg, frame)})"

    def expr_Slice(self, node: Any, frame: Frame) -> str:
        parts = [self.expression(part, frame) if part is not None else "None"
                 for part in (node.start, node.stop, node.step)]
        return f"slice({', '.join(parts)})"

    def expr_Call(self, node: Any, frame: Frame) -> str:
        return self.call_code(node.node, node.args, node.kwargs, node.dyn_args, node.dyn_kwargs, frame)

    def call_code(self, function: Any, args: list[Any], kwargs: list[tuple[str, Any]], dyn_args: Any,
                  dyn_kwargs: Any, frame: Frame, overrides: Optional[dict[str, str]] = None) -> str:
        overrides = overrides or {}

        def value(node: Any) -> str:
            if isinstance(node, nodes.Name) and node.name in overrides:
                return overrides[node.name]
            return self.expression(node, frame)

        parts = [self.expression(function, frame)] + [value(arg) for arg in args]
        parts += [f"{key}={value(arg)}" for key, arg in kwargs]
        if dyn_args is not None:
            parts.append(f"*{value(dyn_args)}")
        if dyn_kwargs is not None:
            parts.append(f"**{value(dyn_kwargs)}")
        return f"call({', '.join(parts)})"

    def _arguments(self, node: Any, frame: Frame) -> list[str]:
        parts = [self.expression(arg, frame) for arg in node.args]
        parts += [f"{key}={self.expression(arg, frame)}" for key, arg in node.kwargs]
        if node.dyn_args is not None:
            parts.append(f"*{self.expression(node.dyn_args, frame)}")
        if node.dyn_kwargs is not None:
            parts.append(f"**{self.expression(node.dyn_kwargs, frame)}")
        return parts

    def _helper(self, table: dict[str, str], registry: dict[str, Any], kind: str, name: str, lineno: int) -> str:
        if name not in registry and not self.conditional_depth:
            self.fail(f"No {kind} named {name!r}.", lineno)
        if name not in table:
            table[name] = f"{kind[0]}_{len(table)}"
        return table[name]

    def _pass_argument(self, function: Any) -> list[str]:
        marker = pass_arg_of(function)
        return {"context": ["context"], "eval_context": ["eval_ctx"], "environment": ["environment"]}.get(marker, [])  # type: ignore[arg-type]

    def filter_call(self, node: Any, value: str, frame: Frame) -> str:
        """A filter chain applied to the code ``value`` (the innermost filter first)."""
        if node.node is not None:
            value = self.filter_call(node.node, value, frame)
        return self._call_registered(self.filters, self.environment.filters, "filter", node, frame, value)

    def expr_Filter(self, node: Any, frame: Frame) -> str:
        return self._call_registered(self.filters, self.environment.filters, "filter", node, frame)

    def expr_Test(self, node: Any, frame: Frame) -> str:
        return f"bool({self._call_registered(self.tests, self.environment.tests, 'test', node, frame)})"

    def _call_registered(self, table: dict[str, str], registry: dict[str, Any], kind: str, node: Any,
                         frame: Frame, value: Optional[str] = None) -> str:
        """The call of filter or test ``node.name`` on ``value`` (the code of ``node.node`` if None),
        then the node's arguments."""
        ident = self._helper(table, registry, kind, node.name, node.lineno)
        first = self._pass_argument(registry.get(node.name))
        if value is None:
            value = self.expression(node.node, frame)
        return f"{ident}({', '.join(first + [value] + self._arguments(node, frame))})"

    def expr_BinOp(self, node: Any, frame: Frame) -> str:
        return f"({self.expression(node.left, frame)} {_BINARY[node.op]} {self.expression(node.right, frame)})"

    def expr_Unary(self, node: Any, frame: Frame) -> str:
        return f"({node.op}{self.expression(node.node, frame)})"

    def expr_Not(self, node: Any, frame: Frame) -> str:
        return f"(not {self.expression(node.node, frame)})"

    def expr_And(self, node: Any, frame: Frame) -> str:
        return f"({self.expression(node.left, frame)} and {self.expression(node.right, frame)})"

    def expr_Or(self, node: Any, frame: Frame) -> str:
        return f"({self.expression(node.left, frame)} or {self.expression(node.right, frame)})"

    def expr_Compare(self, node: Any, frame: Frame) -> str:
        parts = [self.expression(node.expr, frame)]
        for operator, operand in node.ops:
            parts.append(f"{_COMPARE[operator]} {self.expression(operand, frame)}")
        return f"({' '.join(parts)})"

    def expr_CondExpr(self, node: Any, frame: Frame) -> str:
        self.conditional_depth += 1
        test = self.expression(node.test, frame)
        yes = self.expression(node.expr1, frame)
        if node.expr2 is not None:
            no = self.expression(node.expr2, frame)
        else:
            hint = (f"the inline if-expression on line {node.lineno} evaluated to false and no else"
                    " section was defined.")
            # NOTE(compiler): always the plain Undefined, whatever the environment's (as Jinja 3):
            # ``{{ 'x' if false }}`` prints nothing even with StrictUndefined.
            no = f"cond_expr_undefined(hint={hint!r})"
        self.conditional_depth -= 1
        return f"({yes} if {test} else {no})"

    def expr_Concat(self, node: Any, frame: Frame) -> str:
        join = "markup_join" if self.autoescape else "str_join"
        return f"{join}(({''.join(self.expression(part, frame) + ', ' for part in node.nodes)}))"

    def expr_NSRef(self, node: Any, frame: Frame) -> str:  # only as a set target
        return f"getattr_({self.reference(frame, node.name)}, {node.attr!r})"


# -- Tree queries ----------------------------------------------------------------------------


def _walk_statements(body: list[Any]) -> Iterator[Any]:
    """Every statement node in ``body``, descending into all nested bodies."""
    for node in body:
        yield node
        for child in nodes.iter_child_nodes(node):
            if not isinstance(child, nodes.Output) and type(child).__name__ in _STATEMENT_NAMES:
                yield from _walk_statements([child])


def _has_toplevel_extends(body: list[Any]) -> bool:
    """Whether ``{% extends %}`` appears at the top level, possibly inside ``if`` branches
    (which share the top-level scope)."""
    for node in body:
        if isinstance(node, nodes.Extends):
            return True
        if isinstance(node, nodes.If):
            branches = [node.body, node.else_] + [elif_body for _, elif_body in node.elifs]
            if any(_has_toplevel_extends(branch) for branch in branches):
                return True
    return False


_STATEMENT_NAMES = {"If", "For", "Set", "SetBlock", "With", "Macro", "CallBlock", "FilterBlock", "Include",
                    "Import", "FromImport", "Extends", "Block"}


def _target_names(target: Any) -> list[str]:
    if isinstance(target, nodes.Name):
        return [target.name]
    if isinstance(target, nodes.TupleLiteral):
        return [name for item in target.items for name in _target_names(item)]
    return []


def _stored_names(body: list[Any]) -> list[str]:
    """Names assigned directly in ``body`` (not inside nested scopes), in order."""
    names: dict[str, None] = {}
    for node in body:
        if isinstance(node, (nodes.Set, nodes.SetBlock)):
            names.update(dict.fromkeys(_target_names(node.target)))
        elif isinstance(node, nodes.Macro):
            names[node.name] = None
        elif isinstance(node, nodes.Import):
            names[node.target] = None
        elif isinstance(node, nodes.FromImport):
            names.update(dict.fromkeys(alias for _, alias in node.names))
        elif isinstance(node, nodes.If):
            names.update(dict.fromkeys(_stored_names(node.body)))
            for _, elif_body in node.elifs:
                names.update(dict.fromkeys(_stored_names(elif_body)))
            names.update(dict.fromkeys(_stored_names(node.else_)))
        elif isinstance(node, nodes.FilterBlock):
            names.update(dict.fromkeys(_stored_names(node.body)))
    return list(names)


def _uses_name(body: list[Any], name: str) -> bool:
    """Whether ``name`` is read anywhere in ``body``, nested scopes included."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.Name) and node.name == name and node.ctx == "load":
            return True
        if isinstance(node, nodes.Node):
            stack.extend(nodes.iter_child_nodes(node))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return False


__all__ = ["CodeGenerator"]
