"""The app-aware test client and CLI runner (Flask's ``flask.testing``, Click's ``click.testing``).

``FlaskClient`` is ``test.Client`` plus what needs the app: base URLs from SERVER_NAME and
APPLICATION_ROOT, and ``with client:`` keeping the last request's context pushed so a test can
inspect ``request``, ``session`` and ``g`` after the response came back.

``CliRunner.invoke`` runs a command in-process: ``sys.stdin``/``stdout``/``stderr`` are swapped
for in-memory streams, the environment is patched and afterwards restored whole, and the exit
code, output and exception come back in a ``Result``. ``FlaskCliRunner`` (``app.test_cli_runner()``)
runs ``app.cli`` by default, with a ``ScriptInfo`` that hands the commands this app.
"""

from __future__ import annotations

import io
import os
import sys
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

from .test import Client, EnvironBuilder as _BaseEnvironBuilder, TestResponse

__all__ = ["FlaskClient", "EnvironBuilder", "CliRunner", "FlaskCliRunner", "Result"]


class EnvironBuilder(_BaseEnvironBuilder):
    """An ``EnvironBuilder`` whose base URL comes from the app's config."""

    def __init__(self, app: Any, path: str = "/", base_url: Optional[str] = None,
                 subdomain: Optional[str] = None, url_scheme: Optional[str] = None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(path, base_url, *args, app=app, subdomain=subdomain, url_scheme=url_scheme, **kwargs)
        self.app = app


class FlaskClient(Client):
    """Test client for a microflask app; ``app.test_client()`` returns one."""

    def __init__(self, app: Any, response_wrapper: Optional[type] = None, use_cookies: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(app, response_wrapper, use_cookies, **kwargs)
        self.application = app
        self.preserve_context = False
        self._new_contexts: list[Any] = []
        self._context_stack = ExitStack()
        self.environ_base = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "microflask-test-client"}

    def _make_builder(self, *args: Any, **kwargs: Any) -> _BaseEnvironBuilder:
        base = dict(self.environ_base)
        base.update(kwargs.pop("environ_base", None) or {})
        kwargs["environ_base"] = base
        return _BaseEnvironBuilder(*args, app=self.application, **kwargs)

    def open(self, *args: Any, buffered: bool = True, follow_redirects: bool = False, **kwargs: Any) -> TestResponse:
        """As ``Client.open``; inside ``with client:`` the last request context stays pushed."""
        self._context_stack.close()
        response = super().open(*args, buffered=buffered, follow_redirects=follow_redirects, **kwargs)
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def run_wsgi_app(self, environ: dict, buffered: bool = True) -> Any:
        if self.preserve_context:
            self._new_contexts.clear()
            environ["microflask.preserve_context"] = self._new_contexts.append
        return super().run_wsgi_app(environ, buffered)

    @contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """``with client.session_transaction() as session:`` reads and changes the session the
        client's cookies hold, as the app would; the changes are saved back into the cookie jar.
        Arguments are those of ``app.test_request_context`` (path, base_url...)."""
        jar = self._require_jar()  # noqa: F841 - raises a TypeError when cookies are disabled
        app = self.application
        context = app.test_request_context(*args, **kwargs)
        self._add_cookies_to(context.request.environ)
        interface = app.session_interface
        with context:
            session = interface.open_session(app, context.request)
            if session is None:
                raise RuntimeError("Session backend did not open a session. Set a secret key.")
            yield session
            response = app.response_class()
            if not interface.is_null_session(session):
                interface.save_session(app, session, response)
        self._update_cookies_from(context.request.environ, response.headers)

    def __enter__(self) -> FlaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.preserve_context = False
        self._context_stack.close()


# -- Command line ----------------------------------------------------------------------------------


class _CapturedOutput(io.TextIOBase):
    """A text stream whose bytes go to its own buffer and to the shared, interleaved ``output``."""

    def __init__(self, own: io.BytesIO, output: io.BytesIO, charset: str) -> None:
        super().__init__()
        self._own, self._output, self._charset = own, output, charset
        self.buffer = _BytesSink(self)

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._charset

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.write_bytes(text.encode(self._charset, "replace"))
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        self._own.write(data)
        self._output.write(data)

    def isatty(self) -> bool:
        return False


class _BytesSink:
    """The ``.buffer`` of a captured stream, for commands that write bytes."""

    def __init__(self, stream: _CapturedOutput) -> None:
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._stream.write_bytes(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


class _TypedInput(io.TextIOWrapper):
    """The runner's stdin: prompts read their answers through ``read_prompt_answer``, which
    echoes a visible answer into the output as a terminal would (a hidden one as a newline)."""

    def __init__(self, data: bytes, charset: str, echo_to: _CapturedOutput) -> None:
        super().__init__(io.BytesIO(data), encoding=charset)
        self._echo_to = echo_to

    def read_prompt_answer(self, hidden: bool) -> str:
        line = self.readline()
        if not line:
            raise EOFError
        self._echo_to.write("\n" if hidden else line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n")


class Result:
    """What ``CliRunner.invoke`` saw: output, exit code, exception and the callback's return value.

    ``output`` interleaves stdout and stderr as a terminal shows them; ``stdout`` and ``stderr``
    are each stream alone.
    """

    def __init__(self, runner: CliRunner, stdout_bytes: bytes, stderr_bytes: bytes, output_bytes: bytes,
                 return_value: Any, exit_code: int, exception: Optional[BaseException],
                 exc_info: Optional[tuple] = None) -> None:
        self.runner, self.stdout_bytes, self.stderr_bytes = runner, stdout_bytes, stderr_bytes
        self.output_bytes, self.return_value, self.exit_code = output_bytes, return_value, exit_code
        self.exception, self.exc_info = exception, exc_info

    def _decode(self, data: bytes) -> str:
        return data.decode(self.runner.charset, "replace").replace("\r\n", "\n")

    @property
    def output(self) -> str:
        return self._decode(self.output_bytes)

    @property
    def stdout(self) -> str:
        return self._decode(self.stdout_bytes)

    @property
    def stderr(self) -> str:
        return self._decode(self.stderr_bytes)

    def __repr__(self) -> str:
        return f"<Result {repr(self.exception) if self.exception else 'okay'}>"


class CliRunner:
    """Invokes commands in-process for tests (Click's ``CliRunner``)."""

    def __init__(self, charset: str = "utf-8", env: Optional[Mapping[str, Optional[str]]] = None,
                 catch_exceptions: bool = True) -> None:
        self.charset = charset
        self.env = dict(env or {})
        self.catch_exceptions = catch_exceptions

    def get_default_prog_name(self, cli: Any) -> str:
        return cli.name or "root"

    @contextmanager
    def isolation(self, input: Union[str, bytes, Any, None] = None,  # noqa: A002 - Click's name
                  env: Optional[Mapping[str, Optional[str]]] = None) -> Iterator[tuple[io.BytesIO, ...]]:
        """Swap the standard streams and patch the environment for the block; restore both after."""
        buffers = (io.BytesIO(), io.BytesIO(), io.BytesIO())  # stdout, stderr, interleaved
        stdout = _CapturedOutput(buffers[0], buffers[2], self.charset)
        stderr = _CapturedOutput(buffers[1], buffers[2], self.charset)
        stdin = _TypedInput(self._input_bytes(input), self.charset, stdout)
        saved_streams = (sys.stdin, sys.stdout, sys.stderr)
        saved_environ = dict(os.environ)
        # NOTE(testing): the whole environment is restored, not only the keys in ``env`` as Click
        # does, so a command that loads a .env file or sets FLASK_DEBUG leaks into no later test.
        _apply_environ({**self.env, **(env or {})})
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        try:
            yield buffers
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved_streams
            os.environ.clear()
            os.environ.update(saved_environ)

    def _input_bytes(self, input: Union[str, bytes, Any, None]) -> bytes:  # noqa: A002
        if input is None:
            return b""
        if hasattr(input, "read"):
            input = input.read()
        return input.encode(self.charset) if isinstance(input, str) else bytes(input)

    def invoke(self, cli: Any, args: Union[str, Sequence[str], None] = None,
               input: Union[str, bytes, Any, None] = None,  # noqa: A002 - Click's name
               env: Optional[Mapping[str, Optional[str]]] = None, catch_exceptions: Optional[bool] = None,
               color: bool = False, **extra: Any) -> Result:
        """Run ``cli`` with ``args`` (a list, or a string split like a shell would) and return what
        happened. Exceptions other than ``SystemExit`` are caught into ``result.exception`` unless
        ``catch_exceptions=False``. ``extra`` goes to ``cli.main`` (``obj=``, ``standalone_mode=``)."""
        import shlex

        if isinstance(args, str):
            args = shlex.split(args)
        catch = self.catch_exceptions if catch_exceptions is None else catch_exceptions
        prog_name = extra.pop("prog_name", None) or self.get_default_prog_name(cli)
        outcome: dict[str, Any] = {"exit_code": 0, "exception": None, "exc_info": None, "return_value": None}
        with self.isolation(input, env) as (stdout, stderr, output):
            try:
                outcome["return_value"] = cli.main(args=list(args or ()), prog_name=prog_name, color=color, **extra)
            except SystemExit as e:
                _record_system_exit(outcome, e)
            except Exception as e:
                if not catch:
                    raise
                outcome.update(exit_code=1, exception=e, exc_info=sys.exc_info())
            finally:
                sys.stdout.flush()
        return Result(self, stdout.getvalue(), stderr.getvalue(), output.getvalue(), **outcome)


def _apply_environ(changes: Mapping[str, Optional[str]]) -> None:
    for key, value in changes.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _record_system_exit(outcome: dict[str, Any], error: SystemExit) -> None:
    """Click's reading of ``SystemExit``: None is 0, a non-integer is printed and counts as 1."""
    code = error.code
    outcome["exc_info"] = sys.exc_info()
    if code is None:
        code = 0
    if code != 0:
        outcome["exception"] = error
    if not isinstance(code, int):
        sys.stdout.write(f"{code}\n")
        code = 1
    outcome["exit_code"] = code


class FlaskCliRunner(CliRunner):
    """``app.test_cli_runner()``: invokes the app's commands with the app already chosen."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def invoke(self, cli: Any = None, args: Union[str, Sequence[str], None] = None, **kwargs: Any) -> Result:  # type: ignore[override]
        """As ``CliRunner.invoke``; ``cli`` defaults to ``app.cli`` and commands get this app
        through ``ScriptInfo(create_app=lambda: app)``."""
        from .cli import ScriptInfo

        if cli is None:
            cli = self.app.cli
        if "obj" not in kwargs:
            kwargs["obj"] = ScriptInfo(create_app=lambda: self.app)
        return super().invoke(cli, args, **kwargs)
