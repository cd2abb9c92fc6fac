"""WSGI middleware for deployment: ``ProxyFix`` and ``DispatcherMiddleware`` (the role of
``werkzeug.middleware``).

Behind a reverse proxy the WSGI server sees the *proxy* as the client: ``REMOTE_ADDR`` is the
proxy's address, the scheme is plain http and ``Host`` may be an internal name. Proxies report the
original values in the de-facto ``X-Forwarded-For/-Proto/-Host/-Port/-Prefix`` headers (MDN:
https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For). ``ProxyFix`` rewrites
the environ (PEP 3333) from them, trusting each header only as far as it is told:

1. the originals are saved in ``environ["werkzeug.proxy_fix.orig"]``;
2. each proxy *appends* to a header, so the rightmost values are the ones our proxies wrote and
   anything further left came from the client and may be forged; with ``x_for=N`` the value ``N``
   places from the right is used, and only if the header has at least ``N`` non-empty values;
3. values that cannot be right (a non-numeric port, a scheme with spaces, a prefix without a
   leading ``/``) are ignored, so a bad header never turns into a 500.

``DispatcherMiddleware`` combines several WSGI apps into one by URL prefix: the longest mount
that ends at a ``/`` boundary wins, its prefix moves from ``PATH_INFO`` to ``SCRIPT_NAME``, and
paths that match no mount go to the default app.

Does not: read the standardized ``Forwarded`` header (RFC 7239), which Werkzeug's ProxyFix
ignores too; check that a forwarded address is a valid IP (proxies may send ``unknown``).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping, Optional, Tuple

#: A WSGI application (PEP 3333).
WSGIApplication = Callable[[dict, Callable[..., Any]], Iterable[bytes]]

#: How many comma-separated items of an ``X-Forwarded-*`` header are examined, counted from the
#: right. The header's length is the client's choice; this bounds the work per request. It is also
#: the largest hop count ``ProxyFix`` accepts. Override it per instance with
#: ``ProxyFix.max_forwarded_items``.
MAX_FORWARDED_ITEMS = 32

#: The environ keys ``ProxyFix`` may rewrite; their values before it ran are kept under
#: ``"werkzeug.proxy_fix.orig"`` (the key Werkzeug uses, so code written for Flask finds them).
ORIGINAL_KEYS = ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")

#: RFC 3986 section 3.1: ``scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )``.
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
#: RFC 3986 section 3.2.2 host (an IP-literal in brackets or a reg-name), then an optional port.
_HOST_RE = re.compile(r"(\[[0-9A-Za-z:.%_~-]+\]|[A-Za-z0-9._~!$&'()*+;=%-]+)(?::([0-9]{1,5}))?\Z")


def select_forwarded_value(value: Optional[str], trusted: int,
                           limit: int = MAX_FORWARDED_ITEMS) -> Optional[str]:
    """The value ``trusted`` places from the right of a comma-separated header, or None.

    Empty items are skipped. None when ``trusted`` is 0, the header is missing, or it holds fewer
    than ``trusted`` non-empty values among its last ``limit`` items.
    """
    if not trusted or not value:
        return None
    items = value.rsplit(",", limit)
    if len(items) > limit:
        del items[0]  # the unsplit rest of an over-long header
    values = [item.strip() for item in items if item.strip()]
    if len(values) < trusted:
        return None
    return values[-trusted]


def parse_port(value: str) -> Optional[str]:
    """``value`` if it is a TCP port number (ASCII digits, at most 65535), else None."""
    if not value.isascii() or not value.isdigit() or len(value) > 5 or int(value) > 65535:
        return None
    return value


def parse_scheme(value: str) -> Optional[str]:
    """``value`` lower-cased if it is a URL scheme (RFC 3986 section 3.1), else None."""
    if not _SCHEME_RE.match(value):
        return None
    return value.lower()


def parse_host(value: str) -> Optional[Tuple[str, Optional[str]]]:
    """``(name, port or None)`` for ``host[:port]`` (IPv6 in brackets), or None if malformed."""
    match = _HOST_RE.match(value)
    if match is None:
        return None
    name, port = match.group(1), match.group(2)
    if port is not None and parse_port(port) is None:
        return None
    return name, port


def replace_host_port(host: str, port: str) -> str:
    """``host`` (a ``Host`` header value) with its port, if any, replaced by ``port``."""
    if host.startswith("["):
        name = host[: host.find("]") + 1] or host
    else:
        name = host.partition(":")[0]
    return f"{name}:{port}"


def apply_forwarded_host(environ: dict, value: str) -> None:
    """Set ``HTTP_HOST`` and ``SERVER_NAME`` (and ``SERVER_PORT`` when a port is given)."""
    parsed = parse_host(value)
    if parsed is None:
        return
    name, port = parsed
    environ["HTTP_HOST"] = value
    environ["SERVER_NAME"] = name
    if port is not None:
        environ["SERVER_PORT"] = port


def apply_forwarded_port(environ: dict, value: str) -> None:
    """Set ``SERVER_PORT`` and the port of ``HTTP_HOST``."""
    port = parse_port(value)
    if port is None:
        return
    host = environ.get("HTTP_HOST")
    if host:
        environ["HTTP_HOST"] = replace_host_port(host, port)
    environ["SERVER_PORT"] = port


def apply_forwarded_prefix(environ: dict, value: str) -> None:
    """Put the path prefix the proxy removed in front of ``SCRIPT_NAME``."""
    if not value.startswith("/"):
        return
    # NOTE(middleware): Werkzeug 3.1 *replaces* SCRIPT_NAME with the raw header ("/app/" stays
    # "/app/", "/" gives the invalid SCRIPT_NAME "/"). We strip the trailing slash, so the environ
    # stays valid under wsgiref.validate, and prepend, so an app the WSGI server already mounts
    # under a SCRIPT_NAME keeps that mount below the proxy's prefix. With an empty SCRIPT_NAME
    # (the usual case) both give the same request.root_path and url_for results.
    environ["SCRIPT_NAME"] = value.rstrip("/") + environ.get("SCRIPT_NAME", "")


def check_hop_count(name: str, value: int, limit: int) -> int:
    """``value`` if it is a usable hop count for argument ``name``; raises otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"ProxyFix {name} must be an int number of trusted proxies, got {value!r}.")
    if not 0 <= value <= limit:
        raise ValueError(
            f"ProxyFix {name}={value} is outside 0..{limit}: it counts the proxies in front of the"
            " app that set the header (0 ignores it)."
        )
    return value


