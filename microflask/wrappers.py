"""Request and Response objects over a WSGI environ (the role of ``werkzeug.wrappers``).

``Request(environ)`` costs one attribute store: every property (``args``, ``headers``, ``form``,
``cookies``, ``json``...) is parsed from the environ the first time it is read and cached on the
instance, so a view that reads nothing parses nothing. ``Response`` holds a status, ``Headers`` and
an iterable of bytes; calling it as a WSGI app (PEP 3333) sends it. Header parsing and formatting
live in ``http``; the request body is read through ``formparser`` with the size limits enforced
while reading.

Does not: know about the app, its config or the context globals; the app layer passes limits in.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import quote

from . import http
from .datastructures import (
    CombinedMultiDict,
    EnvironHeaders,
    Headers,
    HeaderSet,
    ImmutableList,
    ImmutableMultiDict,
    MultiDict,
)
from .exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from .formparser import FormDataParser, LimitedStream, default_stream_factory, get_content_length

#: Characters left unquoted when a decoded path is turned back into a URL (RFC 3986 pchar + "/").
_PATH_SAFE = "/:@!$&'()*+,;=%"
#: Marks a JSON cache slot that holds no result yet (None is a valid JSON result).
_NOT_LOADED = object()


class _StdlibJSON:
    """The default ``json_module``: the stdlib ``json``, imported when first used.

    # NOTE(wrappers): importing json costs about 3 ms, a sixth of ``import microflask``; an app
    # hands its requests its own JSON provider anyway.
    """

    @staticmethod
    def loads(s: Any, **kwargs: Any) -> Any:
        import json

        return json.loads(s, **kwargs)

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        import json

        return json.dumps(obj, **kwargs)


class cached_property:  # noqa: N801 - named like functools.cached_property, which it replaces
    """A lock-free ``functools.cached_property``: computed on first read, then a plain attribute.

    # NOTE(wrappers): functools' version takes a lock on every first access before 3.12; a
    # request lives in one thread, so the lock is pure cost on the hot path.
    """

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__
        self._named = False

    def __set_name__(self, owner: type, name: str) -> None:
        # NOTE(wrappers): an alias (``input_stream = stream``) calls this a second time; keeping
        # the first name gives both names one cached value instead of a fresh one per read.
        if not self._named:
            self.name, self._named = name, True

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        cache = instance.__dict__
        if self.name in cache:  # read through an alias
            return cache[self.name]
        value = cache[self.name] = self.function(instance)
        return value


class UserAgent:
    """The ``User-Agent`` header; ``str(ua)`` is the raw string. Browser sniffing is not offered."""

    def __init__(self, string: str) -> None:
        self.string = string

    def __str__(self) -> str:
        return self.string

    def __bool__(self) -> bool:
        return bool(self.string)

    def __repr__(self) -> str:
        return f"<UserAgent {self.string!r}>"


class Request:
    """The incoming HTTP request, parsed lazily from a WSGI ``environ``."""

    #: Class used for ``args``, ``form`` and ``values``.
    parameter_storage_class = ImmutableMultiDict
    #: Class used for ``cookies``.
    dict_storage_class = ImmutableMultiDict
    #: Module or provider with ``loads`` used by ``get_json``; the app sets its JSON provider.
    json_module: Any = _StdlibJSON
    #: Limits, ``None`` meaning unlimited. The app sets them from MAX_CONTENT_LENGTH,
    #: MAX_FORM_MEMORY_SIZE and MAX_FORM_PARTS; they may also be set on one request.
    max_content_length: Optional[int] = None
    max_form_memory_size: Optional[int] = 500_000
    max_form_parts: Optional[int] = 1_000
    #: In debug mode (set by the app), a missing ``files`` key that arrived as a form field
    #: raises ``debughelpers.DebugFilesKeyError``, which explains the missing enctype.
    debug_form_errors: bool = False
    #: Parses urlencoded and multipart bodies; ``make_form_data_parser`` configures it.
    form_data_parser_class: type = FormDataParser
    #: Filled in by the app after URL matching.
    url_rule: Any = None
    view_args: Optional[dict] = None
    routing_exception: Optional[Exception] = None

    def __init__(self, environ: dict, populate_request: bool = True, shallow: bool = False) -> None:
        self.environ = environ
        #: The request method, upper-cased (every request is dispatched on it, so it is not lazy).
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        self.shallow = shallow
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    def __repr__(self) -> str:
        try:
            return f"<{type(self).__name__} {self.url!r} [{self.method}]>"
        except Exception as e:  # noqa: BLE001 - repr must never fail
            return f"<{type(self).__name__} (invalid WSGI environ: {e})>"

    # -- The URL -------------------------------------------------------------------------------

    @cached_property
    def scheme(self) -> str:
        return self.environ.get("wsgi.url_scheme", "http")

    @property
    def is_secure(self) -> bool:
        return self.scheme in ("https", "wss")

    @cached_property
    def host(self) -> str:
        """Host and port as the client named them (port dropped when it is the scheme's default)."""
        environ = self.environ
        host = environ.get("HTTP_HOST")
        if not host:
            host = f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"
        return _strip_default_port(host, self.scheme)

    @cached_property
    def root_path(self) -> str:
        return http._decode_wsgi(self.environ.get("SCRIPT_NAME", "")).rstrip("/")

    script_root = root_path

    @cached_property
    def path(self) -> str:
        return "/" + http._decode_wsgi(self.environ.get("PATH_INFO", "")).lstrip("/")

    @cached_property
    def query_string(self) -> bytes:
        return self.environ.get("QUERY_STRING", "").encode("latin-1", "replace")

    @cached_property
    def full_path(self) -> str:
        return f"{self.path}?{self.query_string.decode('latin-1')}"

    @cached_property
    def host_url(self) -> str:
        return f"{self.scheme}://{self.host}/"

    @cached_property
    def root_url(self) -> str:
        return f"{self.scheme}://{self.host}{quote(self.root_path, _PATH_SAFE)}/"

    url_root = root_url

    @cached_property
    def base_url(self) -> str:
        path = quote(self.root_path + self.path, _PATH_SAFE)
        return f"{self.scheme}://{self.host}{path}"

    @cached_property
    def url(self) -> str:
        query = self.environ.get("QUERY_STRING", "")
        return f"{self.base_url}?{query}" if query else self.base_url

    # -- Headers and parsed headers ------------------------------------------------------------

    @cached_property
    def headers(self) -> EnvironHeaders:
        return EnvironHeaders(self.environ)

    @cached_property
    def args(self) -> ImmutableMultiDict:
        """The query string as a MultiDict: ``&`` separates, ``+`` is a space."""
        pairs = http.parse_query_string(self.environ.get("QUERY_STRING", ""))
        return self.parameter_storage_class(pairs)

    @cached_property
    def cookies(self) -> ImmutableMultiDict:
        return http.parse_cookie(self.environ.get("HTTP_COOKIE"), self.dict_storage_class)

    @cached_property
    def _parsed_content_type(self) -> tuple[str, dict[str, str]]:
        return http.parse_options_header(self.environ.get("CONTENT_TYPE", ""))

    @property
    def content_type(self) -> Optional[str]:
        return self.environ.get("CONTENT_TYPE") or None

    @property
    def mimetype(self) -> str:
        return self._parsed_content_type[0]

    @property
    def mimetype_params(self) -> dict[str, str]:
        return self._parsed_content_type[1]

    @cached_property
    def content_length(self) -> Optional[int]:
        return get_content_length(self.environ)

    @property
    def remote_addr(self) -> Optional[str]:
        return self.environ.get("REMOTE_ADDR")

    @cached_property
    def access_route(self) -> ImmutableList:
        """Client addresses from ``X-Forwarded-For`` (client first), else ``[remote_addr]``."""
        forwarded = self.environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            return ImmutableList(part.strip() for part in forwarded.split(",") if part.strip())
        return ImmutableList([self.remote_addr] if self.remote_addr else [])

    @cached_property
    def user_agent(self) -> UserAgent:
        return UserAgent(self.environ.get("HTTP_USER_AGENT", ""))

    @cached_property
    def authorization(self) -> Any:
        return http.parse_authorization_header(self.environ.get("HTTP_AUTHORIZATION"))

    @cached_property
    def accept_mimetypes(self) -> Any:
        from .datastructures import MIMEAccept

        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT"), MIMEAccept)

    @cached_property
    def accept_languages(self) -> Any:
        from .datastructures import LanguageAccept

        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)

    @cached_property
    def accept_charsets(self) -> Any:
        from .datastructures import CharsetAccept

        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_CHARSET"), CharsetAccept)

    @cached_property
    def accept_encodings(self) -> Any:
        return http.parse_accept_header(self.environ.get("HTTP_ACCEPT_ENCODING"))

    @cached_property
    def cache_control(self) -> Any:
        return http.parse_cache_control_header(self.environ.get("HTTP_CACHE_CONTROL"))

    @cached_property
    def if_modified_since(self) -> Any:
        return http.parse_date(self.environ.get("HTTP_IF_MODIFIED_SINCE"))

    @cached_property
    def if_unmodified_since(self) -> Any:
        return http.parse_date(self.environ.get("HTTP_IF_UNMODIFIED_SINCE"))

    @cached_property
    def if_none_match(self) -> Any:
        return http.parse_etags(self.environ.get("HTTP_IF_NONE_MATCH"))

    @cached_property
    def if_match(self) -> Any:
        return http.parse_etags(self.environ.get("HTTP_IF_MATCH"))

    @cached_property
    def range(self) -> Any:
        return http.parse_range_header(self.environ.get("HTTP_RANGE"))

    @property
    def referrer(self) -> Optional[str]:
        return self.environ.get("HTTP_REFERER")

    @property
    def origin(self) -> Optional[str]:
        return self.environ.get("HTTP_ORIGIN")

    @cached_property
    def date(self) -> Any:
        return http.parse_date(self.environ.get("HTTP_DATE"))

    # -- Routing results (set by the app) ------------------------------------------------------

    @property
    def endpoint(self) -> Optional[str]:
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprints(self) -> list[str]:
        """The current blueprint and its parents, innermost first (``a.b`` -> ``['a.b', 'a']``)."""
        endpoint = self.endpoint
        if endpoint is None or "." not in endpoint:
            return []
        name = endpoint.rpartition(".")[0]
        parts = name.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts) - 1, -1, -1)]

    @property
    def blueprint(self) -> Optional[str]:
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    # -- The body ------------------------------------------------------------------------------

    def _check_content_length(self) -> None:
        limit = self.max_content_length
        length = self.content_length
        if limit is not None and length is not None and length > limit:
            raise RequestEntityTooLarge(
                f"The request body is {length} bytes; this server accepts at most {limit}."
            )

    @cached_property
    def stream(self) -> LimitedStream:
        """The body as a file-like object that never reads past the body or the size limit."""
        self._check_content_length()
        return LimitedStream.from_environ(self.environ, self.content_length, self.max_content_length)

    input_stream = stream

    def get_data(self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False) -> Any:
        """The raw body (bytes, or str with ``as_text``), read once and cached."""
        data = self.__dict__.get("_cached_data")
        if data is None:
            if parse_form_data:
                self._load_form_data()
            data = self.stream.read()
            if cache:
                self.__dict__["_cached_data"] = data
        return data.decode("utf-8", "replace") if as_text else data

    @property
    def data(self) -> bytes:
        return self.get_data(parse_form_data=True)

    def _get_file_stream(self, total_content_length: Optional[int], content_type: Optional[str],
                         filename: Optional[str] = None,
                         content_length: Optional[int] = None) -> Any:
        """Where one uploaded file is written; override to store uploads elsewhere."""
        return default_stream_factory(total_content_length, content_type, filename, content_length)

    def make_form_data_parser(self) -> FormDataParser:
        """The parser for this request's body, holding its limits."""
        return self.form_data_parser_class(
            self._get_file_stream,
            self.max_form_memory_size,
            self.max_content_length,
            self.parameter_storage_class,
            max_form_parts=self.max_form_parts,
        )

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if "_cached_data" in self.__dict__:
            stream = LimitedStream.from_bytes(self.__dict__["_cached_data"])
        else:
            self._check_content_length()
            stream = self.stream
        parser = self.make_form_data_parser()
        try:
            _, form, files = parser.parse(stream, self.mimetype, self.content_length, self.mimetype_params)
        except BaseException:
            # NOTE(formparser): a body that failed to parse reads as an empty form afterwards
            # (e.g. in the 413 handler) instead of re-reading a half-consumed stream.
            self.__dict__["form"] = self.__dict__["files"] = self.parameter_storage_class()
            raise
        self.__dict__["form"] = form
        self.__dict__["files"] = files
        if self.debug_form_errors and not files and self.mimetype != "multipart/form-data":
            from .debughelpers import attach_enctype_error_multidict

            # request.files["photo"] of a form sent without enctype="multipart/form-data" says so
            attach_enctype_error_multidict(self)

    @property
    def form(self) -> ImmutableMultiDict:
        """Form fields of a urlencoded or multipart body."""
        self._load_form_data()
        return self.__dict__["form"]

    @property
    def files(self) -> ImmutableMultiDict:
        """Uploaded files of a multipart body (name -> FileStorage)."""
        self._load_form_data()
        return self.__dict__["files"]

    @cached_property
    def values(self) -> CombinedMultiDict:
        """``args`` and ``form`` combined (``form`` only counts for non-GET requests)."""
        sources = [self.args]
        if self.method != "GET":
            sources.append(self.form)
        return CombinedMultiDict(sources)

    # -- JSON ----------------------------------------------------------------------------------

    @property
    def is_json(self) -> bool:
        mimetype = self.mimetype
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    @property
    def json(self) -> Any:
        """The parsed JSON body; 415 when the body is not JSON, 400 when it is invalid."""
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """Parse the body as JSON; see ``json``. ``silent`` returns None instead of raising."""
        # NOTE(wrappers): the cache holds (normal, silent) results; a silent failure caches only
        # its None, so a later non-silent call still raises the 400.
        cached = self.__dict__.get("_cached_json", (_NOT_LOADED, _NOT_LOADED))
        if cache and cached[silent] is not _NOT_LOADED:
            return cached[silent]
        if not (force or self.is_json):
            if silent:
                return None
            return self.on_json_loading_failed(None)
        # NOTE(wrappers): deeply nested arrays exhaust the decoder's recursion; still a bad body.
        try:
            value = self.json_module.loads(self.get_data(cache=cache))
        except (ValueError, RecursionError) as e:
            if not silent:
                return self.on_json_loading_failed(e)
            if cache:
                self.__dict__["_cached_json"] = (cached[0], None)
            return None
        if cache:
            self.__dict__["_cached_json"] = (value, value)
        return value

    def on_json_loading_failed(self, error: Optional[Exception]) -> Any:
        """Called when the body is not (valid) JSON. Raises 400 or 415; override to change."""
        if error is not None:
            raise BadRequest(f"Failed to decode JSON object: {error}") from error
        raise UnsupportedMediaType(
            "Did not attempt to load JSON data because the request Content-Type was not"
            " 'application/json'."
        )

    def close(self) -> None:
        """Close uploaded files of this request."""
        files = self.__dict__.get("files")
        if files:
            for _, storage in files.items(multi=True):
                storage.close()

    def __enter__(self) -> Request:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _preconditions_hold(response: Response, environ: dict) -> bool:
    """If-Match and If-Unmodified-Since (RFC 9110 section 13.1.1, 13.1.4)."""
    etag, weak = response.get_etag()
    if_match = environ.get("HTTP_IF_MATCH")
    if if_match:
        tags = http.parse_etags(if_match)
        return bool(tags.star_tag or (etag is not None and not weak and tags.is_strong(etag)))
    since = http.parse_date(environ.get("HTTP_IF_UNMODIFIED_SINCE"))
    modified = http.parse_date(response.headers.get("Last-Modified"))
    return since is None or modified is None or modified <= since


