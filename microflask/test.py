"""A test client that calls a WSGI app directly, without a server (the role of ``werkzeug.test``).

``EnvironBuilder`` turns test arguments (path, query_string, data, json, headers...) into a PEP 3333
environ; ``Client.open`` runs the app on it, collects the status, headers and body into a
``TestResponse``, keeps cookies between requests in a small RFC 6265 jar (domain, path, expiry,
deletion) and can follow redirects. Bodies are always read completely and the app's iterable is
closed, as a server would.

Does not: open sockets (see ``serving`` for a real server).
"""

from __future__ import annotations

import io
import json as _json
import mimetypes
import sys
from base64 import b64encode
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Optional
from urllib.parse import unquote_to_bytes, urlencode, urljoin, urlsplit, urlunsplit

from .datastructures import Headers, MultiDict
from .http import dump_cookie, dump_options_header, parse_cookie, parse_date
from .wrappers import Request, Response

_REDIRECT_CODES = (301, 302, 303, 305, 307, 308)


def _iter_data(data: Any) -> Iterator[tuple[str, Any]]:
    """(key, value) pairs of a dict or MultiDict; list values repeat the key."""
    items = data.items(multi=True) if isinstance(data, MultiDict) else data.items()
    for key, value in items:
        if isinstance(value, list):
            for item in value:
                yield key, item
        else:
            yield key, value


def _is_file(value: Any) -> bool:
    return hasattr(value, "read") or (isinstance(value, tuple) and value and hasattr(value[0], "read"))


def encode_multipart(pairs: Iterable[tuple[str, Any]], boundary: Optional[str] = None) -> tuple[str, bytes]:
    """Encode fields and files as ``multipart/form-data`` (RFC 7578); returns (boundary, body).

    A file is a binary file object, or ``(file, filename)`` / ``(file, filename, content_type)``.
    """
    import uuid

    boundary = boundary or f"---------------microflask{uuid.uuid4().hex}"
    out = io.BytesIO()
    for key, value in pairs:
        out.write(f"--{boundary}\r\n".encode())
        if _is_file(value):
            file, filename, content_type = _unpack_file(value)
            disposition = dump_options_header("form-data", {"name": key, "filename": filename})
            out.write(f"Content-Disposition: {disposition}\r\n".encode())
            out.write(f"Content-Type: {content_type}\r\n\r\n".encode())
            out.write(file.read())
        else:
            disposition = dump_options_header("form-data", {"name": key})
            out.write(f"Content-Disposition: {disposition}\r\n\r\n".encode())
            out.write(value if isinstance(value, bytes) else str(value).encode())
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return boundary, out.getvalue()


def _unpack_file(value: Any) -> tuple[Any, str, str]:
    if not isinstance(value, tuple):
        value = (value,)
    file = value[0]
    filename = value[1] if len(value) > 1 else getattr(file, "name", "file")
    if not isinstance(filename, str):
        filename = "file"
    content_type = value[2] if len(value) > 2 else None
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return file, filename.rsplit("/", 1)[-1], content_type


