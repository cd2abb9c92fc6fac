"""The development server: HTTP/1.1 on ``wsgiref`` and ``http.server`` (``werkzeug.serving``'s role).

Owns reading requests off a socket, building the PEP 3333 environ, framing the app's response and
``run_simple``; the reloader lives in ``_reloader``. Does not: serve real traffic (use gunicorn,
waitress or uWSGI), HTTP/2, or more than one process. Guide: docs/server.md.

Each connection gets a thread (``ThreadedWSGIServer``) whose ``WSGIRequestHandler`` loops:

1. read the request head up to its blank line within ``timeout`` seconds *in total*, answering a
   long request line with 414 and too many or too large header fields with 431 (RFC 6585 §5);
2. parse it (RFC 9112 §3, §5) into an environ whose ``wsgi.input`` ends where the body ends:
   ``Content-Length`` bytes, or the de-chunked ``Transfer-Encoding: chunked`` body (RFC 9112 §7.1);
3. run the app through ``ServerHandler`` (wsgiref's PEP 3333 checks), which frames the response:
   a known length keeps the connection open, an unknown one is chunked to HTTP/1.1 clients and
   close-delimited to HTTP/1.0 ones (RFC 9112 §6.3, §9.3);
4. drain what the app left of the body, or close, so the next request on the connection starts clean.
"""

from __future__ import annotations

import io
import os
import re
import socket
import socketserver
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Optional, Union
from urllib.parse import unquote, urlsplit
from wsgiref.handlers import SimpleHandler, format_date_time
from wsgiref.simple_server import WSGIServer
from wsgiref.util import FileWrapper

from .exceptions import BadRequest

#: Longest request line (method, target, version) in bytes; a longer one is answered 414.
MAX_REQUEST_LINE = 16 * 1024
#: Most bytes of header fields after the request line; more is answered 431.
MAX_HEADER_BYTES = 64 * 1024
#: Most header fields in one request; more is answered 431.
MAX_HEADER_COUNT = 100
#: Longest chunk-size line (size and extensions) in a chunked request body; longer is a 400.
MAX_CHUNK_LINE = 4096
#: Seconds a client has to send a whole request head, and to complete each later socket read or
#: write. A silent keep-alive connection is closed after it, too.
CONNECTION_TIMEOUT = 10.0
#: Most bytes of a body the app left unread that are read and dropped to keep the connection
#: open; with more left, the connection is closed instead.
MAX_DRAIN_BYTES = 1024 * 1024
#: Seconds (and bytes) an error answer waits for the client's unread data before closing, so the
#: close does not reset the connection before the client has read the answer.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1024 * 1024
#: Bytes of response buffered before a send: a small response leaves in a single send().
WRITE_BUFFER_SIZE = 64 * 1024

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_REQUEST_LINE = re.compile(rf"({_TOKEN}) ([^\x00-\x20\x7f]+) HTTP/(\d)\.(\d)")
_HEADER_FIELD = re.compile(rf"({_TOKEN}):([^\x00-\x08\x0a-\x1f\x7f]*)")
_CHUNK_SIZE_LINE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")
_HEAD_END = re.compile(rb"\n\r?\n")
_COLORS = {"1": "1", "3": "36", "4": "33", "5": "31"}  # ANSI: bold, cyan, yellow, red
_PRINTABLE = {i: f"\\x{i:02x}" for i in [*range(32), *range(127, 256)]}