def _select_body_range(body: Any, start: int, stop: int, charset: str) -> Any:
    """The body cut to bytes ``[start, stop)``: a body with ``select_range`` (a file) seeks there
    itself; any other iterable is read through, and closing the result closes ``body``."""
    select_range = getattr(body, "select_range", None)
    if select_range is not None:
        select_range(start, stop)
        return body
    return ClosingIterator(_cut_chunks(body, start, stop, charset), getattr(body, "close", _do_nothing))


def _cut_chunks(body: Iterable[Any], start: int, stop: int, charset: str) -> Iterator[bytes]:
    """Yield the bytes of ``body``'s chunks from offset ``start`` up to ``stop``."""
    position = 0
    for chunk in body:
        if isinstance(chunk, str):
            chunk = chunk.encode(charset)
        end = position + len(chunk)
        if end > start:
            piece = chunk[max(0, start - position):stop - position]
            if piece:
                yield piece
        position = end
        if position >= stop:
            return


def _do_nothing() -> None:
    return None


def _strip_default_port(host: str, scheme: str) -> str:
    if host.endswith(":80") and scheme in ("http", "ws"):
        return host[:-3]
    if host.endswith(":443") and scheme in ("https", "wss"):
        return host[:-4]
    return host


def _header_property(name: str, doc: str, load: Callable[[str], Any] = str,
                     dump: Callable[[Any], str] = str) -> property:
    """A response property that reads and writes one header, converting on the way."""

    def getter(self: Response) -> Any:
        value = self.headers.get(name)
        return None if value is None else load(value)

    def setter(self: Response, value: Any) -> None:
        if value is None:
            self.headers.pop(name, None)
        else:
            self.headers[name] = dump(value)

    return property(getter, setter, doc=doc)


