"""The built-in filters: ``{{ value|name(args) }}`` calls ``FILTERS["name"](value, args)``.

Each filter behaves as Jinja 3.1's of the same name, documented at
https://jinja.palletsprojects.com/en/3.1.x/templates/#list-of-builtin-filters.
A filter marked with ``pass_environment`` / ``pass_eval_context`` / ``pass_context`` (see
``runtime``) is called with that object first. Filters that read attributes of items (``map``,
``sort``, ``groupby`` ...) go through ``environment.getitem``, so ``"user.name"`` and ``"items.0"``
work on dicts and objects alike and a missing part gives the environment's ``Undefined``.
Filters aware of autoescaping return ``Markup`` when the template autoescapes, and plain ``str``
otherwise; ``Markup`` inputs are never escaped twice.

Does not: register or look up filters by name at compile time (see the Environment), or escape
output (the compiled template does).
"""

from __future__ import annotations

import re
from collections import abc
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional

from ..markup import Markup, escape, soft_str
from .exceptions import TemplateRuntimeError
from .runtime import (
    EvalContext, Undefined, pass_arg_of, pass_context, pass_environment, pass_eval_context,
)


class FilterArgumentError(TemplateRuntimeError):
    """A filter was given an argument it cannot work with (``round(method="up")``)."""


# NOTE(filters): the same defaults as Jinja's ``Environment.policies``; an environment that sets
# ``policies`` overrides them key by key.
DEFAULT_POLICIES: Dict[str, Any] = {
    "urlize.rel": "noopener",
    "urlize.target": None,
    "urlize.extra_schemes": None,
    "truncate.leeway": 5,
    "json.dumps_function": None,
    "json.dumps_kwargs": {"sort_keys": True},
}


def get_policy(environment: Any, key: str) -> Any:
    """``environment.policies[key]``, or the default when the environment does not set it."""
    policies = getattr(environment, "policies", None) or {}
    return policies[key] if key in policies else DEFAULT_POLICIES[key]


# -- Attribute paths: "user.name", "items.0", "city,age" -----------------------------------------


def split_attribute_path(attribute: Any) -> List[Any]:
    """``"a.0.b"`` -> ``["a", 0, "b"]``; digit parts become list indexes; non-strings stay whole."""
    if attribute is None:
        return []
    if isinstance(attribute, str):
        return [int(part) if part.isdigit() else part for part in attribute.split(".")]
    return [attribute]


def make_attrgetter(environment: Any, attribute: Any, postprocess: Optional[Callable[[Any], Any]] = None,
                    default: Any = None) -> Callable[[Any], Any]:
    """A function reading ``attribute`` (a dotted path) from an item, ``default`` if missing."""
    parts = split_attribute_path(attribute)

    def get_attribute(item: Any) -> Any:
        for part in parts:
            item = environment.getitem(item, part)
            if default is not None and isinstance(item, Undefined):
                item = default
        return postprocess(item) if postprocess is not None else item

    return get_attribute


def make_multi_attrgetter(environment: Any, attribute: Any,
                          postprocess: Optional[Callable[[Any], Any]] = None) -> Callable[[Any], List[Any]]:
    """Like ``make_attrgetter`` for ``"city,age"``: returns the list of values, to sort by."""
    names = attribute.split(",") if isinstance(attribute, str) else [attribute]
    getters = [make_attrgetter(environment, name, postprocess) for name in names]
    return lambda item: [get_attribute(item) for get_attribute in getters]


def lower_if_text(value: Any) -> Any:
    """The key of case-insensitive comparisons: strings lowercased, anything else as is."""
    return value.lower() if isinstance(value, str) else value


def make_case_key(environment: Any, attribute: Any, case_sensitive: bool) -> Callable[[Any], Any]:
    return make_attrgetter(environment, attribute, None if case_sensitive else lower_if_text)


# -- Calling filters and tests by name (map, select, reject) -------------------------------------


