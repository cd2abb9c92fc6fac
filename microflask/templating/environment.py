"""``Environment`` and ``Template``: where templates are found, compiled, cached and rendered.

The pipeline, once per template (then cached, and reloaded when its file changes)::

    source --lexer--> tokens --parser--> nodes --compiler--> Python source --compile()--> code
    --exec--> module namespace with root() and block_<name>() generators

``Template.source`` is that Python source, ``Template.render()`` joins what ``root`` yields.
When rendering fails, the traceback is rewritten so the frames of generated code show the
template file and line instead (Python 3.7+ lets a traceback's ``tb_next`` be replaced).

Jinja's API docs: https://jinja.palletsprojects.com/en/stable/api/

Does not: know about Flask (see ``microflask.templating`` for render_template).
"""

from __future__ import annotations

import sys
import types
from collections import OrderedDict
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Union

from ..markup import Markup
from . import runtime
from .compiler import CodeGenerator
from .exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
)
from .lexer import Lexer
from .parser import Parser
from .runtime import Undefined

_DICT_ATTRIBUTES = frozenset(dir(dict))
_DEFAULT_DELIMITERS = {
    "block_start_string": "{%", "block_end_string": "%}", "variable_start_string": "{{",
    "variable_end_string": "}}", "comment_start_string": "{#", "comment_end_string": "#}",
}


#: Attributes that lead from a value to the interpreter's internals: a generator's or
#: coroutine's frame and code (a frame's ``f_globals`` holds a module's globals, builtins
#: included). Refused like ``__x__`` names.
_INTERNAL_ATTRIBUTES = frozenset({"gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await",
                                  "ag_frame", "ag_code", "ag_await"})
_INTERNAL_TYPES = (types.FrameType, types.CodeType, types.TracebackType)


def is_internal_attribute(obj: Any, attribute: str) -> bool:
    """Whether a template may not read ``obj.attribute``: dunder names, the attributes above,
    ``mro`` of a class and anything of a frame, code object or traceback."""
    if attribute.startswith("__") or attribute in _INTERNAL_ATTRIBUTES:
        return True
    if isinstance(obj, type):
        return attribute == "mro"
    return isinstance(obj, _INTERNAL_TYPES)


def read_attribute(obj: Any, attribute: str) -> Any:
    """``getattr`` for templates, once ``is_internal_attribute`` said no: a string's
    ``format``/``format_map`` is handed out only if its fields reach no internal attribute
    (``'{0.__globals__}'.format(f)`` would otherwise print a module's globals)."""
    value = getattr(obj, attribute)
    if attribute in ("format", "format_map") and isinstance(obj, str):
        check_format_fields(obj)
    return value


def check_format_fields(text: str) -> None:
    """Raise SecurityError if a ``str.format`` field of ``text`` reads an internal attribute."""
    import _string  # the field parser str.format itself uses (string.Formatter uses it too)
    import string

    try:
        fields = [(field, spec) for _, field, spec, _ in string.Formatter().parse(text) if field is not None]
        for field, spec in fields:
            for is_attribute, key in _string.formatter_field_name_split(field)[1]:
                if is_attribute and (key.startswith("__") or key in _INTERNAL_ATTRIBUTES):
                    raise SecurityError(f"access to attribute {key!r} in a format string is unsafe.")
            if spec:
                check_format_fields(spec)
    except ValueError:
        return  # a malformed format string: calling format() will say so


