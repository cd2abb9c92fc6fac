"""The debug page: WSGI middleware that answers an unhandled error with its traceback.

``DebuggedApplication(app)`` plays the part of Werkzeug's middleware of the same name, which
``run_simple(use_debugger=True)`` puts around the app. With debug on, Flask re-raises unhandled
errors (``PROPAGATE_EXCEPTIONS``); the middleware catches them and answers ``500`` with an HTML
page -- exception, traceback with source lines around every frame, request -- and writes the
plain traceback to ``wsgi.errors``. The algorithm:

1. Hold the app's ``start_response`` call back until its first body chunk, so that an error
   raised while the body is being produced can still replace the response with the page.
2. Keep a copy of the first ``MAX_RECORDED_BODY`` bytes the app reads from ``wsgi.input``, so
   the page can show the form even though the app has consumed the body.
3. On an error before any body byte went out: the page (or plain text for clients that do not
   take HTML). After that: log it and re-raise, so the server aborts the connection and the
   client sees a cut-short response instead of a page glued onto half a body.

Security: the page never runs code (no console, no PIN: Werkzeug's console turned a forgotten
debug flag into remote code execution, as in the 2015 Patreon breach), never shows local variable
values, redacts the values of ``REDACTED_HEADERS`` and sensitive-looking form fields, escapes
everything it shows, sends a Content-Security-Policy that forbids scripts, and is never shown
while the wrapped app's ``debug`` is off. Requests with Werkzeug's ``?__debugger__=yes`` go to the
app like any other.

Does not: catch errors in a Flask app with debug off (Flask answers those itself), or show
exception groups' members in HTML (the plain traceback below the page has them).
Werkzeug's debugger: https://werkzeug.palletsprojects.com/en/stable/debug/
"""

from __future__ import annotations

import functools
import io
import linecache
import os
import sys
import traceback
from types import FrameType, TracebackType
from typing import Any, Callable, Iterable, Iterator, Optional

from .exceptions import HTTPException, escape_html

#: Bytes of the request body kept so the page can show the form; a longer body is not shown.
MAX_RECORDED_BODY = 64 * 1024
#: Source lines shown above and below the line each frame was running.
CONTEXT_LINES = 5
#: Longest source line shown, in characters (minified files have enormous lines).
MAX_SOURCE_LINE = 400
#: Repeats of the same frame shown before the rest are counted (as Python does for recursion).
MAX_REPEATED_FRAMES = 3
#: Request headers shown by name only, their values replaced with ``REDACTED``.
REDACTED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
#: Form fields whose lower-cased name contains one of these words are shown as ``REDACTED``.
SENSITIVE_FIELD_WORDS = ("pass", "secret", "token", "key", "auth", "session", "csrf")
REDACTED = "[redacted]"

_STATUS = "500 INTERNAL SERVER ERROR"
_SECURITY_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy",
     "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
     " frame-ancestors 'none'"),
]
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"
_TEMPLATE_FRAME_NAMES = ("top-level template code", "template")


class DebuggedApplication:
    """Wrap ``app`` so that an unhandled error answers 500 with a traceback page.

    ``evalex``, ``pin_security``, ``pin_logging``, ``console_path`` and ``console_init_func`` are
    accepted so code written for Werkzeug runs, and do nothing: there is no console to enable.
    """

    def __init__(self, app: Callable[..., Any], evalex: bool = False, *,
                 max_recorded_body: int = MAX_RECORDED_BODY, pin_security: bool = True,
                 pin_logging: bool = True, console_path: str = "/console",
                 console_init_func: Optional[Callable[[], dict]] = None) -> None:
        self.app = app
        self.max_recorded_body = max_recorded_body
        if evalex:
            import warnings

            warnings.warn(
                "DebuggedApplication(evalex=True) has no effect: microflask's debug page has no"
                " interactive console, because a console in the browser runs any code it is sent.",
                UserWarning, stacklevel=2,
            )

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        exchange = _Exchange(environ, start_response, self.max_recorded_body)
        try:
            app_iter = self.app(environ, exchange.start_response)
        except Exception as error:  # noqa: BLE001 - answered with the page, or re-raised
            body = self.answer_error(exchange, error)
            if body is None:
                raise
            return body
        return _GuardedBody(self, exchange, app_iter)

    def answer_error(self, exchange: _Exchange, error: Exception) -> Optional[Iterable[bytes]]:
        """The response body that replaces the app's after ``error``; None means re-raise it."""
        if exchange.body_started:
            exchange.log_error(error, "after the response had started; it is cut short")
            return None
        if isinstance(error, HTTPException):  # an HTTP error is a response: send it as one
            return error(exchange.environ, exchange.restart_response)
        if not self.is_debug_on():
            return None
        _drop_own_frames(error)
        exchange.log_error(error, "answered with the debug page")
        environ = exchange.environ
        if _prefers_text(environ):
            content, mimetype = render_traceback_text(error), "text/plain"
        else:
            content, mimetype = render_debug_page(error, environ, exchange.read_body()), "text/html"
        data = content.encode("utf-8", "replace")
        headers = [("Content-Type", f"{mimetype}; charset=utf-8"), ("Content-Length", str(len(data)))]
        exchange.restart_response(_STATUS, headers + _SECURITY_HEADERS)
        return [data]

    def is_debug_on(self) -> bool:
        """False when the wrapped app (or the app of a wrapped ``app.wsgi_app``) says debug is off."""
        owner = getattr(self.app, "__self__", self.app)
        debug = getattr(owner, "debug", None)
        # NOTE(debug): an app without a ``debug`` attribute (plain WSGI) counts as on, since
        # wrapping it is the request for the page; a Flask app with debug off never shows it.
        return debug is None or bool(debug)


