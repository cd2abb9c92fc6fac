"""The development server, on the standard library's ``wsgiref`` (the role of ``werkzeug.serving``).

``make_server`` returns a ``wsgiref`` server that handles each connection in its own thread (so a
slow client does not block the others); ``run_simple`` serves until Ctrl-C. One log line per
request goes to stderr.

For development only: behind real traffic use a WSGI server such as gunicorn or waitress.
"""

from __future__ import annotations

import socketserver
import sys
from typing import Any, Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class ThreadedWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """A WSGIServer that serves each connection on its own daemon thread."""

    daemon_threads = True
    allow_reuse_address = True


class RequestHandler(WSGIRequestHandler):
    """Logs ``"METHOD /path" status`` lines in a compact format."""

    server_version = "microflask"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's signature
        sys.stderr.write(f"{self.address_string()} - [{self.log_date_time_string()}] {format % args}\n")


def make_server(host: str, port: int, app: Callable[..., Any], threaded: bool = True) -> WSGIServer:
    """A bound, not yet serving, WSGI server for ``app`` on ``host:port`` (port 0 picks one)."""
    server_class = ThreadedWSGIServer if threaded else WSGIServer
    server = server_class((host, port), RequestHandler)
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
