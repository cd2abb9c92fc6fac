"""Parse and dump HTTP header values, cookies, dates, ETags and ranges (the role of ``werkzeug.http``).

Every function here is pure: strings in, values out, no request or app state. Parsers never raise on
client input; they return what can be salvaged, or ``None`` / an empty value. Dumpers raise
``ValueError`` on programmer input that would produce a broken or injectable header.

How the parsing works:
1. Headers holding lists (RFC 9110 section 5.6.1) are split on commas, parameters (section 5.6.6)
   on semicolons, by one precompiled regex each that skips separators inside quoted strings.
2. Each piece is split once on ``=``; quoted strings (section 5.6.4) lose their quotes and
   backslash escapes; ``name*=UTF-8''...`` values are percent-decoded (RFC 8187, ex RFC 5987).
3. Query strings and cookies are worked on as bytes (a WSGI string is latin-1 of the raw bytes),
   percent- or octal-decoded once per part, then decoded as UTF-8 with U+FFFD for bad bytes.

Specs: RFC 9110 (semantics: dates 5.6.7, ETags 8.8.3, conditionals 13, ranges 14), RFC 9111
(Cache-Control), RFC 7233 (the original range grammar), RFC 6265 (cookies), WHATWG URL
(application/x-www-form-urlencoded).

Does not: read the request (see ``wrappers``), parse multipart bodies (see ``formparser``) or
store the results (see ``datastructures``).
"""

from __future__ import annotations

import re
import time
import warnings
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping, Optional, Union
from urllib.parse import quote, unquote, unquote_to_bytes

from .datastructures import (
    Accept,
    Authorization,
    ContentRange,
    ETags,
    MultiDict,
    Range,
    RequestCacheControl,
)

#: Most ranges one Range header may ask for; more is treated as no Range header at all.
MAX_RANGES = 100
#: Browsers drop Set-Cookie headers larger than about 4 KiB (RFC 6265 section 6.1).
COOKIE_MAX_SIZE = 4093

# RFC 9110 section 15 reason phrases, plus the other IANA-registered codes (WebDAV, RFC 6585, ...).
HTTP_STATUS_CODES: dict[int, str] = {
    100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
    200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
    204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
    208: "Already Reported", 226: "IM Used",
    300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
    400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
    407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
    411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large",
    414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
    417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request",
    422: "Unprocessable Content", 423: "Locked", 424: "Failed Dependency", 425: "Too Early",
    426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
    431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates", 507: "Insufficient Storage", 508: "Loop Detected",
    510: "Not Extended", 511: "Network Authentication Required",
}

class _LazyRegex:
    """A regular expression compiled on first use, then as fast as the compiled one.

    # NOTE(http): compiling this module's fourteen patterns took ~2 ms, a tenth of
    # ``import microflask``; most apps use a few of them, so each compiles when first needed.
    """

    def __init__(self, pattern: Any, flags: int = 0) -> None:
        self._pattern, self._flags = pattern, flags

    def __getattr__(self, name: str) -> Any:
        # Only called while the attribute is missing: copy the compiled pattern's method here.
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(re.compile(self._pattern, self._flags), name)
        setattr(self, name, method)
        return method


