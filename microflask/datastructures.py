"""Containers for HTTP data: multi-valued dicts, headers, Accept lists, ranges and uploads.

These are the types ``request.args``, ``request.headers``, ``request.accept_mimetypes`` and friends
return (the role of ``werkzeug.datastructures``). Parsing lives in ``http``; this module only stores.

How the main ones work:
1. ``MultiDict`` is a ``dict`` of key -> list of values. ``md[key]`` and ``md.get`` give the first
   value, ``getlist`` all of them; a missing key raises ``BadRequestKeyError``, so a view that
   reads ``request.form["x"]`` answers 400, not 500.
2. ``Headers`` is a list of ``(name, value)`` pairs searched case-insensitively (RFC 9110 section
   5.1). Every value is checked on the way in: a CR, LF or NUL raises ``ValueError``, so no header
   injection can reach the wire.
3. ``Accept`` keeps ``(value, quality)`` pairs, best first. ``best_match(offers)`` rates each offer
   by the most specific client entry that matches it (RFC 9110 section 12.5.1).

Does not: parse header strings (see ``http``) or read request bodies (see ``formparser``).
"""

from __future__ import annotations

import codecs
from base64 import b64decode, b64encode
from binascii import Error as BinasciiError
from os import PathLike, fspath
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Optional, Union

from .exceptions import BadRequestKeyError

_MISSING = object()


def _convert(value: Any, type: Optional[Callable[[Any], Any]], default: Any) -> Any:
    """``type(value)``, or ``default`` when the conversion raises ValueError or TypeError."""
    if type is None:
        return value
    try:
        return type(value)
    except (ValueError, TypeError):
        return default


def _immutable_error(self: Any, *args: Any, **kwargs: Any) -> Any:
    raise TypeError(f"'{type(self).__name__}' objects are immutable")


# -- Plain dicts and lists -------------------------------------------------------------------------


class TypeConversionDict(dict):
    """A dict whose ``get`` can convert: ``d.get("page", 1, type=int)`` gives 1 for ``"x"``."""

    def get(self, key: Any, default: Any = None, type: Optional[Callable[[Any], Any]] = None) -> Any:
        try:
            value = self[key]
        except KeyError:
            return default
        return _convert(value, type, default)


