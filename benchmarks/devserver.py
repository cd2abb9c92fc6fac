"""The development server over loopback: microflask's against Flask's (Werkzeug's), keep-alive.

    python benchmarks/devserver.py [--quick]

Each server runs in its own subprocess (so it never shares a GIL with the load generator) and
logs its request lines to /dev/null, as it would to a terminal. The load is ``wrk`` with 4
keep-alive connections when it is on PATH (``apt-get install wrk``), else Python threads with
``http.client`` keep-alive connections. Candidates are loaded in turn, round by round, and the
median requests per second is reported. Two pairs: the same plain WSGI app on both servers (the
server's own cost), and each framework's hello-world on its own server (what ``app.run`` gives).

Werkzeug 3's dev server answers ``Connection: close``, so its clients reconnect per request;
microflask's keeps the connection. Target: microflask >= 2x Flask's requests per second.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONNECTIONS = 4
BODY = b"Hello World!"


# -- The servers, each run as ``devserver.py --serve SERVER APP PORT`` -----------------------


def raw_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "12")])
    return [BODY]


def make_framework_app(server: str):
    if server == "microflask":
        from microflask import Flask
    else:
        from flask import Flask
    app = Flask("hello")

    @app.route("/")
    def index():
        return "Hello World!"

    return app


def serve(server: str, app_kind: str, port: int) -> None:
    app = raw_app if app_kind == "raw" else make_framework_app(server)
    if server == "microflask":
        from microflask.serving import make_server
    else:
        from werkzeug.serving import make_server
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


# -- The load ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(server: str, app_kind: str) -> tuple:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", server, app_kind, str(port)],
        cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": REPO_ROOT},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            status, body = get_once(port)
            if (status, body) != (200, BODY):
                raise SystemExit(f"{server}/{app_kind} answered {status} {body!r}")
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{server}/{app_kind} did not start")


def get_once(port: int) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def keeps_alive(port: int) -> bool:
    """Whether two requests travel on one connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
        return connection.sock is not None  # http.client drops a socket the server closes
    finally:
        connection.close()


def load_with_wrk(port: int, seconds: float) -> float:
    result = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def load_with_python(port: int, seconds: float) -> float:
    """Requests per second from CONNECTIONS threads, each on one keep-alive connection
    (``http.client`` reconnects by itself when a server closes)."""
    counts = [0] * CONNECTIONS
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while time.monotonic() < deadline:
                connection.request("GET", "/")
                if connection.getresponse().read() != BODY:
                    raise RuntimeError("wrong body")
                counts[index] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONNECTIONS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    return sum(counts) / (time.monotonic() - started)


def main(quick: bool = False) -> dict:
    try:
        import flask  # noqa: F401 - Werkzeug comes with it
    except ImportError:
        print("  (flask is not installed: pip install -r benchmarks/requirements.txt)")
        return {}
    load = load_with_wrk if shutil.which("wrk") else load_with_python
    seconds, rounds = (1, 3) if quick else (3, 5)
    candidates = [("microflask", "raw"), ("werkzeug", "raw"), ("microflask", "framework"), ("werkzeug", "framework")]
    servers = {candidate: start_server(*candidate) for candidate in candidates}
    try:
        samples = {candidate: [] for candidate in candidates}
        for candidate, (_, port) in servers.items():
            load(port, 1)  # warm up
        for _ in range(rounds):
            for candidate, (_, port) in servers.items():
                samples[candidate].append(load(port, seconds))
        alive = {candidate: keeps_alive(port) for candidate, (_, port) in servers.items()}
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(10)
    rates = {candidate: statistics.median(values) for candidate, values in samples.items()}
    print_results(rates, alive, "wrk" if load is load_with_wrk else "python http.client threads")
    return rates


def print_results(rates: dict, alive: dict, tool: str) -> None:
    print(f"\n== devserver: GET / over loopback, {CONNECTIONS} connections, load from {tool}")
    labels = {"raw": "plain WSGI app", "framework": "its framework's hello"}
    for (server, app_kind), rate in rates.items():
        kept = "keep-alive" if alive[(server, app_kind)] else "closes each"
        print(f"  {server:<11} {labels[app_kind]:<22} {rate:9.0f} req/s  ({kept})")
    for app_kind in ("raw", "framework"):
        ratio = rates[("microflask", app_kind)] / rates[("werkzeug", app_kind)]
        print(f"  {labels[app_kind]}: microflask/werkzeug = {ratio:.2f}x requests per second")
    print("  target: >= 2.0x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main("--quick" in sys.argv)
