"""Safe HTML strings: ``Markup`` and ``escape`` (the role of MarkupSafe).

``Markup`` is a ``str`` subclass whose type means "this text is already safe HTML". Whatever mixes
it with plain strings escapes the plain side first: ``+``, ``%``, ``format``, ``join`` and
``replace`` escape their arguments, and the str methods that return text return ``Markup`` again,
so safety survives slicing, splitting and case changes. An object opts in by defining
``__html__()`` (returning its safe HTML); ``escape`` trusts it, so nothing is escaped twice.

Escaping replaces the five characters that can end or change an HTML context, ``& < > ' "``, by
character references (WHATWG HTML 13.1.4). That is the serializer's "escaping a string" (13.3)
for text and for attribute values at once, plus ``'``, so one escaped string is safe in element
content and in attribute values quoted either way. ``&#34;`` and ``&#39;`` are used because
``&apos;`` is not HTML 4.

Does not: sanitize HTML (``striptags`` extracts text, it is no security filter) or escape for
JavaScript, CSS or URL contexts.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Any, Callable, Iterable, List, Mapping, Optional, Tuple

__all__ = ["Markup", "escape", "escape_silent", "soft_str", "escape_text"]


def escape_text(s: str) -> str:
    """``s`` with ``& < > ' "`` replaced by character references; a plain ``str`` in and out.

    The template engine's fast path: ``s`` must be exactly a ``str`` (``Markup.replace`` would
    escape the references again); anything else goes through ``escape``.
    """
    # NOTE(markup): timeit, CPython 3.11, per call: "hello world" 235ns (five chained replaces:
    # 313ns); 100 kB without specials 10us (chained: 250us, str.translate: 100us); prose with one
    # kind of special 640ns (chained: 1.1us); dense specials tie. str.replace walks the whole
    # string even when nothing matches while `in` is a memchr, so test before replacing.
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "'" in s:
        s = s.replace("'", "&#39;")
    if '"' in s:
        s = s.replace('"', "&#34;")
    return s


def escape(s: Any) -> Markup:
    """``s.__html__()`` as ``Markup`` if ``s`` has it, else ``str(s)`` escaped (None -> 'None')."""
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    return str.__new__(Markup, escape_text(str(s)))


def escape_silent(s: Any) -> Markup:
    """Like ``escape``, but None becomes an empty ``Markup``."""
    return Markup() if s is None else escape(s)


def soft_str(s: Any) -> str:
    """``str(s)``, except that strings (``Markup`` included) are returned unchanged."""
    return s if isinstance(s, str) else str(s)


class Markup(str):
    """A string of safe HTML, inserted as it is; ``Markup.escape(text)`` for untrusted text."""

    __slots__ = ()

    def __new__(
        cls, base: Any = "", encoding: Optional[str] = None, errors: str = "strict"
    ) -> Markup:
        if hasattr(base, "__html__"):
            base = base.__html__()
        if encoding is None:
            return super().__new__(cls, base)
        return super().__new__(cls, base, encoding, errors)

    def __html__(self) -> Markup:
        return self

    def __html_format__(self, format_spec: str) -> Markup:
        if format_spec:
            raise ValueError("Unsupported format specification for Markup.")
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"

    @classmethod
    def escape(cls, s: Any) -> Markup:
        """``escape(s)`` as an instance of this class (subclasses keep their type)."""
        rv = escape(s)
        return rv if rv.__class__ is cls else cls(rv)

    def __add__(self, other: Any) -> Markup:
        if isinstance(other, str) or hasattr(other, "__html__"):
            return self.__class__(str.__add__(self, self.escape(other)))
        return NotImplemented

    def __radd__(self, other: Any) -> Markup:
        if isinstance(other, str) or hasattr(other, "__html__"):
            return self.__class__(str.__add__(self.escape(other), self))
        return NotImplemented

    def __mul__(self, count: Any) -> Markup:
        return self.__class__(str.__mul__(self, count))

    __rmul__ = __mul__

    def __mod__(self, values: Any) -> Markup:
        # NOTE(markup): the three shapes str % accepts: a tuple, a mapping (as CPython decides:
        # anything with __getitem__ but a string) or one value.
        if isinstance(values, tuple):
            values = tuple(_EscapedArgument(value, self.escape) for value in values)
        elif hasattr(type(values), "__getitem__") and not isinstance(values, str):
            values = _EscapedArgument(values, self.escape)
        else:
            values = (_EscapedArgument(values, self.escape),)
        return self.__class__(str.__mod__(self, values))

    def format(self, *args: Any, **kwargs: Any) -> Markup:
        formatter = _escape_formatter_class()(self.escape)
        return self.__class__(formatter.vformat(self, args, kwargs))

    def format_map(self, mapping: Mapping[str, Any]) -> Markup:  # type: ignore[override]
        formatter = _escape_formatter_class()(self.escape)
        return self.__class__(formatter.vformat(self, (), mapping))

    def join(self, iterable: Iterable[Any]) -> Markup:
        return self.__class__(str.join(self, map(self.escape, iterable)))

    def replace(self, old: str, new: Any, count: int = -1) -> Markup:  # type: ignore[override]
        return self.__class__(str.replace(self, old, self.escape(new), count))

    def ljust(self, width: int, fillchar: str = " ") -> Markup:
        return self.__class__(str.ljust(self, width, self.escape(fillchar)))

    def rjust(self, width: int, fillchar: str = " ") -> Markup:
        return self.__class__(str.rjust(self, width, self.escape(fillchar)))

    def center(self, width: int, fillchar: str = " ") -> Markup:
        return self.__class__(str.center(self, width, self.escape(fillchar)))

    def unescape(self) -> str:
        """The text with character references decoded: ``&lt;b&gt;`` -> ``<b>`` (a plain str)."""
        from html import unescape

        return unescape(str(self))

    def striptags(self) -> str:
        """The text: comments and tags removed, whitespace runs collapsed, references decoded."""
        text = _remove_tags(_remove_comments(str(self)))
        return self.__class__(" ".join(text.split())).unescape()


def _returning_markup(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a ``str`` method so that its string, or each string of its list or tuple, comes back
    as an instance of the caller's class."""

    def wrapper(self: Markup, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, str):
            return self.__class__(result)
        return type(result)(map(self.__class__, result))

    wrapper.__name__ = method.__name__
    wrapper.__qualname__ = f"Markup.{method.__name__}"
    wrapper.__doc__ = method.__doc__
    return wrapper