class ImmutableDict(dict):
    """A dict that raises TypeError on every change; hashable, so it can be a default argument."""

    __setitem__ = __delitem__ = setdefault = update = pop = popitem = clear = _immutable_error
    __ior__ = _immutable_error

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def copy(self) -> dict:
        """A mutable copy."""
        return dict(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (dict(self),)


class ImmutableTypeConversionDict(ImmutableDict, TypeConversionDict):
    """An immutable ``TypeConversionDict``."""


class ImmutableList(list):
    """A list that raises TypeError on every change (``request.access_route``)."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _immutable_error
    append = extend = insert = pop = remove = reverse = sort = clear = _immutable_error

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (list(self),)


class CallbackDict(dict):
    """A dict that calls ``on_update(self)`` after every change (sessions use it to mark changes)."""

    # NOTE(datastructures): the methods call ``dict``'s directly rather than ``super()``: a
    # session is read and written several times per request, and before Python 3.12 each
    # ``super()`` builds a proxy object, which costs as much as the dict operation itself.

    def __init__(self, initial: Any = None, on_update: Optional[Callable[[Any], None]] = None) -> None:
        dict.__init__(self, initial or ())
        self.on_update = on_update

    def _changed(self) -> None:
        if self.on_update is not None:
            self.on_update(self)

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self._changed()

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._changed()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        missing = key not in self
        value = dict.setdefault(self, key, default)
        if missing:
            self._changed()
        return value

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self._changed()

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        if key not in self:
            if default is _MISSING:
                raise KeyError(key)
            return default
        value = dict.pop(self, key)
        self._changed()
        return value

    def popitem(self) -> tuple[Any, Any]:
        item = dict.popitem(self)
        self._changed()
        return item

    def clear(self) -> None:
        dict.clear(self)
        self._changed()

    def __ior__(self, other: Any) -> CallbackDict:
        self.update(other)
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


# -- MultiDict -------------------------------------------------------------------------------------


def _iter_multi_items(mapping: Any) -> Iterator[tuple[Any, Any]]:
    """``(key, value)`` pairs of a MultiDict, a dict (list/tuple values repeat) or a pair list."""
    if isinstance(mapping, MultiDict):
        yield from mapping.items(multi=True)
    elif isinstance(mapping, Mapping):
        for key, value in mapping.items():
            if isinstance(value, (list, tuple)):
                for item in value:
                    yield key, item
            else:
                yield key, value
    else:
        yield from mapping


def _fill_multi(target: dict, mapping: Any) -> None:
    """Store the pairs of ``mapping`` in ``target`` as key -> list of values."""
    # NOTE(datastructures): parsers hand over a list of pairs; reading it directly, without the
    # generator, makes building ``request.args``/``cookies`` about twice as fast.
    pairs = mapping if type(mapping) is list else _iter_multi_items(mapping)
    setdefault = dict.setdefault
    for key, value in pairs:
        setdefault(target, key, []).append(value)


class MultiDict(TypeConversionDict):
    """A dict where each key may hold several values, as form fields and query strings do.

    ``md[key]`` is the first value (``BadRequestKeyError``, a KeyError and a 400, when missing);
    ``getlist(key)`` all of them; ``add`` appends; ``md[key] = v`` replaces them all. Iterating
    and ``items()`` give first values; ``items(multi=True)`` every pair in order.
    """

    def __init__(self, mapping: Any = None) -> None:
        super().__init__()
        if mapping is not None:
            _fill_multi(self, mapping)

    # Storage is key -> list; these methods show the first value, as a plain dict would.
    def __getitem__(self, key: Any) -> Any:
        try:
            return dict.__getitem__(self, key)[0]
        except KeyError:
            raise BadRequestKeyError(key) from None

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, [value])

    def __iter__(self) -> Iterator[Any]:
        return iter(dict.keys(self))

    def keys(self) -> Any:  # type: ignore[override]
        return dict.keys(self)

    def add(self, key: Any, value: Any) -> None:
        """Append ``value`` to the values of ``key``."""
        dict.setdefault(self, key, []).append(value)

    def getlist(self, key: Any, type: Optional[Callable[[Any], Any]] = None) -> list[Any]:
        """All values of ``key`` (``[]`` when missing); with ``type``, those that convert."""
        values = dict.get(self, key, ())
        if type is None:
            return list(values)
        converted = []
        for value in values:
            try:
                converted.append(type(value))
            except (ValueError, TypeError):
                pass
        return converted

    def setlist(self, key: Any, values: Iterable[Any]) -> None:
        """Replace the values of ``key``; an empty list removes the key."""
        values = list(values)
        if values:
            dict.__setitem__(self, key, values)
        else:
            dict.pop(self, key, None)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def setlistdefault(self, key: Any, default_list: Optional[Iterable[Any]] = None) -> list[Any]:
        """The live value list of ``key``, created from ``default_list`` when missing."""
        if key not in self:
            dict.__setitem__(self, key, list(default_list or ()))
        return dict.__getitem__(self, key)

    def items(self, multi: bool = False) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        for key, values in dict.items(self):
            if multi:
                for value in values:
                    yield key, value
            else:
                yield key, values[0]

    def lists(self) -> Iterator[tuple[Any, list[Any]]]:
        """``(key, [values])`` pairs."""
        for key, values in dict.items(self):
            yield key, list(values)

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        for values in dict.values(self):
            yield values[0]

    def listvalues(self) -> Iterator[list[Any]]:
        """The value lists, one per key."""
        for values in dict.values(self):
            yield list(values)

    def to_dict(self, flat: bool = True) -> dict[Any, Any]:
        """A plain dict: first values, or with ``flat=False`` lists of all values."""
        if flat:
            return dict(self.items())
        return dict(self.lists())

    def update(self, mapping: Any = (), **kwargs: Any) -> None:  # type: ignore[override]
        """Add the values of ``mapping`` (unlike ``dict.update``, existing values are kept)."""
        for key, value in _iter_multi_items(mapping):
            self.add(key, value)
        for key, value in _iter_multi_items(kwargs):
            self.add(key, value)

    def __ior__(self, other: Any) -> MultiDict:
        self.update(other)
        return self

    def __or__(self, other: Any) -> MultiDict:
        merged = self.copy()
        merged.update(other)
        return merged

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its first value."""
        try:
            return dict.pop(self, key)[0]
        except KeyError:
            if default is _MISSING:
                raise BadRequestKeyError(key) from None
            return default

    def poplist(self, key: Any) -> list[Any]:
        """Remove ``key`` and return all its values (``[]`` when missing)."""
        return dict.pop(self, key, [])

    def popitem(self) -> tuple[Any, Any]:
        try:
            key, values = dict.popitem(self)
        except KeyError as error:
            raise BadRequestKeyError(error.args[0] if error.args else None) from None
        return key, values[0]

    def popitemlist(self) -> tuple[Any, list[Any]]:
        """Remove a key and return ``(key, [values])``."""
        return dict.popitem(self)

    def copy(self) -> MultiDict:
        """A shallow copy (of the mutable class for immutable subclasses)."""
        return MultiDict(self)

    def deepcopy(self, memo: Any = None) -> MultiDict:
        """A deep copy, of the same class (a deep copy of ``request.args`` stays immutable)."""
        import copy

        return type(self)(copy.deepcopy(self.to_dict(flat=False), memo))

    def __copy__(self) -> MultiDict:
        return self.copy()

    def __deepcopy__(self, memo: Any) -> MultiDict:
        return self.deepcopy(memo)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return type(self), (list(self.items(multi=True)),)

    def __getstate__(self) -> Any:
        return dict(self.lists())

    def __setstate__(self, state: Any) -> None:
        dict.clear(self)
        dict.update(self, state)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.items(multi=True))!r})"


class ImmutableMultiDict(MultiDict):
    """A ``MultiDict`` that raises TypeError on every change (``request.args``, ``.form``)."""

    __setitem__ = __delitem__ = add = setlist = setdefault = setlistdefault = _immutable_error
    update = pop = poplist = popitem = popitemlist = clear = __ior__ = _immutable_error

    def __init__(self, mapping: Any = None) -> None:
        dict.__init__(self)
        if mapping is not None:
            _fill_multi(self, mapping)

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items(multi=True)))

    def __copy__(self) -> ImmutableMultiDict:
        return self


