"""Tagged JSON: values JSON has no type for survive a round trip (Flask's ``flask.json.tag``).

Cookie sessions store a dict as JSON, yet a session may hold tuples, bytes, markup, UUIDs and
datetimes. The algorithm, from Flask's "Tagged JSON" API docs
(https://flask.palletsprojects.com/en/stable/api/#tagged-json):

1. ``tag`` walks the value top-down; the first registered ``JSONTag`` whose ``check`` accepts a
   value replaces it with a one-key dict such as ``{" t": [1, 2]}``. Tag keys start with a space,
   which real keys seldom do.
2. A real dict whose only key *is* a tag key is wrapped too (``{" di": {" t__": ...}}``), so it is
   never mistaken for a tagged value.
3. ``untag`` walks the parsed JSON bottom-up and turns every one-key dict whose key is a
   registered tag back into the Python value; unknown tags are left as they are.

The wire format is byte-for-byte Flask's (``dumps`` goes through ``microflask.json.dumps``, which
sorts keys inside an app context exactly as Flask's does), so a session cookie written by one can
be read by the other when both use the same secret key.

Does not: sign, compress or limit size (see ``sessions``).
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any, Callable, Optional

from ..globals import _cv_app
from ..http import http_date, parse_date
from . import dumps as json_dumps
from . import loads as json_loads
from .provider import DefaultJSONProvider, _default

__all__ = [
    "JSONTag", "TagDict", "PassDict", "TagTuple", "PassList", "TagBytes", "TagMarkup", "TagUUID",
    "TagDateTime", "TaggedJSONSerializer",
]


class JSONTag:
    """One type the serializer knows how to tag; subclass it and ``register`` it.

    ``key`` marks the tagged JSON (``{key: to_json(value)}``). A tag with an empty key only
    rewrites values on the way out (dicts and lists whose items need tagging) and is never looked
    up on the way back in.
    """

    __slots__ = ("serializer",)

    #: The tag to mark the serialized object with; empty means "pass through, no marker".
    key: str = ""

    def __init__(self, serializer: TaggedJSONSerializer) -> None:
        self.serializer = serializer

    def check(self, value: Any) -> bool:
        """True when this tag should handle ``value``."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        """``value`` as something JSON can hold; the tag is added by ``tag``."""
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        """The Python value back from what ``to_json`` produced (the tag is already removed)."""
        raise NotImplementedError

    def tag(self, value: Any) -> Any:
        """``value`` converted with ``to_json`` and wrapped as ``{key: ...}``."""
        return {self.key: self.to_json(value)}


def _require_type(tag: JSONTag, value: Any, expected: type) -> None:
    """Raise ValueError when a tagged payload is not the JSON type its tag writes."""
    if not isinstance(value, expected):
        raise ValueError(
            f"Invalid tagged JSON: {tag.key!r} holds {type(value).__name__},"
            f" expected {expected.__name__}."
        )


class TagDict(JSONTag):
    """A dict whose only key is a registered tag key, e.g. ``{" t": 1}``.

    The key gets a ``__`` suffix so the inner dict no longer looks tagged.
    """

    __slots__ = ()
    key = " di"

    def check(self, value: Any) -> bool:
        return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in self.serializer.tags

    def to_json(self, value: Any) -> Any:
        key = next(iter(value))
        return {f"{key}__": self.serializer.tag(value[key])}

    def to_python(self, value: Any) -> Any:
        _require_type(self, value, dict)
        if len(value) != 1 or not next(iter(value)).endswith("__"):
            raise ValueError(f"Invalid tagged JSON: {self.key!r} needs one key ending in '__'.")
        key = next(iter(value))
        return {key[:-2]: value[key]}


class PassDict(JSONTag):
    """Any other dict: kept as a dict, its values tagged."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, dict)

    def to_json(self, value: Any) -> Any:
        # NOTE(json.tag): keys are left to json, which writes int/float/bool/None keys as strings.
        return {key: self.serializer.tag(item) for key, item in value.items()}

    tag = to_json


