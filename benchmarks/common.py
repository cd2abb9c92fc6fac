"""Shared benchmark machinery: fresh environs, interleaved timing, ratio tables.

Every candidate is timed in the same process, round by round (A, B, C, A, B, C, ...), and the
median per-call time over the rounds is reported, so a slow moment of the machine hits all
candidates alike. Ratios are microflask's time divided by the peer's: below 1.0 is faster.
"""

from __future__ import annotations

import gc
import io
import statistics
import sys
import time
from typing import Callable, Dict, Optional

BASE_ENVIRON = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/",
    "QUERY_STRING": "",
    "SERVER_NAME": "localhost",
    "SERVER_PORT": "80",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "localhost",
    "HTTP_ACCEPT": "text/html",
    "HTTP_USER_AGENT": "bench/1.0",
    "REMOTE_ADDR": "127.0.0.1",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def make_environ(path: str = "/", method: str = "GET") -> dict:
    """A fresh environ, as a server builds one per request."""
    environ = dict(BASE_ENVIRON)
    environ["PATH_INFO"] = path
    environ["REQUEST_METHOD"] = method
    environ["wsgi.input"] = io.BytesIO(b"")
    return environ


def _start_response(status: str, headers: list, exc_info: object = None) -> Callable[[bytes], None]:
    return _write


def _write(data: bytes) -> None:
    pass


def call_wsgi(app: Callable, path: str = "/", cookie: Optional[str] = None) -> bytes:
    """One full request: fresh environ (with a Cookie header if given), call, read the body, close."""
    environ = make_environ(path)
    if cookie is not None:
        environ["HTTP_COOKIE"] = cookie
    result = app(environ, _start_response)
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def interleave(candidates: Dict[str, Callable[[], object]], number: int, rounds: int) -> Dict[str, float]:
    """Median seconds per call of each candidate, timed in alternation."""
    samples: Dict[str, list] = {name: [] for name in candidates}
    for function in candidates.values():  # warm up caches and lazy compilation
        for _ in range(min(number, 200)):
            function()
    gc.collect()
    for _ in range(rounds):
        for name, function in candidates.items():
            gc.disable()
            start = time.perf_counter()
            for _ in range(number):
                function()
            elapsed = time.perf_counter() - start
            gc.enable()
            samples[name].append(elapsed / number)
    return {name: statistics.median(values) for name, values in samples.items()}


def print_table(title: str, times: Dict[str, float], subject: str = "microflask",
                target: Optional[str] = None) -> None:
    """Times per call and microflask's ratio to each peer."""
    print(f"\n== {title}")
    mine = times[subject]
    for name, seconds in times.items():
        ratio = "" if name == subject else f"   microflask/{name} = {mine / seconds:.2f}x"
        print(f"  {name:<22} {seconds * 1e6:9.2f} us/call{ratio}")
    if target:
        print(f"  target: {target}")


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        print(f"  ({module} is not installed: pip install -r benchmarks/requirements.txt)")
        return False
    return True