def call_by_name(kind: str, context: Any, name: str, value: Any, args: Any, kwargs: Any) -> Any:
    """Call the filter or test ``name`` (``kind`` is "filter" or "test") as a template would."""
    environment = context.environment
    registry = environment.filters if kind == "filter" else environment.tests
    function = registry.get(name)
    if function is None:
        raise TemplateRuntimeError(f"No {kind} named {name!r}.")
    passed = pass_arg_of(function)
    if passed == "context":
        args = (context, value, *args)
    elif passed == "eval_context":
        eval_ctx = getattr(context, "eval_ctx", None) or EvalContext(environment)
        args = (eval_ctx, value, *args)
    elif passed == "environment":
        args = (environment, value, *args)
    else:
        args = (value, *args)
    return function(*args, **kwargs)


def prepare_map(context: Any, args: Any, kwargs: Dict[str, Any]) -> Callable[[Any], Any]:
    if not args and "attribute" in kwargs:
        attribute = kwargs.pop("attribute")
        default = kwargs.pop("default", None)
        if kwargs:
            raise FilterArgumentError(f"Unexpected keyword argument {next(iter(kwargs))!r}")
        return make_attrgetter(context.environment, attribute, default=default)
    if not args:
        raise FilterArgumentError("map requires a filter argument")
    name, rest = args[0], args[1:]
    return lambda item: call_by_name("filter", context, name, item, rest, kwargs)


def prepare_select(context: Any, args: Any, kwargs: Dict[str, Any], on_attribute: bool) -> Callable[[Any], bool]:
    """The predicate of ``select``/``selectattr``: a named test, or truthiness when none given."""
    transform: Callable[[Any], Any] = lambda item: item
    if on_attribute:
        if not args:
            raise FilterArgumentError("Missing parameter for attribute name")
        transform = make_attrgetter(context.environment, args[0])
        args = args[1:]
    if not args:
        return lambda item: bool(transform(item))
    name, rest = args[0], args[1:]
    return lambda item: bool(call_by_name("test", context, name, transform(item), rest, kwargs))


def select_items(context: Any, value: Any, args: Any, kwargs: Dict[str, Any], on_attribute: bool,
                 keep: bool) -> Iterator[Any]:
    if value:
        predicate = prepare_select(context, args, kwargs, on_attribute)
        for item in value:
            if predicate(item) == keep:
                yield item


# -- Text ----------------------------------------------------------------------------------------

_WORD_START_RE = re.compile(r"([-\s({\[<]+)")
_WORD_RE = re.compile(r"\w+")


def do_capitalize(s: Any) -> str:
    """First character uppercase, the rest lowercase."""
    return soft_str(s).capitalize()


def do_title(s: Any) -> str:
    """Each word capitalized; words start after spaces, ``-``, ``(``, ``[``, ``{`` and ``<``."""
    chunks = _WORD_START_RE.split(soft_str(s))
    return "".join(chunk[0].upper() + chunk[1:].lower() for chunk in chunks if chunk)


def do_upper(s: Any) -> str:
    return soft_str(s).upper()


def do_lower(s: Any) -> str:
    return soft_str(s).lower()


def do_center(value: Any, width: int = 80) -> str:
    """Centered in a field of ``width`` characters."""
    return soft_str(value).center(width)


def do_trim(value: Any, chars: Optional[str] = None) -> str:
    """Leading and trailing ``chars`` (default: whitespace) removed."""
    return soft_str(value).strip(chars)


def do_string(value: Any) -> str:
    """The value as a string; ``Markup`` stays ``Markup`` so it is not escaped later."""
    return soft_str(value)


def do_wordcount(s: Any) -> int:
    """How many runs of word characters ``s`` has."""
    return len(_WORD_RE.findall(soft_str(s)))


def do_format(value: Any, *args: Any, **kwargs: Any) -> str:
    """printf-style: ``"%s-%s"|format(a, b)`` or ``"%(x)s"|format(x=1)``, never both."""
    if args and kwargs:
        raise FilterArgumentError("can't handle positional and keyword arguments at the same time")
    return soft_str(value) % (kwargs or args)