class ProxyFix:
    """Trust ``X-Forwarded-*`` headers set by a known number of proxies in front of the app.

    Each argument is the number of proxies that set that header: ``x_for`` (client address,
    ``REMOTE_ADDR``), ``x_proto`` (``wsgi.url_scheme``), ``x_host`` (``HTTP_HOST``,
    ``SERVER_NAME`` and, with a port, ``SERVER_PORT``), ``x_port`` (the port of ``HTTP_HOST`` and
    ``SERVER_PORT``), ``x_prefix`` (prepended to ``SCRIPT_NAME``). 0 ignores the header. Setting
    a count higher than the number of proxies that really set the header lets clients forge it.

    Wrap the WSGI app, not the ``Flask`` object, so ``app.run`` and the CLI still work::

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    """

    max_forwarded_items: int = MAX_FORWARDED_ITEMS

    def __init__(self, app: WSGIApplication, x_for: int = 1, x_proto: int = 1, x_host: int = 0,
                 x_port: int = 0, x_prefix: int = 0) -> None:
        limit = self.max_forwarded_items
        self.app = app
        self.x_for = check_hop_count("x_for", x_for, limit)
        self.x_proto = check_hop_count("x_proto", x_proto, limit)
        self.x_host = check_hop_count("x_host", x_host, limit)
        self.x_port = check_hop_count("x_port", x_port, limit)
        self.x_prefix = check_hop_count("x_prefix", x_prefix, limit)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["werkzeug.proxy_fix.orig"] = {key: environ.get(key) for key in ORIGINAL_KEYS}
        self.fix_environ(environ)
        return self.app(environ, start_response)

    def fix_environ(self, environ: dict) -> None:
        """Rewrite ``environ`` in place from the trusted ``X-Forwarded-*`` values."""
        client = self.get_trusted_value(environ, "HTTP_X_FORWARDED_FOR", self.x_for)
        if client:
            environ["REMOTE_ADDR"] = client
        scheme = parse_scheme(self.get_trusted_value(environ, "HTTP_X_FORWARDED_PROTO", self.x_proto) or "")
        if scheme:
            environ["wsgi.url_scheme"] = scheme
        host = self.get_trusted_value(environ, "HTTP_X_FORWARDED_HOST", self.x_host)
        if host:
            apply_forwarded_host(environ, host)
        port = self.get_trusted_value(environ, "HTTP_X_FORWARDED_PORT", self.x_port)
        if port:
            apply_forwarded_port(environ, port)
        prefix = self.get_trusted_value(environ, "HTTP_X_FORWARDED_PREFIX", self.x_prefix)
        if prefix:
            apply_forwarded_prefix(environ, prefix)

    def get_trusted_value(self, environ: Mapping[str, Any], key: str, trusted: int) -> Optional[str]:
        """The value of header ``key`` written by the ``trusted``-th proxy from us, if any."""
        return select_forwarded_value(environ.get(key), trusted, self.max_forwarded_items)

    def __repr__(self) -> str:
        return (f"ProxyFix({self.app!r}, x_for={self.x_for}, x_proto={self.x_proto},"
                f" x_host={self.x_host}, x_port={self.x_port}, x_prefix={self.x_prefix})")