class CombinedMultiDict(ImmutableMultiDict):
    """A read-only view over several MultiDicts, searched in order (``request.values``)."""

    def __init__(self, dicts: Optional[Iterable[MultiDict]] = None) -> None:
        dict.__init__(self)
        self.dicts: list[MultiDict] = list(dicts or ())

    def __getitem__(self, key: Any) -> Any:
        for d in self.dicts:
            if key in d:
                return d[key]
        raise BadRequestKeyError(key)

    def get(self, key: Any, default: Any = None, type: Optional[Callable[[Any], Any]] = None) -> Any:
        """The first value of ``key`` that converts with ``type``; later dicts are tried next."""
        for d in self.dicts:
            if key in d:
                value = _convert(d[key], type, _MISSING)
                if value is not _MISSING:
                    return value
        return default

    def getlist(self, key: Any, type: Optional[Callable[[Any], Any]] = None) -> list[Any]:
        values: list[Any] = []
        for d in self.dicts:
            values.extend(d.getlist(key, type))
        return values

    def _keys(self) -> list[Any]:
        seen: dict[Any, None] = {}
        for d in self.dicts:
            for key in d:
                seen[key] = None
        return list(seen)

    def keys(self) -> Any:  # type: ignore[override]
        return self._keys()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def __contains__(self, key: Any) -> bool:
        return any(key in d for d in self.dicts)

    def __bool__(self) -> bool:
        return any(self.dicts)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Mapping) and self.to_dict(flat=False) == MultiDict(other).to_dict(flat=False)

    __hash__ = None  # type: ignore[assignment]

    def items(self, multi: bool = False) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        if multi:
            for d in self.dicts:
                yield from d.items(multi=True)
        else:
            for key in self._keys():
                yield key, self[key]

    def lists(self) -> Iterator[tuple[Any, list[Any]]]:
        for key in self._keys():
            yield key, self.getlist(key)

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        for _, value in self.items():
            yield value

    def listvalues(self) -> Iterator[list[Any]]:
        for _, values in self.lists():
            yield values

    def copy(self) -> MultiDict:
        return MultiDict(list(self.items(multi=True)))

    def deepcopy(self, memo: Any = None) -> MultiDict:
        return self.copy().deepcopy(memo)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.dicts!r})"


# -- Headers ---------------------------------------------------------------------------------------


def _header_text(value: Any, what: str) -> str:
    """``value`` as a header string; ValueError if it holds CR, LF or NUL (header injection)."""
    if not isinstance(value, str):
        value = str(value)
    if "\n" in value or "\r" in value or "\x00" in value:
        raise ValueError(f"Header {what} must not contain CR, LF or NUL characters: {value!r}")
    return value


def _with_options(value: Any, options: dict[str, Any]) -> str:
    """``value`` plus ``key=value`` parameters: ``add("Content-Type", "text/html", charset="utf-8")``."""
    if not options:
        return value
    from .http import dump_options_header

    return dump_options_header(str(value), {key.replace("_", "-"): v for key, v in options.items()})