class TagTuple(JSONTag):
    """A tuple (namedtuples included), written as a list and read back as a plain tuple."""

    __slots__ = ()
    key = " t"

    def check(self, value: Any) -> bool:
        return isinstance(value, tuple)

    def to_json(self, value: Any) -> Any:
        return [self.serializer.tag(item) for item in value]

    def to_python(self, value: Any) -> Any:
        _require_type(self, value, list)
        return tuple(value)


class PassList(JSONTag):
    """A list: kept as a list, its items tagged."""

    __slots__ = ()

    def check(self, value: Any) -> bool:
        return isinstance(value, list)

    def to_json(self, value: Any) -> Any:
        return [self.serializer.tag(item) for item in value]

    tag = to_json


class TagBytes(JSONTag):
    """``bytes`` as standard base64 (RFC 4648 section 4) with padding."""

    __slots__ = ()
    key = " b"

    def check(self, value: Any) -> bool:
        return isinstance(value, bytes)

    def to_json(self, value: Any) -> Any:
        from base64 import b64encode

        return b64encode(value).decode("ascii")

    def to_python(self, value: Any) -> Any:
        from base64 import b64decode

        _require_type(self, value, str)
        # NOTE(json.tag): validate=True rejects stray characters (binascii.Error, a ValueError)
        # instead of silently dropping them; everything to_json writes passes.
        return b64decode(value, validate=True)


class _SafeString(str):
    """Stand-in for ``Markup`` while microflask has none: a str that is already safe HTML."""

    __slots__ = ()

    def __html__(self) -> str:
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"


def _find_markup_class() -> type:
    """``microflask.Markup`` (or ``microflask.markup.Markup``) if loaded, else a safe-str class."""
    package_name = __name__.split(".")[0]
    # NOTE(json.tag): looked up at call time, in loaded modules only: no import, no disk access.
    for owner in (sys.modules.get(package_name), sys.modules.get(f"{package_name}.markup")):
        markup = getattr(owner, "Markup", None)
        if isinstance(markup, type):
            return markup
    return _SafeString


class TagMarkup(JSONTag):
    """Anything with an ``__html__`` method, stored as that HTML and read back as ``Markup``."""

    __slots__ = ()
    key = " m"

    def check(self, value: Any) -> bool:
        return callable(getattr(value, "__html__", None))

    def to_json(self, value: Any) -> Any:
        return str(value.__html__())

    def to_python(self, value: Any) -> Any:
        _require_type(self, value, str)
        return _find_markup_class()(value)


class TagUUID(JSONTag):
    """A ``uuid.UUID`` as its 32 hex digits."""

    __slots__ = ()
    key = " u"

    def check(self, value: Any) -> bool:
        # NOTE(json.tag): a UUID can only exist once uuid was imported; no need to import it here.
        uuid = sys.modules.get("uuid")
        return uuid is not None and isinstance(value, uuid.UUID)

    def to_json(self, value: Any) -> Any:
        return value.hex

    def to_python(self, value: Any) -> Any:
        from uuid import UUID

        _require_type(self, value, str)
        return UUID(value)


class TagDateTime(JSONTag):
    """A ``datetime`` as an HTTP date (RFC 9110 section 5.6.7), read back as aware UTC.

    Naive datetimes are taken as UTC; microseconds are dropped, as the format has none.
    """

    __slots__ = ()
    key = " d"

    def check(self, value: Any) -> bool:
        return isinstance(value, datetime)

    def to_json(self, value: Any) -> Any:
        return http_date(value)

    def to_python(self, value: Any) -> Any:
        _require_type(self, value, str)
        moment = parse_date(value)
        if moment is None:
            raise ValueError(f"Invalid tagged JSON: {self.key!r} holds {value!r}, not an HTTP date.")
        return moment


