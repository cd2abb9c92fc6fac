"""The same microflask app under real WSGI servers (gunicorn, waitress), over real sockets.

Each server runs in a subprocess on a free port of 127.0.0.1 and serves ``deployapp:app``, a
small app written to a temporary directory. Every socket operation and process step has a
timeout, and each server's whole process group is killed in a ``finally``, so a broken server
fails the test instead of hanging the run. The servers are test-only dependencies (the ``test``
extra); without them these tests are skipped.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 10.0  # seconds for any one socket operation
STARTUP_TIMEOUT = 15.0  # seconds for a server to start accepting connections
SHUTDOWN_TIMEOUT = 5.0  # seconds for a server to exit after SIGTERM before it is killed

APP_SOURCE = '''
import os
import threading
import time
import uuid

from microflask import Flask, request, session, url_for
from microflask.middleware import ProxyFix

app = Flask(__name__)
app.config["SECRET_KEY"] = "the-same-key-on-every-worker"
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
RENDEZVOUS_DIR = os.environ["RENDEZVOUS_DIR"]


@app.route("/")
def hello():
    return "Hello from microflask"


@app.route("/visits")
def visits():
    session["visits"] = session.get("visits", 0) + 1
    return {"visits": session["visits"], "pid": os.getpid()}


@app.route("/visits/together")
def visits_together():
    """Count a visit, then wait until a second request is inside this view too."""
    session["visits"] = session.get("visits", 0) + 1
    name = f"{os.getpid()}-{threading.get_ident()}-{uuid.uuid4().hex}"
    open(os.path.join(RENDEZVOUS_DIR, name), "w").close()
    deadline = time.monotonic() + 5
    while len(os.listdir(RENDEZVOUS_DIR)) < 2:
        if time.monotonic() > deadline:
            return "no second request arrived", 504
        time.sleep(0.01)
    return {"visits": session["visits"], "pid": os.getpid()}


@app.route("/greet", methods=["POST"])
def greet():
    return f"Hello, {request.form['name']}!"


@app.route("/stream")
def stream():
    def generate():
        for number in range(5):
            yield f"chunk {number}\\n"
    return app.response_class(generate(), mimetype="text/plain")


@app.route("/where")
def where():
    return {
        "remote_addr": request.remote_addr,
        "scheme": request.scheme,
        "host": request.host,
        "url": url_for("where", _external=True),
    }
'''


def find_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_accepting(process: subprocess.Popen, port: int, log_path: Path) -> None:
    """Return once ``port`` accepts connections; fail with the server's log if it never does."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    pytest.fail(f"server did not accept connections within {STARTUP_TIMEOUT}s:\n{log_path.read_text()}")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL for the whole process group (gunicorn's workers included)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(SHUTDOWN_TIMEOUT)
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def build_command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        # NOTE(test_deployment): gunicorn itself trusts X-Forwarded-Proto from 127.0.0.1 by
        # default; a TEST-NET address here means every change the app sees comes from ProxyFix.
        return [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                "--graceful-timeout", "1", "--forwarded-allow-ips", "192.0.2.1", "deployapp:app"]
    # NOTE(test_deployment): waitress drops X-Forwarded-* headers from proxies it was not told
    # to trust; keeping them is what lets ProxyFix (rather than waitress) read them.
    return [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
            "--no-clear-untrusted-proxy-headers", "deployapp:app"]


@pytest.fixture(scope="module", params=["gunicorn", "waitress"])
def server(request, tmp_path_factory):
    """``(name, port)`` of a running server serving ``deployapp:app``."""
    name = request.param
    pytest.importorskip(name)
    if name == "gunicorn" and os.name != "posix":
        pytest.skip("gunicorn runs on Unix only")
    directory = tmp_path_factory.mktemp(name)
    (directory / "deployapp.py").write_text(APP_SOURCE)
    (directory / "rendezvous").mkdir()
    log_path = directory / "server.log"
    port = find_free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(directory), str(REPO_ROOT)]),
               RENDEZVOUS_DIR=str(directory / "rendezvous"), HOME=str(directory))
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            build_command(name, port), cwd=directory, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=hasattr(os, "killpg"),
        )
    try:
        wait_until_accepting(process, port, log_path)
        yield name, port
    finally:
        stop_server(process)


def fetch(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """``(response, body bytes)`` for one request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def session_cookie(response: http.client.HTTPResponse) -> str:
    """The ``name=value`` part of the session cookie a response sets."""
    header = response.getheader("Set-Cookie") or ""
    assert header.startswith("session="), header
    return header.split(";", 1)[0]


def test_hello_is_served(server):
    response, body = fetch(server[1], "GET", "/")
    assert (response.status, body) == (200, b"Hello from microflask")


def test_session_cookie_from_one_request_is_accepted_by_the_next(server):
    first, _ = fetch(server[1], "GET", "/visits")
    second, body = fetch(server[1], "GET", "/visits", headers={"Cookie": session_cookie(first)})
    assert json.loads(body)["visits"] == 2


def test_two_concurrent_requests_both_read_the_same_signed_session(server):
    """With gunicorn's two sync workers, two requests in flight at once are on different workers."""
    first, _ = fetch(server[1], "GET", "/visits")
    headers = {"Cookie": session_cookie(first)}
    connections = [http.client.HTTPConnection("127.0.0.1", server[1], timeout=TIMEOUT) for _ in range(2)]
    try:
        for connection in connections:
            connection.request("GET", "/visits/together", headers=headers)
        answers = [json.loads(connection.getresponse().read()) for connection in connections]
    finally:
        for connection in connections:
            connection.close()
    assert [answer["visits"] for answer in answers] == [2, 2]
    if server[0] == "gunicorn":
        assert answers[0]["pid"] != answers[1]["pid"]


def test_form_post_is_read(server):
    body = urlencode({"name": "Ada Lovelace"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response, answer = fetch(server[1], "POST", "/greet", body, headers)
    assert (response.status, answer) == (200, b"Hello, Ada Lovelace!")


def test_streamed_response_is_sent_in_chunks(server):
    response, body = fetch(server[1], "GET", "/stream")
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert body == b"".join(b"chunk %d\n" % number for number in range(5))


def test_without_a_proxy_the_app_sees_the_socket(server):
    port = server[1]
    _, body = fetch(port, "GET", "/where")
    assert json.loads(body) == {"remote_addr": "127.0.0.1", "scheme": "http", "host": f"127.0.0.1:{port}",
                                "url": f"http://127.0.0.1:{port}/where"}


def test_proxy_fix_applies_forwarded_headers_from_the_proxy(server):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "shop.example"}
    _, body = fetch(server[1], "GET", "/where", headers=headers)
    assert json.loads(body) == {"remote_addr": "203.0.113.7", "scheme": "https", "host": "shop.example",
                                "url": "https://shop.example/where"}


def test_proxy_fix_ignores_addresses_the_client_added_itself(server):
    _, body = fetch(server[1], "GET", "/where", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"})
    assert json.loads(body)["remote_addr"] == "203.0.113.7"