class Headers:
    """Ordered, multi-valued, case-insensitive HTTP headers (RFC 9110 section 5).

    ``h["content-type"]`` is the first value (KeyError when missing); ``getlist`` all of them;
    ``add`` appends; ``set`` and ``h[name] = v`` replace. Iterating gives ``(name, value)`` pairs
    as a WSGI server wants them. Names and values holding CR, LF or NUL raise ValueError.
    """

    __slots__ = ("_list",)

    def __init__(self, defaults: Any = None) -> None:
        self._list: list[tuple[str, str]] = []
        if defaults is not None:
            self.extend(defaults)

    # -- Reading ---------------------------------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            lower = key.lower()
            for name, value in self._list:
                if name.lower() == lower:
                    return value
            raise BadRequestKeyError(key)
        if isinstance(key, slice):
            return Headers(self._list[key])
        return self._list[key]

    def get(self, key: str, default: Any = None, type: Optional[Callable[[Any], Any]] = None) -> Any:
        # NOTE(datastructures): a loop, not ``self[key]`` in a try: raising a KeyError per miss
        # costs more than the lookup, and responses check for absent headers on every request.
        lower = key.lower()
        for name, value in self._list:
            if name.lower() == lower:
                return _convert(value, type, default)
        return default

    def getlist(self, key: str, type: Optional[Callable[[Any], Any]] = None) -> list[Any]:
        """Every value of ``key`` in order; with ``type``, those that convert."""
        lower = key.lower()
        values = [value for name, value in self if name.lower() == lower]
        if type is None:
            return values
        converted = []
        for value in values:
            try:
                converted.append(type(value))
            except (ValueError, TypeError):
                pass
        return converted

    get_all = getlist

    def __contains__(self, key: Any) -> bool:
        if not isinstance(key, str):
            return False
        lower = key.lower()
        for name, _ in self._list:
            if name.lower() == lower:
                return True
        return False

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def __bool__(self) -> bool:
        return bool(len(self))

    def keys(self, lower: bool = False) -> Iterator[str]:
        for name, _ in self:
            yield name.lower() if lower else name

    def values(self) -> Iterator[str]:
        for _, value in self:
            yield value

    def items(self, lower: bool = False) -> Iterator[tuple[str, str]]:
        for name, value in self:
            yield (name.lower() if lower else name), value

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Headers):
            other = list(other)
        elif isinstance(other, Mapping):
            other = list(other.items())
        else:
            return NotImplemented
        return sorted((k.lower(), v) for k, v in self) == sorted((k.lower(), v) for k, v in other)

    __hash__ = None  # type: ignore[assignment]

    # -- Writing ---------------------------------------------------------------------------------

    def add(self, key: str, value: Any, **options: Any) -> None:
        """Append a header; ``options`` become parameters (``filename="a.txt"``)."""
        if options:
            value = _with_options(value, options)
        self._list.append((_header_text(key, "names"), _header_text(value, "values")))

    add_header = add

    def set(self, key: str, value: Any, **options: Any) -> None:
        """Replace every ``key`` header by one, kept at the position of the first."""
        if options:
            value = _with_options(value, options)
        self._replace(_header_text(key, "names"), _header_text(value, "values"))

    @classmethod
    def _from_checked(cls, pairs: list[tuple[str, str]]) -> Headers:
        """Headers around a list of pairs microflask built itself (no copy, no CR/LF check)."""
        headers = cls.__new__(cls)
        headers._list = pairs
        return headers

    def _replace(self, key: str, value: str) -> None:
        """``set`` without the CR/LF check, for names and values microflask made itself."""
        lower = key.lower()
        headers = self._list
        for index, (name, _) in enumerate(headers):
            if name.lower() == lower:
                headers[index] = (key, value)
                later = headers[index + 1:]
                if later:  # drop any duplicates after the first
                    headers[index + 1:] = [item for item in later if item[0].lower() != lower]
                return
        headers.append((key, value))

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, str):
            self.set(key, value)
        elif isinstance(key, slice):
            self._list[key] = [(_header_text(k, "names"), _header_text(v, "values")) for k, v in value]
        else:
            self._list[key] = (_header_text(value[0], "names"), _header_text(value[1], "values"))

    def setlist(self, key: str, values: Iterable[Any]) -> None:
        """Replace every ``key`` header by one header per value."""
        values = list(values)
        if not values:
            self.remove(key)
            return
        self.set(key, values[0])
        for value in values[1:]:
            self.add(key, value)

    def setdefault(self, key: str, default: Any) -> str:
        """The first ``key`` value, adding ``default`` first when there is none."""
        if key not in self:
            self.add(key, default)
        return self[key]

    def setlistdefault(self, key: str, default: Iterable[Any]) -> list[str]:
        if key not in self:
            for value in default:
                self.add(key, value)
        return self.getlist(key)

    def extend(self, *args: Any, **kwargs: Any) -> None:
        """Add every pair of a Headers, mapping (list values repeat) or pair list; keeps existing."""
        for source in args + ((kwargs,) if kwargs else ()):
            for key, value in _iter_multi_items(source):
                self.add(key, value)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Replace each named header with the given value(s); other headers are kept."""
        for source in args + ((kwargs,) if kwargs else ()):
            if isinstance(source, (Headers, MultiDict)):
                grouped: dict[str, list[Any]] = {}
                for key, value in (source.items(multi=True) if isinstance(source, MultiDict) else source):
                    grouped.setdefault(key, []).append(value)
                pairs: Iterable[tuple[str, Any]] = grouped.items()
            elif isinstance(source, Mapping):
                pairs = source.items()
            else:
                pairs = source
            for key, value in pairs:
                if isinstance(value, (list, tuple)):
                    self.setlist(key, value)
                else:
                    self.set(key, value)

    def __ior__(self, other: Any) -> Headers:
        self.update(other)
        return self

    def __or__(self, other: Any) -> Headers:
        merged = self.copy()
        merged.update(other)
        return merged

    def remove(self, key: str) -> None:
        """Remove every ``key`` header (no error when there is none)."""
        lower = key.lower()
        self._list[:] = [item for item in self._list if item[0].lower() != lower]

    def __delitem__(self, key: Any) -> None:
        if isinstance(key, str):
            self.remove(key)
        else:
            del self._list[key]

    def pop(self, key: Any = None, default: Any = _MISSING) -> Any:
        """Remove and return the first value of ``key`` (the last pair when ``key`` is None/int)."""
        if key is None or isinstance(key, int):
            return self._list.pop(-1 if key is None else key)
        try:
            value = self[key]
        except KeyError:
            if default is _MISSING:
                raise
            return default
        self.remove(key)
        return value

    def popitem(self) -> tuple[str, str]:
        return self._list.pop()

    def clear(self) -> None:
        del self._list[:]

    def copy(self) -> Headers:
        return Headers(self._list)

    __copy__ = copy

    # -- Output ------------------------------------------------------------------------------------

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        """The pairs as the list ``start_response`` takes."""
        return list(self._list)

    def __str__(self) -> str:
        return "".join(f"{name}: {value}\r\n" for name, value in self) + "\r\n"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class EnvironHeaders(Headers):
    """The request headers of a WSGI environ, read-only (``request.headers``).

    ``h["User-Agent"]`` reads ``environ["HTTP_USER_AGENT"]``; Content-Type and Content-Length come
    from their unprefixed CGI keys (PEP 3333). Values are the server's latin-1 strings.
    """

    __slots__ = ("environ",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self.environ = environ

    @staticmethod
    def _environ_key(key: str) -> str:
        key = key.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return key
        return "HTTP_" + key

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, str):
            return list(self)[key]
        try:
            return self.environ[self._environ_key(key)]
        except KeyError:
            raise BadRequestKeyError(key) from None

    def __contains__(self, key: Any) -> bool:
        return isinstance(key, str) and self._environ_key(key) in self.environ

    def get(self, key: str, default: Any = None, type: Optional[Callable[[Any], Any]] = None) -> Any:
        value = self.environ.get(self._environ_key(key), _MISSING)
        return default if value is _MISSING else _convert(value, type, default)

    def getlist(self, key: str, type: Optional[Callable[[Any], Any]] = None) -> list[Any]:
        value = self.environ.get(self._environ_key(key))
        if value is None:
            return []
        if type is None:
            return [value]
        converted = _convert(value, type, _MISSING)
        return [] if converted is _MISSING else [converted]

    get_all = getlist

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for key, value in self.environ.items():
            if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                yield key[5:].replace("_", "-").title(), value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").title(), value

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def to_wsgi_list(self) -> list[tuple[str, str]]:
        return list(self)

    def copy(self) -> Headers:
        raise TypeError(f"cannot copy {type(self).__name__}; use Headers(environ_headers)")

    __copy__ = copy
    add = set = __setitem__ = __delitem__ = setlist = extend = update = _immutable_error
    remove = pop = popitem = clear = setdefault = setlistdefault = _immutable_error


class HeaderSet:
    """A case-insensitive set of header tokens, kept in order (``Vary``, ``Allow``)."""

    def __init__(self, headers: Optional[Iterable[str]] = None,
                 on_update: Optional[Callable[[HeaderSet], None]] = None) -> None:
        self._headers = list(headers or ())
        self.on_update = on_update

    def add(self, header: str) -> None:
        lower = header.lower()
        for item in self._headers:
            if item.lower() == lower:
                return
        self._headers.append(header)
        if self.on_update is not None:
            self.on_update(self)

    def update(self, headers: Iterable[str]) -> None:
        for header in headers:
            self.add(header)

    def discard(self, header: str) -> None:
        before = len(self._headers)
        self._headers = [item for item in self._headers if item.lower() != header.lower()]
        if len(self._headers) != before and self.on_update is not None:
            self.on_update(self)

    def remove(self, header: str) -> None:
        """Like ``discard``, but KeyError when ``header`` is not in the set."""
        if header not in self:
            raise KeyError(header)
        self.discard(header)

    def clear(self) -> None:
        self._headers = []
        if self.on_update is not None:
            self.on_update(self)

    def __contains__(self, header: Any) -> bool:
        return isinstance(header, str) and header.lower() in (item.lower() for item in self._headers)

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers)

    def __len__(self) -> int:
        return len(self._headers)

    def to_header(self) -> str:
        return ", ".join(self._headers)

    __str__ = to_header

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._headers!r})"


# -- Accept headers --------------------------------------------------------------------------------


class Accept(ImmutableList):
    """An Accept-style header as ``(value, quality)`` pairs, highest quality first.

    ``accept["text/html"]`` is the quality the client gives that value (0 if none);
    ``best_match(offers)`` picks the offer the client likes best, ties going to the earlier offer.
    """

    def __init__(self, values: Iterable[tuple[str, float]] = ()) -> None:
        pairs = [(value, quality) for value, quality in values]
        # A stable sort: by quality, then by how specific the entry is; header order breaks ties.
        pairs.sort(key=lambda pair: (-pair[1], -self._specificity(pair[0])))
        list.__init__(self, pairs)
        self.provided = bool(pairs)

    def _specificity(self, value: str) -> int:
        return 0 if value == "*" else 1

    def _normalize(self, value: str) -> str:
        return value.lower()

    def _value_matches(self, offer: str, item: str) -> bool:
        """Whether the client entry ``item`` covers the server ``offer``."""
        return item == "*" or self._normalize(item) == self._normalize(offer)

    def _match(self, offer: str) -> Optional[tuple[float, int]]:
        """``(quality, specificity)`` of the most specific client entry covering ``offer``."""
        best: Optional[tuple[float, int]] = None
        for item, quality in self:
            if self._value_matches(offer, item):
                specificity = self._specificity(item)
                if best is None or specificity > best[1]:
                    best = (quality, specificity)
        return best

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return self.quality(key)
        return list.__getitem__(self, key)

    def quality(self, key: str) -> float:
        """The quality the client gives ``key``; 0 when nothing covers it."""
        match = self._match(key)
        return 0 if match is None else match[0]

    def __contains__(self, value: Any) -> bool:
        if isinstance(value, tuple):
            return list.__contains__(self, value)
        return any(self._value_matches(value, item) for item, _ in self)

    def index(self, key: Any, *args: Any) -> int:  # type: ignore[override]
        """Position of the first entry covering ``key``; ValueError when none does."""
        if isinstance(key, str):
            for position, (item, _) in enumerate(self):
                if self._value_matches(key, item):
                    return position
            raise ValueError(key)
        return list.index(self, key, *args)

    def find(self, key: Any) -> int:
        """Like ``index`` but -1 when nothing covers ``key``."""
        try:
            return self.index(key)
        except ValueError:
            return -1

    def values(self) -> Iterator[str]:
        """The accepted values, best first."""
        for value, _ in self:
            yield value

    def best_match(self, matches: Iterable[str], default: Optional[str] = None) -> Optional[str]:
        """The offer in ``matches`` with the highest client quality; q=0 means "not acceptable".

        Each offer is rated by the most specific client entry that covers it. On equal quality the
        more specific client entry wins, then the earlier offer (the server's preference).
        """
        best, best_rank = default, (0.0, -1)
        for offer in matches:
            match = self._match(offer)
            if match is not None and match[0] > 0 and match > best_rank:
                best, best_rank = offer, match
        return best

    @property
    def best(self) -> Optional[str]:
        """The client's most preferred value, or None."""
        return self[0][0] if self else None

    def to_header(self) -> str:
        from .http import quote_header_value

        parts = []
        for value, quality in self:
            parts.append(value if quality == 1 else f"{value};q={quote_header_value(quality)}")
        return ",".join(parts)

    __str__ = to_header

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


def _split_mime(value: str) -> tuple[str, str, str]:
    """``"Text/HTML; level=1"`` -> ``("text", "html", "level=1")``."""
    mime, _, params = value.partition(";")
    main, _, sub = mime.strip().lower().partition("/")
    params = ";".join(sorted(part.strip().lower() for part in params.split(";") if part.strip()))
    return main, sub or "*", params


class MIMEAccept(Accept):
    """The Accept header: ``text/*`` covers ``text/html``, ``*/*`` covers everything."""

    def _specificity(self, value: str) -> int:
        main, sub, params = _split_mime(value)
        if main == "*":
            return 0
        if sub == "*":
            return 1
        return 3 if params else 2

    def _value_matches(self, offer: str, item: str) -> bool:
        item_main, item_sub, item_params = _split_mime(item)
        offer_main, offer_sub, offer_params = _split_mime(offer)
        if item_main == "*":
            return item_sub == "*"
        if item_main != offer_main:
            return False
        if item_sub == "*":
            return True
        if item_sub != offer_sub:
            return False
        return not item_params or item_params == offer_params

    @property
    def accept_html(self) -> bool:
        """Whether the client accepts HTML."""
        return "text/html" in self or "application/xhtml+xml" in self

    @property
    def accept_xhtml(self) -> bool:
        return "application/xhtml+xml" in self or "application/xml" in self

    @property
    def accept_json(self) -> bool:
        return "application/json" in self


class LanguageAccept(Accept):
    """Accept-Language: ``en`` covers ``en-US`` (RFC 4647 basic filtering); ``_`` equals ``-``."""

    def _normalize(self, value: str) -> str:
        return value.replace("_", "-").lower()

    def _value_matches(self, offer: str, item: str) -> bool:
        item, offer = self._normalize(item), self._normalize(offer)
        return item == "*" or offer == item or offer.startswith(item + "-")

    def _specificity(self, value: str) -> int:
        return 0 if value == "*" else value.count("-") + value.count("_") + 1

    def best_match(self, matches: Iterable[str], default: Optional[str] = None) -> Optional[str]:
        """As ``Accept.best_match``; if nothing matches, offers are compared by primary subtag
        alone, so a client asking for ``en-US`` still gets an ``en`` offer before the default."""
        matches = list(matches)
        result = super().best_match(matches)
        if result is not None:
            return result
        primary = Accept((self._normalize(item).split("-")[0], q) for item, q in self)
        result = primary.best_match(self._normalize(offer).split("-")[0] for offer in matches)
        if result is None:
            return default
        for offer in matches:
            if self._normalize(offer).split("-")[0] == result:
                return offer
        return default


class CharsetAccept(Accept):
    """Accept-Charset: names compare by codec, so ``UTF8`` equals ``utf-8``."""

    def _normalize(self, value: str) -> str:
        try:
            return codecs.lookup(value).name
        except (LookupError, ValueError):  # ValueError: a NUL in the name
            return value.lower()


# -- Authorization ---------------------------------------------------------------------------------


class Authorization:
    """The Authorization request header (RFC 9110 section 11.6.2), as ``request.authorization``.

    ``type`` is the lower-cased scheme. Basic gives ``username``/``password`` (RFC 7617);
    a token68 scheme such as Bearer (RFC 6750) gives ``token``; other schemes give ``parameters``,
    also readable as attributes (``auth.realm``) and items (``auth["realm"]``).
    """

    def __init__(self, auth_type: str, data: Optional[Mapping[str, Optional[str]]] = None,
                 token: Optional[str] = None) -> None:
        self.type = auth_type
        self.parameters: dict[str, Optional[str]] = dict(data or {})
        self.token = token

    @classmethod
    def from_header(cls, value: Optional[str]) -> Optional[Authorization]:
        """Parse a header value; None when it is empty or malformed."""
        if not value:
            return None
        scheme, _, rest = value.strip().partition(" ")
        scheme, rest = scheme.lower(), rest.strip()
        if not scheme:
            return None
        if scheme == "basic":
            try:
                raw = b64decode(rest, validate=True)
            except (BinasciiError, ValueError):
                return None
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
            username, sep, password = text.partition(":")
            if not sep:
                return None
            return cls("basic", {"username": username, "password": password})
        if "=" in rest.rstrip("="):
            from .http import parse_dict_header

            return cls(scheme, parse_dict_header(rest))
        return cls(scheme, None, rest or None)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.__dict__["parameters"].get(name)

    def __getitem__(self, key: str) -> Any:
        return self.parameters[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.parameters.get(key, default)

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Authorization) and other.type == self.type
                and other.token == self.token and other.parameters == self.parameters)

    __hash__ = None  # type: ignore[assignment]

    def to_header(self) -> str:
        """The header value, e.g. ``Basic dXNlcjpwYXNz`` or ``Bearer abc``."""
        if self.type == "basic":
            raw = f"{self.parameters.get('username', '')}:{self.parameters.get('password', '')}"
            return "Basic " + b64encode(raw.encode("utf-8")).decode("ascii")
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        from .http import dump_header

        return f"{scheme} {dump_header(self.parameters)}"

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