@pass_eval_context
def do_replace(eval_ctx: Any, s: Any, old: Any, new: Any, count: Optional[int] = None) -> str:
    """Replace ``old`` by ``new`` (the first ``count`` times); under autoescape a ``Markup``
    argument makes the escaped string ``s`` the subject, so the result stays safe."""
    if count is None:
        count = -1
    if not eval_ctx.autoescape:
        return str(s).replace(str(old), str(new), count)
    has_markup_argument = hasattr(old, "__html__") or hasattr(new, "__html__")
    if has_markup_argument and not hasattr(s, "__html__"):
        s = escape(s)
    else:
        s = soft_str(s)
    return s.replace(soft_str(old), soft_str(new), count)


@pass_environment
def do_truncate(environment: Any, s: str, length: int = 255, killwords: bool = False, end: str = "...",
                leeway: Optional[int] = None) -> str:
    """At most ``length`` characters ending in ``end``, cut at a space unless ``killwords``.
    Strings up to ``leeway`` characters too long are left whole."""
    if leeway is None:
        leeway = get_policy(environment, "truncate.leeway")
    # NOTE(filters): Jinja checks these with ``assert``, which ``python -O`` removes; an explicit
    # FilterArgumentError keeps the check. Same messages.
    if length < len(end):
        raise FilterArgumentError(f"expected length >= {len(end)}, got {length}")
    if leeway < 0:
        raise FilterArgumentError(f"expected leeway >= 0, got {leeway}")
    if len(s) <= length + leeway:
        return s
    if killwords:
        return s[:length - len(end)] + end
    return s[:length - len(end)].rsplit(" ", 1)[0] + end


@pass_environment
def do_wordwrap(environment: Any, s: str, width: int = 79, break_long_words: bool = True,
                wrapstring: Optional[str] = None, break_on_hyphens: bool = True) -> str:
    """Lines of at most ``width`` characters joined by ``wrapstring`` (default: the
    environment's newline); existing line breaks and blank lines are kept."""
    import textwrap

    if wrapstring is None:
        wrapstring = getattr(environment, "newline_sequence", "\n")
    wrapper = textwrap.TextWrapper(width=width, expand_tabs=False, replace_whitespace=False,
                                   break_long_words=break_long_words, break_on_hyphens=break_on_hyphens)
    return wrapstring.join([wrapstring.join(wrapper.wrap(line)) for line in s.splitlines()])