class EnvironBuilder:
    """Build a WSGI environ from test-friendly arguments.

    ``path`` may carry a query string; ``data`` is a dict (form; files make it multipart), str or
    bytes (raw body); ``json`` serialises a value; ``auth`` is ``(username, password)``.
    """

    server_protocol = "HTTP/1.1"
    wsgi_version = (1, 0)

    def __init__(
        self,
        path: str = "/",
        base_url: Optional[str] = None,
        query_string: Any = None,
        method: str = "GET",
        input_stream: Any = None,
        content_type: Optional[str] = None,
        content_length: Optional[int] = None,
        errors_stream: Any = None,
        multithread: bool = False,
        multiprocess: bool = False,
        run_once: bool = False,
        headers: Any = None,
        data: Any = None,
        environ_base: Optional[dict] = None,
        environ_overrides: Optional[dict] = None,
        mimetype: Optional[str] = None,
        json: Any = None,
        auth: Any = None,
        app: Any = None,
        subdomain: Optional[str] = None,
        url_scheme: Optional[str] = None,
    ) -> None:
        absolute = urlsplit(path) if "://" in path else None
        if absolute is not None and absolute.netloc:  # ``client.get("https://example.com/a?b=1")``
            if base_url is None:
                base_url = f"{absolute.scheme}://{absolute.netloc}/"
            path = urlunsplit(("", "", absolute.path, absolute.query, ""))
        path_part, _, path_query = path.partition("?")
        if base_url is None and app is not None:
            base_url = _app_base_url(app, subdomain, url_scheme)
        split = urlsplit(base_url or "http://localhost/")
        self.url_scheme = split.scheme or "http"
        self.host = split.netloc or "localhost"
        self.script_root = split.path.rstrip("/")
        self.path = path_part or "/"
        self.query_string = self._make_query_string(query_string, path_query)
        self.method = method.upper()
        self.headers = Headers(headers)
        self.errors_stream = errors_stream if errors_stream is not None else sys.stderr
        self.multithread, self.multiprocess, self.run_once = multithread, multiprocess, run_once
        self.environ_base = environ_base or {}
        self.environ_overrides = environ_overrides or {}
        self.content_type = content_type if content_type is not None else self.headers.get("Content-Type")
        if mimetype is not None:
            self.content_type = mimetype
        self.content_length = content_length
        self.input_stream = input_stream
        self.body: Optional[bytes] = None
        if auth is not None:
            self._set_auth(auth)
        if json is not None:
            if data is not None:
                raise TypeError("can't provide both json and data")
            data = _json.dumps(json)
            if self.content_type is None:
                self.content_type = "application/json"
        if data is not None:
            self._set_data(data)

    def _make_query_string(self, query_string: Any, from_path: str) -> str:
        if query_string is None:
            return from_path
        if from_path:
            raise ValueError("Query string is defined in the path and as an argument")
        if isinstance(query_string, (str, bytes)):
            return query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
        return urlencode(list(_iter_data(query_string)))

    def _set_auth(self, auth: Any) -> None:
        if isinstance(auth, tuple):
            token = b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            self.headers["Authorization"] = f"Basic {token}"
        else:
            self.headers["Authorization"] = auth.to_header()

    def _set_data(self, data: Any) -> None:
        if self.input_stream is not None:
            raise TypeError("can't provide input stream and data")
        if isinstance(data, str):
            self.body = data.encode("utf-8")
        elif isinstance(data, (bytes, bytearray)):
            self.body = bytes(data)
        elif hasattr(data, "read"):
            self.body = data.read()
        else:
            pairs = list(_iter_data(data))
            if any(_is_file(value) for _, value in pairs) or (self.content_type or "").startswith("multipart/"):
                boundary, self.body = encode_multipart(pairs)
                self.content_type = f'multipart/form-data; boundary="{boundary}"'
            else:
                self.body = urlencode(pairs).encode("ascii")
                if self.content_type is None:
                    self.content_type = "application/x-www-form-urlencoded"

    def get_environ(self) -> dict:
        """The environ dict (a fresh one on each call)."""
        host, _, port = self.host.partition(":")
        if not port:
            port = "443" if self.url_scheme == "https" else "80"
        path_info = unquote_to_bytes(self.path).decode("latin-1")
        environ = dict(self.environ_base)
        if self.input_stream is not None:
            stream = self.input_stream
            length = self.content_length
        else:
            body = self.body or b""
            stream = io.BytesIO(body)
            length = self.content_length if self.content_length is not None else len(body)
        environ.update({
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": self.script_root,
            "PATH_INFO": path_info,
            "QUERY_STRING": self.query_string,
            "REQUEST_URI": self.path + (f"?{self.query_string}" if self.query_string else ""),
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "HTTP_HOST": self.host,
            "SERVER_PROTOCOL": self.server_protocol,
            "wsgi.version": self.wsgi_version,
            "wsgi.url_scheme": self.url_scheme,
            "wsgi.input": stream,
            "wsgi.errors": self.errors_stream,
            "wsgi.multithread": self.multithread,
            "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": self.run_once,
        })
        environ["RAW_URI"] = environ["REQUEST_URI"]
        if self.content_type is not None:
            environ["CONTENT_TYPE"] = self.content_type
        if length is not None and (length or self.method not in ("GET", "HEAD")):
            environ["CONTENT_LENGTH"] = str(length)
        from_headers: set[str] = set()  # repeated headers join with ", "; they replace environ_base
        for name, value in self.headers.to_wsgi_list():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                key = f"HTTP_{key}"
                environ[key] = f"{environ[key]}, {value}" if key in from_headers else value
                from_headers.add(key)
        environ.update(self.environ_overrides)
        return environ

    def get_request(self, cls: Optional[type] = None) -> Request:
        return (cls or Request)(self.get_environ())

    def close(self) -> None:
        """Nothing to release; kept for Werkzeug compatibility."""