class TaggedJSONSerializer:
    """Dump and load JSON, keeping the types of the registered tags.

    Tags are tried in ``order``; the first whose ``check`` matches tags the value. ``tags`` maps
    each non-empty key to its tag, for loading.
    """

    __slots__ = ("tags", "order", "_builtin_only", "_decoder")

    #: Tag classes registered by ``__init__``, in this order.
    default_tags = [TagDict, PassDict, TagTuple, PassList, TagBytes, TagMarkup, TagUUID, TagDateTime]

    def __init__(self) -> None:
        self.tags: dict[str, JSONTag] = {}
        self.order: list[JSONTag] = []
        self._decoder: Any = None
        for tag_class in self.default_tags:
            self.register(tag_class)
        self._builtin_only = self.default_tags == _BUILTIN_TAGS

    def register(self, tag_class: type[JSONTag], force: bool = False, index: Optional[int] = None) -> None:
        """Add a tag; ``index`` puts it earlier in the order (a special case of another tag).

        Raises KeyError when the key is taken, unless ``force`` replaces the old tag.
        """
        self._builtin_only = False  # a new tag may claim any value: no shortcuts in ``tag``
        tag = tag_class(self)
        key = tag.key
        if key:
            if key in self.tags:
                if not force:
                    raise KeyError(f"Tag {key!r} is already registered.")
                # NOTE(json.tag): Flask keeps a replaced tag in ``order``, so it still tags values
                # on dump while the new one reads them back; dropping it keeps both directions paired.
                self.order.remove(self.tags[key])
            self.tags[key] = tag
        if index is None:
            self.order.append(tag)
        else:
            self.order.insert(index, tag)

    def tag(self, value: Any) -> Any:
        """``value`` with every object that needs a tag replaced by its tagged form."""
        # NOTE(json.tag): with only the built-in tags registered, no tag can match an exact
        # str/int/float/bool/None, and an exact list, tuple or dict (not one-key-tag-like) only
        # has its items tagged; answering those here, without a call per plain item, makes a
        # typical session several times cheaper to tag. ``register`` turns this shortcut off
        # (so change tags through ``register``, not by editing ``order``).
        # Plain loops, not comprehensions: before Python 3.12 each comprehension is a function
        # call, which costs more than tagging the two or three items of a typical container.
        if self._builtin_only:
            kind = type(value)
            if kind in _PLAIN_TYPES:
                return value
            if kind is dict and not (len(value) == 1 and next(iter(value)) in self.tags):
                tagged = {}
                for key, item in value.items():
                    tagged[key] = item if type(item) in _PLAIN_TYPES else self.tag(item)
                return tagged
            if kind is list or kind is tuple:
                items = []
                for item in value:
                    items.append(item if type(item) in _PLAIN_TYPES else self.tag(item))
                return {TagTuple.key: items} if kind is tuple else items
        for tag in self.order:
            if tag.check(value):
                return tag.tag(value)
        return value

    def untag(self, value: dict[str, Any]) -> Any:
        """The Python value for one tagged dict; any other dict is returned unchanged."""
        if len(value) != 1:
            return value
        key = next(iter(value))
        tag = self.tags.get(key)
        if tag is None:
            return value
        return tag.to_python(value[key])

    def _untag_scan(self, value: Any) -> Any:
        """Untag parsed JSON bottom-up: inner values first, then the dict that holds them."""
        if isinstance(value, dict):
            return self.untag({key: self._untag_scan(item) for key, item in value.items()})
        if isinstance(value, list):
            return [self._untag_scan(item) for item in value]
        return value

    def dumps(self, value: Any) -> str:
        """Tag ``value`` and dump it as compact JSON (keys sorted inside an app context)."""
        try:
            encode = _find_compact_encoder()
            if encode is not None:
                return encode(self.tag(value))
            return json_dumps(self.tag(value), separators=(",", ":"))
        except RecursionError as e:
            raise ValueError("Cannot tag a value that is nested too deeply or contains itself.") from e

    def loads(self, value: str | bytes) -> Any:
        """Load JSON and turn tagged values back into Python objects.

        Malformed JSON or a malformed tagged value raises ValueError (``json.JSONDecodeError``
        for bad syntax).
        """
        # NOTE(json.tag): JSON nested deeper than the recursion limit is an input error, not a
        # crash: report it as a ValueError like any other malformed document.
        try:
            if isinstance(value, str) and _uses_default_provider("loads"):
                # The decoder calls ``untag`` on each object as it is parsed, innermost first:
                # the same bottom-up walk as ``_untag_scan``, done by the C parser.
                decoder = self._decoder
                if decoder is None:
                    import json

                    decoder = self._decoder = json.JSONDecoder(object_hook=self.untag)
                # NOTE(json.tag): ``scan_once`` is the decoder's C scanner; ``decode`` wraps it in
                # two Python calls and two whitespace regexes that compact JSON does not need.
                # Only an exact document is taken from it: leading or trailing text, and every
                # error, go through ``decode``, which gives them their usual treatment.
                try:
                    data, end = decoder.scan_once(value, 0)
                except StopIteration:
                    end = -1
                if end == len(value):
                    return data
                return decoder.decode(value)
            return self._untag_scan(json_loads(value))
        except RecursionError as e:
            raise ValueError("Invalid tagged JSON: nested too deeply.") from e