def _dump_date(value: Any) -> str:
    return value if isinstance(value, str) else http.http_date(value)


class _LiveHeaderSet(HeaderSet):
    """The tokens of one header of a ``Headers``, written back to it after every change."""

    def __init__(self, headers: Headers, name: str) -> None:
        value = headers.get(name)
        self._headers = http.parse_set_header(value) if value else []
        self._target, self._name = headers, name

    @staticmethod
    def on_update(header_set: _LiveHeaderSet) -> None:  # type: ignore[override]
        # NOTE(wrappers): a method on the class, not a closure made by each ``response.vary``
        # read; HeaderSet calls ``self.on_update(self)``, hence the static method.
        value = header_set.to_header()
        if value:
            header_set._target.set(header_set._name, value)
        else:
            header_set._target.pop(header_set._name, None)


def _header_set_property(name: str, doc: str) -> property:
    """A response property holding a token list header (Vary, Allow) as a live ``HeaderSet``:
    ``response.vary.add("Cookie")`` rewrites the header."""

    def getter(self: Response) -> HeaderSet:
        return _LiveHeaderSet(self.headers, name)

    def setter(self: Response, value: Any) -> None:
        if not value:
            self.headers.pop(name, None)
        else:
            self.headers[name] = _dump_list(value)

    return property(getter, setter, doc=doc)