_TOKEN_RE = _LazyRegex(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A list item or parameter: runs of plain characters and quoted strings. An unterminated quoted
# string runs to the end, so no input makes the regex backtrack (linear time).
_COMMA_ITEM_RE = _LazyRegex(r'(?:"(?:[^"\\]+|\\.?)*(?:"|\Z)|[^,"]+)+', re.S)
_SEMICOLON_ITEM_RE = _LazyRegex(r'(?:"(?:[^"\\]+|\\.?)*(?:"|\Z)|[^;"]+)+', re.S)
_QUOTED_PAIR_RE = _LazyRegex(r'\\(["\\])')
_QUALITY_RE = _LazyRegex(r"0(?:\.[0-9]*)?|1(?:\.0*)?")
_DIGITS_RE = _LazyRegex(r"[0-9]{1,19}")
_RANGE_SPEC_RE = _LazyRegex(r"([0-9]{0,19})\s*-\s*([0-9]{0,19})")
_CONTENT_RANGE_RE = _LazyRegex(r"bytes\s+(?:([0-9]{1,19})-([0-9]{1,19})|\*)/([0-9]{1,19}|\*)", re.I)
_ETAG_RE = _LazyRegex(r'(W/\s*)?(?:"([^"]*)"|([^\s,"]+))', re.I)
_ETAG_CHARACTERS_RE = _LazyRegex(r'[^"\x00-\x1f\x7f]*')
_COOKIE_OCTETS_RE = _LazyRegex(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
_COOKIE_ESCAPE_RE = _LazyRegex(rb"\\(?:([0-3][0-7][0-7])|(.))", re.S)
_COOKIE_ATTRIBUTE_VALUE_RE = _LazyRegex(r"[^\x00-\x1f\x7f;]*")
_DOMAIN_RE = _LazyRegex(r"[A-Za-z0-9._-]+")
_COOKIE_PATH_SAFE = "/%!$&'()*+,:=@~"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SAMESITE_VALUES = {"strict": "Strict", "lax": "Lax", "none": "None"}


# How each byte appears inside a quoted cookie value: itself, or an octal escape as Python writes.
_COOKIE_BYTE_ESCAPES = [
    chr(byte) if 0x20 <= byte < 0x7F and chr(byte) not in ',;"\\' else f"\\{byte:03o}"
    for byte in range(256)
]
_COOKIE_BYTE_ESCAPES[0x22], _COOKIE_BYTE_ESCAPES[0x5C] = '\\"', "\\\\"


# -- Bytes and text ----------------------------------------------------------------------------


def _to_bytes(value: Union[str, bytes]) -> bytes:
    """The raw bytes behind a WSGI string (latin-1 of the bytes); real text falls back to UTF-8."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def _decode_wsgi(value: str) -> str:
    """A WSGI string (bytes as latin-1, PEP 3333) read as UTF-8, bad bytes replaced; other text as is."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value


# -- Query strings (WHATWG URL: application/x-www-form-urlencoded) ----------------------------


def parse_query_string(
    qs: Union[str, bytes], max_pairs: Optional[int] = None
) -> list[tuple[str, str]]:
    """``a=1&b=x+y&c`` -> ``[("a", "1"), ("b", "x y"), ("c", "")]``.

    ``&`` is the only separator (never ``;``), ``+`` is a space, empty pairs are skipped.
    Malformed ``%`` escapes stay literal and bad UTF-8 becomes U+FFFD. Raises ``ValueError``
    when there are more than ``max_pairs`` pairs; the caller turns that into a 413.
    """
    pairs = []
    # NOTE(http): "+" becomes a space before "%" escapes are decoded, so "%2B" stays a plus.
    for part in _to_bytes(qs).replace(b"+", b" ").split(b"&"):
        if not part:
            continue
        if max_pairs is not None and len(pairs) >= max_pairs:
            raise ValueError(f"More than {max_pairs} fields in the query string or form.")
        name, _, value = part.partition(b"=")
        if b"%" in part:
            name, value = unquote_to_bytes(name), unquote_to_bytes(value)
        pairs.append((name.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
    return pairs


#: Form bodies use the same encoding as query strings.
parse_form_urlencoded = parse_query_string


# -- Quoting, lists and dicts (RFC 9110 section 5.6) --------------------------------------------


def quote_header_value(value: Any, allow_token: bool = True) -> str:
    """Quote ``value`` as a quoted string, unless it is a token and ``allow_token`` is set."""
    value = str(value)
    if allow_token and _TOKEN_RE.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unquote_header_value(value: str) -> str:
    """Strip the quotes of a quoted string and undo ``\\"`` and ``\\\\``; else return it unchanged.

    Other backslashes are kept, so a quoted Windows path such as ``"C:\\dir\\a.txt"`` survives.
    """
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    return _QUOTED_PAIR_RE.sub(r"\1", inner) if "\\" in inner else inner


def _split_items(pattern: re.Pattern, value: str) -> list[str]:
    """The stripped, non-empty items of ``value`` between separators outside quotes."""
    items = (item.strip() for item in pattern.findall(value))
    return [item for item in items if item]


def parse_list_header(value: Optional[str]) -> list[str]:
    """``a, "b, c", d`` -> ``["a", "b, c", "d"]`` (RFC 9110 section 5.6.1)."""
    if not value:
        return []
    return [unquote_header_value(item) for item in _split_items(_COMMA_ITEM_RE, value)]


def parse_set_header(value: Optional[str]) -> list[str]:
    """Like ``parse_list_header``, keeping only the first of items that differ only in case."""
    unique: dict[str, str] = {}
    for item in parse_list_header(value):
        unique.setdefault(item.lower(), item)
    return list(unique.values())


def _decode_extended_value(value: str) -> str:
    """RFC 8187 ``charset'lang'pct-encoded`` -> text; malformed or unknown charsets stay as sent."""
    parts = value.split("'", 2)
    if len(parts) != 3:
        return value
    try:
        return unquote(parts[2], encoding=parts[0] or "utf-8", errors="replace")
    except LookupError:
        return parts[2]


def _parse_parameter(item: str) -> tuple[str, Optional[str]]:
    """``k="v"`` -> ``("k", "v")``; ``k*=UTF-8''%C3%A9`` -> ``("k*", "é")``; ``k`` -> ``("k", None)``."""
    key, sep, raw = item.partition("=")
    if not sep:
        return unquote_header_value(key.strip()), None
    key, raw = key.strip(), unquote_header_value(raw.strip())
    return key, (_decode_extended_value(raw) if key.endswith("*") else raw)


def parse_dict_header(value: Optional[str]) -> dict[str, Optional[str]]:
    """``a=1, b="x, y", c`` -> ``{"a": "1", "b": "x, y", "c": None}``; the last duplicate wins."""
    result: dict[str, Optional[str]] = {}
    for item in _split_items(_COMMA_ITEM_RE, value or ""):
        key, raw = _parse_parameter(item)
        result[key[:-1] if raw is not None and key.endswith("*") else key] = raw
    return result


def dump_header(iterable: Union[Iterable[Any], Mapping[str, Any]]) -> str:
    """``["a", "b c"]`` -> ``a, "b c"``; ``{"a": None, "b": "x y"}`` -> ``a, b="x y"``."""
    if isinstance(iterable, Mapping):
        items = [
            key if value is None else f"{key}={quote_header_value(value)}"
            for key, value in iterable.items()
        ]
    else:
        items = [quote_header_value(item) for item in iterable]
    return ", ".join(items)


# -- Content-Type and Content-Disposition (RFC 9110 section 8.3.1, RFC 6266) -------------------


def _split_parameters(value: str) -> list[str]:
    """Split on ``;`` outside quoted strings; item 0 is what comes before the first ``;``."""
    if '"' not in value:
        return value.split(";")
    items = _SEMICOLON_ITEM_RE.findall(value)
    return [""] + items if value[0] == ";" else items


def parse_options_header(value: Optional[str]) -> tuple[str, dict[str, str]]:
    """``text/html; charset="utf-8"`` -> ``("text/html", {"charset": "utf-8"})``.

    The value and parameter names are lower-cased. ``name*=UTF-8''...`` is decoded and wins over
    a plain ``name=`` whatever their order (RFC 6266 section 4.3). Never raises.
    """
    if not value:
        return "", {}
    items = _split_parameters(value)
    main = items[0].strip().lower()
    if not main:
        return "", {}
    plain: dict[str, str] = {}
    extended: dict[str, str] = {}
    for item in items[1:]:
        key, text = _parse_parameter(item)
        key = key.lower()
        # ``b=""`` is an empty value (a browser's ``filename=""`` for an empty file input);
        # a bare ``b=`` is malformed and dropped, as Werkzeug does.
        if text == "" and not item.partition("=")[2].strip().startswith('"'):
            continue
        if text is not None and _TOKEN_RE.fullmatch(key):
            if key.endswith("*"):
                extended[key[:-1]] = text
            else:
                plain[key] = text
    plain.update(extended)
    return main, plain


def dump_options_header(header: Optional[str], options: Mapping[str, Any]) -> str:
    """``("text/html", {"charset": "utf-8"})`` -> ``text/html; charset=utf-8``.

    ``None`` options are left out; non-ASCII values are sent as ``key*=UTF-8''...`` (RFC 8187).
    """
    parts = [header] if header else []
    for key, value in options.items():
        if value is None:
            continue
        value = str(value)
        if value.isascii():
            parts.append(f"{key}={quote_header_value(value)}")
        else:
            parts.append(f"{key}*=UTF-8''{quote(value, safe='')}")
    return "; ".join(parts)


# -- Accept-* (RFC 9110 section 12.5) -----------------------------------------------------------


def _parse_accept_item(item: str) -> Optional[tuple[str, float]]:
    """``text/html;level=1;q=0.5`` -> ``("text/html; level=1", 0.5)``; None if the q is invalid."""
    segments = _split_items(_SEMICOLON_ITEM_RE, item)
    quality: Optional[float] = 1
    params = []
    for segment in segments[1:]:
        key, sep, raw = segment.partition("=")
        if sep and key.strip().lower() == "q":
            quality = float(raw) if _QUALITY_RE.fullmatch(raw.strip()) else None
        else:
            params.append(segment)
    if quality is None or not segments or item.startswith(";"):
        return None
    return "; ".join(segments[:1] + params), quality


def parse_accept_header(value: Optional[str], cls: Optional[type] = None) -> Any:
    """``text/html, */*;q=0.1`` -> ``cls([("text/html", 1), ("*/*", 0.1)])`` (default ``Accept``).

    Entries with a malformed q are skipped; ``q=0`` entries are kept (they say "not this").
    """
    pairs = []
    for item in _split_items(_COMMA_ITEM_RE, value or ""):
        entry = _parse_accept_item(item)
        if entry is not None:
            pairs.append(entry)
    return (cls or Accept)(pairs)


def parse_cache_control_header(
    value: Optional[str], on_update: Any = None, cls: Optional[type] = None
) -> Any:
    """``no-cache, max-age=60`` -> ``cls({"no-cache": None, "max-age": "60"}, on_update)``.

    Directive names are case-insensitive (RFC 9111 section 5.2), so they are lower-cased.
    """
    directives = {key.lower(): raw for key, raw in parse_dict_header(value).items()}
    return (cls or RequestCacheControl)(directives, on_update)


# -- ETags (RFC 9110 section 8.8.3) --------------------------------------------------------------


def quote_etag(etag: str, weak: bool = False) -> str:
    """``abc`` -> ``"abc"`` (or ``W/"abc"``). Raises ValueError for quotes or control characters."""
    if not _ETAG_CHARACTERS_RE.fullmatch(etag):
        raise ValueError(f"Invalid ETag {etag!r}: it may not contain '\"' or control characters.")
    return f'W/"{etag}"' if weak else f'"{etag}"'


def unquote_etag(etag: Optional[str]) -> tuple[Optional[str], Optional[bool]]:
    """``W/"abc"`` -> ``("abc", True)``; ``None`` -> ``(None, None)``."""
    if etag is None:
        return None, None
    etag = etag.strip()
    weak = etag[:2] in ("W/", "w/")
    if weak:
        etag = etag[2:].lstrip()
    if len(etag) >= 2 and etag[0] == etag[-1] == '"':
        etag = etag[1:-1]
    return etag, weak


def parse_etags(value: Optional[str]) -> ETags:
    """``"a", W/"b"`` -> ``ETags(["a"], ["b"], False)``; ``*`` -> a star ETags matching anything."""
    strong: list[str] = []
    weak: list[str] = []
    for match in _ETAG_RE.finditer(value or ""):
        is_weak, quoted, bare = match.groups()
        if bare == "*" and not is_weak:
            return ETags([], [], True)
        (weak if is_weak else strong).append(quoted if quoted is not None else bare)
    return ETags(strong, weak, False)


def generate_etag(data: bytes) -> str:
    """A strong ETag for a body: its SHA-1 in hex (a fingerprint, not a security measure)."""
    import hashlib

    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def parse_if_range(value: Optional[str]) -> tuple[Optional[str], Optional[datetime]]:
    """If-Range (RFC 9110 section 13.1.5) -> ``(etag, None)`` or ``(None, date)``.

    A weak ETag never matches there, so it is returned as sent (``W/"abc"``) to fail any compare.
    """
    if not value:
        return None, None
    when = parse_date(value)
    if when is not None:
        return None, when
    etag, weak = unquote_etag(value)
    return (value.strip() if weak else etag), None


# -- Dates (RFC 9110 section 5.6.7) -------------------------------------------------------------


def _to_utc_datetime(value: Union[datetime, date, int, float]) -> datetime:
    """A timestamp, naive (taken as UTC) or aware datetime, or a date -> an aware UTC datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return datetime.fromtimestamp(value, timezone.utc)


def http_date(timestamp: Union[datetime, date, int, float, None] = None) -> str:
    """IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``; ``None`` means now.

    Names are written out by hand: ``strftime`` would follow the process locale.
    """
    moment = _to_utc_datetime(time.time() if timestamp is None else timestamp)
    return (
        f"{_WEEKDAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
        f"{moment.year:04d} {moment:%H:%M:%S} GMT"
    )


def parse_date(value: Optional[str]) -> Optional[datetime]:
    """An IMF-fixdate, RFC 850 or asctime date -> an aware UTC datetime; None when invalid.

    ``email.utils.parsedate_tz`` reads all three formats (and numeric zones, converted to UTC).
    """
    if not value:
        return None
    from email.utils import parsedate_tz  # imported on first use: it pulls in socket and more

    fields = parsedate_tz(value.strip())
    if fields is None:
        return None
    try:
        moment = datetime(*fields[:6], tzinfo=timezone.utc)
        return moment - timedelta(seconds=fields[9] or 0)
    except (ValueError, OverflowError):
        return None


def parse_age(value: Optional[str]) -> Optional[timedelta]:
    """Age / delta-seconds (RFC 9111 section 1.2.2): ``"60"`` -> ``timedelta(seconds=60)``."""
    seconds = parse_content_length(value)  # delta-seconds is 1*DIGIT, as Content-Length
    if seconds is None:
        return None
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None


def dump_age(age: Union[timedelta, int, None] = None) -> Optional[str]:
    """``timedelta(minutes=1)`` or ``60`` -> ``"60"``; ``None`` -> ``None``."""
    if age is None:
        return None
    seconds = int(age.total_seconds()) if isinstance(age, timedelta) else int(age)
    if seconds < 0:
        raise ValueError(f"An age cannot be negative, got {seconds} seconds.")
    return str(seconds)


def parse_content_length(value: Optional[str]) -> Optional[int]:
    """Content-Length (RFC 9110 section 8.6): ASCII digits only (no sign, no Unicode digit)."""
    # NOTE(http): 20+ digits is beyond any real size, so it is invalid rather than a huge int.
    match = _DIGITS_RE.fullmatch(value.strip()) if value else None
    return int(match.group()) if match else None


# -- Ranges (RFC 9110 section 14, RFC 7233) ------------------------------------------------------


def _parse_range_spec(spec: str) -> Optional[tuple[int, Optional[int]]]:
    """``0-499`` -> ``(0, 500)``, ``500-`` -> ``(500, None)``, ``-500`` -> ``(-500, None)``."""
    match = _RANGE_SPEC_RE.fullmatch(spec.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first:
        length = int(last) if last else 0
        return (-length, None) if length else None
    start = int(first)
    if not last:
        return start, None
    stop = int(last) + 1
    return (start, stop) if stop > start else None


def parse_range_header(value: Optional[str], make_inclusive: bool = True) -> Optional[Range]:
    """``bytes=0-499,-500`` -> ``Range("bytes", [(0, 500), (-500, None)])``; None when invalid.

    Stops are exclusive. Ranges must ascend without overlapping, and at most ``MAX_RANGES`` are
    read (RFC 9110 section 14.2 lets a server ignore a Range header that asks for more).
    ``make_inclusive`` is accepted for Werkzeug compatibility and has no effect.
    """
    if not value:
        return None
    units, sep, specs = value.partition("=")
    parts = specs.split(",")
    if not sep or units.strip().lower() != "bytes" or len(parts) > MAX_RANGES:
        return None
    ranges = []
    lowest_next_start = 0
    for part in parts:
        bounds = _parse_range_spec(part)
        if bounds is None:
            return None
        start, stop = bounds
        if start >= 0:
            if start < lowest_next_start:
                return None
            lowest_next_start = stop if stop is not None else float("inf")
        ranges.append(bounds)
    return Range("bytes", ranges)


def parse_content_range_header(value: Optional[str]) -> Optional[ContentRange]:
    """``bytes 0-499/1234`` -> ``ContentRange("bytes", 0, 500, 1234)``; ``bytes */1234`` too."""
    match = _CONTENT_RANGE_RE.fullmatch((value or "").strip())
    if not match:
        return None
    first, last, total = match.groups()
    length = None if total == "*" else int(total)
    if first is None:
        return None if length is None else ContentRange("bytes", None, None, length)
    start, stop = int(first), int(last) + 1
    if stop <= start or (length is not None and stop > length):
        return None
    return ContentRange("bytes", start, stop, length)


def parse_authorization_header(value: Optional[str]) -> Optional[Authorization]:
    """Authorization (RFC 9110 section 11.6.2) -> ``Authorization`` or None; see that class."""
    return Authorization.from_header(value) if value else None


# -- Conditional requests (RFC 9110 section 13) --------------------------------------------------


def _last_modified_utc(value: Union[datetime, str, None]) -> Optional[datetime]:
    """Last-Modified as an aware datetime to the second (HTTP dates carry no fractions)."""
    if value is None:
        return None
    if isinstance(value, str):
        return parse_date(value)
    return _to_utc_datetime(value).replace(microsecond=0)


def _if_range_fails(environ: Mapping[str, Any], etag: Optional[str], last_modified: Any) -> bool:
    """True when a Range request's If-Range validator no longer matches (send the full body).

    RFC 9110 section 13.1.5: a date must equal Last-Modified exactly, and an entity tag must
    match strongly (neither side weak); Werkzeug also accepts later dates and weak tags.
    """
    if "HTTP_RANGE" not in environ or not environ.get("HTTP_IF_RANGE"):
        return False
    range_etag, range_date = parse_if_range(environ["HTTP_IF_RANGE"])
    if range_date is not None:
        return _last_modified_utc(last_modified) != range_date
    current, weak = unquote_etag(etag)
    return weak or current is None or current != range_etag


def is_resource_modified(
    environ: Mapping[str, Any],
    etag: Optional[str] = None,
    data: Optional[bytes] = None,
    last_modified: Union[datetime, str, None] = None,
    ignore_if_range: bool = True,
) -> bool:
    """False when the client's cached copy is current, so a 304 may be sent.

    RFC 9110 section 13.2.2 order: If-None-Match (weak comparison) decides when present, and
    only otherwise If-Modified-Since. With ``ignore_if_range=False``, a failing If-Range means
    modified. ``data`` stands for the body when no ``etag`` is given. If-Match and
    If-Unmodified-Since are preconditions for 412, not freshness, so they are not read here.
    """
    if etag is None and data is not None:
        etag = generate_etag(data)
    if not ignore_if_range and _if_range_fails(environ, etag, last_modified):
        return True
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        tags = parse_etags(if_none_match)
        current, _ = unquote_etag(etag)
        return current is None or not (tags.star_tag or tags.contains_weak(current))
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    modified = _last_modified_utc(last_modified)
    return since is None or modified is None or modified > since


# -- Cookies (RFC 6265) ---------------------------------------------------------------------------


def _unquote_cookie_value(value: bytes) -> bytes:
    """``"a\\"b\\073"`` -> ``a"b;``: quotes removed, backslash and octal escapes undone."""
    if len(value) < 2 or value[:1] != b'"' or value[-1:] != b'"':
        return value
    inner = value[1:-1]
    return _COOKIE_ESCAPE_RE.sub(_replace_cookie_escape, inner) if b"\\" in inner else inner


def _replace_cookie_escape(match: re.Match) -> bytes:
    octal, char = match.groups()
    return bytes([int(octal, 8)]) if octal else char


def parse_cookie(header: Union[str, bytes, None], cls: Optional[type] = None) -> MultiDict:
    """``a=1; b="x y"`` -> ``MultiDict([("a", "1"), ("b", "x y")])``; never raises.

    Pairs split on the first ``=``; a pair without ``=`` or with an empty name is skipped, so
    ``=__Host-x=evil`` cannot pose as a ``__Host-`` cookie.
    """
    pairs = []
    for chunk in _to_bytes(header or b"").split(b";"):
        name, sep, value = chunk.partition(b"=")
        name = name.strip()
        if sep and name:
            value = _unquote_cookie_value(value.strip())
            pairs.append((name.decode("utf-8", "replace"), value.decode("utf-8", "replace")))
    return (cls or MultiDict)(pairs)


def _quote_cookie_value(value: str) -> str:
    """Values outside RFC 6265's cookie-octet set are quoted with octal escapes, as Python does."""
    if _COOKIE_OCTETS_RE.fullmatch(value):
        return value
    return '"' + "".join(_COOKIE_BYTE_ESCAPES[byte] for byte in value.encode("utf-8")) + '"'


@lru_cache(maxsize=64)
def _quote_cookie_path(path: str) -> str:
    # NOTE(http): an app sets cookies on a handful of paths, so each is percent-encoded once.
    return quote(path, safe=_COOKIE_PATH_SAFE)


@lru_cache(maxsize=64)
def _check_cookie_key(key: str) -> None:
    if not _TOKEN_RE.fullmatch(key):
        raise ValueError(
            f"Invalid cookie name {key!r}: a name must be a token, without spaces, control"
            " characters or separators such as ';', '=' or ','."
        )


def _dump_cookie_domain(domain: str) -> str:
    """A leading dot is dropped (RFC 6265 section 5.2.3); non-ASCII names are IDNA-encoded."""
    domain = domain.lstrip(".")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise ValueError(f"Invalid cookie domain {domain!r}: {e}") from e
    if not _DOMAIN_RE.fullmatch(domain):
        raise ValueError(f"Invalid cookie domain {domain!r}: use a host name such as example.com.")
    return domain


def _dump_cookie_expires(expires: Union[datetime, date, int, float, str]) -> str:
    if not isinstance(expires, str):
        return http_date(expires)
    if not _COOKIE_ATTRIBUTE_VALUE_RE.fullmatch(expires):
        raise ValueError(f"Invalid cookie expires {expires!r}: it may not hold ';' or newlines.")
    return expires


def _dump_samesite(samesite: Optional[str]) -> Optional[str]:
    if samesite is None:
        return None
    value = _SAMESITE_VALUES.get(str(samesite).lower())
    if value is None:
        raise ValueError(f"SameSite must be 'Strict', 'Lax' or 'None', not {samesite!r}.")
    return value


def _warn_if_cookie_too_large(key: str, header: str, max_size: int) -> None:
    size = len(header.encode("utf-8"))
    if max_size and size > max_size:
        warnings.warn(
            f"The {key!r} cookie is too large: the Set-Cookie header is {size} bytes, over the"
            f" {max_size}-byte limit. Browsers may silently ignore it.",
            stacklevel=3,
        )


def dump_cookie(
    key: str,
    value: str = "",
    max_age: Union[timedelta, int, None] = None,
    expires: Union[datetime, date, int, float, str, None] = None,
    path: Optional[str] = "/",
    domain: Optional[str] = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: Optional[str] = None,
    partitioned: bool = False,
    max_size: int = COOKIE_MAX_SIZE,
) -> str:
    """A ``Set-Cookie`` header value (RFC 6265 section 4.1), e.g. ``sid=abc; HttpOnly; Path=/``.

    ``max_age`` also sets ``Expires`` (for old clients) unless ``expires`` is given;
    ``partitioned`` implies ``secure`` (CHIPS requires it). Raises ValueError for a name that is
    not a token, a bad domain or expires string, or a SameSite other than Strict/Lax/None.
    """
    _check_cookie_key(key)
    if isinstance(max_age, timedelta):
        max_age = int(max_age.total_seconds())
    elif max_age is not None:
        max_age = int(max_age)
    if expires is None and max_age is not None:
        expires = time.time() + max_age
    attributes = [f"{key}={_quote_cookie_value(value)}"]
    if domain:
        attributes.append(f"Domain={_dump_cookie_domain(domain)}")
    if expires is not None:
        attributes.append(f"Expires={_dump_cookie_expires(expires)}")
    if max_age is not None:
        attributes.append(f"Max-Age={max_age}")
    if secure or partitioned:
        attributes.append("Secure")
    if httponly:
        attributes.append("HttpOnly")
    if path is not None:
        attributes.append(f"Path={_quote_cookie_path(path)}")
    if samesite is not None:
        attributes.append(f"SameSite={_dump_samesite(samesite)}")
    if partitioned:
        attributes.append("Partitioned")
    header = "; ".join(attributes)
    if max_size and len(header) * 4 > max_size:  # a UTF-8 character takes at most 4 bytes
        _warn_if_cookie_too_large(key, header, max_size)
    return header
