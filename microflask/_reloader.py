"""The reloader: restart the development server when a source file changes (``run_simple``'s).

Two processes. The one the user started (the parent) binds the listening socket, then runs its
own command line again as a child with ``MICROFLASK_RUN_MAIN=true`` (and ``WERKZEUG_RUN_MAIN``,
which extensions check) and the socket's descriptor in ``MICROFLASK_SERVER_FD``, so the port stays
bound across restarts. The child serves on a thread while its main thread polls, every
``interval`` seconds, the modification times of every loaded module's file and of the extra
files (directories recursively). On a change the child exits with code 3 and the parent starts a
new one. A child that dies otherwise (a syntax error in the file just saved, say) leaves the
parent watching the same files itself; it starts a child again once one changes.

Stat polling only, no inotify: standard library, any platform. Each poll costs one ``os.stat``
per watched file. Editing or deleting a watched file restarts; adding one does not.
"""

from __future__ import annotations

import fnmatch
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Iterable, Iterator, Optional

#: Set to "true" in the child's environment; ``is_running_from_reloader`` reads it.
RUN_MAIN_ENV = "MICROFLASK_RUN_MAIN"
#: The listening socket's file descriptor, inherited by the child.
SERVER_FD_ENV = "MICROFLASK_SERVER_FD"
#: The exit code with which a child asks to be restarted.
RELOAD_EXIT_CODE = 3
#: Directory names never walked when an extra "file" is a directory.
SKIPPED_DIRECTORIES = frozenset({"__pycache__", ".git", ".hg", ".svn", "node_modules", ".venv", "venv"})


class StatWatcher:
    """Finds the first watched file whose modification time changed since the last ``check``."""

    def __init__(self, extra_files: Iterable[str] = (), exclude_patterns: Iterable[str] = ()) -> None:
        self.extra_files = [os.path.abspath(os.fspath(path)) for path in extra_files]
        self.exclude_patterns = list(exclude_patterns)
        self.mtimes: dict[str, Optional[int]] = {}

    def iter_paths(self) -> Iterator[str]:
        """Each loaded module's file, then each extra file (files inside extra directories)."""
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str):
                yield path
        for path in self.extra_files:
            if os.path.isdir(path):
                yield from _walk_files(path)
            else:
                yield path

    def is_excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.exclude_patterns)

    def check(self) -> Optional[str]:
        """The first file changed or deleted since the last call; a file seen for the first
        time only has its time recorded."""
        changed = None
        for path in self.iter_paths():
            if path in self.mtimes or not self.is_excluded(path):
                mtime = _mtime(path)
                if self.mtimes.setdefault(path, mtime) != mtime:
                    self.mtimes[path] = mtime
                    changed = changed or path
        return changed

    def wait_for_change(self, interval: float, keep_going: Any = None) -> Optional[str]:
        """Poll every ``interval`` seconds until a file changes against the times recorded so
        far; None once ``keep_going()`` is false."""
        while keep_going is None or keep_going():
            time.sleep(interval)
            changed = self.check()
            if changed:
                return changed
        return None


def _walk_files(directory: str) -> Iterator[str]:
    for root, directories, files in os.walk(directory):
        directories[:] = [name for name in directories if name not in SKIPPED_DIRECTORIES]
        for name in files:
            yield os.path.join(root, name)


def _mtime(path: str) -> Optional[int]:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def _log(message: str) -> None:
    sys.stderr.write(f" * {message}\n")
    sys.stderr.flush()


# -- The parent --------------------------------------------------------------------------------


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` that a child process can inherit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def get_args_for_reloading() -> list[str]:
    """The command line that started this process, to start it again."""
    args = [sys.executable, *(f"-W{option}" for option in sys.warnoptions)]
    spec = getattr(sys.modules["__main__"], "__spec__", None)
    if spec is not None and spec.name not in ("__main__", ""):  # python -m package
        name = spec.name[: -len(".__main__")] if spec.name.endswith(".__main__") else spec.name
        return [*args, "-m", name, *sys.argv[1:]]
    return [*args, *sys.argv]


def run_parent(sock: socket.socket, watcher: StatWatcher, interval: float) -> int:
    """Run children until one exits for good; return its exit code."""
    _stop_on_sigterm()
    environ = {**os.environ, RUN_MAIN_ENV: "true", "WERKZEUG_RUN_MAIN": "true",
               SERVER_FD_ENV: str(sock.fileno())}
    try:
        while True:
            watcher.check()  # times as of this start: a later edit can restart a crashed child
            _log("Restarting with stat")
            code = run_child_process(get_args_for_reloading(), environ, sock.fileno())
            if code == RELOAD_EXIT_CODE:
                continue
            if code <= 0:  # a clean exit, or killed by a signal
                return 128 - code if code < 0 else 0
            _log(f"The server exited with code {code}; save a fix and it restarts.")
            changed = watcher.wait_for_change(interval)
            _log(f"Detected change in {changed!r}, reloading")
    except KeyboardInterrupt:
        return 0
    finally:
        sock.close()


def run_child_process(args: list[str], environ: dict, fd: int) -> int:
    """Run one child to its end; stop it too if this process is interrupted or terminated."""
    process = subprocess.Popen(args, env=environ, pass_fds=(fd,))
    try:
        return process.wait()
    except BaseException:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        raise


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so terminating the parent terminates its child too."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


# -- The child ---------------------------------------------------------------------------------


def run_child(server: Any, watcher: StatWatcher, interval: float) -> None:
    """Serve on a thread; exit with RELOAD_EXIT_CODE once a watched file changes."""
    watcher.check()  # times as of the app's import, before the first request can be answered
    thread = threading.Thread(target=server.serve_forever, name="microflask-server", daemon=True)
    thread.start()
    parent = os.getppid()
    try:
        changed = watcher.wait_for_change(interval, keep_going=lambda: os.getppid() == parent)
    except KeyboardInterrupt:
        changed = None
    if changed is None:  # interrupted, or orphaned because the parent was killed
        server.server_close()
        sys.exit(0)
    _log(f"Detected change in {changed!r}, reloading")
    sys.exit(RELOAD_EXIT_CODE)