def _dump_list(value: Any) -> str:
    return value if isinstance(value, str) else ", ".join(value)


class Response:
    """An HTTP response: ``status``, ``headers`` and a body of bytes, sendable as a WSGI app.

    The body may be a str, bytes, or any iterable of str/bytes (a generator is streamed).
    """

    charset = "utf-8"
    #: Functions ``call_on_close`` registered (a fresh list per response once one is added).
    _on_close: Any = ()
    default_status = 200
    default_mimetype: Optional[str] = "text/html"
    #: Set Content-Length automatically when the body is a sequence of known size.
    automatically_set_content_length = True
    #: Make relative Location headers absolute (RFC 9110 allows relative ones).
    autocorrect_location_header = False
    #: Module used by the ``json`` property to parse the body.
    json_module: Any = _StdlibJSON

    def __init__(
        self,
        response: Any = None,
        status: Any = None,
        headers: Any = None,
        mimetype: Optional[str] = None,
        content_type: Optional[str] = None,
        direct_passthrough: bool = False,
    ) -> None:
        if headers is None and content_type is None and mimetype is None and self.default_mimetype:
            # The common case, made cheap: a fresh header list holding the default type.
            content_type = _content_types.get(self.default_mimetype) or _content_type_with_charset(self.default_mimetype)
            self.headers = Headers._from_checked([("Content-Type", content_type)])
        else:
            self._init_headers(headers, mimetype, content_type)
        if status is None:
            self._status_code = self.default_status
            self._status = _status_lines.get(self.default_status) or _status_line(self.default_status)
        else:
            self.status = status
        self.direct_passthrough = direct_passthrough
        if response is None:
            self.response: Any = []
        elif isinstance(response, (str, bytes, bytearray)):
            self.set_data(response)
        else:
            self.response = response

    def _init_headers(self, headers: Any, mimetype: Optional[str], content_type: Optional[str]) -> None:
        if type(headers) is not Headers:
            headers = Headers(headers)
        self.headers = headers
        if content_type is not None or mimetype is not None:
            headers["Content-Type"] = content_type or _content_type_with_charset(mimetype)  # type: ignore[arg-type]
        elif self.default_mimetype and "content-type" not in headers:
            headers._replace("Content-Type", _content_type_with_charset(self.default_mimetype))

    def __repr__(self) -> str:
        body = f"{sum(map(len, self.response))} bytes" if self.is_sequence else "streamed"
        return f"<{type(self).__name__} {body} [{self.status}]>"

    # -- Status ----------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        """The status line, e.g. ``'404 NOT FOUND'``; set it to a string or an int."""
        return self._status

    @status.setter
    def status(self, value: Any) -> None:
        if isinstance(value, int):
            self.status_code = value
            return
        value = str(value).strip()
        if not value:
            raise ValueError("Empty status argument")
        code, _, reason = value.partition(" ")
        if not code.isdigit():
            raise ValueError(f"Invalid status {value!r}: it must start with a numeric code")
        self._status_code = int(code)
        self._status = value if reason else _status_line(self._status_code)

    @property
    def status_code(self) -> int:
        return self._status_code

    @status_code.setter
    def status_code(self, code: int) -> None:
        self._status_code = code
        self._status = _status_line(code)

    # -- Body --------------------------------------------------------------------------------------

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.response, (list, tuple))

    @property
    def is_streamed(self) -> bool:
        """True when the body's length is unknown (a generator or other iterator)."""
        return not self.is_sequence

    def set_data(self, value: Any) -> None:
        """Replace the body with one str/bytes value and set Content-Length."""
        if isinstance(value, str):
            value = value.encode(self.charset)
        else:
            value = bytes(value)
        self.response = [value]
        if self.automatically_set_content_length:
            self.headers._replace("Content-Length", str(len(value)))

    def get_data(self, as_text: bool = False) -> Any:
        """The whole body as bytes (or str); a streamed body is read and kept."""
        self._ensure_sequence()
        data = b"".join(self.iter_encoded())
        return data.decode(self.charset) if as_text else data

    data = property(get_data, set_data, doc="The body as bytes; assigning replaces it.")

    def _ensure_sequence(self) -> None:
        if not self.is_sequence:
            self.response = list(self.iter_encoded())

    def iter_encoded(self) -> Iterator[bytes]:
        """The body as bytes chunks, encoding str chunks with ``charset``."""
        charset = self.charset
        for item in self.response:
            yield item.encode(charset) if isinstance(item, str) else item

    def calculate_content_length(self) -> Optional[int]:
        if not self.is_sequence:
            return None
        return sum(len(item) for item in self.iter_encoded())

    @property
    def json(self) -> Any:
        return self.get_json()

    def get_json(self, force: bool = False, silent: bool = False) -> Any:
        """The body parsed as JSON (``None`` if not JSON and not ``force``)."""
        if not (force or self.is_json):
            return None
        try:
            return self.json_module.loads(self.get_data())
        except ValueError:
            if silent:
                return None
            raise

    @property
    def is_json(self) -> bool:
        mimetype = self.mimetype or ""
        return mimetype == "application/json" or (
            mimetype.startswith("application/") and mimetype.endswith("+json")
        )

    # -- Headers as properties ---------------------------------------------------------------

    @property
    def mimetype(self) -> Optional[str]:
        content_type = self.headers.get("Content-Type")
        return content_type.split(";")[0].strip().lower() if content_type else None

    @mimetype.setter
    def mimetype(self, value: str) -> None:
        self.headers["Content-Type"] = _content_type_with_charset(value)

    @property
    def mimetype_params(self) -> dict[str, str]:
        return http.parse_options_header(self.headers.get("Content-Type"))[1]

    content_type = _header_property("Content-Type", "The Content-Type header.")
    content_length = _header_property(
        "Content-Length", "The Content-Length header as an int.", int, str
    )
    location = _header_property("Location", "The Location header (redirects).")
    content_encoding = _header_property("Content-Encoding", "The Content-Encoding header.")
    content_language = _header_property("Content-Language", "The Content-Language header.")
    date = _header_property("Date", "The Date header.", http.parse_date, _dump_date)
    expires = _header_property("Expires", "The Expires header.", http.parse_date, _dump_date)
    last_modified = _header_property(
        "Last-Modified", "The Last-Modified header.", http.parse_date, _dump_date
    )
    retry_after = _header_property("Retry-After", "The Retry-After header.")
    vary = _header_set_property("Vary", "The Vary header; ``response.vary.add(name)`` updates it.")
    allow = _header_set_property("Allow", "The Allow header; ``response.allow.add(method)`` updates it.")
    accept_ranges = _header_property("Accept-Ranges", "The Accept-Ranges header.")
    access_control_allow_origin = _header_property(
        "Access-Control-Allow-Origin", "The Access-Control-Allow-Origin header."
    )

    @property
    def cache_control(self) -> Any:
        """The Cache-Control header as an object; changing it rewrites the header."""
        from .datastructures import ResponseCacheControl

        def on_update(control: Any) -> None:
            header = control.to_header()
            if header:
                self.headers["Cache-Control"] = header
            else:
                self.headers.pop("Cache-Control", None)

        return http.parse_cache_control_header(
            self.headers.get("Cache-Control"), on_update, ResponseCacheControl
        )

    @property
    def www_authenticate(self) -> list[Any]:
        return self.headers.getlist("WWW-Authenticate")

    # -- Cookies ---------------------------------------------------------------------------------

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: Any = None,
        expires: Any = None,
        path: Optional[str] = "/",
        domain: Optional[str] = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Optional[str] = None,
        partitioned: bool = False,
    ) -> None:
        """Add a ``Set-Cookie`` header (RFC 6265); see ``http.dump_cookie`` for the options."""
        header = http.dump_cookie(key, value, max_age=max_age, expires=expires, path=path, domain=domain,
                                  secure=secure, httponly=httponly, samesite=samesite, partitioned=partitioned)
        # dump_cookie quotes or refuses every character a header may not hold: no second check.
        self.headers._list.append(("Set-Cookie", header))

    def delete_cookie(
        self,
        key: str,
        path: Optional[str] = "/",
        domain: Optional[str] = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Optional[str] = None,
        partitioned: bool = False,
    ) -> None:
        """Tell the client to drop a cookie (an expired, empty one with the same path/domain)."""
        self.set_cookie(
            key, expires=0, max_age=0, path=path, domain=domain, secure=secure,
            httponly=httponly, samesite=samesite, partitioned=partitioned,
        )

    # -- Conditional responses -----------------------------------------------------------------

    def get_etag(self) -> tuple[Optional[str], Optional[bool]]:
        """``(etag, is_weak)`` from the ETag header, or ``(None, None)``."""
        value = self.headers.get("ETag")
        return http.unquote_etag(value) if value else (None, None)

    def set_etag(self, etag: str, weak: bool = False) -> None:
        self.headers["ETag"] = http.quote_etag(etag, weak)

    def add_etag(self, overwrite: bool = False, weak: bool = False) -> None:
        """Set an ETag computed from the body, unless one is set (or ``overwrite``)."""
        if overwrite or "etag" not in self.headers:
            self.set_etag(http.generate_etag(self.get_data()), weak)

    def make_conditional(
        self, request_or_environ: Any, accept_ranges: Any = False, complete_length: Optional[int] = None
    ) -> Response:
        """Answer conditional and range requests for this body (RFC 9110 sections 13 and 14).

        In the order of RFC 9110 section 13.2.2: 412 when If-Match / If-Unmodified-Since fail,
        304 when If-None-Match / If-Modified-Since say the client's copy is current, then, with
        ``accept_ranges``, 206 with Content-Range for one satisfiable Range (If-Range allowing)
        or RequestedRangeNotSatisfiable (416) when no range is satisfiable. An invalid Range or
        one asking for several ranges is ignored (the full 200). Only GET and HEAD requests and
        2xx responses are made conditional. ``complete_length`` is the full size of a streamed
        body, which is then cut to the range as it streams.
        """
        environ = getattr(request_or_environ, "environ", request_or_environ)
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return self
        if "date" not in self.headers:
            self.headers["Date"] = http.http_date()
        if accept_ranges:
            self.headers["Accept-Ranges"] = "bytes" if accept_ranges is True else accept_ranges
        # NOTE(wrappers): RFC 9110 section 13.2.1 - preconditions do not apply to an error page;
        # Werkzeug would turn a 404 with a matching ETag into a 304.
        if not 200 <= self._status_code < 300:
            return self
        etag, _ = self.get_etag()
        last_modified = self.headers.get("Last-Modified")
        if not _preconditions_hold(self, environ):
            self.status_code = 412
        elif not http.is_resource_modified(environ, etag, last_modified=last_modified):
            self.status_code = 304
        elif (accept_ranges and self._status_code == 200
              and not http._if_range_fails(environ, self.headers.get("ETag"), last_modified)):
            self._apply_range(environ.get("HTTP_RANGE"), complete_length)
        return self

    def _apply_range(self, value: Optional[str], complete_length: Optional[int]) -> None:
        """Cut the body to the one satisfiable range of ``value`` (206), or raise 416 when no
        range in it is satisfiable; an absent, invalid or multi-range value changes nothing."""
        from .exceptions import RequestedRangeNotSatisfiable

        parsed = http.parse_range_header(value)
        if parsed is None:
            return
        length = complete_length if complete_length is not None else self.calculate_content_length()
        # NOTE(wrappers): RFC 9110 section 14.2 lets a server ignore a Range header; an invalid one
        # (Werkzeug: 416), a multi-range one (no multipart/byteranges here; Werkzeug: 416) and one
        # for an empty body (nothing to cut) get the whole representation, which every client
        # accepts. A body of unknown length cannot be cut either.
        if not length:
            return
        if not any(start < length for start, _ in parsed.ranges):  # suffix starts are < 0
            raise RequestedRangeNotSatisfiable(length)
        span = parsed.range_for_length(length)
        if span is None:
            return
        start, stop = span
        if self.is_sequence:
            self.set_data(self.get_data()[start:stop])
        else:
            self.response = _select_body_range(self.response, start, stop, self.charset)
        self.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{length}"
        self.headers["Content-Length"] = str(stop - start)
        self.status_code = 206

    # -- Sending ---------------------------------------------------------------------------------

    def call_on_close(self, function: Callable[[], Any]) -> Callable[[], Any]:
        """Run ``function`` when the server closes the response."""
        self._on_close = [*self._on_close, function]
        return function

    def close(self) -> None:
        """Close the body iterable (if it can be) and run the ``call_on_close`` functions."""
        close = getattr(self.response, "close", None)
        if close is not None:
            close()
        for function in self._on_close:
            function()

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def get_wsgi_headers(self, environ: dict) -> Headers:
        """The headers to send for ``environ``: absolute Location, no body headers on 204/304."""
        headers = self.headers
        code = self._status_code
        if code in (204, 304) or code < 200:
            headers = headers.copy()
            headers.pop("Content-Type", None)
            headers.pop("Content-Length", None)
        location = headers.get("Location") if self.autocorrect_location_header else None
        if location is not None and location.startswith("/"):
            headers = headers.copy()
            headers["Location"] = Request(environ, populate_request=False).host_url + location[1:]
        return headers

    def get_app_iter(self, environ: dict) -> Iterable[bytes]:
        """The body to send: nothing for HEAD, 1xx, 204 and 304; otherwise encoded chunks."""
        code = self._status_code
        if environ.get("REQUEST_METHOD") == "HEAD" or code < 200 or code in (204, 304):
            return ()
        body = self.response
        if self.direct_passthrough:
            return body  # NOTE(wrappers): e.g. wsgi.file_wrapper's object, which the server knows
        if type(body) is list and (len(body) == 1 and type(body[0]) is bytes
                                   or all(type(item) is bytes for item in body)):
            return body  # NOTE(wrappers): set_data's one-bytes list, the common case, goes as is
        return ClosingIterator(self.iter_encoded(), self.close)

    def get_wsgi_response(self, environ: dict) -> tuple[Iterable[bytes], str, list]:
        return self.get_app_iter(environ), self._status, self.get_wsgi_headers(environ).to_wsgi_list()

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        app_iter, status, headers = self.get_wsgi_response(environ)
        start_response(status, headers)
        if app_iter is self.response and not self._on_close:
            return app_iter
        return ClosingIterator(app_iter, self.close)

    @classmethod
    def force_type(cls, response: Any, environ: Optional[dict] = None) -> Response:
        """Turn a WSGI app (or a Response of another class) into an instance of ``cls``."""
        if isinstance(response, Response):
            if not isinstance(response, cls):
                response.__class__ = cls
            return response
        if environ is None:
            raise TypeError("cannot convert WSGI application into response objects without an environ")
        from .test import run_wsgi_app

        app_iter, status, headers = run_wsgi_app(response, environ)
        return cls(app_iter, status, headers)