class WWWAuthenticate:
    """A WWW-Authenticate challenge (RFC 9110 section 11.6.1): ``WWWAuthenticate("basic", {"realm": "x"})``."""

    def __init__(self, auth_type: str, values: Optional[Mapping[str, Optional[str]]] = None,
                 token: Optional[str] = None) -> None:
        self.type = auth_type.lower()
        self.parameters: dict[str, Optional[str]] = dict(values or {})
        self.token = token

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.__dict__["parameters"].get(name)

    def __getitem__(self, key: str) -> Any:
        return self.parameters[key]

    def __setitem__(self, key: str, value: Optional[str]) -> None:
        self.parameters[key] = value

    def to_header(self) -> str:
        scheme = self.type.title()
        if self.token is not None:
            return f"{scheme} {self.token}"
        if not self.parameters:
            return scheme
        from .http import quote_header_value

        params = ", ".join(f"{key}={quote_header_value(value, allow_token=False)}"
                           for key, value in self.parameters.items())
        return f"{scheme} {params}"

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()}>"


# -- Cache-Control -------------------------------------------------------------------------------


def _cache_property(name: str, kind: Any, doc: str) -> property:
    """A Cache-Control directive as an attribute: ``bool`` flags, ``int`` seconds or ``str``."""

    def fget(self: _CacheControl) -> Any:
        if name not in self:
            return False if kind is bool else None
        if kind is bool:
            return True
        value = dict.__getitem__(self, name)
        if kind is int:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
        return value if value is not None else True

    def fset(self: _CacheControl, value: Any) -> None:
        if value is None or value is False:
            self.pop(name, None)
        elif value is True or kind is bool:
            self[name] = None
        else:
            self[name] = str(int(value) if kind is int else value)

    def fdel(self: _CacheControl) -> None:
        self.pop(name, None)

    return property(fget, fset, fdel, doc)