class ProtocolError(Exception):
    """A request the server answers itself with ``code`` and closes the connection after."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class BadChunkedBody(BadRequest):
    """A ``Transfer-Encoding: chunked`` request body that breaks the chunked syntax (400)."""


# -- wsgi.input ---------------------------------------------------------------------------------


class _BodyInput(io.RawIOBase):
    """The raw body reader under ``wsgi.input``; sends ``100 Continue`` before its first read."""

    def __init__(self, rfile: Any, send_continue: Optional[Callable[[], None]] = None) -> None:
        super().__init__()
        self.rfile = rfile
        self.send_continue = send_continue
        self.broken = False  # the body ended early or broke its framing: the connection must close

    def readable(self) -> bool:
        return True

    def start(self) -> None:
        if self.send_continue is not None:
            self.send_continue()
            self.send_continue = None

    @property
    def at_end(self) -> bool:
        raise NotImplementedError


class SizedInput(_BodyInput):
    """The next ``length`` bytes of the connection: a ``Content-Length`` body (RFC 9112 §6.2)."""

    def __init__(self, rfile: Any, length: int, send_continue: Optional[Callable[[], None]] = None) -> None:
        super().__init__(rfile, send_continue)
        self.remaining = length

    @property
    def at_end(self) -> bool:
        return self.remaining == 0

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        self.start()
        with memoryview(buffer) as view:
            count = self.rfile.readinto1(view[: self.remaining])
        if not count:  # the client closed before sending all it announced
            self.remaining, self.broken = 0, True
        self.remaining -= count
        return count


class ChunkedInput(_BodyInput):
    """The de-chunked body of a ``Transfer-Encoding: chunked`` request (RFC 9112 §7.1).

    Each chunk is ``<hex size>[;extensions]CRLF <data> CRLF``; a zero size ends the body, after
    optional trailer fields (dropped) and a blank line. Bad syntax raises ``BadChunkedBody``.
    """

    def __init__(self, rfile: Any, send_continue: Optional[Callable[[], None]] = None,
                 max_line: int = MAX_CHUNK_LINE, max_trailers: int = MAX_HEADER_COUNT) -> None:
        super().__init__(rfile, send_continue)
        self.chunk_left = 0
        self.done = False
        self.max_line = max_line
        self.max_trailers = max_trailers

    @property
    def at_end(self) -> bool:
        return self.done

    def readinto(self, buffer: Any) -> int:
        if self.done:
            return 0
        self.start()
        if self.chunk_left == 0:
            self.chunk_left = self.read_chunk_size()
            if self.chunk_left == 0:
                self.skip_trailers()
                self.done = True
                return 0
        with memoryview(buffer) as view:
            count = self.rfile.readinto1(view[: self.chunk_left])
        if not count:
            self.fail("The chunked request body ended in the middle of a chunk.")
        self.chunk_left -= count
        if self.chunk_left == 0 and self.read_line() not in (b"\r\n", b"\n"):
            self.fail("A chunk of the request body is not followed by CRLF.")
        return count

    def read_line(self) -> bytes:
        line = self.rfile.readline(self.max_line + 1)
        if len(line) > self.max_line:
            self.fail(f"A chunk-size or trailer line is longer than {self.max_line} bytes.")
        if not line.endswith(b"\n"):
            self.fail("The chunked request body ended early.")
        return line

    def read_chunk_size(self) -> int:
        match = _CHUNK_SIZE_LINE.fullmatch(self.read_line())
        if match is None:
            self.fail("A chunk size in the request body is not a hexadecimal number.")
        return int(match.group(1), 16)

    def skip_trailers(self) -> None:
        for _ in range(self.max_trailers + 1):
            if self.read_line() in (b"\r\n", b"\n"):
                return
        self.fail(f"The chunked request body has more than {self.max_trailers} trailer fields.")

    def fail(self, description: str) -> None:
        self.done = self.broken = True
        raise BadChunkedBody(description)


# -- Running the app for one request ------------------------------------------------------------


class ServerHandler(SimpleHandler):
    """Runs the app for one request with wsgiref's PEP 3333 checks, and frames the response.

    wsgiref checks ``start_response`` and its ``exc_info`` use, and computes Content-Length for a
    one-block result; this class adds chunking, keep-alive, HEAD and a one-send preamble.
    """

    http_version = "1.1"

    def __init__(self, request_handler: WSGIRequestHandler, environ: dict) -> None:
        super().__init__(None, request_handler.wfile, environ["wsgi.errors"], environ,
                         multithread=environ["wsgi.multithread"], multiprocess=False)
        self.request_handler = request_handler
        self.server_software = environ["SERVER_SOFTWARE"]
        self.skip_body = environ["REQUEST_METHOD"] == "HEAD"
        self.chunked = False
        self.length_left: Optional[int] = None  # of a declared Content-Length
        self.completed = False  # the whole response went out; otherwise the connection closes

    def setup_environ(self) -> None:
        self.environ = self.base_env  # complete already: built by the request handler

    def cleanup_headers(self) -> None:
        """Choose the response's framing once its headers are final (RFC 9112 §6.3)."""
        handler, headers = self.request_handler, self.headers
        for name, value in headers.items():
            if "\n" in value or "\r" in value:
                raise ValueError(f"The response header {name!r} contains a line break.")
        if _is_bodyless(self.status):
            self.skip_body = True  # RFC 9110 §8.6: no Content-Length on 1xx or 204
            if self.status[:3] != "304":
                del headers["Content-Length"]
            self.choose_persistence()
            return
        super().cleanup_headers()  # wsgiref: the Content-Length of a one-block result
        if "Content-Length" in headers:
            self.length_left = _parse_length(headers["Content-Length"])
            if self.length_left is None:
                handler.close_connection = True
        elif not self.skip_body:
            if handler.request_version == "HTTP/1.1":
                headers["Transfer-Encoding"] = "chunked"
                self.chunked = True
            else:
                handler.close_connection = True  # the body ends when the connection does
        self.choose_persistence()

    def choose_persistence(self) -> None:
        handler, headers = self.request_handler, self.headers
        if not handler.close_connection and not handler.can_drain_body():
            handler.close_connection = True
        if handler.body is not None:
            handler.body.send_continue = None  # never a 100 (Continue) once the final answer began
        if handler.close_connection:
            headers["Connection"] = "close"
        elif handler.request_version == "HTTP/1.0":
            headers["Connection"] = "keep-alive"

    def send_preamble(self) -> None:
        preamble = f"HTTP/1.1 {self.status}\r\n"
        if "Date" not in self.headers:
            preamble += f"Date: {_http_date()}\r\n"
        if "Server" not in self.headers:
            preamble += f"Server: {self.server_software}\r\n"
        self._write(preamble.encode("latin-1"))

    def write(self, data: bytes) -> None:
        """PEP 3333's ``write()``: send ``data`` now, chunked, cut to Content-Length, or dropped."""
        if type(data) is not bytes:
            raise TypeError(f"The app must write bytes, not {type(data).__name__}.")
        if not self.status:
            raise AssertionError("write() before start_response()")
        if not self.headers_sent:
            self.bytes_sent = len(data)
            self.send_headers()
        else:
            self.bytes_sent += len(data)
        if data and not self.skip_body:
            self.send_body(data)
        self._flush()

    def send_body(self, data: bytes) -> None:
        if self.chunked:
            self._write(b"%X\r\n" % len(data))
            self._write(data)
            self._write(b"\r\n")
            return
        if self.length_left is not None:
            if len(data) > self.length_left:  # more than announced: the rest would corrupt the next
                data = data[: self.length_left]
                self.request_handler.close_connection = True
            self.length_left -= len(data)
        self._write(data)

    def finish_response(self) -> None:
        """Send the result's blocks; for HEAD (and bodyless statuses) stop once headers are out."""
        try:
            for data in self.result:
                self.write(data)
                if self.skip_body and self.headers_sent:
                    break
            self.finish_content()
        except BaseException:
            if hasattr(self.result, "close"):
                self.result.close()
            raise
        self.completed = True
        self.close()

    def finish_content(self) -> None:
        if not self.headers_sent:
            if not _is_bodyless(self.status):
                self.headers.setdefault("Content-Length", "0")
            self.send_headers()
        elif self.chunked:
            self._write(b"0\r\n\r\n")
        elif self.length_left:  # fewer bytes than announced: only closing ends the response
            self.request_handler.close_connection = True
        self._flush()

    def handle_error(self) -> None:
        """Answer 500 (400 for a broken chunked body) unless headers are out; close after."""
        handler = self.request_handler
        handler.close_connection = True
        error = sys.exc_info()[1]
        if isinstance(error, (socket.timeout, ConnectionError)):
            return  # the client stalled or left: there is no one to answer
        if handler.server.passthrough_errors:
            raise  # noqa: PLE0704 - re-raises the app's exception for a debugger (run_simple)
        if isinstance(error, BadChunkedBody):
            status, body = "400 Bad Request", f"{error.description}\n".encode()
        else:
            self.log_exception(sys.exc_info())
            status, body = self.error_status, self.error_body
        if self.headers_sent:  # too late to answer: log what went out, then close
            self.result = None  # closed already, by finish_response
            self.close()
            return
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
        self.start_response(status, headers, sys.exc_info())
        self.result = [body]
        self.finish_response()

    def close(self) -> None:
        status, size = self.status, 0 if self.skip_body else self.bytes_sent
        try:
            super().close()
        finally:
            if status:
                self.request_handler.log_request(status[:3], size)