_BUILTIN_TAGS = TaggedJSONSerializer.default_tags[:]
#: Exact types no built-in tag changes.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})

#: Compact JSON encoders by (default, ensure_ascii, sort_keys), see ``_find_compact_encoder``.
_compact_encoders: dict[tuple[Any, bool, bool], Callable[[Any], str]] = {}


def _uses_default_provider(method: str) -> bool:
    """True outside an app context, or when the app's provider has DefaultJSONProvider's ``method``."""
    context = _cv_app.get(None)
    return context is None or getattr(type(context.app.json), method, None) is getattr(DefaultJSONProvider, method)


def _find_compact_encoder() -> Optional[Callable[[Any], str]]:
    """A reusable function writing what ``json.dumps(obj, separators=(",", ":"))`` through the
    current provider would; None when a custom provider overrides ``dumps``.

    ``json.dumps`` with options builds a new encoder on every call; reusing one saves that. It
    skips the circular-reference bookkeeping: it only encodes what ``tag`` built, and ``tag``
    has already failed (RecursionError) on a value that contains itself.
    """
    context = _cv_app.get(None)
    if context is None:
        options = (_default, True, False)
    else:
        provider = context.app.json
        if type(provider).dumps is not DefaultJSONProvider.dumps:
            return None
        options = (provider.default, bool(provider.ensure_ascii), bool(provider.sort_keys))
    encode = _compact_encoders.get(options)
    if encode is None:
        if len(_compact_encoders) >= 16:
            _compact_encoders.clear()
        encode = _compact_encoders[options] = _make_compact_encoder(*options)
    return encode


def _make_compact_encoder(default: Callable[[Any], Any], ensure_ascii: bool, sort_keys: bool) -> Callable[[Any], str]:
    import json.encoder  # binds ``json`` too

    encoder = json.JSONEncoder(separators=(",", ":"), default=default, ensure_ascii=ensure_ascii,
                               sort_keys=sort_keys, check_circular=False)
    # NOTE(json.tag): ``JSONEncoder.encode`` also builds the C encoder (``c_make_encoder``) anew
    # on each call. Built once here, with the arguments ``JSONEncoder.iterencode`` passes, it is
    # used only if it writes a probe value exactly as ``encode`` does; without the C
    # accelerator, or on an interpreter whose internal signature differs, ``encode`` is used.
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is not None:
        escape = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
        probe = {"b": [1, -2.5, 1e300, "\u00e9\n", None, True, False], "a": {}, "c": []}
        try:
            c_encode = make(None, default, escape, None, ":", ",", sort_keys, False, True)
            if "".join(c_encode(probe, 0)) == encoder.encode(probe):
                return lambda obj: "".join(c_encode(obj, 0))
        except Exception:  # noqa: BLE001,S110 - any surprise means: use the public API
            pass
    return encoder.encode