class _CacheControl(CallbackDict):
    """Cache-Control directives (RFC 9111 section 5.2) as a dict and as attributes."""

    no_cache = _cache_property("no-cache", str, "``True`` or the field names not to cache.")
    no_store = _cache_property("no-store", bool, "Do not store at all.")
    max_age = _cache_property("max-age", int, "Seconds the response stays fresh.")
    no_transform = _cache_property("no-transform", bool, "Intermediaries must not change the body.")
    stale_if_error = _cache_property("stale-if-error", int, "RFC 5861: stale allowed on errors.")

    def to_header(self) -> str:
        from .http import dump_header

        return dump_header(self)

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class RequestCacheControl(_CacheControl):
    """The request's Cache-Control (``request.cache_control``)."""

    max_stale = _cache_property("max-stale", str, "``True`` or the seconds of staleness accepted.")
    min_fresh = _cache_property("min-fresh", int, "Seconds the response must stay fresh.")
    only_if_cached = _cache_property("only-if-cached", bool, "Answer from cache or 504.")


class ResponseCacheControl(_CacheControl):
    """The response's Cache-Control (``response.cache_control``); changes rewrite the header."""

    public = _cache_property("public", bool, "Any cache may store it.")
    private = _cache_property("private", str, "``True`` or the field names only for this user.")
    must_revalidate = _cache_property("must-revalidate", bool, "Revalidate once stale.")
    proxy_revalidate = _cache_property("proxy-revalidate", bool, "Shared caches revalidate.")
    s_maxage = _cache_property("s-maxage", int, "max-age for shared caches.")
    immutable = _cache_property("immutable", bool, "RFC 8246: never changes while fresh.")
    must_understand = _cache_property("must-understand", bool, "Store only if the status is known.")
    stale_while_revalidate = _cache_property("stale-while-revalidate", int, "RFC 5861 grace seconds.")