# -- One connection ----------------------------------------------------------------------------


class WSGIRequestHandler(BaseHTTPRequestHandler):
    """Serves one connection: reads requests, runs the app, repeats while the client keeps alive.

    Subclass to change a limit (``timeout``, ``max_request_line``, ``max_header_bytes``,
    ``max_header_count``) or the log (``log_request``/``log_message``).
    """

    protocol_version = "HTTP/1.1"
    server_version = "microflask"
    disable_nagle_algorithm = True  # a response goes in one send; Nagle would only delay it
    wbufsize = WRITE_BUFFER_SIZE
    timeout = CONNECTION_TIMEOUT
    max_request_line = MAX_REQUEST_LINE
    max_header_bytes = MAX_HEADER_BYTES
    max_header_count = MAX_HEADER_COUNT
    server: BaseWSGIServer

    def handle(self) -> None:
        self.close_connection = False
        self.body: Optional[_BodyInput] = None
        try:
            if isinstance(self.connection, ssl.SSLSocket):
                self.connection.do_handshake()  # here, in this thread, within ``timeout``
            while not self.close_connection:
                self.handle_one_request()
        except (ConnectionError, socket.timeout, ssl.SSLError):
            pass  # the client left or went silent mid-response; its thread just ends

    def handle_one_request(self) -> None:
        self.requestline, self.request_version, self.command, self.body = "", "HTTP/1.1", "", None
        try:
            head = self.read_head()
            if head is None:
                self.close_connection = True
                return
            environ = self.parse_head(head)
        except ProtocolError as error:
            self.send_error(error.code, error.description)
            return
        handler = ServerHandler(self, environ)
        handler.run(self.server.get_app())
        if not handler.completed or not self.drain_body():
            self.close_connection = True

    # -- Reading the request head

    def read_head(self) -> Optional[bytes]:
        """The request head through its blank line; None if the client closed or stayed silent.

        One deadline covers the whole head (not each recv), so a client sending a byte at a time
        cannot hold this thread for longer than ``timeout``.
        """
        deadline = time.monotonic() + self.timeout
        head = bytearray()
        while True:
            data = self.peek_before(deadline, partial=bool(head))
            if not data:
                return None
            if not head:  # RFC 9112 §2.2: ignore empty lines before the request line
                blank = len(data) - len(data.lstrip(b"\r\n"))
                if blank:
                    self.rfile.read(blank)
                    continue
            start = len(head)
            head += data
            end = _HEAD_END.search(head, max(0, start - 2))
            if end is not None:
                del head[end.end():]
                self.check_head_size(head)
                self.rfile.read(end.end() - start)  # only this request's bytes; the rest stays
                self.connection.settimeout(self.timeout)
                return bytes(head)
            self.check_head_size(head)
            self.rfile.read(len(data))

    def peek_before(self, deadline: float, partial: bool) -> bytes:
        """The buffered bytes, reading the socket at most once and only until ``deadline``."""
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise socket.timeout
            self.connection.settimeout(remaining)
            return self.rfile.peek(1)
        except socket.timeout:
            if partial:
                raise ProtocolError(408, f"The request head did not arrive within {self.timeout} seconds.") from None
            return b""

    def check_head_size(self, head: bytearray) -> None:
        line_end = head.find(b"\n")
        if (line_end if line_end >= 0 else len(head)) > self.max_request_line:
            self.requestline = head[:100].decode("latin-1") + "..."
            raise ProtocolError(414, f"The request line is longer than {self.max_request_line} bytes.")
        if line_end < 0:
            return
        self.requestline = head[:line_end].decode("latin-1").rstrip("\r")
        if len(head) - line_end - 1 > self.max_header_bytes:
            raise ProtocolError(431, f"The header fields are larger than {self.max_header_bytes} bytes.")
        if head.count(b"\n", line_end + 1) > self.max_header_count + 1:
            raise ProtocolError(431, f"The request has more than {self.max_header_count} header fields.")

    # -- Parsing it into an environ

    def parse_head(self, head: bytes) -> dict:
        lines = head.decode("latin-1").split("\n")
        self.requestline = lines[0].rstrip("\r")
        method, target, version = self.parse_request_line(self.requestline)
        environ = self.make_environ(method, target, version, _parse_fields(lines[1:-2]))
        self.close_connection = not _wants_keep_alive(environ, version) or not self.server.multithread
        self.open_body(environ)
        return environ

    def parse_request_line(self, line: str) -> tuple[str, str, str]:
        match = _REQUEST_LINE.fullmatch(line)
        if match is None:
            raise ProtocolError(400, f"Bad request line {_printable(line)!r}.")
        method, target, major, minor = match.groups()
        if major != "1":
            raise ProtocolError(505, f"HTTP/{major}.{minor} is not supported; use HTTP/1.1.")
        version = "HTTP/1.0" if minor == "0" else "HTTP/1.1"
        self.command, self.path, self.request_version = method, target, version
        return method, target, version

    def make_environ(self, method: str, target: str, version: str, fields: list) -> dict:
        environ = self.server.base_environ.copy()
        path, query = _split_target(target)
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = unquote(path, "latin-1") if "%" in path else path
        environ["QUERY_STRING"] = query
        environ["REQUEST_URI"] = environ["RAW_URI"] = target
        environ["SERVER_PROTOCOL"] = version
        environ["SERVER_SOFTWARE"] = self.version_string()
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = self.client_address[0], str(self.client_address[1])
        environ["wsgi.errors"] = sys.stderr
        for name, value in fields:
            if "_" in name:
                continue  # NOTE(serving): X_Forwarded_For would pose as X-Forwarded-For; Werkzeug drops it too
            key = name.upper().replace("-", "_")
            if key != "CONTENT_TYPE" and key != "CONTENT_LENGTH":
                key = "HTTP_" + key
            if key in environ:
                value = environ[key] + ("; " if key == "HTTP_COOKIE" else ", ") + value
            environ[key] = value
        return environ

    def open_body(self, environ: dict) -> None:
        """Put a reader that stops at the body's end in ``wsgi.input`` (RFC 9112 §6.3)."""
        coding, length = environ.get("HTTP_TRANSFER_ENCODING"), environ.get("CONTENT_LENGTH")
        send_continue = None
        if environ.get("HTTP_EXPECT", "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
            send_continue = self.send_continue
        if coding is not None:
            if length is not None or self.request_version == "HTTP/1.0":
                raise ProtocolError(400, "Transfer-Encoding is not allowed with Content-Length or in HTTP/1.0.")
            if coding.strip().lower() != "chunked":
                raise ProtocolError(501, f"Transfer-Encoding {_printable(coding)!r} is not supported; only chunked is.")
            self.body = ChunkedInput(self.rfile, send_continue, MAX_CHUNK_LINE, self.max_header_count)
            environ["wsgi.input_terminated"] = True
        elif length is not None:
            size = _parse_length(length)
            if size is None:
                raise ProtocolError(400, f"Bad Content-Length {_printable(length)!r}.")
            self.body = SizedInput(self.rfile, size, send_continue) if size else None
        environ["wsgi.input"] = io.BufferedReader(self.body) if self.body is not None else io.BytesIO()

    def send_continue(self) -> None:
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()

    # -- After the response

    def can_drain_body(self) -> bool:
        """Whether the body's unread rest is known to be small enough to read and drop."""
        body = self.body
        if body is None or body.at_end:
            return True
        if body.broken or body.send_continue is not None:
            return False  # unframed, or the client may never send a body it was not asked for
        return not isinstance(body, SizedInput) or body.remaining <= MAX_DRAIN_BYTES

    def drain_body(self) -> bool:
        """Read and drop what the app left of the body; False if the connection must close."""
        body = self.body
        if self.close_connection or not self.can_drain_body():
            return False
        if body is None or body.at_end:
            return True
        budget = MAX_DRAIN_BYTES
        try:
            while budget > 0 and not body.at_end:
                chunk = body.read(min(budget, 65536))
                if not chunk:
                    break
                budget -= len(chunk)
        except (BadChunkedBody, OSError):
            return False
        return body.at_end and not body.broken

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """Answer ``code`` with a short text body and close: the request may not be parseable."""
        self.close_connection = True
        reason = self.responses.get(code, ("Error",))[0]
        body = f"{code} {reason}: {message or explain or reason}\n".encode("latin-1", "replace")
        head = (f"HTTP/1.1 {code} {reason}\r\nDate: {_http_date()}\r\nServer: {self.version_string()}\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        try:
            self.wfile.write(head.encode("latin-1") + body)
            self.wfile.flush()
            self.linger()
        except OSError:
            pass  # the client is gone
        self.log_request(code, len(body))

    def linger(self) -> None:
        """Read and drop the client's unsent-to-us data for a moment before closing.

        Closing a socket that still has unread input sends a reset, which can destroy the
        answer in the client's buffers before it is read; so half-close, then drain briefly.
        """
        if isinstance(self.connection, ssl.SSLSocket):
            return  # a TLS half-close would end the session; the answer is flushed already
        self.connection.shutdown(socket.SHUT_WR)
        deadline, budget = time.monotonic() + LINGER_SECONDS, LINGER_BYTES
        while budget > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.connection.settimeout(remaining)
            try:
                data = self.connection.recv(65536)
            except socket.timeout:
                return
            if not data:
                return
            budget -= len(data)

    # -- The log

    def log_request(self, code: Union[int, str] = "-", size: Union[int, str] = "-") -> None:
        """One line per request: address, time, request line, status and body bytes sent."""
        message = f'"{_printable(self.requestline)}" {code} {size}'
        stream = sys.stderr
        if stream.isatty():
            color = _COLORS.get(str(code)[:1])
            if color:
                message = f"\x1b[{color}m{message}\x1b[0m"
        self.log_message("%s", message)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        sys.stderr.write(f"{self.address_string()} - - [{self.log_date_time_string()}] {format % args}\n")


RequestHandler = WSGIRequestHandler  # the name earlier microflask versions used


def _is_bodyless(status: str) -> bool:
    """Whether a response with this status line never has content (RFC 9110 §15)."""
    return status[0] == "1" or status[:3] in ("204", "304")


def _parse_fields(lines: list) -> list:
    """``(name, value)`` pairs from header field lines (RFC 9112 §5); a bad line is a 400."""
    fields = []
    for line in lines:
        if line[-1:] == "\r":
            line = line[:-1]
        match = _HEADER_FIELD.fullmatch(line)
        if match is None:
            if line[:1] in (" ", "\t"):
                raise ProtocolError(400, "Folded header lines (obs-fold) are not accepted.")
            raise ProtocolError(400, f"Bad header line {_printable(line[:100])!r}.")
        fields.append((match.group(1), match.group(2).strip(" \t")))
    return fields


def _split_target(target: str) -> tuple[str, str]:
    """Path and query of an origin-form (``/a?b``), absolute-form or asterisk request target."""
    if target[0] == "/":
        path, _, query = target.partition("?")
        return path, query
    if target == "*":
        return "*", ""
    if "://" in target:
        parts = urlsplit(target)
        return parts.path or "/", parts.query
    raise ProtocolError(400, f"Bad request target {_printable(target[:100])!r}.")


def _wants_keep_alive(environ: dict, version: str) -> bool:
    """RFC 9112 §9.3: 1.1 stays open unless ``close``; 1.0 closes unless ``keep-alive``."""
    tokens = environ.get("HTTP_CONNECTION", "").lower()
    if version == "HTTP/1.1":
        return "close" not in tokens.replace(" ", "").split(",")
    return "keep-alive" in tokens.replace(" ", "").split(",")


def _parse_length(value: str) -> Optional[int]:
    """A Content-Length value as an int, or None unless it is all ASCII digits."""
    value = value.strip()
    if value.isdigit() and value.isascii() and len(value) <= 19:
        return int(value)
    return None


def _printable(text: str) -> str:
    """``text`` with control and non-ASCII characters escaped, safe to write to a terminal."""
    if text.isascii() and text.isprintable():
        return text
    return text.translate(_PRINTABLE)


_date_cache = [0, ""]


def _http_date() -> str:
    """The Date header value (RFC 9110 §6.6.1), formatted once per second."""
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, format_date_time(now)]
    return _date_cache[1]


# -- Servers -----------------------------------------------------------------------------------


class BaseWSGIServer(WSGIServer):
    """wsgiref's WSGIServer, bound without a reverse DNS lookup, maybe on an inherited socket or TLS."""

    allow_reuse_address = True
    request_queue_size = 128
    multithread = False

    def __init__(self, host: str, port: int, app: Callable[..., Any],
                 handler: Optional[type] = None, passthrough_errors: bool = False,
                 ssl_context: Optional[ssl.SSLContext] = None, fd: Optional[int] = None) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.passthrough_errors = passthrough_errors
        super().__init__((host, port), handler or WSGIRequestHandler, bind_and_activate=fd is None)
        if fd is not None:  # the reloader's parent bound the socket; this child serves it
            self.socket.close()
            self.socket = socket.socket(fileno=fd)
            self.server_address = self.socket.getsockname()
            self.record_address()
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.base_environ["wsgi.url_scheme"] = "https"
        self.set_app(app)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # not HTTPServer's: it resolves the host name
        self.record_address()

    def record_address(self) -> None:
        self.server_name, self.server_port = self.server_address[0], self.server_address[1]
        self.setup_environ()

    def setup_environ(self) -> None:
        """The keys every request's environ starts from (PEP 3333); no ``os.environ``."""
        self.base_environ = {
            "SERVER_NAME": self.server_name, "SERVER_PORT": str(self.server_port),
            "SCRIPT_NAME": "", "GATEWAY_INTERFACE": "CGI/1.1",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.multithread": self.multithread,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.file_wrapper": FileWrapper,
        }

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.passthrough_errors:
            self.shutdown_request(request)
            raise  # noqa: PLE0704 - the app's exception, out of serve_forever
        super().handle_error(request, client_address)


class ThreadedWSGIServer(socketserver.ThreadingMixIn, BaseWSGIServer):
    """Serves each connection on its own daemon thread, so one slow client does not block others."""

    daemon_threads = True
    multithread = True


# -- Entry points ------------------------------------------------------------------------------


def load_ssl_context(cert_file: str, pkey_file: Optional[str] = None) -> ssl.SSLContext:
    """A server-side TLS context from a certificate file and its private key file (PEM)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, pkey_file)
    return context


def resolve_ssl_context(ssl_context: Any) -> Optional[ssl.SSLContext]:
    """``ssl_context`` as run_simple takes it: None, an SSLContext, or ``(cert, key)`` paths."""
    if ssl_context is None or isinstance(ssl_context, ssl.SSLContext):
        return ssl_context
    if ssl_context == "adhoc":
        raise ValueError(
            "ssl_context='adhoc' needs a generated certificate, which needs the 'cryptography'"
            " package, and microflask has no dependencies. Make a certificate once with: openssl req"
            " -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 365 -subj"
            " /CN=localhost, then pass ssl_context=('cert.pem', 'key.pem')."
        )
    if isinstance(ssl_context, tuple) and len(ssl_context) == 2:
        return load_ssl_context(*ssl_context)
    raise TypeError(f"ssl_context must be an ssl.SSLContext or a (cert, key) tuple, not {ssl_context!r}.")


def make_server(host: str, port: int, app: Callable[..., Any], threaded: bool = True,
                processes: int = 1, request_handler: Optional[type] = None,
                passthrough_errors: bool = False, ssl_context: Any = None,
                fd: Optional[int] = None) -> BaseWSGIServer:
    """A bound, not yet serving, server for ``app`` on ``host:port`` (port 0 picks a free one).

    ``request_handler`` replaces ``WSGIRequestHandler`` (say, to change a limit or the log);
    ``passthrough_errors`` lets the app's exceptions escape to a debugger; ``fd`` serves an
    already bound and listening socket instead of binding one.
    """
    if processes != 1:
        raise ValueError(
            f"processes={processes}: the development server runs in one process. Use threaded=True,"
            " or a production server (gunicorn -w N) for several processes."
        )
    server_class = ThreadedWSGIServer if threaded else BaseWSGIServer
    return server_class(host, port, app, request_handler, passthrough_errors,
                        resolve_ssl_context(ssl_context), fd)


def is_running_from_reloader() -> bool:
    """Whether this process is the reloader's child, the one that serves."""
    from ._reloader import RUN_MAIN_ENV

    return os.environ.get(RUN_MAIN_ENV) == "true"


def run_simple(hostname: str, port: int, application: Callable[..., Any],
               use_reloader: bool = False, use_debugger: bool = False, use_evalex: bool = True,
               extra_files: Optional[list] = None, exclude_patterns: Optional[list] = None,
               reloader_interval: float = 1, reloader_type: str = "auto", threaded: bool = False,
               processes: int = 1, request_handler: Optional[type] = None,
               static_files: Optional[dict] = None, passthrough_errors: bool = False,
               ssl_context: Any = None) -> None:
    """Serve ``application`` on ``hostname:port`` until Ctrl-C (Werkzeug's signature).

    ``use_reloader`` restarts the server when a loaded module, an ``extra_files`` entry (a
    directory counts recursively) changes; ``exclude_patterns`` are fnmatch patterns of paths not
    to watch. ``use_debugger`` wraps the app in ``microflask.debug.DebuggedApplication``.
    """
    if not isinstance(port, int):
        raise TypeError(f"The port must be an integer, not {port!r}.")
    if static_files:
        raise ValueError("static_files is not supported; serve files from the app's static folder.")
    if reloader_type not in ("auto", "stat"):
        raise ValueError(f"reloader_type={reloader_type!r}: only 'stat' (and 'auto') exist here.")
    context = resolve_ssl_context(ssl_context)
    if use_debugger:
        application = _wrap_debugger(application, use_evalex)
    if use_reloader:
        from . import _reloader

        watch = _reloader.StatWatcher(extra_files or (), exclude_patterns or ())
        if not is_running_from_reloader():
            sock = _reloader.bind_socket(hostname, port)
            _announce(hostname, sock.getsockname()[1], context)
            sys.exit(_reloader.run_parent(sock, watch, reloader_interval))
        fd = int(os.environ[_reloader.SERVER_FD_ENV])
        server = make_server(hostname, port, application, threaded, processes, request_handler,
                             passthrough_errors, context, fd=fd)
        _reloader.run_child(server, watch, reloader_interval)
        return
    server = make_server(hostname, port, application, threaded, processes, request_handler,
                         passthrough_errors, context)
    _announce(hostname, server.server_port, context)
    serve_until_interrupted(server)


def serve_until_interrupted(server: BaseWSGIServer) -> None:
    """Serve until Ctrl-C, then close the listening socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _wrap_debugger(application: Callable[..., Any], use_evalex: bool) -> Callable[..., Any]:
    from .debug import DebuggedApplication  # imported late: only debug runs need it

    if use_evalex:
        return DebuggedApplication(application)
    return DebuggedApplication(application, evalex=False)


def _announce(hostname: str, port: int, ssl_context: Optional[ssl.SSLContext]) -> None:
    scheme = "https" if ssl_context is not None else "http"
    display = f"[{hostname}]" if ":" in hostname else hostname
    sys.stderr.write(
        f" * Running on {scheme}://{display}:{port}/ (development server; press CTRL+C to quit)\n"
    )
    if hostname in ("0.0.0.0", "::", ""):
        sys.stderr.write(f" * Reachable from other machines; locally at {scheme}://127.0.0.1:{port}/\n")
