"""What compiled templates call while rendering: the context, undefined values, loops, macros.

Generated code (see ``compiler``) is plain Python that reads variables from a ``Context``, writes
through ``to_text``/``to_escaped_text``, loops with ``LoopContext`` when a template uses ``loop``,
and calls macros as ``Macro`` objects. Everything a template can reach comes from the context it
was given, the environment's globals, filters and tests; attribute lookups of internal names
(``__x__``) are refused, so a template cannot climb from a value to arbitrary Python objects.

Does not: parse or compile (see ``lexer``, ``parser``, ``compiler``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional

from ..markup import Markup, escape_text
from .exceptions import SecurityError, TemplateRuntimeError, UndefinedError

_MISSING: Any = object()


# -- Marking functions that want the context ---------------------------------------------------


def pass_context(function: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``function(context, ...)``: the active template ``Context`` comes first."""
    function.jinja_pass_arg = "context"  # type: ignore[attr-defined]
    return function


def pass_eval_context(function: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``function(eval_context, ...)``: an ``EvalContext`` (autoescape, environment)."""
    function.jinja_pass_arg = "eval_context"  # type: ignore[attr-defined]
    return function


def pass_environment(function: Callable[..., Any]) -> Callable[..., Any]:
    """Call ``function(environment, ...)``."""
    function.jinja_pass_arg = "environment"  # type: ignore[attr-defined]
    return function


def pass_arg_of(function: Any) -> Optional[str]:
    """Which of the three ``function`` wants first, or None (Jinja's enum works too)."""
    marker = getattr(function, "jinja_pass_arg", None)
    if marker is None or isinstance(marker, str):
        return marker
    return {"context": "context", "eval_context": "eval_context", "environment": "environment"}.get(
        getattr(marker, "name", ""))


class EvalContext:
    """Per-render settings that filters may read: ``autoescape`` and the ``environment``."""

    def __init__(self, environment: Any, template_name: Optional[str] = None,
                 autoescape: Optional[bool] = None) -> None:
        self.environment = environment
        self.name = template_name
        if autoescape is None:
            autoescape = environment.autoescape
            if callable(autoescape):
                autoescape = autoescape(template_name)
        self.autoescape = bool(autoescape)
        self.volatile = False


# -- Undefined -------------------------------------------------------------------------------


class Undefined:
    """A missing variable or attribute: prints as ``""``, is falsy and iterates as empty; using it
    in a way that needs a value (attribute, item, call, arithmetic) raises ``UndefinedError``."""

    __slots__ = ("_undefined_hint", "_undefined_obj", "_undefined_name", "_undefined_exception")

    def __init__(self, hint: Optional[str] = None, obj: Any = _MISSING, name: Optional[str] = None,
                 exc: type = UndefinedError) -> None:
        self._undefined_hint = hint
        self._undefined_obj = obj
        self._undefined_name = name
        self._undefined_exception = exc

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        if self._undefined_obj is _MISSING:
            return f"{self._undefined_name!r} is undefined"
        owner = describe_type_of(self._undefined_obj)
        if not isinstance(self._undefined_name, str):
            return f"{owner} has no element {self._undefined_name!r}"
        return f"{owner!r} has no attribute {self._undefined_name!r}"

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
        raise self._undefined_exception(self._undefined_message)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._fail_with_undefined_error()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail_with_undefined_error
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _fail_with_undefined_error
    __mod__ = __rmod__ = __pos__ = __neg__ = __call__ = __getitem__ = _fail_with_undefined_error
    __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __complex__ = _fail_with_undefined_error
    __pow__ = __rpow__ = _fail_with_undefined_error

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other)

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return id(type(self))

    def __str__(self) -> str:
        return ""

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "Undefined"


class StrictUndefined(Undefined):
    """An undefined that raises on everything except ``is defined`` tests: printing,
    iterating, truth testing and comparing all raise ``UndefinedError``."""

    __slots__ = ()
    __iter__ = __str__ = __len__ = Undefined._fail_with_undefined_error  # type: ignore[assignment]
    __eq__ = __ne__ = __bool__ = __hash__ = Undefined._fail_with_undefined_error  # type: ignore[assignment]
    __contains__ = Undefined._fail_with_undefined_error


class ChainableUndefined(Undefined):
    """An undefined whose attributes and items are undefined too: ``a.b.c`` is just empty."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, name: Any) -> Any:
        return self

    def __html__(self) -> str:
        return str(self)


class DebugUndefined(Undefined):
    """An undefined that prints itself as ``{{ name }}``, to spot missing values in output."""

    __slots__ = ()

    def __str__(self) -> str:
        if self._undefined_hint:
            return f"{{{{ undefined value printed: {self._undefined_hint} }}}}"
        if self._undefined_obj is _MISSING:
            return f"{{{{ {self._undefined_name} }}}}"
        return f"{{{{ no such element: {describe_type_of(self._undefined_obj)}[{self._undefined_name!r}] }}}}"


def describe_type_of(value: Any) -> str:
    """How messages name a value's type, as Jinja does: ``dict object``, ``app.User object``."""
    if value is None or value is Ellipsis:
        return repr(value)
    cls = type(value)
    if cls.__module__ == "builtins":
        return f"{cls.__name__} object"
    return f"{cls.__module__}.{cls.__name__} object"


def is_undefined(value: Any) -> bool:
    return isinstance(value, Undefined)


# -- Writing values -------------------------------------------------------------------------


def to_html(value: Any) -> str:
    """A value as HTML text: Markup (anything with ``__html__``) as is, the rest escaped."""
    kind = type(value)
    if kind is str:
        return escape_text(value)
    if kind is int:
        return str(value)  # digits and "-" need no escaping
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return escape_text(str(value))


def to_text(value: Any) -> str:
    return value if type(value) is str else str(value)


def concat(parts: Iterable[str]) -> str:
    return "".join(parts)


def markup_concat(parts: Iterable[str]) -> Markup:
    """Joined output of an autoescaped body: already escaped, so it is Markup."""
    return Markup("".join(parts))


def markup_join(values: Iterable[Any]) -> Any:
    """``a ~ b`` with autoescape: Markup (escaping plain parts) if any part is Markup."""
    values = list(values)
    if any(hasattr(value, "__html__") for value in values):
        return Markup("").join(value if hasattr(value, "__html__") else str(value) for value in values)
    return "".join(str(value) for value in values)


def str_join(values: Iterable[Any]) -> str:
    return "".join(str(value) for value in values)


def missing_filter(name: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise TemplateRuntimeError(f"No filter named {name!r} found.")

    return fail


def missing_test(name: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise TemplateRuntimeError(f"No test named {name!r} found.")

    return fail


# -- The context ------------------------------------------------------------------------------


class Context:
    """The variables of one render: ``parent`` (globals and what ``render()`` got) and ``vars``
    (what the template's top level assigned), plus the block chains used by inheritance."""

    def __init__(self, environment: Any, parent: dict[str, Any], name: Optional[str],
                 blocks: dict[str, Callable[..., Any]], autoescape: bool = False) -> None:
        self.environment = environment
        self.parent = parent
        self.vars: dict[str, Any] = {}
        self.name = name
        self.exported_vars: set[str] = set()
        self.blocks = {block_name: [function] for block_name, function in blocks.items()}
        self.eval_ctx = EvalContext(environment, name, autoescape)

    def resolve(self, key: str) -> Any:
        """A variable's value, or an undefined object named after it."""
        if key in self.vars:
            return self.vars[key]
        if key in self.parent:
            return self.parent[key]
        return self.environment.undefined(name=key)

    def resolve_or_missing(self, key: str) -> Any:
        if key in self.vars:
            return self.vars[key]
        return self.parent.get(key, _MISSING)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.resolve_or_missing(key)
        return default if value is _MISSING else value

    def __getitem__(self, key: str) -> Any:
        value = self.resolve_or_missing(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return key in self.vars or key in self.parent

    def get_all(self) -> dict[str, Any]:
        return {**self.parent, **self.vars}

    def get_exported(self) -> dict[str, Any]:
        return {key: self.vars[key] for key in self.exported_vars}

    def keys(self) -> Any:
        return self.get_all().keys()

    def values(self) -> Any:
        return self.get_all().values()

    def items(self) -> Any:
        return self.get_all().items()

    def call(__self, __function: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Call from a template, passing the context first to ``pass_context`` functions."""
        marker = pass_arg_of(__function)
        if marker == "context":
            return __function(__self, *args, **kwargs)
        if marker == "eval_context":
            return __function(__self.eval_ctx, *args, **kwargs)
        if marker == "environment":
            return __function(__self.environment, *args, **kwargs)
        return __function(*args, **kwargs)

    def derived(self, locals: Optional[dict[str, Any]] = None) -> Context:
        """A context with the same blocks and ``locals`` added (scoped blocks, includes)."""
        context = Context(self.environment, {**self.get_all(), **(locals or {})}, self.name, {},
                          self.eval_ctx.autoescape)
        context.blocks = {name: list(chain) for name, chain in self.blocks.items()}
        return context

    def super(self, name: str, current: Callable[..., Any]) -> Any:
        """``super()`` inside block ``name``: the next definition up the inheritance chain."""
        chain = self.blocks.get(name, [])
        for index, function in enumerate(chain):
            if function is current or getattr(function, "__code__", None) is getattr(current, "__code__", 0):
                if index + 1 < len(chain):
                    return BlockReference(name, self, chain, index + 1)
                break
        return self.environment.undefined(f"there is no parent block called {name!r}.", name="super")

    def __repr__(self) -> str:
        return f"<Context {self.get_all()!r} of {self.name!r}>"


class BlockReference:
    """``super()`` or ``self.name``: calling it renders that block definition."""

    def __init__(self, name: str, context: Context, chain: list[Callable[..., Any]], depth: int) -> None:
        self.name, self._context, self._chain, self._depth = name, context, chain, depth

    def __call__(self) -> Any:
        output = concat(self._chain[self._depth](self._context))
        return Markup(output) if self._context.eval_ctx.autoescape else output


class TemplateReference:
    """``self`` in a template: ``self.sidebar()`` renders the block ``sidebar`` again."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> BlockReference:
        chain = self._context.blocks[name]
        return BlockReference(name, self._context, chain, 0)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._context.name!r}>"


# -- Loops -----------------------------------------------------------------------------------


class LoopContext:
    """The ``loop`` variable: position (index, first, last, length...), neighbours, ``cycle``,
    ``changed`` and, in recursive loops, ``loop(children)``. Reading ``length``, ``revindex``
    or ``last`` of a one-pass iterator consumes it into a list first, as Jinja does."""

    def __init__(self, iterable: Any, undefined: Any, recurse: Optional[Callable[..., Any]] = None,
                 depth0: int = 0, autoescape: bool = False) -> None:
        self._autoescape = autoescape
        self._iterable = iterable
        self._iterator = iter(iterable)
        self._undefined = undefined
        self._recurse = recurse
        self.depth0 = depth0
        self.index0 = -1
        self._length: Optional[int] = None
        self._after: Any = _MISSING
        self._before: Any = _MISSING
        self._current: Any = _MISSING
        self._last_changed: Any = _MISSING

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._after is _END:
            raise StopIteration
        if self._after is not _MISSING:
            value, self._after = self._after, _MISSING
        else:
            value = next(self._iterator)
        self.index0 += 1
        self._before = self._current
        self._current = value
        return value

    def _peek(self) -> Any:
        if self._after is _MISSING:
            self._after = next(self._iterator, _MISSING)
            if self._after is _MISSING:
                self._after = _END
        return self._after

    @property
    def length(self) -> int:
        if self._length is None:
            if hasattr(self._iterable, "__len__"):
                self._length = len(self._iterable)
            else:
                rest = list(self._iterator)
                if self._after is not _MISSING and self._after is not _END:
                    rest.insert(0, self._after)
                self._iterator = iter(rest)
                self._after = _MISSING
                self._length = self.index0 + 1 + len(rest)
        return self._length

    def __len__(self) -> int:
        return self.length

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def revindex0(self) -> int:
        return self.length - self.index

    @property
    def revindex(self) -> int:
        return self.length - self.index0

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        if self._length is not None:
            return self.index == self._length
        return self._peek() is _END

    @property
    def depth(self) -> int:
        return self.depth0 + 1

    @property
    def previtem(self) -> Any:
        if self._before is _MISSING:
            return self._undefined("there is no previous item")
        return self._before

    @property
    def nextitem(self) -> Any:
        following = self._peek()
        if following is _END:
            return self._undefined("there is no next item")
        return following

    def cycle(self, *values: Any) -> Any:
        if not values:
            raise TypeError("no items for cycling given")
        return values[self.index0 % len(values)]

    def changed(self, *values: Any) -> bool:
        if self._last_changed != values:
            self._last_changed = values
            return True
        return False

    def __call__(self, iterable: Any) -> Any:
        if self._recurse is None:
            raise TypeError("The loop must have the 'recursive' marker to be called recursively.")
        output = concat(self._recurse(iterable, self.depth0 + 1))
        return Markup(output) if self._autoescape else output

    def __repr__(self) -> str:
        return f"<LoopContext {self.index}/{self._length if self._length is not None else '?'}>"


class _End:
    def __repr__(self) -> str:
        return "<end of loop>"


_END: Any = _End()


# -- Macros ----------------------------------------------------------------------------------


class Macro:
    """A macro: call it like a function; it returns its rendered output (Markup with
    autoescape). Extra positional arguments go to ``varargs`` and extra keywords to ``kwargs``
    when the macro uses them; otherwise they are a TypeError."""

    def __init__(self, environment: Any, function: Callable[..., Any], name: str, arguments: tuple,
                 catch_kwargs: bool, catch_varargs: bool, caller: bool, autoescape: bool,
                 required: int = 0) -> None:
        self._environment = environment
        self._function = function
        self.name = name
        self.arguments = arguments
        self.catch_kwargs = catch_kwargs
        self.catch_varargs = catch_varargs
        self.caller = caller
        self._autoescape = autoescape
        self._required = required  # arguments without a default come first

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        values = list(args[: len(self.arguments)])
        extra = args[len(self.arguments):]
        for name in self.arguments[len(values):]:
            values.append(kwargs.pop(name, _MISSING))
        for name in self.arguments[: len(args)]:
            if name in kwargs:
                raise TypeError(f"macro {self.name!r} got multiple values for argument {name!r}")
        if self.caller:
            values.append(kwargs.pop("caller", None) or self._environment.undefined("No caller defined", name="caller"))
        if self.catch_varargs:
            values.append(tuple(extra))
        elif extra:
            raise TypeError(f"macro {self.name!r} takes not more than {len(self.arguments)} argument(s)")
        if self.catch_kwargs:
            values.append(kwargs)
        elif kwargs:
            raise TypeError(f"macro {self.name!r} takes no keyword argument {next(iter(kwargs))!r}")
        for index in range(self._required):
            if values[index] is _MISSING:
                name = self.arguments[index]
                values[index] = self._environment.undefined(f"parameter {name!r} was not provided", name=name)
        output = concat(self._function(*values))
        return Markup(output) if self._autoescape else output

    def __repr__(self) -> str:
        return f"<Macro {self.name!r}>"


# -- Namespaces and other globals --------------------------------------------------------------


class Namespace:
    """``namespace(a=1)``: an object whose attributes ``{% set ns.a = 2 %}`` may change, the
    way to carry a value out of a loop."""

    def __init__(*args: Any, **kwargs: Any) -> None:  # noqa: N805
        self, args = args[0], args[1:]
        self.__attrs = dict(*args, **kwargs)

    def __getattribute__(self, name: str) -> Any:
        if name in ("_Namespace__attrs", "__class__"):
            return object.__getattribute__(self, name)
        try:
            return self.__attrs[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setitem__(self, name: str, value: Any) -> None:
        self.__attrs[name] = value

    def __repr__(self) -> str:
        return f"<Namespace {self.__attrs!r}>"


def set_namespace_attribute(namespace: Any, name: str, value: Any) -> None:
    if not isinstance(namespace, Namespace):
        raise TemplateRuntimeError("cannot assign attribute on non-namespace object")
    namespace[name] = value


class Cycler:
    """``cycler("odd", "even")``: ``next()`` walks the values round and round."""

    def __init__(self, *items: Any) -> None:
        if not items:
            raise RuntimeError("at least one item has to be provided")
        self.items = items
        self.pos = 0

    def reset(self) -> None:
        self.pos = 0

    @property
    def current(self) -> Any:
        return self.items[self.pos]

    def next(self) -> Any:
        value = self.current
        self.pos = (self.pos + 1) % len(self.items)
        return value

    __next__ = next


class Joiner:
    """``joiner(", ")``: returns "" the first time it is called, the separator afterwards."""

    def __init__(self, sep: str = ", ") -> None:
        self.sep = sep
        self.used = False

    def __call__(self) -> str:
        if not self.used:
            self.used = True
            return ""
        return self.sep


#: The largest ``range()`` a template may build (Jinja's sandbox limit), so a template cannot
#: allocate unbounded memory with ``range(10**12)``.
MAX_RANGE = 100_000


def safe_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise OverflowError(f"Range too big. The template may create at most {MAX_RANGE} items.")
    return values


# -- Includes, imports and inheritance ---------------------------------------------------------


def _get_template(environment: Any, template: Any, parent: Optional[str]) -> Any:
    if hasattr(template, "root_render_func"):
        return template
    if isinstance(template, (list, tuple)):
        return environment.select_template(template, parent=parent)
    return environment.get_template(template, parent=parent)


def include(environment: Any, context: Context, template: Any, parent: Optional[str],
            with_context: bool, variables: dict[str, Any], ignore_missing: bool) -> Iterator[str]:
    """The output of ``{% include %}``: the other template rendered with this context."""
    from .exceptions import TemplateNotFound

    try:
        loaded = _get_template(environment, template, parent)
    except TemplateNotFound:
        if ignore_missing:
            return
        raise
    values = {**context.get_all(), **variables} if with_context else None
    yield from loaded.root_render_func(loaded.new_context(values))


def import_module(environment: Any, context: Context, template: Any, parent: Optional[str],
                  with_context: bool) -> Any:
    """``{% import %}``: the template's exported macros and variables as a module."""
    loaded = _get_template(environment, template, parent)
    if with_context:
        return loaded.make_module(context.get_all())
    return loaded.module


def imported_name(module: Any, name: str, undefined: Any, importer: str = "") -> Any:
    """``{% from module import name %}``: the value, or an undefined saying what is missing;
    ``importer`` says where the import is (" (imported on line 2 in 'page.html')")."""
    value = getattr(module, name, _MISSING)
    if value is _MISSING:
        return undefined(f"the template {module.__name__!r}{importer} does not export the requested name"
                         f" {name!r}", name=name)
    return value


def extend(environment: Any, context: Context, template: Any, parent: Optional[str]) -> Any:
    """``{% extends %}``: load the parent and append its blocks below this template's."""
    loaded = _get_template(environment, template, parent)
    for name, function in loaded.blocks.items():
        context.blocks.setdefault(name, []).append(function)
    return loaded


__all__ = [
    "pass_context", "pass_eval_context", "pass_environment", "EvalContext", "Undefined",
    "StrictUndefined", "ChainableUndefined", "DebugUndefined", "is_undefined", "Context",
    "LoopContext", "Macro", "Namespace", "Cycler", "Joiner",
]