def _default_globals() -> dict[str, Any]:
    return {"range": runtime.safe_range, "dict": dict, "lipsum": _lipsum, "cycler": runtime.Cycler,
            "joiner": runtime.Joiner, "namespace": runtime.Namespace}


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Any:
    """Placeholder text: ``n`` paragraphs of a fixed Latin sentence (deterministic)."""
    words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
    paragraphs = []
    for index in range(n):
        length = min + (index * 37) % (max - min + 1)
        text = " ".join(words[i % len(words)] for i in range(length)).capitalize() + "."
        paragraphs.append(text)
    if not html:
        return "\n\n".join(paragraphs)
    return Markup("\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs))


class Environment:
    """Holds the configuration, filters, tests, globals, loader and template cache.

    ``autoescape`` may be a bool or a function of the template name (see ``select_autoescape``).
    Changing options such as ``trim_blocks`` affects templates compiled afterwards.
    """

    def __init__(
        self,
        block_start_string: str = "{%", block_end_string: str = "%}",
        variable_start_string: str = "{{", variable_end_string: str = "}}",
        comment_start_string: str = "{#", comment_end_string: str = "#}",
        line_statement_prefix: Optional[str] = None, line_comment_prefix: Optional[str] = None,
        trim_blocks: bool = False, lstrip_blocks: bool = False, newline_sequence: str = "\n",
        keep_trailing_newline: bool = False, extensions: Iterable[Any] = (), optimized: bool = True,
        undefined: type = Undefined, finalize: Optional[Callable[..., Any]] = None,
        autoescape: Union[bool, Callable[[Optional[str]], bool]] = False, loader: Any = None,
        cache_size: int = 400, auto_reload: bool = True, bytecode_cache: Any = None,
        enable_async: bool = False,
    ) -> None:
        given = dict(block_start_string=block_start_string, block_end_string=block_end_string,
                     variable_start_string=variable_start_string, variable_end_string=variable_end_string,
                     comment_start_string=comment_start_string, comment_end_string=comment_end_string)
        if given != _DEFAULT_DELIMITERS or line_statement_prefix or line_comment_prefix:
            raise NotImplementedError("microflask templates use Jinja's default delimiters only.")
        if extensions:
            raise NotImplementedError("Jinja extensions are not supported by microflask's engine.")
        if enable_async:
            raise NotImplementedError("Async rendering is not supported; render in a thread instead.")
        self.trim_blocks = trim_blocks
        self.lstrip_blocks = lstrip_blocks
        self.newline_sequence = newline_sequence
        self.keep_trailing_newline = keep_trailing_newline
        self.undefined = undefined
        self.finalize = finalize
        self.autoescape = autoescape
        self.loader = loader
        self.auto_reload = auto_reload
        self.optimized = optimized
        from .filters import FILTERS
        from .tests import TESTS

        self.filters: dict[str, Callable[..., Any]] = dict(FILTERS)
        self.tests: dict[str, Callable[..., Any]] = dict(TESTS)
        self.globals: dict[str, Any] = _default_globals()
        self.policies: dict[str, Any] = {"truncate.leeway": 5, "json.dumps_function": None,
                                         "json.dumps_kwargs": {"sort_keys": True}, "urlize.rel": "noopener",
                                         "urlize.target": None, "urlize.extra_schemes": None}
        self.cache: Optional[OrderedDict] = OrderedDict() if cache_size != 0 else None
        self.cache_size = cache_size
        self.is_async = False

    # -- Lookups used by compiled templates --------------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute``, else ``obj[attribute]``, else undefined. Internal names (``__x``,
        a generator's frame: see ``is_internal_attribute``) are refused, so templates cannot walk
        from data to the interpreter's internals."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            # NOTE(environment): a plain dict has no attribute of that name, so skip the
            # failing getattr (an exception per lookup); a measured ~20% on loop-heavy pages.
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        if is_internal_attribute(obj, attribute):
            raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")
        try:
            return read_attribute(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[argument]``, else (for a string) ``obj.argument``, else undefined."""
        try:
            return obj[argument]
        except (AttributeError, TypeError, LookupError):
            if isinstance(argument, str) and not is_internal_attribute(obj, argument):
                try:
                    return read_attribute(obj, argument)
                except AttributeError:
                    pass
            return self.undefined(obj=obj, name=argument)

    def call_filter(self, name: str, value: Any, args: Iterable[Any] = (), kwargs: Optional[Mapping[str, Any]] = None,
                    context: Any = None, eval_ctx: Any = None) -> Any:
        """Apply filter ``name`` from Python, as a template would."""
        return self._call_helper(self.filters, "filter", name, value, args, kwargs, context, eval_ctx)

    def call_test(self, name: str, value: Any, args: Iterable[Any] = (), kwargs: Optional[Mapping[str, Any]] = None,
                  context: Any = None, eval_ctx: Any = None) -> Any:
        return self._call_helper(self.tests, "test", name, value, args, kwargs, context, eval_ctx)

    def _call_helper(self, table: dict[str, Any], kind: str, name: str, value: Any, args: Iterable[Any],
                     kwargs: Optional[Mapping[str, Any]], context: Any, eval_ctx: Any) -> Any:
        function = table.get(name)
        if function is None:
            raise TemplateRuntimeError(f"No {kind} named {name!r}.")
        marker = runtime.pass_arg_of(function)
        first: list[Any] = []
        if marker == "context":
            first = [context]
        elif marker == "eval_context":
            first = [eval_ctx or runtime.EvalContext(self)]
        elif marker == "environment":
            first = [self]
        return function(*first, value, *args, **(kwargs or {}))

    # -- Compiling ---------------------------------------------------------------------------

    def _autoescape_for(self, name: Optional[str]) -> bool:
        return bool(self.autoescape(name) if callable(self.autoescape) else self.autoescape)

    def parse(self, source: str, name: Optional[str] = None, filename: Optional[str] = None) -> Any:
        """The node tree of ``source`` (for tools; rendering does not need it)."""
        lexer = Lexer(self.trim_blocks, self.lstrip_blocks, self.keep_trailing_newline)
        try:
            return Parser(lexer.tokenize(source, name or filename), name or filename, source).parse()
        except TemplateSyntaxError as error:
            error.filename = error.filename or filename  # so the message names the file on disk
            raise

    def compile(self, source: str, name: Optional[str] = None, filename: Optional[str] = None,
                raw: bool = False) -> Any:
        """The Python source of a template (``raw=True``) or its code object."""
        python, _ = self._generate(source, name, filename)
        if raw:
            return python
        return compile(python, _code_filename(name, filename), "exec")

    def _generate(self, source: str, name: Optional[str], filename: Optional[str]) -> tuple[str, list]:
        tree = self.parse(source, name, filename)
        generator = CodeGenerator(self, name, filename, self._autoescape_for(name))
        try:
            generator.generate(tree)
        except Exception as error:
            if hasattr(error, "source") and getattr(error, "source", None) is None:
                error.source = source  # type: ignore[attr-defined]
            raise
        return generator.source()

    def from_string(self, source: str, globals: Optional[Mapping[str, Any]] = None,
                    template_class: Optional[type] = None) -> Template:
        """A template from a string (not cached)."""
        return self._make_template(source, None, None, None, globals, template_class)

    def compile_loaded(self, name: str, source: str, filename: Optional[str],
                       uptodate: Optional[Callable[[], bool]], globals: Optional[Mapping[str, Any]] = None) -> Template:
        """Called by loaders: compile what they found into a Template."""
        return self._make_template(source, name, filename, uptodate, globals)

    def _make_template(self, source: str, name: Optional[str], filename: Optional[str],
                       uptodate: Optional[Callable[[], bool]], globals: Optional[Mapping[str, Any]],
                       template_class: Optional[type] = None) -> Template:
        python, debug_info = self._generate(source, name, filename)
        code = compile(python, _code_filename(name, filename), "exec")
        template = object.__new__(template_class or Template)
        template._setup(self, code, python, debug_info, name, filename, uptodate, self.make_globals(globals))
        return template

    # -- Loading -----------------------------------------------------------------------------

    def make_globals(self, extra: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
        return {**self.globals, **(extra or {})}

    def join_path(self, template: str, parent: str) -> str:
        """How a name inside ``parent`` refers to another template; names are absolute here."""
        return template

    def get_template(self, name: Any, parent: Optional[str] = None,
                     globals: Optional[Mapping[str, Any]] = None) -> Template:
        """The template ``name`` from the loader, compiled once and cached (reloaded when its
        source changed and ``auto_reload`` is on). A Template passed in is returned as is."""
        if isinstance(name, Template):
            return name
        if parent is not None:
            name = self.join_path(name, parent)
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        key = (id(self.loader), name)
        template = self.cache.get(key) if self.cache is not None else None
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            self.cache.move_to_end(key)  # type: ignore[union-attr]
            return template
        template = self.loader.load(self, name, self.make_globals(globals))
        if self.cache is not None:
            self.cache[key] = template
            if self.cache_size > 0 and len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return template

    def select_template(self, names: Iterable[Any], parent: Optional[str] = None,
                        globals: Optional[Mapping[str, Any]] = None) -> Template:
        """The first of ``names`` that exists; ``TemplatesNotFound`` listing them all if none."""
        names = list(names)
        if not names:
            raise TemplatesNotFound(message="Tried to select from an empty list of templates.")
        tried: list[str] = []
        for name in names:
            try:
                return self.get_template(name, parent, globals)
            except TemplateNotFound as error:
                if error.name != name and not isinstance(name, Template):
                    raise
                tried.extend(place for place in error.tried if place not in tried)
        raise TemplatesNotFound(names, tried=tried)

    def get_or_select_template(self, template_name_or_list: Any, parent: Optional[str] = None,
                               globals: Optional[Mapping[str, Any]] = None) -> Template:
        if isinstance(template_name_or_list, (str, Template)):
            return self.get_template(template_name_or_list, parent, globals)
        return self.select_template(template_name_or_list, parent, globals)

    def list_templates(self, extensions: Optional[Iterable[str]] = None,
                       filter_func: Optional[Callable[[str], bool]] = None) -> list[str]:
        names = self.loader.list_templates()
        if extensions is not None:
            suffixes = tuple(f".{extension}" for extension in extensions)
            names = [name for name in names if name.endswith(suffixes)]
        if filter_func is not None:
            names = [name for name in names if filter_func(name)]
        return names


def _code_filename(name: Optional[str], filename: Optional[str]) -> str:
    return f"<template {filename or name or 'from string'}>"


class Template:
    """A compiled template. ``Template("Hi {{ name }}")`` compiles with a default environment;
    usually templates come from ``Environment.get_template`` or ``from_string``."""

    environment: Environment

    def __new__(cls, source: str, autoescape: bool = False, **options: Any) -> Template:  # type: ignore[misc]
        return Environment(autoescape=autoescape, **options).from_string(source, template_class=cls)

    def _setup(self, environment: Environment, code: Any, python: str, debug_info: list, name: Optional[str],
               filename: Optional[str], uptodate: Optional[Callable[[], bool]], globals: dict[str, Any]) -> None:
        self.environment = environment
        self.name = name
        self.filename = filename
        self.globals = globals
        self.source = python
        self._debug_info = debug_info
        self._uptodate = uptodate
        self._module: Optional[TemplateModule] = None
        self.autoescape = environment._autoescape_for(name)
        namespace = _module_namespace(environment, self)
        exec(code, namespace)  # noqa: S102 - code generated from a parsed template, never from data
        self.root_render_func = namespace["root"]
        self.blocks: dict[str, Callable[..., Any]] = namespace["blocks"]

    @property
    def is_up_to_date(self) -> bool:
        return self._uptodate is None or self._uptodate()

    def new_context(self, vars: Optional[Mapping[str, Any]] = None, shared: bool = False,
                    locals: Optional[Mapping[str, Any]] = None) -> runtime.Context:
        """A render context: the template's globals, then ``vars`` (and ``locals``)."""
        parent = dict(vars or {}) if shared else {**self.globals, **(vars or {})}
        if locals:
            parent.update((key, value) for key, value in locals.items() if value is not runtime._MISSING)
        return runtime.Context(self.environment, parent, self.name, self.blocks, self.autoescape)

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The whole output as one string."""
        context = self.new_context(dict(*args, **kwargs))
        try:
            return "".join(self.root_render_func(context))
        except Exception:
            raise_with_template_traceback()

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        """The output piece by piece, for streaming a large page."""
        context = self.new_context(dict(*args, **kwargs))
        try:
            yield from self.root_render_func(context)
        except Exception:
            raise_with_template_traceback()

    def stream(self, *args: Any, **kwargs: Any) -> TemplateStream:
        return TemplateStream(self.generate(*args, **kwargs))

    def make_module(self, vars: Optional[Mapping[str, Any]] = None, shared: bool = False,
                    locals: Optional[Mapping[str, Any]] = None) -> TemplateModule:
        """Run the template and expose its top-level macros and variables as attributes."""
        context = self.new_context(vars, shared, locals)
        try:
            body = "".join(self.root_render_func(context))
        except Exception:
            raise_with_template_traceback()
        return TemplateModule(self, context, body)

    @property
    def module(self) -> TemplateModule:
        """The module of the template rendered without variables (cached), as ``import`` uses."""
        if self._module is None:
            self._module = self.make_module()
        return self._module

    def get_corresponding_lineno(self, lineno: int) -> int:
        """The template line of line ``lineno`` of the generated Python source."""
        best = 1
        for python_line, template_line in self._debug_info:
            if python_line > lineno:
                break
            best = template_line
        return best

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name or 'memory'!r}>"


class TemplateModule:
    """What ``{% import %}`` gives: the exported names as attributes; ``str()`` is the output."""

    def __init__(self, template: Template, context: runtime.Context, body: str) -> None:
        self.__dict__.update(context.get_exported())
        self.__name__ = template.name
        self._body = body
        self._autoescape = template.autoescape

    def __html__(self) -> Markup:
        return Markup(self._body)

    def __str__(self) -> str:
        return self._body

    def __repr__(self) -> str:
        return f"<TemplateModule {self.__name__!r}>"


class TemplateStream:
    """Iterates a template's output; ``dump(file)`` writes it out."""

    def __init__(self, generator: Iterator[str]) -> None:
        self._generator = generator

    def __iter__(self) -> Iterator[str]:
        return self._generator

    def __next__(self) -> str:
        return next(self._generator)

    def dump(self, fp: Any, encoding: Optional[str] = None) -> None:
        close = isinstance(fp, str)
        stream = open(fp, "w" if encoding is None else "wb") if close else fp
        try:
            for piece in self._generator:
                stream.write(piece.encode(encoding) if encoding else piece)
        finally:
            if close:
                stream.close()


def _module_namespace(environment: Environment, template: Template) -> dict[str, Any]:
    """The globals compiled template code runs with: the runtime helpers it calls by name."""
    return {
        "environment": environment, "__microflask_template__": template,
        "to_html": runtime.to_html, "to_text": runtime.to_text, "concat": runtime.concat,
        "markup_concat": runtime.markup_concat, "markup_join": runtime.markup_join,
        "str_join": runtime.str_join, "missing": runtime._MISSING, "undefined": environment.undefined,
        "cond_expr_undefined": runtime.Undefined,
        "getattr_": environment.getattr, "getitem_": environment.getitem,
        "LoopContext": runtime.LoopContext, "Macro": runtime.Macro,
        "TemplateReference": runtime.TemplateReference, "TemplateRuntimeError": TemplateRuntimeError,
        "missing_filter": runtime.missing_filter, "missing_test": runtime.missing_test,
        "set_namespace_attribute": runtime.set_namespace_attribute, "include": runtime.include,
        "import_module": runtime.import_module, "imported_name": runtime.imported_name,
        "extend": runtime.extend, "finalize": environment.finalize,
    }


def raise_with_template_traceback() -> Any:
    """Re-raise the current exception with generated-code frames shown at template lines."""
    _, error, traceback = sys.exc_info()
    assert error is not None
    entries = []
    while traceback is not None:
        entries.append(traceback)
        traceback = traceback.tb_next
    frames = []
    for entry in entries:
        template = entry.tb_frame.f_globals.get("__microflask_template__")
        fake = _template_frame(error, template, entry) if template is not None else None
        frames.append(fake or entry)
    for earlier, later in zip(frames, frames[1:]):
        earlier.tb_next = later
    if frames:
        frames[-1].tb_next = None
    raise error.with_traceback(frames[0] if frames else None)


def _template_frame(error: BaseException, template: Template, traceback: Any) -> Any:
    """A traceback entry that points at the template file and line of ``traceback``."""
    lineno = template.get_corresponding_lineno(traceback.tb_lineno)
    location = template.filename or template.name or "<template>"
    function = traceback.tb_frame.f_code.co_name
    label = "top-level template code" if function == "root" else "template"
    if function.startswith("block_"):
        label = f"block {function[6:]!r}"
    code = compile("\n" * (lineno - 1) + "raise __error__", location, "exec")
    code = code.replace(co_name=label) if hasattr(code, "replace") else code
    error.__traceback__ = None  # so the entry made below starts a fresh chain
    try:
        exec(code, {"__error__": error})  # noqa: S102 - a fixed statement, placed at a line number
    except BaseException:  # noqa: BLE001 - we only want the traceback entry it made
        return sys.exc_info()[2].tb_next  # type: ignore[union-attr]
    return None


__all__ = ["Environment", "Template", "TemplateModule", "TemplateStream"]