def _app_base_url(app: Any, subdomain: Optional[str], url_scheme: Optional[str]) -> str:
    """``http://localhost/`` unless SERVER_NAME / APPLICATION_ROOT / PREFERRED_URL_SCHEME say more."""
    config = app.config
    host = config.get("SERVER_NAME") or "localhost"
    if subdomain:
        host = f"{subdomain}.{host}"
    scheme = url_scheme or config.get("PREFERRED_URL_SCHEME") or "http"
    root = (config.get("APPLICATION_ROOT") or "/").lstrip("/")
    return f"{scheme}://{host}/{root}".rstrip("/") + "/"


def run_wsgi_app(app: Callable[..., Any], environ: dict, buffered: bool = True) -> tuple[list[bytes], str, Headers]:
    """Call a WSGI app and return ``(body chunks, status, headers)``, closing its iterable."""
    response: list[Any] = []
    written: list[bytes] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and response:
            raise exc_info[1].with_traceback(exc_info[2])
        response[:] = [status, headers]
        return written.append

    app_iter = app(environ, start_response)
    try:
        chunks = written + list(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    if not response:
        raise RuntimeError("The WSGI application did not call start_response.")
    return chunks, response[0], Headers(response[1])


class TestResponse(Response):
    """A response received by the test client, with the ``request`` that produced it."""

    __test__ = False  # not a pytest test class
    default_mimetype = None

    def __init__(self, response: Any, status: str, headers: Headers, request: Request,
                 history: tuple = (), **kwargs: Any) -> None:
        super().__init__(response, status, headers, **kwargs)
        self.request = request
        self.history = history

    @property
    def text(self) -> str:
        return self.get_data(as_text=True)


class Cookie:
    """One cookie in the client's jar; ``value`` is kept as the server sent it (maybe quoted)."""

    def __init__(self, key: str, value: str, domain: str, origin_only: bool, path: str,
                 expires: Optional[datetime] = None, secure: bool = False, http_only: bool = False,
                 same_site: Optional[str] = None, partitioned: bool = False) -> None:
        self.key, self.value, self.domain, self.origin_only, self.path = key, value, domain, origin_only, path
        self.expires, self.secure, self.http_only = expires, secure, http_only
        self.same_site, self.partitioned = same_site, partitioned

    @property
    def decoded_key(self) -> str:
        return self.key

    @property
    def decoded_value(self) -> str:
        """The value with RFC 6265 quotes and octal escapes undone, as the app will read it."""
        return parse_cookie(f"v={self.value}").get("v", "")

    def matches(self, host: str, path: str) -> bool:
        """RFC 6265 section 5.4 domain-match and path-match."""
        host = host.partition(":")[0].lower()
        if self.origin_only and host != self.domain:
            return False
        if not self.origin_only and host != self.domain and not host.endswith("." + self.domain):
            return False
        if path == self.path:
            return True
        prefix = self.path if self.path.endswith("/") else self.path + "/"
        return path.startswith(prefix)

    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= datetime.now(timezone.utc)

    @classmethod
    def from_set_cookie(cls, header: str, request_host: str, request_path: str) -> Optional[Cookie]:
        """Parse a Set-Cookie header (RFC 6265 section 5.2) as the browser would store it."""
        pair, *attributes = header.split(";")
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            return None
        # NOTE(test): a quoted value stays quoted, so it is sent back exactly as it was set.
        host = request_host.partition(":")[0].lower()
        cookie = cls(key, value, host, True, _default_cookie_path(request_path))
        for attribute in attributes:
            cookie._apply_attribute(*[part.strip() for part in attribute.partition("=")[::2]])
        return cookie

    def _apply_attribute(self, name: str, value: str) -> None:
        name = name.lower()
        if name == "expires":
            self.expires = parse_date(value) or self.expires
        elif name == "max-age" and value.lstrip("-").isdigit():
            self.expires = datetime.now(timezone.utc) + timedelta(seconds=int(value))
        elif name == "domain" and value:
            self.domain, self.origin_only = value.lstrip(".").lower(), False
        elif name == "path" and value.startswith("/"):
            self.path = value
        elif name in ("secure", "httponly", "partitioned"):
            setattr(self, {"secure": "secure", "httponly": "http_only"}.get(name, name), True)
        elif name == "samesite":
            self.same_site = value

    def __repr__(self) -> str:
        return f"<Cookie {self.key}={self.value!r} domain={self.domain} path={self.path}>"


def _default_cookie_path(request_path: str) -> str:
    if not request_path.startswith("/") or request_path.count("/") == 1:
        return "/"
    return request_path.rsplit("/", 1)[0]


class Client:
    """Call a WSGI app with test requests: ``client.get('/')``, ``client.post('/', data=...)``."""

    def __init__(self, application: Callable[..., Any], response_wrapper: Optional[type] = None,
                 use_cookies: bool = True, allow_subdomain_redirects: bool = False) -> None:
        self.application = application
        if response_wrapper is None or not issubclass(response_wrapper, TestResponse):
            base = response_wrapper or Response
            response_wrapper = type("TestResponse", (TestResponse, base), {"__test__": False})
        self.response_wrapper = response_wrapper
        self._cookies: Optional[dict[tuple[str, str, str], Cookie]] = {} if use_cookies else None
        self.allow_subdomain_redirects = allow_subdomain_redirects

    # -- Cookies ---------------------------------------------------------------------------------

    def _require_jar(self) -> dict[tuple[str, str, str], Cookie]:
        if self._cookies is None:
            raise TypeError("Cookies are disabled. Create a client with 'use_cookies=True'.")
        return self._cookies

    def get_cookie(self, key: str, domain: str = "localhost", path: str = "/") -> Optional[Cookie]:
        """The stored cookie with exactly this key, domain and path, or None."""
        cookie = self._require_jar().get((domain, path, key))
        return None if cookie is None or cookie.is_expired() else cookie

    def set_cookie(self, key: str, value: str = "", *, domain: str = "localhost",
                   origin_only: bool = True, path: str = "/", **kwargs: Any) -> None:
        """Store a cookie as if a response had set it (``dump_cookie`` options accepted)."""
        header = dump_cookie(key, value, domain=domain, path=path, **kwargs)
        cookie = Cookie.from_set_cookie(header, domain, path)
        if cookie is not None:
            cookie.origin_only = origin_only
            cookie.domain = domain
            self._store_cookie(cookie)

    def delete_cookie(self, key: str, *, domain: str = "localhost", path: str = "/") -> None:
        self._require_jar().pop((domain, path, key), None)

    def _store_cookie(self, cookie: Cookie) -> None:
        jar = self._require_jar()
        if cookie.is_expired():
            jar.pop((cookie.domain, cookie.path, cookie.key), None)
        else:
            jar[(cookie.domain, cookie.path, cookie.key)] = cookie

    def _add_cookies_to(self, environ: dict) -> None:
        if self._cookies is None:
            return
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        is_secure = environ.get("wsgi.url_scheme") == "https"
        values = [
            f"{c.key}={c.value}" for c in sorted(self._cookies.values(), key=lambda c: -len(c.path))
            if c.matches(host, path or "/") and not c.is_expired() and (is_secure or not c.secure)
        ]
        if values:
            environ["HTTP_COOKIE"] = "; ".join(values)
        else:
            environ.pop("HTTP_COOKIE", None)

    def _update_cookies_from(self, environ: dict, headers: Headers) -> None:
        if self._cookies is None:
            return
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost")
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        for header in headers.getlist("Set-Cookie"):
            cookie = Cookie.from_set_cookie(header, host, path or "/")
            if cookie is not None:
                self._store_cookie(cookie)

    # -- Requests --------------------------------------------------------------------------------

    def _build_environ(self, args: tuple, kwargs: dict) -> dict:
        if args and isinstance(args[0], EnvironBuilder):
            return args[0].get_environ()
        if args and isinstance(args[0], dict):
            return args[0]
        if args and isinstance(args[0], Request):
            return args[0].environ
        return self._make_builder(*args, **kwargs).get_environ()

    def _make_builder(self, *args: Any, **kwargs: Any) -> EnvironBuilder:
        return EnvironBuilder(*args, **kwargs)

    def run_wsgi_app(self, environ: dict, buffered: bool = True) -> tuple[list[bytes], str, Headers]:
        """Send cookies, run the app, store the cookies it sets."""
        self._add_cookies_to(environ)
        stream = environ.get("wsgi.input")
        result = run_wsgi_app(self.application, environ, buffered)
        # NOTE(test): middleware (wsgiref.validate, say) may wrap wsgi.input in place; put the
        # original back so response.request and 307/308 redirects can read the body again.
        environ["wsgi.input"] = stream
        self._update_cookies_from(environ, result[2])
        return result

    def open(self, *args: Any, buffered: bool = True, follow_redirects: bool = False, **kwargs: Any) -> TestResponse:
        """Make a request; arguments as for ``EnvironBuilder`` (or a ready environ/builder)."""
        environ = self._build_environ(args, kwargs)
        response = self._run(environ)
        if not follow_redirects:
            return response
        return self._follow(response)

    def _run(self, environ: dict, history: tuple = ()) -> TestResponse:
        body, status, headers = self.run_wsgi_app(environ)
        request = Request(environ, populate_request=False)
        return self.response_wrapper(body, status, headers, request=request, history=history)

    def _follow(self, response: TestResponse) -> TestResponse:
        seen = {response.request.url}
        history: tuple = ()
        while response.status_code in _REDIRECT_CODES:
            environ = self._redirect_environ(response)
            history = (*history, response)
            response = self._run(environ, history)
            url = response.request.url
            if url in seen and response.status_code in _REDIRECT_CODES:
                raise ClientRedirectError(f"Loop detected: A {response.status_code} redirect to {url} was already made.")
            seen.add(url)
        return response

    def _redirect_environ(self, response: TestResponse) -> dict:
        old = response.request.environ
        target = urlsplit(urljoin(response.request.url, response.headers.get("Location", "")))
        old_host = old.get("HTTP_HOST", "localhost")
        if target.netloc and target.netloc != old_host and not (
            self.allow_subdomain_redirects and target.netloc.endswith("." + old_host)
        ):
            raise RuntimeError("Following external redirects is not supported.")
        keep_body = response.status_code in (307, 308)
        method = old["REQUEST_METHOD"] if keep_body or old["REQUEST_METHOD"] == "HEAD" else "GET"
        builder = EnvironBuilder(
            path=target.path or "/", base_url=f"{target.scheme}://{target.netloc or old_host}",
            query_string=target.query, method=method,
        )
        environ = builder.get_environ()
        for key, value in old.items():
            if key.startswith("HTTP_") and key not in ("HTTP_HOST", "HTTP_COOKIE"):
                environ.setdefault(key, value)
            elif not key.isupper() and key not in environ:
                environ[key] = value
        if keep_body:
            _copy_body(old, environ)
        return environ

    def get(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="GET", **kw)

    def post(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="POST", **kw)

    def put(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="PUT", **kw)

    def patch(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="PATCH", **kw)

    def delete(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="DELETE", **kw)

    def head(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="HEAD", **kw)

    def options(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="OPTIONS", **kw)

    def trace(self, *args: Any, **kw: Any) -> TestResponse:
        return self.open(*args, method="TRACE", **kw)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.application!r}>"


def _copy_body(old: dict, environ: dict) -> None:
    """Re-send the body of a 307/308 redirected request (rewinding the original input)."""
    stream = old.get("wsgi.input")
    if hasattr(stream, "seek"):
        stream.seek(0)
        environ["wsgi.input"] = io.BytesIO(stream.read(int(old.get("CONTENT_LENGTH") or 0)))
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if key in old:
            environ[key] = old[key]


class ClientRedirectError(Exception):
    """The test client followed redirects in a loop."""


def create_environ(*args: Any, **kwargs: Any) -> dict:
    """An environ from ``EnvironBuilder`` arguments."""
    return EnvironBuilder(*args, **kwargs).get_environ()