def do_indent(s: str, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    """Every line after the first indented by ``width`` spaces (or the string ``width``);
    ``first`` indents the first line too, ``blank`` indents empty lines too."""
    prefix = width if isinstance(width, str) else " " * width
    newline = "\n"
    if isinstance(s, Markup):
        prefix, newline = Markup(prefix), Markup(newline)
    lines = (s + newline).splitlines()  # a trailing line break survives as a last empty line
    if blank:
        text = (newline + prefix).join(lines)
    else:
        text = newline.join([lines[0]] + [prefix + line if line else line for line in lines[1:]])
    return prefix + text if first else text


def do_pprint(value: Any) -> str:
    """The value pretty-printed, for debugging."""
    import pprint

    return pprint.pformat(value)


def quote_url_part(value: Any, for_query: bool = False) -> str:
    """Percent-encode ``value`` as UTF-8; in a query ``/`` is encoded too and space is ``+``."""
    from urllib.parse import quote_from_bytes

    if not isinstance(value, bytes):
        value = str(value).encode("utf-8")
    quoted = quote_from_bytes(value, safe="" if for_query else "/")
    return quoted.replace("%20", "+") if for_query else quoted


def do_urlencode(value: Any) -> str:
    """A string percent-encoded for a URL path; a dict or iterable of pairs as a query string."""
    if isinstance(value, str) or not isinstance(value, abc.Iterable):
        return quote_url_part(value)
    pairs = value.items() if isinstance(value, dict) else iter(value)
    return "&".join(f"{quote_url_part(key, True)}={quote_url_part(item, True)}" for key, item in pairs)


_DECIMAL_UNITS = ("kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
_BINARY_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def do_filesizeformat(value: Any, binary: bool = False) -> str:
    """A byte count for humans: ``"13.0 kB"``, or ``"12.7 KiB"`` with ``binary``."""
    size = float(value)
    base = 1024 if binary else 1000
    if size == 1:
        return "1 Byte"
    if size < base:
        return f"{int(size)} Bytes"
    units = _BINARY_UNITS if binary else _DECIMAL_UNITS
    for power, unit in enumerate(units, start=2):
        limit = base ** power
        if size < limit or unit == units[-1]:
            break
    return f"{base * size / limit:.1f} {unit}"


# -- Numbers -------------------------------------------------------------------------------------


def do_int(value: Any, default: int = 0, base: int = 10) -> int:
    """The value as an integer (strings in ``base``, ``"3.7"`` -> 3), or ``default``."""
    try:
        return int(value, base) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        pass
    try:  # "3.7", "1e3"; an infinite float value itself raises OverflowError above, as in Jinja
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default


def do_float(value: Any, default: float = 0.0) -> float:
    """The value as a float, or ``default``."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def do_round(value: float, precision: int = 0, method: str = "common") -> float:
    """Rounded to ``precision`` digits: ``common`` (Python's ``round``), ``ceil`` or ``floor``."""
    if method not in ("common", "ceil", "floor"):
        raise FilterArgumentError("method must be common, ceil or floor")
    if method == "common":
        return round(value, precision)
    import math

    rounding = math.ceil if method == "ceil" else math.floor
    return rounding(value * 10 ** precision) / 10 ** precision


# -- Sequences -----------------------------------------------------------------------------------


def do_default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """``default_value`` when ``value`` is undefined (or, with ``boolean``, falsy)."""
    if isinstance(value, Undefined) or (boolean and not value):
        return default_value
    return value


@pass_environment
def do_attr(environment: Any, obj: Any, name: str) -> Any:
    """The attribute ``name`` of ``obj`` (never an item, unlike ``obj.name``). An existing
    attribute is read through ``environment.getattr``, which refuses internal names."""
    try:
        getattr(obj, name)
    except AttributeError:
        return environment.undefined(obj=obj, name=name)
    return environment.getattr(obj, name)


@pass_environment
def do_first(environment: Any, seq: Iterable[Any]) -> Any:
    for item in seq:
        return item
    return environment.undefined("No first item, sequence was empty.")


@pass_environment
def do_last(environment: Any, seq: Any) -> Any:
    """The last item; ``seq`` must support ``reversed`` (a list, not a generator)."""
    for item in reversed(seq):
        return item
    return environment.undefined("No last item, sequence was empty.")


@pass_context
def do_random(context: Any, seq: Any) -> Any:
    """A random item, or undefined when ``seq`` is empty."""
    import random

    if hasattr(seq, "__len__") and len(seq) == 0:
        return context.environment.undefined("No random item, sequence was empty.")
    return random.choice(seq)


def do_reverse(value: Any) -> Any:
    """A reversed string, or an iterator over the items from last to first."""
    if isinstance(value, str):
        return value[::-1]
    try:
        return reversed(value)
    except TypeError:
        pass
    try:
        items = list(value)
    except TypeError as e:
        raise FilterArgumentError("argument must be iterable") from e
    items.reverse()
    return items


def do_items(value: Any) -> Iterator[Any]:
    """The ``(key, value)`` pairs of a mapping; nothing for undefined."""
    if isinstance(value, Undefined):
        return
    if not isinstance(value, abc.Mapping):
        raise TypeError("Can only get item pairs from a mapping.")
    yield from value.items()


def do_dictsort(value: Any, case_sensitive: bool = False, by: str = "key", reverse: bool = False) -> List[Any]:
    """The pairs of a dict sorted by ``key`` or ``value``, case-insensitively by default."""
    if by not in ("key", "value"):
        raise FilterArgumentError('You can only sort by either "key" or "value"')
    position = 0 if by == "key" else 1

    def get_sort_key(pair: Any) -> Any:
        return pair[position] if case_sensitive else lower_if_text(pair[position])

    return sorted(value.items(), key=get_sort_key, reverse=reverse)


@pass_environment
def do_sort(environment: Any, value: Iterable[Any], reverse: bool = False, case_sensitive: bool = False,
            attribute: Any = None) -> List[Any]:
    """Sorted items; ``attribute="city,age"`` sorts by several attributes in turn."""
    key = make_multi_attrgetter(environment, attribute, None if case_sensitive else lower_if_text)
    return sorted(value, key=key, reverse=reverse)


@pass_environment
def do_unique(environment: Any, value: Iterable[Any], case_sensitive: bool = False,
              attribute: Any = None) -> Iterator[Any]:
    """Items whose value (or ``attribute``) was not seen before, in order."""
    get_key = make_case_key(environment, attribute, case_sensitive)
    seen = set()
    for item in value:
        key = get_key(item)
        if key not in seen:
            seen.add(key)
            yield item


def pick_extreme(environment: Any, value: Iterable[Any], choose: Callable[..., Any], case_sensitive: bool,
                 attribute: Any) -> Any:
    items = list(value)
    if not items:
        return environment.undefined("No aggregated item, sequence was empty.")
    return choose(items, key=make_case_key(environment, attribute, case_sensitive))


@pass_environment
def do_min(environment: Any, value: Iterable[Any], case_sensitive: bool = False, attribute: Any = None) -> Any:
    """The smallest item (by ``attribute``), case-insensitively by default."""
    return pick_extreme(environment, value, min, case_sensitive, attribute)


@pass_environment
def do_max(environment: Any, value: Iterable[Any], case_sensitive: bool = False, attribute: Any = None) -> Any:
    """The largest item (by ``attribute``), case-insensitively by default."""
    return pick_extreme(environment, value, max, case_sensitive, attribute)


@pass_environment
def do_sum(environment: Any, iterable: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    """The sum of the items (or of their ``attribute``) plus ``start``."""
    if attribute is not None:
        iterable = map(make_attrgetter(environment, attribute), iterable)
    return sum(iterable, start)


@pass_eval_context
def do_join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """The items as strings joined by ``d``. Under autoescape, if ``d`` or any item is
    ``Markup`` the others are escaped and the result is ``Markup``."""
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    if not eval_ctx.autoescape:
        return str(d).join(map(str, value))
    if hasattr(d, "__html__"):
        return soft_str(d).join(map(soft_str, value))
    items = list(value)
    if any(hasattr(item, "__html__") for item in items):
        return escape(d).join(items)
    return str(d).join(map(str, items))


def do_batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterator[List[Any]]:
    """Lists of ``linecount`` items; the last is padded with ``fill_with`` when given."""
    batch: List[Any] = []
    for item in value:
        if len(batch) == linecount:
            yield batch
            batch = []
        batch.append(item)
    if batch:
        if fill_with is not None and len(batch) < linecount:
            batch += [fill_with] * (linecount - len(batch))
        yield batch


def do_slice(value: Iterable[Any], slices: int, fill_with: Any = None) -> Iterator[List[Any]]:
    """``slices`` columns of nearly equal length, the first ones longer; shorter ones are
    padded with ``fill_with`` when given."""
    items = list(value)
    if slices == 0:
        raise FilterArgumentError("slices must not be 0")
    size, longer = divmod(len(items), slices)
    start = 0
    for number in range(slices):
        end = start + size + (1 if number < longer else 0)
        column = items[start:end]
        if fill_with is not None and number >= longer:
            column.append(fill_with)
        start = end
        yield column


class GroupTuple(NamedTuple):
    """One ``groupby`` result: unpacks as ``(grouper, list)`` and prints as a tuple."""

    grouper: Any
    list: List[Any]

    __repr__ = tuple.__repr__
    __str__ = tuple.__str__


@pass_environment
def do_groupby(environment: Any, value: Iterable[Any], attribute: Any, default: Any = None,
               case_sensitive: bool = False) -> List[GroupTuple]:
    """Items grouped by ``attribute`` (sorted by it); ``default`` groups items missing it.
    Case-insensitively by default, the group shows the first item's own spelling."""
    from itertools import groupby

    postprocess = None if case_sensitive else lower_if_text
    get_key = make_attrgetter(environment, attribute, postprocess, default)
    groups = [GroupTuple(key, list(items)) for key, items in groupby(sorted(value, key=get_key), get_key)]
    if case_sensitive:
        return groups
    get_grouper = make_attrgetter(environment, attribute, default=default)
    return [GroupTuple(get_grouper(group.list[0]), group.list) for group in groups]


@pass_context
def do_map(context: Any, value: Iterable[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Each item through a filter (``map("upper")``) or an attribute (``map(attribute="x")``)."""
    if value:
        transform = prepare_map(context, args, kwargs)
        for item in value:
            yield transform(item)


@pass_context
def do_select(context: Any, value: Iterable[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Items passing a test (``select("odd")``), or truthy items without a test."""
    return select_items(context, value, args, kwargs, on_attribute=False, keep=True)


@pass_context
def do_reject(context: Any, value: Iterable[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Items failing a test, or falsy items without a test."""
    return select_items(context, value, args, kwargs, on_attribute=False, keep=False)


@pass_context
def do_selectattr(context: Any, value: Iterable[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Items whose attribute passes a test: ``selectattr("age", "gt", 18)``."""
    return select_items(context, value, args, kwargs, on_attribute=True, keep=True)


@pass_context
def do_rejectattr(context: Any, value: Iterable[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
    """Items whose attribute fails a test (or is falsy)."""
    return select_items(context, value, args, kwargs, on_attribute=True, keep=False)


# -- HTML ----------------------------------------------------------------------------------------


def do_forceescape(value: Any) -> Markup:
    """Escaped even when already ``Markup``."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    return escape(str(value))


def do_mark_safe(value: Any) -> Markup:
    """Marked safe: printed as is under autoescape."""
    return Markup(value)


def do_striptags(value: Any) -> str:
    """Tags and comments removed, entities decoded, whitespace collapsed to single spaces."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    return Markup(str(value)).striptags()


# NOTE(filters): JSON that is safe inside <script> and in single-quoted attributes, as Jinja and
# Flask emit it: the characters HTML gives meaning to become JSON \u escapes.
_HTML_SAFE_JSON = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", ord("'"): "\\u0027"}


def dump_html_safe_json(value: Any, dumps: Optional[Callable[..., str]] = None, **kwargs: Any) -> Markup:
    """``dumps(value, **kwargs)`` with ``< > & '`` escaped, as ``Markup``."""
    if dumps is None:
        import json

        dumps = json.dumps
    return Markup(dumps(value, **kwargs).translate(_HTML_SAFE_JSON))


@pass_eval_context
def do_tojson(eval_ctx: Any, value: Any, indent: Optional[int] = None) -> Markup:
    """The value as JSON safe to put in HTML (``<script>``, attributes), as ``Markup``."""
    environment = eval_ctx.environment
    kwargs = dict(get_policy(environment, "json.dumps_kwargs") or {})
    if indent is not None:
        kwargs["indent"] = indent
    return dump_html_safe_json(value, get_policy(environment, "json.dumps_function"), **kwargs)


_INVALID_ATTRIBUTE_NAME_RE = re.compile(r"[\s/>=]", re.ASCII)


@pass_eval_context
def do_xmlattr(eval_ctx: Any, d: Any, autospace: bool = True) -> str:
    """``{"class": "x", "id": None}`` -> ``' class="x"'``: values escaped, None and undefined
    skipped. A name with whitespace, ``/``, ``>`` or ``=`` raises ``ValueError`` since it
    would let a value inject more attributes."""
    attributes = []
    for key, value in d.items():
        if value is None or isinstance(value, Undefined):
            continue
        if _INVALID_ATTRIBUTE_NAME_RE.search(key) is not None:
            raise ValueError(f"Invalid character in attribute name: {key!r}")
        attributes.append(f'{escape(key)}="{escape(value)}"')
    text = " ".join(attributes)
    if autospace and text:
        text = " " + text
    return Markup(text) if eval_ctx.autoescape else text


# -- urlize ----------------------------------------------------------------------------------------

# NOTE(filters): the words urlize links are exactly Jinja's: http(s):// or www. then a host
# ending in a letters-only or IDNA top-level domain; a bare name.name ending in one of eight
# generic TLDs (each label 2+ chars); or http(s):// with an IPv4 or bracketed IPv6 address.
# Only http, https, mailto and the extra_schemes given become links, never javascript:.
# The patterns compile on first use (through re's cache), keeping this module quick to import.
_URL_PATTERN = (
    r"(?:"
    r"(?:https?://|www\.)(?:[\w%-]+\.)*(?:[a-z]{2,63}|xn--[\w%]{2,59})"
    r"|(?:[\w%-]{2,63}\.)+(?:com|net|int|edu|gov|org|info|mil)"
    r"|https?://(?:\d{1,3}(?:\.\d{1,3}){3}|\[(?:[\da-f]{0,4}:){2}(?:[\da-f]{0,4}:?){1,6}\])"
    r")(?::\d{1,5})?(?:[/?#]\S*)?"
)
_EMAIL_PATTERN = r"\S+@\w[\w.-]*\.\w+"
_SCHEME_PATTERN = r"[\w.+-]{2,}:/{0,2}"
_LEADING_PUNCTUATION_PATTERN = r"(?:[(<]|&lt;)+"
_TRAILING_PUNCTUATION_PATTERN = r"(?:[)>.,\n]|&gt;)+\Z"
_BRACKET_PAIRS = (("(", ")"), ("<", ">"), ("&lt;", "&gt;"))


def split_punctuation(word: str) -> List[str]:
    """``"(http://x.com/(a))."`` -> ``["(", "http://x.com/(a)", ")."]``: brackets and
    trailing dots around a URL stay outside the link unless the URL opens them."""
    match = re.match(_LEADING_PUNCTUATION_PATTERN, word)
    head = match.group() if match else ""
    middle = word[len(head):]
    match = re.search(_TRAILING_PUNCTUATION_PATTERN, middle)
    tail = match.group() if match else ""
    middle = middle[:len(middle) - len(tail)]
    for opening, closing in _BRACKET_PAIRS:
        opened = middle.count(opening)
        if opened <= middle.count(closing):
            continue
        end = 0  # move closings (and what precedes them) from the tail, as many as were opened
        for _ in range(min(opened, tail.count(closing))):
            end = tail.index(closing, end) + len(closing)
        middle, tail = middle + tail[:end], tail[end:]
    return [head, middle, tail]


def build_link(word: str, attributes: str, trim: Callable[[str], str], extra_schemes: Iterable[str]) -> str:
    """``word`` (already escaped) as an ``<a>`` element, or as is when it is no link."""
    if re.fullmatch(_URL_PATTERN, word, re.IGNORECASE):
        # NOTE(filters): "HTTP://x.com" links to itself; Jinja checks the scheme case-sensitively
        # and writes href="https://HTTP://x.com".
        href = word if word.lower().startswith(("http://", "https://")) else "https://" + word
        return f'<a href="{href}"{attributes}>{trim(word)}</a>'
    if word.startswith("mailto:") and re.fullmatch(_EMAIL_PATTERN, word[7:]):
        return f'<a href="{word}">{word[7:]}</a>'
    is_bare_address = "@" in word and ":" not in word and not word.startswith(("www.", "@"))
    if is_bare_address and re.fullmatch(_EMAIL_PATTERN, word):
        return f'<a href="mailto:{word}">{word}</a>'
    for scheme in extra_schemes:
        if word != scheme and word.startswith(scheme):
            return f'<a href="{word}"{attributes}>{word}</a>'
    return word


def urlize(text: Any, trim_url_limit: Optional[int] = None, rel: Optional[str] = None,
           target: Optional[str] = None, extra_schemes: Iterable[str] = ()) -> str:
    """Escape ``text`` and turn the URLs and email addresses in it into links."""
    def trim(url: str) -> str:
        if trim_url_limit is not None and len(url) > trim_url_limit:
            return url[:trim_url_limit] + "..."
        return url

    attributes = f' rel="{escape(rel)}"' if rel else ""
    attributes += f' target="{escape(target)}"' if target else ""
    words = re.split(r"(\s+)", str(escape(text)))
    for index, word in enumerate(words):
        head, middle, tail = split_punctuation(word)
        words[index] = head + build_link(middle, attributes, trim, extra_schemes) + tail
    return "".join(words)


@pass_eval_context
def do_urlize(eval_ctx: Any, value: Any, trim_url_limit: Optional[int] = None, nofollow: bool = False,
              target: Optional[str] = None, rel: Optional[str] = None,
              extra_schemes: Optional[Iterable[str]] = None) -> str:
    """URLs and email addresses in ``value`` as links (text escaped first). ``rel`` always gets
    the ``urlize.rel`` policy ("noopener"); ``nofollow`` adds "nofollow"; link text longer than
    ``trim_url_limit`` is cut; ``extra_schemes`` (e.g. ``["tel:"]``) link more schemes."""
    environment = eval_ctx.environment
    rel_words = set((rel or "").split())
    if nofollow:
        rel_words.add("nofollow")
    rel_words.update((get_policy(environment, "urlize.rel") or "").split())
    if target is None:
        target = get_policy(environment, "urlize.target")
    if extra_schemes is None:
        extra_schemes = get_policy(environment, "urlize.extra_schemes") or ()
    for scheme in extra_schemes:
        if re.fullmatch(_SCHEME_PATTERN, scheme) is None:
            raise FilterArgumentError(f"{scheme!r} is not a valid URI scheme prefix.")
    text = urlize(value, trim_url_limit, " ".join(sorted(rel_words)) or None, target, extra_schemes)
    return Markup(text) if eval_ctx.autoescape else text


FILTERS: Dict[str, Callable[..., Any]] = {
    # text
    "capitalize": do_capitalize, "center": do_center, "format": do_format, "indent": do_indent,
    "lower": do_lower, "pprint": do_pprint, "replace": do_replace, "string": do_string,
    "title": do_title, "trim": do_trim, "truncate": do_truncate, "upper": do_upper,
    "urlencode": do_urlencode, "wordcount": do_wordcount, "wordwrap": do_wordwrap,
    "filesizeformat": do_filesizeformat,
    # numbers
    "abs": abs, "float": do_float, "int": do_int, "round": do_round,
    # sequences
    "attr": do_attr, "batch": do_batch, "count": len, "d": do_default, "default": do_default,
    "dictsort": do_dictsort, "first": do_first, "groupby": do_groupby, "items": do_items,
    "join": do_join, "last": do_last, "length": len, "list": list, "map": do_map, "max": do_max,
    "min": do_min, "random": do_random, "reject": do_reject, "rejectattr": do_rejectattr,
    "reverse": do_reverse, "select": do_select, "selectattr": do_selectattr, "slice": do_slice,
    "sort": do_sort, "sum": do_sum, "unique": do_unique,
    # HTML
    "e": escape, "escape": escape, "forceescape": do_forceescape, "safe": do_mark_safe,
    "striptags": do_striptags, "tojson": do_tojson, "urlize": do_urlize, "xmlattr": do_xmlattr,
}

__all__ = ["FILTERS", "FilterArgumentError", "GroupTuple", "make_attrgetter", "urlize",
           "dump_html_safe_json"]