# NOTE(markup): only methods whose arguments cannot insert markup are wrapped blindly; those that
# insert caller text (replace, the fill of *just/center, join, format, %) escape it above.
for _name in (
    "__getitem__", "capitalize", "casefold", "expandtabs", "lower", "lstrip", "partition",
    "removeprefix", "removesuffix", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "strip", "swapcase", "title", "translate", "upper", "zfill",
):  # fmt: skip
    setattr(Markup, _name, _returning_markup(getattr(str, _name)))
del _name


class _EscapedArgument:
    """One ``%`` operand: escaped text for %s/%r, a number for %d/%x/%f, a mapping for %(key)s."""

    __slots__ = ("value", "escape")

    def __init__(self, value: Any, escape: Callable[[Any], Markup]) -> None:
        self.value = value
        self.escape = escape

    def __getitem__(self, key: Any) -> _EscapedArgument:
        return _EscapedArgument(self.value[key], self.escape)

    def __str__(self) -> str:
        return str(self.escape(self.value))

    def __repr__(self) -> str:
        return str(self.escape(repr(self.value)))

    def __int__(self) -> int:
        return int(self.value)

    def __float__(self) -> float:
        return float(self.value)

    # NOTE(markup): MarkupSafe stops at __int__, so its %x, %o and %c fail even for ints.
    def __index__(self) -> int:
        return operator.index(self.value)