# -- ETags and ranges ------------------------------------------------------------------------------


class ETags:
    """The entity tags of If-Match / If-None-Match (RFC 9110 section 8.8.3), or ``*``."""

    def __init__(self, strong_etags: Optional[Iterable[str]] = None,
                 weak_etags: Optional[Iterable[str]] = None, star_tag: bool = False) -> None:
        self._strong = frozenset(strong_etags or ())
        self._weak = frozenset(weak_etags or ())
        self.star_tag = star_tag

    def as_set(self, include_weak: bool = False) -> set[str]:
        return set(self._strong | self._weak) if include_weak else set(self._strong)

    def is_weak(self, etag: str) -> bool:
        return etag in self._weak

    def is_strong(self, etag: str) -> bool:
        return etag in self._strong

    def contains_weak(self, etag: str) -> bool:
        """Weak comparison: the opaque tags match, weak or strong (used by If-None-Match)."""
        return self.star_tag or etag in self._strong or etag in self._weak

    def contains(self, etag: str) -> bool:
        """Strong comparison: only strong tags match (used by If-Match and If-Range)."""
        return self.star_tag or etag in self._strong

    def contains_raw(self, etag: str) -> bool:
        """Like ``contains``/``contains_weak`` for a quoted tag, ``W/"x"`` or ``"x"``."""
        from .http import unquote_etag

        tag, weak = unquote_etag(etag)
        if tag is None:
            return False
        return self.contains_weak(tag) if weak else self.contains(tag)

    __contains__ = contains

    def __bool__(self) -> bool:
        return bool(self.star_tag or self._strong or self._weak)

    def __iter__(self) -> Iterator[str]:
        return iter(self._strong)

    def __call__(self, etag: str) -> bool:
        return self.contains(etag)

    def to_header(self) -> str:
        if self.star_tag:
            return "*"
        return ", ".join([f'"{tag}"' for tag in sorted(self._strong)]
                         + [f'W/"{tag}"' for tag in sorted(self._weak)])

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class Range:
    """A parsed Range header: ``units`` and ``(start, stop)`` pairs, stop exclusive.

    ``(-500, None)`` is a suffix range (the last 500 bytes); ``(100, None)`` runs to the end.
    """

    def __init__(self, units: str, ranges: list[tuple[int, Optional[int]]]) -> None:
        self.units = units
        self.ranges = ranges

    def range_for_length(self, length: Optional[int]) -> Optional[tuple[int, int]]:
        """``(start, stop)`` of the single byte range within ``length`` bytes; None when the
        range is not satisfiable (it starts past the end) or there is not exactly one range."""
        if self.units != "bytes" or length is None or len(self.ranges) != 1:
            return None
        start, stop = self.ranges[0]
        if start < 0:
            if length == 0:
                return None
            return max(0, length + start), length
        if start >= length:
            return None
        return start, length if stop is None else min(stop, length)

    def make_content_range(self, length: Optional[int]) -> Optional[ContentRange]:
        span = self.range_for_length(length)
        return None if span is None else ContentRange(self.units, span[0], span[1], length)

    def to_header(self) -> str:
        parts = []
        for start, stop in self.ranges:
            if stop is None:
                parts.append(f"{start}-" if start >= 0 else str(start))
            else:
                parts.append(f"{start}-{stop - 1}")
        return f"{self.units}={','.join(parts)}"

    def to_content_range_header(self, length: Optional[int]) -> Optional[str]:
        span = self.range_for_length(length)
        return None if span is None else f"{self.units} {span[0]}-{span[1] - 1}/{length}"

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


