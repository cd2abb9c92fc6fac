"""The development server, its reloader and the command line, over real sockets and processes.

``serving`` runs a fresh app on ``serving.make_server`` in a background thread; the reloader and
CLI tests run real subprocesses. Every socket and subprocess has a timeout, and every subprocess
is killed in a ``finally``, so a broken server fails a test instead of hanging the run.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import re
import select
import signal
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from microflask import Blueprint, Flask, request
from microflask import serving as serving_module
from microflask._reloader import StatWatcher
from microflask.serving import RequestHandler, WSGIRequestHandler, make_server, run_simple

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 5.0  # seconds for any one socket operation or subprocess step
STARTUP_TIMEOUT = 10.0  # seconds for a CLI server to start answering


# -- An in-process server ---------------------------------------------------------------------


@pytest.fixture
def live_app():
    """A non-testing app, so errors in views are handled the way they are in production."""
    app = Flask("live_app", root_path=str(REPO_ROOT))

    @app.route("/")
    def index():
        return "Hello, World!"

    @app.post("/echo")
    def echo():
        return request.get_data()

    @app.post("/ignore")
    def ignore():
        return "ignored"

    @app.route("/stream")
    def stream():
        return (part for part in ["one ", "two ", "three"])

    return app


class QuietRequestHandler(RequestHandler):
    """Drops the per-request log line: it is written after the response, so it can land after
    the test has ended and leak into pytest's own output."""

    def log_message(self, format, *args):  # noqa: A002 - stdlib's signature
        pass


class RecordingRequestHandler(WSGIRequestHandler):
    """Keeps log lines on the server, and gives up on a slow client after half a second."""

    timeout = 0.5

    def log_message(self, format, *args):  # noqa: A002 - stdlib's signature
        self.server.log_lines.append(format % args)


@contextlib.contextmanager
def serving_app(app, threaded=True, handler=QuietRequestHandler, **options):
    """Serve ``app`` on a free port in a thread; yields the server, then shuts it down."""
    server = make_server("127.0.0.1", 0, app, threaded=threaded, request_handler=handler, **options)
    server.log_lines = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@contextlib.contextmanager
def serving(app, threaded=True):
    """Serve ``app`` on a free port in a thread; yields ``(host, port)``."""
    with serving_app(app, threaded) as server:
        yield server.server_address[:2]


@pytest.fixture
def live_server(live_app):
    with serving(live_app) as address:
        yield address


@pytest.fixture
def recording_server(live_app):
    """A live server whose log lines are in ``server.log_lines``."""
    with serving_app(live_app, handler=RecordingRequestHandler) as server:
        yield server


def fetch(address, path, method="GET", body=None, headers=None, timeout=TIMEOUT):
    """Send one request on a new connection; return ``(response, body bytes)``."""
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def read_until_closed(connection):
    chunks = []
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def send_raw(address, data):
    """Write ``data`` on a new connection; return everything the server sends before closing."""
    with socket.create_connection(address, timeout=TIMEOUT) as connection:
        connection.sendall(data)
        return read_until_closed(connection)


class RawConnection:
    """A raw socket whose successive responses are read through one buffer (``http.client``'s
    own reader would drop bytes it read ahead of the first response)."""

    def __init__(self, address):
        self.socket = socket.create_connection(address, timeout=TIMEOUT)
        self.file = self.socket.makefile("rb")

    def makefile(self, mode):
        return self  # http.client reads through this object, which keeps the buffer open

    def __getattr__(self, name):
        return getattr(self.file, name)

    def close(self):
        pass  # http.client closes its file after each response; the connection stays open

    def send(self, data):
        self.socket.sendall(data)

    def response(self, method="GET"):
        """The next response on the connection: ``(response, body)``."""
        response = http.client.HTTPResponse(self, method=method)
        response.begin()
        return response, response.read()


@contextlib.contextmanager
def raw_connection(address):
    connection = RawConnection(address)
    try:
        yield connection
    finally:
        connection.file.close()
        connection.socket.close()