def _format_field_as_html(value: Any, format_spec: str) -> Any:
    """One ``{field}``'s text: ``__html_format__``/``__html__`` when defined, else ``format()``."""
    if hasattr(value, "__html_format__"):
        return value.__html_format__(format_spec)
    if hasattr(value, "__html__"):
        if format_spec:
            raise ValueError(
                f"Format specifier {format_spec} given, but {type(value)} does not define"
                " __html_format__. A class that defines __html__ must define __html_format__"
                " to work with format specifiers."
            )
        return value.__html__()
    return format(value, format_spec)


@functools.lru_cache(maxsize=None)
def _escape_formatter_class() -> type:
    """A ``string.Formatter`` that escapes every field; built on first use, as ``string`` is."""
    import string

    class EscapeFormatter(string.Formatter):
        def __init__(self, escape: Callable[[Any], Markup]) -> None:
            super().__init__()
            self.escape = escape

        def format_field(self, value: Any, format_spec: str) -> str:
            # NOTE(markup): as in MarkupSafe the field is escaped once more, so __html__ and
            # __html_format__ must return Markup, not a plain str, to be inserted as they are.
            return str(self.escape(_format_field_as_html(value, format_spec)))

    return EscapeFormatter


_TAG = re.compile(r"<[^>]*>")
# "<!--" up to the first "-->" that starts at or after the opener's own "--".
_COMMENT = re.compile(r"<!(?=--).*?-->", re.DOTALL)


def _remove_tags(text: str) -> str:
    """``text`` without ``<...>`` spans; a ``<`` with no ``>`` after it ends the removal."""
    # NOTE(markup): cut at the last ">" first, so no "<" makes the regex rescan to the end of the
    # string ("<" * n was quadratic).
    cut = text.rfind(">") + 1
    return _TAG.sub("", text[:cut]) + text[cut:]


def _remove_comments(text: str) -> str:
    """``text`` without ``<!-- -->`` comments, in linear time, with MarkupSafe's exact results.

    MarkupSafe removes the first comment and searches the joined string again, so removing one can
    make another, as in ``<!<!--x-->-- y -->``. The kept text is a list of ``[start, end)`` ranges
    of ``text`` that never contains ``<!--``, so only its last 3 characters can begin a new one.
    """
    # NOTE(markup): no search passes the end of the last "-->": an opener after it never closes,
    # and the lazy ".*?" must not rescan the rest of the string for each such opener.
    limit = text.rfind("-->") + 3
    kept: List[List[int]] = []
    pos = 0
    while True:
        taken = _count_joined_opener(text, pos, kept)
        if taken:
            close = _find_comment_close(text, pos + 4 - taken)
            if close < 0:
                break
            _drop_kept_tail(kept, taken)
        else:
            match = _COMMENT.search(text, pos, limit)
            if match is None:
                break
            if match.start() > pos:
                kept.append([pos, match.start()])
            close = match.end()
        pos = close
    kept.append([pos, len(text)])
    return "".join(text[start:end] for start, end in kept)


def _count_joined_opener(text: str, pos: int, kept: List[List[int]]) -> int:
    """How many characters of a ``<!--`` that goes on in ``text[pos:]`` end the kept text (0-3)."""
    if not kept or text[kept[-1][1] - 1] not in "<!-":
        return 0
    tail = "".join(text[max(start, end - 3) : end] for start, end in kept[-3:])[-3:]
    for taken in (3, 2, 1):
        if tail.endswith("<!--"[:taken]) and text.startswith("<!--"[taken:], pos):
            return taken
    return 0


def _find_comment_close(text: str, body: int) -> int:
    """Where the first ``-->`` ends, counting the opener's own ``--`` (``<!-->`` is a comment)."""
    if text.startswith(">", body):
        return body + 1
    if text.startswith("->", body):
        return body + 2
    end = text.find("-->", body)
    return -1 if end < 0 else end + 3


def _drop_kept_tail(kept: List[List[int]], count: int) -> None:
    """Forget the last ``count`` characters of the kept ranges."""
    while count:
        start, end = kept[-1]
        if end - start > count:
            kept[-1][1] = end - count
            return
        kept.pop()
        count -= end - start