class ContentRange:
    """A Content-Range value: ``units start-(stop-1)/length``, stop exclusive; ``*`` for unknown."""

    def __init__(self, units: Optional[str], start: Optional[int], stop: Optional[int],
                 length: Optional[int] = None,
                 on_update: Optional[Callable[[ContentRange], None]] = None) -> None:
        self.on_update = on_update
        self.set(start, stop, length, units)

    def set(self, start: Optional[int], stop: Optional[int], length: Optional[int] = None,
            units: Optional[str] = "bytes") -> None:
        self.units, self.start, self.stop, self.length = units, start, stop, length
        if self.on_update is not None:
            self.on_update(self)

    def unset(self) -> None:
        self.set(None, None, units=None)

    def to_header(self) -> str:
        if self.units is None:
            return ""
        length = "*" if self.length is None else self.length
        if self.start is None or self.stop is None:
            return f"{self.units} */{length}"
        return f"{self.units} {self.start}-{self.stop - 1}/{length}"

    def __bool__(self) -> bool:
        return self.units is not None

    __str__ = to_header

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.to_header()!r}>"


# -- Uploaded files --------------------------------------------------------------------------------


class FileStorage:
    """One uploaded file of a multipart form (``request.files["photo"]``).

    Reads like a file (``read``, ``readline``, iteration go to ``stream``); ``save(dst)`` copies it
    to a path or open file. ``filename`` is what the client sent: pass it through
    ``utils.secure_filename`` before using it in a path.
    """

    def __init__(self, stream: Optional[BinaryIO] = None, filename: Optional[str] = None,
                 name: Optional[str] = None, content_type: Optional[str] = None,
                 content_length: Optional[int] = None, headers: Optional[Headers] = None) -> None:
        if stream is None:
            from io import BytesIO

            stream = BytesIO()
        self.stream = stream
        self.name = name
        if filename is None:
            raw_name = getattr(stream, "name", None)
            if isinstance(raw_name, bytes):
                raw_name = raw_name.decode("utf-8", "replace")
            if isinstance(raw_name, str) and not (raw_name.startswith("<") and raw_name.endswith(">")):
                filename = raw_name
        self.filename = filename
        self.headers = headers if headers is not None else Headers()
        if content_type is not None:
            self.headers["Content-Type"] = content_type
        if content_length is not None:
            self.headers["Content-Length"] = str(content_length)

    @property
    def content_type(self) -> Optional[str]:
        return self.headers.get("Content-Type")

    @property
    def content_length(self) -> int:
        return self.headers.get("Content-Length", 0, type=int)

    @property
    def mimetype(self) -> str:
        """The content type without parameters, lower-cased."""
        return (self.content_type or "").partition(";")[0].strip().lower()

    @property
    def mimetype_params(self) -> dict[str, str]:
        from .http import parse_options_header

        return parse_options_header(self.content_type)[1]

    def save(self, dst: Union[str, PathLike, BinaryIO], buffer_size: int = 16384) -> None:
        """Copy the file to ``dst``, a path (opened and closed here) or a writable binary file."""
        import shutil

        if isinstance(dst, (str, PathLike)):
            with open(fspath(dst), "wb") as target:
                shutil.copyfileobj(self.stream, target, buffer_size)
        else:
            shutil.copyfileobj(self.stream, dst, buffer_size)

    def close(self) -> None:
        try:
            self.stream.close()
        except Exception:  # noqa: BLE001 - closing a spent upload must never fail a request
            pass

    def __bool__(self) -> bool:
        return bool(self.filename)

    def __getattr__(self, name: str) -> Any:
        # read, readline, seek, tell, ... come from the stream.
        if name == "stream":
            raise AttributeError(name)
        try:
            return getattr(self.stream, name)
        except AttributeError:
            # NOTE(datastructures): before 3.11 a SpooledTemporaryFile (the parser's upload
            # stream) lacks readable(), seekable() and friends; its inner file has them.
            inner = getattr(self.stream, "_file", None)
            if inner is None:
                raise
            return getattr(inner, name)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.filename!r} ({self.content_type!r})>"


__all__ = [
    "TypeConversionDict", "ImmutableDict", "ImmutableTypeConversionDict", "ImmutableList",
    "CallbackDict", "MultiDict", "ImmutableMultiDict", "CombinedMultiDict", "Headers",
    "EnvironHeaders", "HeaderSet", "Accept", "MIMEAccept", "LanguageAccept", "CharsetAccept",
    "Authorization", "WWWAuthenticate", "RequestCacheControl", "ResponseCacheControl", "ETags",
    "Range", "ContentRange", "FileStorage",
]