class _Exchange:
    """One request's state: the held-back ``start_response`` call and the recorded body."""

    def __init__(self, environ: dict, start_response: Callable[..., Any], max_recorded_body: int) -> None:
        self.environ = environ
        self._server_start_response = start_response
        self._server_write: Optional[Callable[[bytes], Any]] = None
        self._pending: Optional[tuple[str, list]] = None
        self.headers_forwarded = False
        self.body_started = False
        self.recorder = _RecordingInput(environ.get("wsgi.input"), max_recorded_body)
        environ["wsgi.input"] = self.recorder

    def start_response(self, status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
        """The ``start_response`` the app sees: kept until the first body chunk."""
        if self.headers_forwarded:
            self._server_write = self._server_start_response(status, headers, exc_info)
            return self.write
        if self._pending is not None and exc_info is None:
            raise AssertionError("start_response was called a second time without exc_info (PEP 3333)")
        self._pending = (status, headers)
        return self.write

    def forward_headers(self) -> None:
        if not self.headers_forwarded and self._pending is not None:
            self._server_write = self._server_start_response(*self._pending)
            self.headers_forwarded = True

    def write(self, data: bytes) -> None:
        """The ``write`` callable of PEP 3333: sends the headers first."""
        self.forward_headers()
        if data:
            self.body_started = True
        self._server_write(data)  # type: ignore[misc]

    def restart_response(self, status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
        """Start the replacement response; the server's own check applies if headers went out."""
        if self.headers_forwarded:
            return self._server_start_response(status, headers, exc_info or sys.exc_info())
        self.headers_forwarded = True
        return self._server_start_response(status, headers)

    def read_body(self) -> Optional[bytes]:
        """The complete request body, or None when it cannot be shown."""
        length = _parse_length(self.environ.get("CONTENT_LENGTH"))
        if length is None:  # no length: empty by PEP 3333, unless the server de-chunked a body
            return None if self.environ.get("wsgi.input_terminated") else b""
        return self.recorder.read_complete_body(length)

    def log_error(self, error: BaseException, outcome: str) -> None:
        """Write the traceback to ``wsgi.errors`` (the server's error log)."""
        from wsgiref.util import request_uri

        try:
            where = f"{self.environ.get('REQUEST_METHOD', 'GET')} {request_uri(self.environ)}"
        except (KeyError, UnicodeError):  # an environ a server would never build
            where = "a request"
        message = f"Error on {where}, {outcome}:\n{render_traceback_text(error)}"
        errors = self.environ.get("wsgi.errors") or sys.stderr
        errors.write(message)
        errors.flush()


class _GuardedBody:
    """The app's body iterable; an error before the first body byte becomes the page."""

    def __init__(self, middleware: DebuggedApplication, exchange: _Exchange, app_iter: Iterable[bytes]) -> None:
        self._middleware = middleware
        self._exchange = exchange
        self._app_iter = app_iter
        self._iterator: Optional[Iterator[bytes]] = None
        self._replacement: Optional[Iterator[bytes]] = None

    def __iter__(self) -> _GuardedBody:
        return self

    def __next__(self) -> bytes:
        if self._replacement is not None:
            return next(self._replacement)
        try:
            if self._iterator is None:
                self._iterator = iter(self._app_iter)
            chunk = next(self._iterator)
        except StopIteration:
            self._exchange.forward_headers()
            raise
        except Exception as error:  # noqa: BLE001 - answered with the page, or re-raised
            body = self._middleware.answer_error(self._exchange, error)
            if body is None:
                raise
            self._replacement = iter(body)
            return next(self._replacement)
        self._exchange.forward_headers()
        if chunk:
            self._exchange.body_started = True
        return chunk

    def close(self) -> None:
        close = getattr(self._app_iter, "close", None)
        if close is not None:
            close()


class _RecordingInput:
    """``wsgi.input`` for the app, keeping a copy of the first ``limit`` bytes read through it."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream = stream if stream is not None else io.BytesIO()
        self._limit = limit
        self._parts: list[bytes] = []
        self.size = 0

    def _record(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size <= self._limit:
            self._parts.append(data)
        else:
            self._parts = []  # too long to show: keep nothing rather than a misleading prefix
        return data

    def read(self, *args: Any) -> bytes:
        return self._record(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._record(self._stream.readline(*args))

    def readlines(self, *args: Any) -> list[bytes]:
        return [self._record(line) for line in self._stream.readlines(*args)]

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def read_complete_body(self, length: int) -> Optional[bytes]:
        """The ``length``-byte body, reading what the app left unread; None if it is too long."""
        if length > self._limit or self.size > length:
            return None
        # NOTE(debug): reading what the app left unread blocks on a client that sends less than
        # its Content-Length, exactly as the app's own read would; the server's timeout applies.
        try:
            while self.size < length:
                if not self.read(length - self.size):
                    return None  # the client sent less than it announced
        except Exception:  # noqa: BLE001 - a broken stream costs the form section, not the page
            return None
        return b"".join(self._parts)


def _parse_length(value: Optional[str]) -> Optional[int]:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _prefers_text(environ: dict) -> bool:
    """True when the client sent an Accept header that takes plain text over HTML, or neither."""
    accept = environ.get("HTTP_ACCEPT")
    if not accept:
        return False
    from .datastructures import MIMEAccept
    from .http import parse_accept_header

    return parse_accept_header(accept, MIMEAccept).best_match(["text/html", "text/plain"]) != "text/html"


def _drop_own_frames(error: BaseException) -> None:
    """Start the traceback below this module's frames (the middleware caught it, it did not fail)."""
    entry = error.__traceback__
    while entry is not None and entry.tb_frame.f_globals.get("__name__") == __name__:
        entry = entry.tb_next
    error.__traceback__ = entry


# -- Rendering ---------------------------------------------------------------------------------


def render_traceback_text(error: BaseException) -> str:
    """The traceback exactly as Python prints it, chained exceptions included."""
    return "".join(traceback.TracebackException.from_exception(error).format())


def render_debug_page(error: BaseException, environ: Optional[dict] = None,
                      body: Optional[bytes] = None) -> str:
    """The debug page for ``error``: exception, traceback with source, and the request in
    ``environ`` (its form parsed from ``body``, the complete request body, when given)."""
    summary = _summarize_exception(error)
    parts = [
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"robots\" content=\"noindex\">\n",
        f"<title>{escape_html(summary)} // microflask debugger</title>\n<style>{_STYLE}</style>\n</head>\n",
        f"<body>\n<h1>{escape_html(type(error).__name__)}</h1>\n",
        f"<p class=\"message\">{escape_html(summary)}</p>\n",
        _render_chain(error),
    ]
    if environ is not None:
        parts.append(_render_request(environ, body))
    parts.append("<h2>Plain traceback</h2>\n")
    parts.append(f"<pre class=\"plain\">{escape_html(render_traceback_text(error))}</pre>\n")
    parts.append(_FOOTER)
    return "".join(parts)


def _summarize_exception(error: BaseException) -> str:
    """``Type: message`` as the last line of a Python traceback shows it."""
    return "".join(traceback.format_exception_only(type(error), error)).strip()


def _walk_chain(error: BaseException) -> list[tuple[BaseException, Optional[str]]]:
    """The chained exceptions oldest first, each with the sentence that leads to the next one."""
    chain: list[tuple[BaseException, Optional[str]]] = []
    seen: set[int] = set()
    current: Optional[BaseException] = error
    link: Optional[str] = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    return list(reversed(chain))


def _render_chain(error: BaseException) -> str:
    parts = []
    for exception, link in _walk_chain(error):
        parts.append(_render_exception(exception))
        if link is not None:
            parts.append(f"<p class=\"link\">{link}</p>\n")
    return "".join(parts)


def _render_exception(error: BaseException) -> str:
    frames = "".join(_render_frames(error.__traceback__))
    return (
        "<section class=\"exception\">\n<h2>Traceback <small>(most recent call last)</small></h2>\n"
        f"{frames}<p class=\"error\">{escape_html(_summarize_exception(error))}</p>\n</section>\n"
    )


def _render_frames(entry: Optional[TracebackType]) -> Iterator[str]:
    """One block per frame; identical consecutive frames past MAX_REPEATED_FRAMES are counted."""
    last: Optional[tuple] = None
    repeats = 0
    for frame, lineno in traceback.walk_tb(entry):
        key = (frame.f_code.co_filename, lineno, frame.f_code.co_name)
        if key != last:
            yield _render_repeats(repeats)
            last, repeats = key, 0
        repeats += 1
        if repeats <= MAX_REPEATED_FRAMES:
            yield _render_frame(frame, lineno)
    yield _render_repeats(repeats)


def _render_repeats(repeats: int) -> str:
    hidden = repeats - MAX_REPEATED_FRAMES
    if hidden <= 0:
        return ""
    return f"<p class=\"repeat\">[Previous frame repeated {hidden} more time{'s' if hidden > 1 else ''}]</p>\n"


def _render_frame(frame: FrameType, lineno: int) -> str:
    filename = frame.f_code.co_filename
    kind = classify_frame(frame)
    source = _render_source(filename, frame.f_globals, lineno, kind)
    return (
        f"<div class=\"frame {kind}\">\n<p class=\"location\">File <cite>\"{escape_html(filename)}\"</cite>,"
        f" line <em>{lineno}</em>, in <code>{escape_html(frame.f_code.co_name)}</code>"
        f" <span class=\"kind\">{kind}</span></p>\n{source}</div>\n"
    )


def _render_source(filename: str, module_globals: dict, lineno: int, kind: str) -> str:
    """Lines ``lineno`` +- CONTEXT_LINES of the frame's file, the running one marked."""
    if kind == "template" and not os.path.isabs(filename):
        lines: list[str] = []  # a template name, not a path: linecache would search sys.path
    else:
        linecache.checkcache(filename)
        lines = linecache.getlines(filename, module_globals)
    if not 0 < lineno <= len(lines):
        return "<p class=\"nosource\">(source not available)</p>\n"
    first, last = max(1, lineno - CONTEXT_LINES), min(len(lines), lineno + CONTEXT_LINES)
    rows = []
    for number in range(first, last + 1):
        text = lines[number - 1].rstrip("\r\n")[:MAX_SOURCE_LINE]
        marker = " current" if number == lineno else ""
        rows.append(f"<span class=\"line{marker}\"><span class=\"lineno\">{number:>5}</span>"
                    f" {escape_html(text)}</span>")
    return "<pre class=\"source\">" + "\n".join(rows) + "</pre>\n"


def classify_frame(frame: FrameType) -> str:
    """``"template"``, ``"library"`` (microflask, the standard library, installed packages) or
    ``"app"`` (everything else: the code being debugged)."""
    filename = frame.f_code.co_filename
    if "__error__" in frame.f_globals and frame.f_code.co_name.startswith(_TEMPLATE_FRAME_NAMES + ("block ",)):
        return "template"  # a frame templating.environment made to point at a template line
    if filename.startswith("<template"):
        return "template"
    if filename.startswith("<frozen"):
        return "library"
    path = os.path.abspath(filename) if not filename.startswith("<") else filename
    return "library" if path.startswith(_library_roots()) else "app"


@functools.lru_cache(maxsize=None)
def _library_roots() -> tuple[str, ...]:
    """Folders holding code that is not the app's: microflask, the stdlib, site-packages."""
    import sysconfig

    paths = sysconfig.get_paths()
    folders = {os.path.dirname(os.path.abspath(__file__))}
    folders.update(paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib") if name in paths)
    return tuple(os.path.join(os.path.abspath(folder), "") for folder in folders)


def _render_request(environ: dict, body: Optional[bytes]) -> str:
    """Method, URL, headers, query arguments and form of the request."""
    from .wrappers import Request

    snapshot = dict(environ)
    snapshot.pop("wsgi.input_terminated", None)
    snapshot["wsgi.input"] = io.BytesIO(body or b"")
    snapshot["CONTENT_LENGTH"] = str(len(body or b""))
    request = Request(snapshot, populate_request=False)
    parts = ["<section class=\"request\">\n<h2>Request</h2>\n"]
    try:
        parts.append(_render_table([("Method", request.method), ("URL", request.url)]))
        parts.append("<h3>Headers</h3>\n" + _render_table(_shown_headers(environ)))
        parts.append("<h3>Query arguments</h3>\n" + _render_table(request.args.items(multi=True)))
        parts.append("<h3>Form</h3>\n" + _render_form(request, body))
    except Exception as error:  # noqa: BLE001 - the page must survive a request it cannot parse
        # NOTE(debug): a malformed request is often the bug being debugged; say why the section
        # stops instead of losing the traceback above it.
        parts.append(f"<p class=\"nosource\">(the request could not be shown: {escape_html(repr(error))})</p>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _shown_headers(environ: dict) -> list[tuple[str, str]]:
    """The request headers from ``environ``, with REDACTED_HEADERS' values hidden."""
    rows = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").title()
        else:
            continue
        rows.append((name, REDACTED if name.lower() in REDACTED_HEADERS else str(value)))
    return rows


def _render_form(request: Any, body: Optional[bytes]) -> str:
    if body is None:
        return ("<p class=\"nosource\">(not shown: the body was longer than the middleware keeps"
                " (max_recorded_body), or could not be read back)</p>\n")
    try:
        fields = [(name, _redact_field(name, value)) for name, value in request.form.items(multi=True)]
        files = [(name, f"file {storage.filename!r} ({storage.content_type})")
                 for name, storage in request.files.items(multi=True)]
    except HTTPException as error:
        return f"<p class=\"nosource\">(the form could not be parsed: {escape_html(str(error))})</p>\n"
    return _render_table(fields + files)


def _redact_field(name: str, value: str) -> str:
    lowered = name.lower()
    return REDACTED if any(word in lowered for word in SENSITIVE_FIELD_WORDS) else value


def _render_table(rows: Iterable[tuple[str, Any]]) -> str:
    cells = "".join(
        f"<tr><th>{escape_html(str(name))}</th><td>{escape_html(str(value))}</td></tr>\n" for name, value in rows
    )
    return f"<table>\n{cells}</table>\n" if cells else "<p class=\"nosource\">(none)</p>\n"


_STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { margin-bottom: .2em; color: #900; } .message { font: 16px/1.4 monospace; white-space: pre-wrap; }
.frame { border: 1px solid #ddd; margin: .6em 0; } .frame.library { opacity: .55; }
.frame.template { border-color: #8ac; } .location { margin: 0; padding: .3em .6em; background: #f4f4f4; }
.kind { float: right; font-size: 12px; color: #777; } pre { margin: 0; overflow-x: auto; }
.source { padding: .3em 0; font-size: 13px; } .line { display: block; padding: 0 .6em; }
.line.current { background: #fdd; font-weight: bold; } .lineno { color: #999; }
.error { font-family: monospace; font-weight: bold; } .link { font-style: italic; margin: 1.2em 0; }
.nosource, .repeat { color: #777; font-style: italic; margin: .3em .6em; }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top; padding: .1em .8em .1em 0; }
td { font-family: monospace; word-break: break-all; } .plain { background: #f4f4f4; padding: .6em; }
footer { margin-top: 2em; color: #666; font-size: 13px; }
"""

_FOOTER = (
    "<footer>This page is shown because the app runs in debug mode; never enable debug mode on a"
    " server others can reach. It runs no code and has no console. Local variables are not shown,"
    " and the values of the Cookie, Authorization and Proxy-Authorization headers and of"
    " password-, token- and key-like form fields are replaced with [redacted].</footer>\n</body>\n</html>\n"
)

__all__ = [
    "DebuggedApplication", "render_debug_page", "render_traceback_text", "classify_frame",
    "MAX_RECORDED_BODY", "CONTEXT_LINES", "REDACTED_HEADERS", "SENSITIVE_FIELD_WORDS", "REDACTED",
]