def wait_for(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_hello_world_is_answered_over_a_real_socket(live_server):
    response, body = fetch(live_server, "/")
    assert (response.status, body) == (200, b"Hello, World!")


def test_html_response_over_the_socket_has_utf8_html_content_type(live_server):
    response, _ = fetch(live_server, "/")
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"


def test_response_over_the_socket_has_content_length_of_its_body(live_server):
    response, body = fetch(live_server, "/")
    assert response.getheader("Content-Length") == str(len(body)) == "13"


def test_unknown_url_over_the_socket_is_404(live_server):
    response, _ = fetch(live_server, "/no-such-page")
    assert response.status == 404


def test_query_string_over_the_socket_reaches_request_args(live_app, live_server):
    @live_app.route("/search")
    def search():
        return request.args.get("q", "")

    _, body = fetch(live_server, "/search?q=caf%C3%A9+au+lait")
    assert body.decode("utf-8") == "café au lait"


def test_posted_form_body_reaches_request_form(live_app, live_server):
    @live_app.post("/login")
    def login():
        return f"{request.method} {request.form['username']}"

    _, body = fetch(
        live_server, "/login", method="POST", body=b"username=ada&password=secret",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert body == b"POST ada"


def test_posted_json_body_reaches_request_get_json(live_app, live_server):
    @live_app.post("/double")
    def double():
        return {"doubled": request.get_json()["n"] * 2}

    response, body = fetch(
        live_server, "/double", method="POST", body=b'{"n": 21}',
        headers={"Content-Type": "application/json"},
    )
    assert (response.getheader("Content-Type"), body.strip()) == ("application/json", b'{"doubled":42}')


def test_error_in_a_view_is_answered_with_500_over_the_socket(live_app, live_server):
    @live_app.route("/boom")
    def boom():
        raise RuntimeError("the view failed")

    response, _ = fetch(live_server, "/boom")
    assert response.status == 500


def test_server_keeps_serving_after_a_view_raises(live_app, live_server):
    @live_app.route("/boom")
    def boom():
        raise RuntimeError("the view failed")

    fetch(live_server, "/boom")
    response, body = fetch(live_server, "/")
    assert (response.status, body) == (200, b"Hello, World!")


def test_blocked_request_does_not_stop_a_second_request_from_being_answered(live_app, live_server):
    entered, release = threading.Event(), threading.Event()

    @live_app.route("/slow")
    def slow():
        entered.set()
        release.wait(TIMEOUT)
        return "slow"

    slow_request = threading.Thread(target=fetch, args=(live_server, "/slow"), daemon=True)
    slow_request.start()
    try:
        assert entered.wait(TIMEOUT), "the slow view was never called"
        response, body = fetch(live_server, "/", timeout=2.0)
        assert (response.status, body) == (200, b"Hello, World!")
    finally:
        release.set()
        slow_request.join(TIMEOUT)


def environ_probe_app():
    app = Flask("environ_probe")

    @app.route("/environ/<key>", methods=["GET", "POST"])
    def environ_value(key):
        return repr(request.environ.get(key, "<missing>"))

    return app


@pytest.mark.parametrize(("threaded", "expected"), [(True, b"True"), (False, b"False")])
def test_wsgi_multithread_tells_the_app_whether_the_server_is_threaded(threaded, expected):
    with serving(environ_probe_app(), threaded=threaded) as address:
        _, body = fetch(address, "/environ/wsgi.multithread")
    assert body == expected


def test_request_environ_does_not_carry_the_server_process_environment():
    with serving(environ_probe_app()) as address:
        _, body = fetch(address, "/environ/PATH")
    assert body == b"'<missing>'"


def test_path_info_is_percent_decoded_into_latin1_characters_as_pep_3333_says():
    app = Flask("path_probe")

    @app.route("/<path:rest>")
    def path(rest):
        return repr(request.environ["PATH_INFO"])

    with serving(app) as address:
        _, body = fetch(address, "/caf%C3%A9")
    assert body == repr("/caf\xc3\xa9").encode()


def test_repeated_request_headers_are_joined_with_commas():
    with serving(environ_probe_app()) as address:
        reply = send_raw(address, b"GET /environ/HTTP_ACCEPT HTTP/1.1\r\nHost: x\r\nAccept: a\r\n"
                                  b"Accept: b\r\nConnection: close\r\n\r\n")
    assert reply.endswith(b"'a, b'")


def test_header_with_an_underscore_does_not_pose_as_its_dashed_twin():
    with serving(environ_probe_app()) as address:
        reply = send_raw(address, b"GET /environ/HTTP_X_USER HTTP/1.1\r\nHost: x\r\nX_User: admin\r\n"
                                  b"Connection: close\r\n\r\n")
    assert reply.endswith(b"'<missing>'")


def test_server_header_names_microflask(live_server):
    response, _ = fetch(live_server, "/")
    assert response.getheader("Server").startswith("microflask Python/")


def test_connection_closed_without_a_request_does_not_stop_the_server(live_server):
    socket.create_connection(live_server, timeout=TIMEOUT).close()
    assert fetch(live_server, "/")[1] == b"Hello, World!"


# -- Keep-alive, chunking, HEAD, 100-continue --------------------------------------------------


def test_two_requests_share_one_keepalive_connection(live_server):
    connection = http.client.HTTPConnection(*live_server, timeout=TIMEOUT)
    try:
        connection.request("GET", "/")
        first = connection.getresponse().read()
        port = connection.sock.getsockname()[1]
        connection.request("GET", "/")
        second = connection.getresponse().read()
        assert (first, second, connection.sock.getsockname()[1]) == (b"Hello, World!", b"Hello, World!", port)
    finally:
        connection.close()


def test_connection_close_request_is_answered_and_closed(live_server):
    reply = send_raw(live_server, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"\r\nConnection: close\r\n" in reply and reply.endswith(b"Hello, World!")


def test_http_1_0_request_is_closed_after_the_response(live_server):
    reply = send_raw(live_server, b"GET / HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"Hello, World!")


def test_http_1_0_keepalive_request_is_kept_alive(live_server):
    with raw_connection(live_server) as connection:
        connection.send(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" * 2)
        first, second = connection.response(), connection.response()
    assert first[0].getheader("Connection") == "keep-alive"
    assert (first[1], second[1]) == (b"Hello, World!", b"Hello, World!")


def test_pipelined_requests_are_answered_in_order(live_app, live_server):
    @live_app.route("/n/<int:n>")
    def number(n):
        return str(n)

    with raw_connection(live_server) as connection:
        connection.send(b"".join(b"GET /n/%d HTTP/1.1\r\nHost: x\r\n\r\n" % n for n in range(3)))
        bodies = [connection.response()[1] for _ in range(3)]
    assert bodies == [b"0", b"1", b"2"]


def test_streamed_response_is_chunked_to_an_http_1_1_client(live_server):
    reply = send_raw(live_server, b"GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head
    assert body == b"4\r\none \r\n4\r\ntwo \r\n5\r\nthree\r\n0\r\n\r\n"


def test_streamed_response_reaches_http_client_whole(live_server):
    assert fetch(live_server, "/stream")[1] == b"one two three"


def test_streamed_response_to_an_http_1_0_client_ends_when_the_connection_closes(live_server):
    reply = send_raw(live_server, b"GET /stream HTTP/1.0\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
    assert body == b"one two three"


def test_connection_stays_usable_after_a_chunked_response(live_server):
    with raw_connection(live_server) as connection:
        connection.send(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        bodies = [connection.response()[1], connection.response()[1]]
    assert bodies == [b"one two three", b"Hello, World!"]


def test_head_response_has_the_headers_of_get_and_no_body(live_server):
    reply = send_raw(live_server, b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"\r\nContent-Length: 13\r\n" in head and body == b""


def test_head_of_a_streamed_response_leaves_the_connection_usable(live_server):
    with raw_connection(live_server) as connection:
        connection.send(b"HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        head_response, head_body = connection.response("HEAD")
        _, body = connection.response()
    assert (head_response.status, head_body, body) == (200, b"", b"Hello, World!")


def test_expect_100_continue_is_answered_before_the_client_sends_the_body(live_server):
    with socket.create_connection(live_server, timeout=TIMEOUT) as connection:
        connection.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                           b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
        interim = connection.recv(1024)
        connection.sendall(b"hello")
        reply = read_until_closed(connection)
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"hello")


def test_body_never_asked_for_with_100_continue_closes_the_connection(live_server):
    with socket.create_connection(live_server, timeout=TIMEOUT) as connection:
        connection.sendall(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                           b"Expect: 100-continue\r\n\r\n")
        reply = read_until_closed(connection)
    assert b"\r\nConnection: close\r\n" in reply and reply.endswith(b"ignored")


def test_unread_post_body_does_not_corrupt_next_keepalive_request(live_server):
    smuggled = b"GET /no-such-page HTTP/1.1\r\nHost: x\r\n\r\n"
    with raw_connection(live_server) as connection:
        connection.send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                           b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" % (len(smuggled), smuggled))
        bodies = [connection.response()[1], connection.response()[1]]
    assert bodies == [b"ignored", b"Hello, World!"]


CHUNKED_HEAD = b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n%sConnection: close\r\n\r\n"


def test_chunked_request_body_reaches_get_data(live_server):
    reply = send_raw(live_server, CHUNKED_HEAD % (b"/echo", b"") + b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"hello, world")


def test_chunked_request_body_reaches_request_form(live_app, live_server):
    @live_app.post("/form")
    def form():
        return request.form["name"]

    content_type = b"Content-Type: application/x-www-form-urlencoded\r\n"
    reply = send_raw(live_server, CHUNKED_HEAD % (b"/form", content_type) + b"3\r\nnam\r\n7\r\ne=Grace\r\n0\r\n\r\n")
    assert reply.endswith(b"Grace")


def test_chunked_request_trailer_fields_are_skipped(live_server):
    reply = send_raw(live_server, CHUNKED_HEAD % (b"/echo", b"") + b"2\r\nok\r\n0\r\nX-Sum: 1\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"ok")


def test_chunked_request_is_marked_terminated_without_a_content_length():
    with serving(environ_probe_app()) as address:
        terminated = send_raw(address, CHUNKED_HEAD % (b"/environ/wsgi.input_terminated", b"") + b"0\r\n\r\n")
        length = send_raw(address, CHUNKED_HEAD % (b"/environ/CONTENT_LENGTH", b"") + b"0\r\n\r\n")
    assert terminated.endswith(b"True") and length.endswith(b"'<missing>'")


def test_chunked_request_body_leaves_the_connection_usable(live_server):
    with raw_connection(live_server) as connection:
        connection.send(b"POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"4\r\nGET \r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        bodies = [connection.response()[1], connection.response()[1]]
    assert bodies == [b"ignored", b"Hello, World!"]


@pytest.mark.parametrize("body", [
    pytest.param(b"zz\r\nhello\r\n0\r\n\r\n", id="size-not-hex"),
    pytest.param(b"5\r\nhelloXX0\r\n\r\n", id="no-crlf-after-data"),
    pytest.param(b"1" * 5000 + b"\r\n", id="size-line-too-long"),
    pytest.param(b"-5\r\nhello\r\n0\r\n\r\n", id="negative-size"),
    pytest.param(b"5\r\nhel", id="ends-in-a-chunk"),
])
def test_bad_chunked_request_body_is_answered_400(live_server, body):
    with socket.create_connection(live_server, timeout=TIMEOUT) as connection:
        connection.sendall(CHUNKED_HEAD % (b"/echo", b"") + body)
        connection.shutdown(socket.SHUT_WR)
        reply = read_until_closed(connection)
    assert reply.startswith(b"HTTP/1.1 400 ")


def test_bad_chunked_body_read_by_a_plain_wsgi_app_is_answered_400():
    def reading_app(environ, start_response):
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    with serving(reading_app) as address:
        reply = send_raw(address, CHUNKED_HEAD % (b"/", b"") + b"zz\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ")


# -- Bad input ---------------------------------------------------------------------------------

BAD_INPUTS = {
    "garbage": (b"\x16\x03\x01 this is not http\r\n\r\n", 400),
    "request-line-64-kib": (b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "ten-thousand-headers": (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(10_000)) + b"\r\n", 431),
    "header-line-100-kib": (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 102_400 + b"\r\n\r\n", 431),
    "101-small-headers": (b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 101 + b"\r\n", 431),
    "folded-header": (b"GET / HTTP/1.1\r\nX-A: 1\r\n  folded\r\n\r\n", 400),
    "space-before-colon": (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    "http-2": (b"GET / HTTP/2.0\r\n\r\n", 505),
    "bad-content-length": (b"POST /echo HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400),
    "two-content-lengths": (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    "chunked-and-length": (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
    "unknown-transfer-coding": (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    "bad-chunked-body": (CHUNKED_HEAD % (b"/echo", b"") + b"zz\r\n", 400),
}


@pytest.mark.parametrize(("data", "status"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_answered_with_its_status_and_then_closed(live_server, data, status):
    reply = send_raw(live_server, data)
    assert reply.startswith(b"HTTP/1.1 %d " % status)


@pytest.mark.parametrize("data", [data for data, _ in BAD_INPUTS.values()], ids=BAD_INPUTS.keys())
def test_server_keeps_serving_after_bad_input(live_server, data):
    send_raw(live_server, data)
    assert fetch(live_server, "/")[1] == b"Hello, World!"


@pytest.mark.parametrize(("data", "status"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_logged_in_one_line(recording_server, data, status):
    send_raw(recording_server.server_address[:2], data)
    assert wait_for(lambda: recording_server.log_lines)
    time.sleep(0.05)  # room for a second line, which must not come
    (line,) = recording_server.log_lines
    assert re.fullmatch(rf'".*" {status} \d+', line)


def test_overlong_request_line_is_logged_shortened(recording_server):
    send_raw(recording_server.server_address[:2], BAD_INPUTS["request-line-64-kib"][0])
    assert wait_for(lambda: recording_server.log_lines)
    assert len(recording_server.log_lines[0]) < 200


def test_client_sending_a_byte_at_a_time_is_cut_off_after_the_timeout(recording_server):
    """Each byte comes well within the 0.5 s read timeout; only the head's total budget ends it."""
    started = time.monotonic()
    with socket.create_connection(recording_server.server_address[:2], timeout=TIMEOUT) as connection:
        for byte in b"GET / HTTP/1.1\r\nHost: slowly-slowly-slowly\r\n\r\n":
            if select.select([connection], [], [], 0.1)[0]:
                break
            connection.sendall(bytes([byte]))
        reply = read_until_closed(connection)
    assert reply.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 2.0


def test_silent_connection_is_closed_after_the_timeout_without_an_answer(recording_server):
    with socket.create_connection(recording_server.server_address[:2], timeout=TIMEOUT) as connection:
        started = time.monotonic()
        reply = read_until_closed(connection)
    assert reply == b"" and time.monotonic() - started < 2.0


def test_idle_keepalive_connection_is_closed_after_the_timeout(recording_server):
    with raw_connection(recording_server.server_address[:2]) as connection:
        connection.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.response()
        started = time.monotonic()
        assert connection.socket.recv(1) == b"" and time.monotonic() - started < 2.0


def test_slow_client_does_not_delay_other_clients(recording_server):
    address = recording_server.server_address[:2]
    with socket.create_connection(address, timeout=TIMEOUT) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        fetch(address, "/")
        assert time.monotonic() - started < 0.4


# -- Response framing a plain WSGI app can get wrong --------------------------------------------


def wsgi_app(status, headers, body):
    def app(environ, start_response):
        start_response(status, headers)
        return body
    return app


def test_body_longer_than_its_content_length_is_cut_and_the_connection_closed():
    with serving(wsgi_app("200 OK", [("Content-Length", "2")], [b"abc", b"def"])) as address:
        reply = send_raw(address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.endswith(b"\r\n\r\nab")


def test_204_response_has_no_content_length_and_keeps_the_connection():
    with serving(wsgi_app("204 No Content", [], [b""])) as address:
        with raw_connection(address) as connection:
            connection.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
            first, second = connection.response(), connection.response()
    assert first[0].getheader("Content-Length") is None and second[0].status == 204


def test_response_header_with_a_line_break_is_answered_500():
    app = wsgi_app("200 OK", [("X-Injected", "a\r\nSet-Cookie: evil=1")], [b"ok"])
    with serving(app) as address:
        reply = send_raw(address, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 500 ") and b"evil" not in reply


def test_passthrough_errors_lets_the_apps_exception_escape_the_server():
    def failing_app(environ, start_response):
        raise LookupError("for the debugger")

    server = make_server("127.0.0.1", 0, failing_app, threaded=False, passthrough_errors=True,
                         request_handler=QuietRequestHandler)
    escaped = []

    def handle_one():
        try:
            server.handle_request()
        except LookupError as error:
            escaped.append(error)

    thread = threading.Thread(target=handle_one, daemon=True)
    thread.start()
    try:
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            fetch(server.server_address[:2], "/")
        thread.join(TIMEOUT)
    finally:
        server.server_close()
    assert [str(error) for error in escaped] == ["for the debugger"]


# -- The log -----------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def logged_line(address, path, stream, monkeypatch):
    monkeypatch.setattr(sys, "stderr", stream)
    fetch(address, path)
    assert wait_for(lambda: stream.getvalue().endswith("\n"))
    return stream.getvalue()


def test_log_line_has_address_time_request_line_status_and_size(live_app, monkeypatch):
    with serving_app(live_app, handler=WSGIRequestHandler) as server:
        line = logged_line(server.server_address[:2], "/", io.StringIO(), monkeypatch)
    pattern = r'127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\] "GET / HTTP/1\.1" 200 13\n'
    assert re.fullmatch(pattern, line)


def test_log_line_is_coloured_by_status_class_on_a_terminal(live_app, monkeypatch):
    with serving_app(live_app, handler=WSGIRequestHandler) as server:
        line = logged_line(server.server_address[:2], "/missing", FakeTerminal(), monkeypatch)
    assert '\x1b[33m"GET /missing HTTP/1.1" 404 ' in line and line.endswith("\x1b[0m\n")


def test_log_line_has_no_colour_when_stderr_is_not_a_terminal(live_app, monkeypatch):
    with serving_app(live_app, handler=WSGIRequestHandler) as server:
        line = logged_line(server.server_address[:2], "/missing", io.StringIO(), monkeypatch)
    assert "\x1b" not in line


def test_control_characters_in_a_logged_request_line_are_escaped(recording_server):
    send_raw(recording_server.server_address[:2], b"GET /\x1b[2J HTTP/1.1\r\n\r\n")
    assert wait_for(lambda: recording_server.log_lines)
    assert "\x1b" not in recording_server.log_lines[0] and "\\x1b" in recording_server.log_lines[0]


# -- Options ------------------------------------------------------------------------------------


def test_adhoc_ssl_context_is_refused_with_a_way_to_make_a_certificate(live_app):
    with pytest.raises(ValueError, match="openssl req"):
        make_server("127.0.0.1", 0, live_app, ssl_context="adhoc")


def test_several_processes_are_refused(live_app):
    with pytest.raises(ValueError, match="one process"):
        make_server("127.0.0.1", 0, live_app, processes=2)


def test_static_files_option_is_refused(live_app):
    with pytest.raises(ValueError, match="static_files"):
        run_simple("127.0.0.1", 0, live_app, static_files={"/static": "static"})


def test_port_given_as_a_string_is_refused(live_app):
    with pytest.raises(TypeError, match="integer"):
        run_simple("127.0.0.1", "5000", live_app)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_server_with_a_cert_and_key_answers_https(live_app, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    with serving_app(live_app, ssl_context=(str(cert), str(key))) as server:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        connection = http.client.HTTPSConnection(*server.server_address[:2], timeout=TIMEOUT, context=context)
        try:
            connection.request("GET", "/")
            body = connection.getresponse().read()
        finally:
            connection.close()
    assert body == b"Hello, World!"


# -- The reloader ------------------------------------------------------------------------------


def touch_later(path, seconds=2):
    """Move ``path``'s modification time forward, as an edit a moment later would."""
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_watcher_reports_a_changed_extra_file(tmp_path):
    watched = tmp_path / "settings.cfg"
    watched.write_text("a")
    watcher = StatWatcher([str(watched)])
    watcher.check()
    touch_later(watched)
    assert watcher.check() == str(watched)


def test_watcher_reports_a_deleted_extra_file(tmp_path):
    watched = tmp_path / "settings.cfg"
    watched.write_text("a")
    watcher = StatWatcher([str(watched)])
    watcher.check()
    watched.unlink()
    assert watcher.check() == str(watched)


def test_watcher_watches_files_inside_an_extra_directory_recursively(tmp_path):
    nested = tmp_path / "templates" / "admin" / "page.html"
    nested.parent.mkdir(parents=True)
    nested.write_text("<p>")
    watcher = StatWatcher([str(tmp_path / "templates")])
    watcher.check()
    touch_later(nested)
    assert watcher.check() == str(nested)


def test_watcher_ignores_files_matching_an_exclude_pattern(tmp_path):
    ignored = tmp_path / "cache.log"
    ignored.write_text("a")
    watcher = StatWatcher([str(tmp_path)], exclude_patterns=["*.log"])
    watcher.check()
    touch_later(ignored)
    assert watcher.check() is None


def test_watcher_does_not_report_a_new_file_as_a_change(tmp_path):
    watcher = StatWatcher([str(tmp_path)])
    watcher.check()
    (tmp_path / "new.html").write_text("new")
    assert watcher.check() is None


RELOADING_APP = '''
import os
from microflask import Flask

app = Flask(__name__)

@app.route("/")
def index():
    return "{version} %d" % os.getpid()

if __name__ == "__main__":
    app.run(port={port}, use_reloader={reloader}, reloader_interval=0.05, load_dotenv=False)
'''


@contextlib.contextmanager
def reloading_app(tmp_path, reloader=True):
    """Run an app (with the reloader) in a subprocess; yields ``(process, url, stderr lines)``."""
    port = free_port()
    script = tmp_path / "app.py"
    script.write_text(RELOADING_APP.format(version="v1", port=port, reloader=reloader))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("page")
    env = cli_environ(PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        yield process, f"http://127.0.0.1:{port}/", lines
    finally:
        process.terminate()
        try:
            process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(TIMEOUT)


def wait_for_answer(process, url, predicate):
    """Poll ``url`` until its body satisfies ``predicate``; return the body."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the reloader exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=0.5) as response:
                body = response.read().decode("utf-8")
            if predicate(body):
                return body
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            pass
        time.sleep(0.05)
    pytest.fail(f"{url} never gave the expected answer")


def edit(script, text):
    script.write_text(text)
    touch_later(script)


def test_reloader_restarts_the_server_when_the_app_file_changes(tmp_path):
    with reloading_app(tmp_path) as (process, url, _):
        wait_for_answer(process, url, lambda body: body.startswith("v1"))
        edit(tmp_path / "app.py", (tmp_path / "app.py").read_text().replace("v1", "v2"))
        assert wait_for_answer(process, url, lambda body: body.startswith("v2"))


def test_reloader_survives_a_syntax_error_and_restarts_once_it_is_fixed(tmp_path):
    script = tmp_path / "app.py"
    with reloading_app(tmp_path) as (process, url, lines):
        wait_for_answer(process, url, lambda body: body.startswith("v1"))
        good = script.read_text()
        edit(script, good + "\ndef broken(:\n")
        assert wait_for(lambda: any("SyntaxError" in line for line in lines), STARTUP_TIMEOUT), lines
        edit(script, good.replace("v1", "v3"))
        assert wait_for_answer(process, url, lambda body: body.startswith("v3"))


def test_reloader_restarts_the_server_when_a_template_changes(tmp_path):
    with reloading_app(tmp_path) as (process, url, _):
        first_pid = wait_for_answer(process, url, lambda body: True).split()[1]
        touch_later(tmp_path / "templates" / "page.html")
        wait_for_answer(process, url, lambda body: body.split()[1] != first_pid)


@pytest.mark.parametrize("reloader", [False, True], ids=["server", "reloader"])
def test_ctrl_c_stops_the_server_cleanly(tmp_path, reloader):
    with reloading_app(tmp_path, reloader=reloader) as (process, url, lines):
        wait_for_answer(process, url, lambda body: True)
        process.send_signal(signal.SIGINT)
        assert process.wait(TIMEOUT) == 0
    assert not any("Traceback" in line for line in lines)


# -- app.run -----------------------------------------------------------------------------------


@pytest.fixture
def run_simple_calls(monkeypatch):
    """Record ``run_simple`` calls instead of serving."""
    calls = []
    monkeypatch.setattr(serving_module, "run_simple", lambda *args, **kwargs: calls.append((args, kwargs)))
    for name in ("FLASK_RUN_FROM_CLI", "MICROFLASK_RUN_FROM_CLI", "FLASK_DEBUG", "MICROFLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return calls


def test_app_run_does_nothing_under_the_flask_run_command(live_app, run_simple_calls, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    live_app.run(load_dotenv=False)
    assert run_simple_calls == []


def test_app_run_serves_on_127_0_0_1_port_5000_by_default(live_app, run_simple_calls):
    live_app.run(load_dotenv=False)
    assert run_simple_calls[0][0][:2] == ("127.0.0.1", 5000)


def test_app_run_takes_host_and_port_from_server_name(live_app, run_simple_calls):
    live_app.config["SERVER_NAME"] = "example.test:8080"
    live_app.run(load_dotenv=False)
    assert run_simple_calls[0][0][:2] == ("example.test", 8080)


def test_app_run_keeps_an_explicit_port_0(live_app, run_simple_calls):
    live_app.run(port=0, load_dotenv=False)
    assert run_simple_calls[0][0][1] == 0


def test_app_run_is_threaded_without_reloader_or_debugger_by_default(live_app, run_simple_calls):
    live_app.run(load_dotenv=False)
    options = run_simple_calls[0][1]
    assert (options["threaded"], options["use_reloader"], options["use_debugger"]) == (True, False, False)


def test_app_run_in_debug_mode_turns_on_the_reloader_and_the_debugger(live_app, run_simple_calls):
    live_app.run(debug=True, load_dotenv=False)
    options = run_simple_calls[0][1]
    assert (options["use_reloader"], options["use_debugger"]) == (True, True)


def test_app_run_debug_mode_comes_from_flask_debug(live_app, run_simple_calls, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    live_app.run()
    assert live_app.debug and run_simple_calls[0][1]["use_reloader"]


def test_app_run_reloader_watches_app_and_blueprint_template_folders(tmp_path, run_simple_calls):
    (tmp_path / "templates").mkdir()
    (tmp_path / "admin_templates").mkdir()
    app = Flask("site", root_path=str(tmp_path))
    app.register_blueprint(Blueprint("admin", "admin", root_path=str(tmp_path), template_folder="admin_templates"))
    app.run(use_reloader=True, extra_files=["settings.cfg"], load_dotenv=False)
    assert run_simple_calls[0][1]["extra_files"] == [
        "settings.cfg", str(tmp_path / "templates"), str(tmp_path / "admin_templates"),
    ]


def test_run_simple_with_the_debugger_wraps_the_app(live_app, monkeypatch):
    debug = pytest.importorskip("microflask.debug")
    served = []
    monkeypatch.setattr(serving_module, "serve_until_interrupted", lambda server: served.append(server.get_app()))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    run_simple("127.0.0.1", 0, live_app, use_debugger=True)
    assert isinstance(served[0], debug.DebuggedApplication)


# -- The command line -------------------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli_environ(**extra):
    """The current environment without any app variables, plus ``extra``."""
    environ = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "MICROFLASK_APP")}
    environ.update(extra)
    return environ


def run_cli(*args, env=None, cwd=REPO_ROOT):
    """Run a CLI command that ends by itself; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "microflask", *args], cwd=cwd, env=env or cli_environ(),
        capture_output=True, text=True, timeout=STARTUP_TIMEOUT,
    )


@contextlib.contextmanager
def serving_cli(*args, env=None):
    """Start a CLI command that serves; always terminate (then kill) it on the way out.

    After the block, ``process.output`` holds the ``(stdout, stderr)`` it wrote."""
    process = subprocess.Popen(
        [sys.executable, "-m", "microflask", *args], cwd=REPO_ROOT, env=env or cli_environ(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.output = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.output = process.communicate()


def wait_for_body(process, url):
    """Poll ``url`` until the server answers; fail if it exits or takes too long to start."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    pytest.fail(f"the server did not answer {url} within {STARTUP_TIMEOUT} seconds")


def test_cli_run_serves_the_app_on_the_given_port():
    port = free_port()
    with serving_cli("--app", "examples/hello.py", "run", "--port", str(port)) as process:
        body = wait_for_body(process, f"http://127.0.0.1:{port}/")
    assert "<h1>Hello from microflask!</h1>" in body


def test_cli_run_accepts_long_host_and_short_port_options():
    port = free_port()
    with serving_cli("--app", "examples/hello.py", "run", "--host", "127.0.0.1", "-p", str(port)) as process:
        body = wait_for_body(process, f"http://127.0.0.1:{port}/hello/cli")
    assert body == "Hello, cli!"


def test_cli_run_accepts_short_host_option_like_flask():
    port = free_port()
    with serving_cli("--app", "examples/hello.py", "run", "-h", "127.0.0.1", "-p", str(port)) as process:
        body = wait_for_body(process, f"http://127.0.0.1:{port}/hello/cli")
    assert body == "Hello, cli!"


def test_cli_run_announces_the_address_it_serves_on():
    port = free_port()
    with serving_cli("--app", "examples/hello.py", "run", "--port", str(port)) as process:
        wait_for_body(process, f"http://127.0.0.1:{port}/")
    assert f"Running on http://127.0.0.1:{port}/" in process.output[1]


def test_cli_routes_prints_each_endpoint_with_its_rule():
    result = run_cli("--app", "examples/hello.py", "routes")
    rows = {tuple(line.split()[::2]) for line in result.stdout.splitlines()}
    assert {("hello", "/hello/<name>"), ("api_square", "/api/square/<int:number>"), ("echo", "/echo")} <= rows


def test_cli_help_exits_zero_and_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "run" in result.stdout and "routes" in result.stdout


def test_cli_with_a_missing_app_file_exits_non_zero():
    result = run_cli("--app", "examples/no_such_app.py", "routes")
    assert result.returncode != 0


def test_missing_app_module_is_reported_by_name_without_a_traceback():
    result = run_cli("--app", "examples/no_such_app.py", "routes")
    assert "Could not import 'no_such_app'" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_error_inside_the_app_module_is_not_reported_as_a_missing_app(tmp_path):
    (tmp_path / "broken_app.py").write_text("import a_dependency_that_is_not_installed\n")
    result = run_cli("--app", str(tmp_path / "broken_app.py"), "routes")
    assert "No module named 'a_dependency_that_is_not_installed'" in result.stderr
    assert "Could not import 'broken_app'" not in result.stderr


def test_cli_app_option_accepts_a_path_and_an_attribute_name():
    result = run_cli("--app", "examples/hello.py:app", "routes")
    assert result.returncode == 0 and "/hello/<name>" in result.stdout


@pytest.mark.parametrize("variable", ["FLASK_APP", "MICROFLASK_APP"])
def test_cli_finds_the_app_from_an_environment_variable_instead_of_app_option(variable):
    result = run_cli("routes", env=cli_environ(**{variable: "examples/hello.py"}))
    assert result.returncode == 0 and "/hello/<name>" in result.stdout


def test_cli_without_any_app_exits_non_zero_with_a_hint(tmp_path):
    result = run_cli("routes", cwd=tmp_path, env=cli_environ(PYTHONPATH=str(REPO_ROOT)))
    assert result.returncode != 0 and "--app" in result.stderr
