"""The development server and the command line, over real sockets and real subprocesses.

``live_server`` serves a fresh app from ``serving.make_server`` on a background thread; the CLI
tests run ``python -m microflask`` from the repository root. Every socket and subprocess has a
timeout, and every subprocess is killed in a ``finally``, so a broken server fails a test instead
of hanging the run.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from microflask import Flask, request
from microflask.serving import RequestHandler, make_server

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

    return app


class QuietRequestHandler(RequestHandler):
    """Drops the per-request log line: it is written after the response, so it can land after
    the test has ended and leak into pytest's own output."""

    def log_message(self, format, *args):  # noqa: A002 - stdlib's signature
        pass


@contextlib.contextmanager
def serving(app, threaded=True):
    """Serve ``app`` on a free port in a thread; yields ``(host, port)``, then shuts down."""
    server = make_server("127.0.0.1", 0, app, threaded=threaded, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[:2]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(TIMEOUT)


@pytest.fixture
def live_server(live_app):
    with serving(live_app) as address:
        yield address


def fetch(address, path, method="GET", body=None, headers=None, timeout=TIMEOUT):
    """Send one request on a new connection; return ``(response, body bytes)``."""
    connection = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def send_raw(address, data):
    """Write ``data`` on a new connection; return everything the server sends before closing."""
    with socket.create_connection(address, timeout=TIMEOUT) as connection:
        connection.sendall(data)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


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

    @app.route("/environ/<key>")
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


def test_server_header_names_microflask(live_server):
    response, _ = fetch(live_server, "/")
    assert response.getheader("Server").startswith("microflask Python/")


def test_overlong_request_line_is_answered_with_414(live_server):
    reply = send_raw(live_server, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.startswith(b"HTTP/1.0 414 ")


def test_connection_closed_without_a_request_does_not_stop_the_server(live_server):
    socket.create_connection(live_server, timeout=TIMEOUT).close()
    assert fetch(live_server, "/")[1] == b"Hello, World!"


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
