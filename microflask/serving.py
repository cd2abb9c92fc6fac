"""The development server, on the standard library's ``wsgiref`` (the role of ``werkzeug.serving``).

``make_server`` returns a ``wsgiref`` server that handles each connection in its own thread (so a
slow client does not block the others); ``run_simple`` serves until Ctrl-C. One log line per
request goes to stderr. Unlike plain ``wsgiref``, the environ holds only the request (not the
server's ``os.environ``) and ``wsgi.multithread`` says whether the server is threaded (PEP 3333).

For development only: behind real traffic use a WSGI server such as gunicorn or waitress.
"""

from __future__ import annotations

import socketserver
import sys
from http import HTTPStatus
from typing import Any, Callable, Optional
from wsgiref.simple_server import ServerHandler as _WSGIRefServerHandler
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

#: The longest request line read, in bytes; a longer one is answered with 414 URI Too Long.
MAX_REQUEST_LINE = 65536


class ThreadedWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """A WSGIServer that serves each connection on its own daemon thread."""

    daemon_threads = True
    allow_reuse_address = True


class ServerHandler(_WSGIRefServerHandler):
    """Runs the app for one request; its environ starts empty, not from the server's os.environ."""

    os_environ: dict = {}


class RequestHandler(WSGIRequestHandler):
    """Reads one request, runs the app through ``ServerHandler`` and logs a compact line."""

    server_version = "microflask"

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if len(self.raw_requestline) > MAX_REQUEST_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        if not self.parse_request():
            return  # parse_request has answered the malformed request already
        handler = ServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(),
            multithread=isinstance(self.server, socketserver.ThreadingMixIn),
        )
        handler.server_software = self.version_string()
        handler.request_handler = self  # the handler logs the request through it
        handler.run(self.server.get_app())

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's signature
        sys.stderr.write(f"{self.address_string()} - [{self.log_date_time_string()}] {format % args}\n")


def make_server(host: str, port: int, app: Callable[..., Any], threaded: bool = True,
                request_handler: Optional[type[WSGIRequestHandler]] = None) -> WSGIServer:
    """A bound, not yet serving, WSGI server for ``app`` on ``host:port`` (port 0 picks one).

    ``request_handler`` replaces ``RequestHandler``, e.g. to log somewhere else.
    """
    server_class = ThreadedWSGIServer if threaded else WSGIServer
    server = server_class((host, port), request_handler or RequestHandler)
    server.set_app(app)
    return server


def run_simple(hostname: str, port: int, application: Callable[..., Any], threaded: bool = True,
               **options: Any) -> None:
    """Serve ``application`` on ``hostname:port`` until interrupted."""
    server = make_server(hostname, port, application, threaded=threaded)
    bound_host, bound_port = server.server_address[:2]
    sys.stderr.write(
        f" * Running on http://{bound_host}:{bound_port}/ (development server; press CTRL+C to quit)\n"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