class ClosingIterator:
    """Iterate a body and, when the server calls ``close()``, close it and run a callback."""

    def __init__(self, iterable: Iterable[bytes], callback: Callable[[], Any]) -> None:
        self._iterator = iter(iterable)
        self._iterable = iterable
        self._callback = callback

    def __iter__(self) -> ClosingIterator:
        return self

    def __next__(self) -> bytes:
        return next(self._iterator)

    def close(self) -> None:
        close = getattr(self._iterable, "close", None)
        if close is not None:
            close()
        self._callback()


_status_lines: dict[int, str] = {}


def _status_line(code: int) -> str:
    line = _status_lines.get(code)
    if line is None:
        reason = http.HTTP_STATUS_CODES.get(code, "UNKNOWN")
        line = _status_lines[code] = f"{code} {reason.upper()}"
    return line


_content_types: dict[str, str] = {}


def _content_type_with_charset(mimetype: str) -> str:
    """``text/html`` -> ``text/html; charset=utf-8``; other types unchanged (cached)."""
    value = _content_types.get(mimetype)
    if value is None:
        needs_charset = (
            mimetype.startswith("text/")
            or mimetype in ("application/xml", "application/javascript", "application/ecmascript")
            or (mimetype.startswith("application/") and mimetype.endswith("+xml"))
        ) and "charset" not in mimetype
        value = f"{mimetype}; charset=utf-8" if needs_charset else mimetype
        if len(_content_types) < 256:
            _content_types[mimetype] = value
    return value


__all__ = ["Request", "Response", "UserAgent", "ClosingIterator", "cached_property", "MultiDict"]