def check_mount_prefix(prefix: Any) -> str:
    """``prefix`` if it can be a mount point (``""`` or ``/name``, no trailing ``/``)."""
    if not isinstance(prefix, str):
        raise TypeError(f"DispatcherMiddleware mount prefixes are str, got {prefix!r}.")
    if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
        raise ValueError(
            f"DispatcherMiddleware mount prefix {prefix!r} must start with '/' and not end with"
            f" '/', like '/api'."
        )
    return prefix


def match_mount(mounts: Mapping[str, WSGIApplication], path: str) -> Optional[str]:
    """The longest mount prefix that is ``path`` or ends where a ``/`` in ``path`` starts."""
    best: Optional[str] = None
    for prefix in mounts:
        if not path.startswith(prefix):
            continue
        if len(path) != len(prefix) and path[len(prefix)] != "/":
            continue
        if best is None or len(prefix) > len(best):
            best = prefix
    return best


class DispatcherMiddleware:
    """Serve several WSGI apps from one by URL prefix; the rest goes to ``app``.

    ``mounts`` maps a prefix such as ``"/api"`` to an app. A request for ``/api/users`` reaches
    that app with ``"/api"`` added to ``SCRIPT_NAME`` and ``PATH_INFO`` ``"/users"``, so the
    mounted app's ``url_for`` builds URLs under ``/api``. ``/apix`` is not under ``/api``. Pass
    ``microflask.exceptions.NotFound()`` as ``app`` to answer everything else with a plain 404.
    """

    def __init__(self, app: WSGIApplication, mounts: Optional[Mapping[str, WSGIApplication]] = None) -> None:
        self.app = app
        self.mounts = mounts if mounts is not None else {}
        for prefix in self.mounts:
            check_mount_prefix(prefix)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        # NOTE(middleware): a linear scan over the mounts, so the work per request depends on the
        # (few, programmer-chosen) mounts and not on how long a path the client sends.
        path = environ.get("PATH_INFO", "")
        prefix = match_mount(self.mounts, path)
        if prefix is None:
            return self.app(environ, start_response)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
        environ["PATH_INFO"] = path[len(prefix):]
        return self.mounts[prefix](environ, start_response)

    def __repr__(self) -> str:
        return f"DispatcherMiddleware({self.app!r}, {self.mounts!r})"
