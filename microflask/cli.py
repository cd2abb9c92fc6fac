"""The command line: ``microflask`` / ``python -m microflask`` (Flask's ``flask`` command and ``flask.cli``).

``FlaskGroup`` is the top-level command. Before any subcommand runs it

1. loads ``.flaskenv`` then ``.env`` (found upward from the cwd; ``.env`` wins, ``-e FILE`` wins
   over both, variables already set win over all) unless MICROFLASK_SKIP_DOTENV/FLASK_SKIP_DOTENV;
2. notes ``--app`` (or MICROFLASK_APP / FLASK_APP) and ``--debug`` (which sets FLASK_DEBUG);
3. finds the command: a built-in (``run``, ``routes``, ``shell``, ``template-source``), else one
   of the app's ``@app.cli.command()``s -- importing the app only then, and pushing its context.

The app is found as Flask finds it: ``module``, ``module:name``, ``module:factory(args)`` with
literal arguments (parsed with ``ast``, never evaluated), or a file path; without a name, the
module's ``app`` or ``application``, its only Flask instance, or a ``create_app``/``make_app``
factory; without ``--app`` at all, ``wsgi.py`` or ``app.py`` in the cwd. Commands are written
with the Click subset in ``microflask.commands``, re-exported here so that ``import click``
becomes ``from microflask import cli as click``. Guide: docs/cli.md.
"""

from __future__ import annotations

import os
import re
import sys
import types
from functools import update_wrapper
from typing import Any, Callable, Iterator, Optional, Union

from .commands import (
    BOOL,
    FLOAT,
    INT,
    STRING,
    UNPROCESSED,
    Abort,
    Argument,
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    BoolParamType,
    Choice,
    ClickException,
    Command,
    Context,
    Exit,
    File,
    FileError,
    FloatParamType,
    FloatRange,
    FuncParamType,
    Group,
    IntParamType,
    IntRange,
    MissingParameter,
    NoSuchOption,
    Option,
    Parameter,
    ParameterSource,
    ParamType,
    Path,
    StringParamType,
    UsageError,
    argument,
    command,
    confirm,
    confirmation_option,
    echo,
    get_current_context,
    get_text_stream,
    group,
    make_pass_decorator,
    option,
    pass_context,
    pass_obj,
    password_option,
    prompt,
    secho,
    style,
    unstyle,
    version_option,
)

__all__ = [
    # Flask's flask.cli
    "AppGroup", "FlaskGroup", "ScriptInfo", "NoAppException", "find_best_app", "find_app_by_string",
    "locate_app", "prepare_import", "load_dotenv", "dotenv_values", "find_dotenv", "with_appcontext",
    "pass_script_info", "run_command", "routes_command", "shell_command", "template_source_command",
    "show_server_banner", "CertParamType", "SeparatedPathType", "cli", "main",
    # the Click subset
    "command", "group", "option", "argument", "echo", "secho", "style", "unstyle", "prompt", "confirm",
    "pass_context", "pass_obj", "make_pass_decorator", "version_option", "confirmation_option",
    "password_option", "get_current_context", "get_text_stream", "Context", "Command", "Group",
    "Parameter", "Option", "Argument", "ParameterSource", "ParamType", "StringParamType", "IntParamType",
    "FloatParamType", "BoolParamType", "FuncParamType", "Choice", "IntRange", "FloatRange", "Path", "File",
    "STRING", "INT", "FLOAT", "BOOL", "UNPROCESSED", "ClickException", "UsageError", "BadParameter",
    "MissingParameter", "NoSuchOption", "BadOptionUsage", "BadArgumentUsage", "FileError", "Abort", "Exit",
]

#: The command name shown in messages about finding the app.
PROGRAM_NAME = "microflask"
#: Environment variables naming the app, first set wins (``--app`` overrides them).
APP_ENVVARS = ("MICROFLASK_APP", "FLASK_APP")
#: Files ``load_dotenv`` reads, lowest precedence first.
DOTENV_FILES = (".flaskenv", ".env")


class NoAppException(UsageError):
    """The application could not be found or loaded (shown as a usage error, exit code 2)."""


# -- Finding the app -------------------------------------------------------------------------------


def prepare_import(path: str) -> str:
    """Make ``path`` importable (put its package root first on ``sys.path``); return its module name.

    ``src/shop/views.py`` -> ``shop.views`` with ``src`` on the path, when ``shop`` is a package.
    """
    path = os.path.realpath(path)
    name, extension = os.path.splitext(path)
    if extension == ".py":
        path = name
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    parts = []
    while True:
        path, name = os.path.split(path)
        parts.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(parts))


def _is_flask_app(value: Any) -> bool:
    from .app import Flask

    return isinstance(value, Flask)


def _called_with_wrong_args(error: TypeError) -> bool:
    """Whether ``error`` came from the call itself (bad arguments), not from inside the function.

    A call that fails on its arguments never enters the function, so the traceback caught by the
    caller has no frame after the caller's own.
    """
    traceback = error.__traceback__
    return traceback is not None and traceback.tb_next is None


def find_best_app(module: types.ModuleType) -> Any:
    """The app in ``module``: ``app``/``application``, its only Flask instance, or what a
    ``create_app``/``make_app`` factory returns when called without arguments."""
    for attribute in ("app", "application"):
        candidate = getattr(module, attribute, None)
        if _is_flask_app(candidate):
            return candidate
    matches = [value for value in list(vars(module).values()) if _is_flask_app(value)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NoAppException(f"Detected multiple Flask applications in module '{module.__name__}'. Use"
                             f" '{module.__name__}:name' to specify the correct one.")
    for attribute in ("create_app", "make_app"):
        factory = getattr(module, attribute, None)
        if isinstance(factory, types.FunctionType):
            app = _call_default_factory(module, attribute, factory)
            if _is_flask_app(app):
                return app
    raise NoAppException(f"Failed to find Flask application or factory in module '{module.__name__}'. Use"
                         f" '{module.__name__}:name' to specify one.")


def _call_default_factory(module: types.ModuleType, attribute: str, factory: Callable[[], Any]) -> Any:
    try:
        return factory()
    except TypeError as e:
        if not _called_with_wrong_args(e):
            raise
        raise NoAppException(
            f"Detected factory '{attribute}' in module '{module.__name__}', but could not call it without"
            f" arguments. Use '{module.__name__}:{attribute}(args)' to specify arguments."
        ) from e


def _parse_app_expression(app_name: str) -> tuple[str, Optional[list[Any]], Optional[dict[str, Any]]]:
    """``create_app('dev', debug=True)`` -> ``("create_app", ["dev"], {"debug": True})``.

    The arguments must be literals (``ast.literal_eval``); nothing is evaluated.
    """
    import ast

    try:
        expression = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(f"Failed to parse {app_name!r} as an attribute name or function call.") from None
    if isinstance(expression, ast.Name):
        return expression.id, None, None
    if not isinstance(expression, ast.Call):
        raise NoAppException(f"Failed to parse {app_name!r} as an attribute name or function call.")
    if not isinstance(expression.func, ast.Name):
        raise NoAppException(f"Function reference must be a simple name: {app_name!r}.")
    try:
        args = [ast.literal_eval(value) for value in expression.args]
        kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in expression.keywords
                  if _is_named_keyword(keyword)}
    except ValueError:
        raise NoAppException(f"Failed to parse arguments as literal values: {app_name!r}.") from None
    return expression.func.id, args, kwargs


def _is_named_keyword(keyword: Any) -> bool:
    if keyword.arg is None:  # ``**mapping`` is not a literal argument
        raise ValueError("** arguments are not literals")
    return True


def find_app_by_string(module: types.ModuleType, app_name: str) -> Any:
    """The app named by ``app_name`` in ``module``: an attribute, or a factory call with literal
    arguments (``create_app('dev')``); a bare function name is called without arguments."""
    name, args, kwargs = _parse_app_expression(app_name)
    try:
        attribute = getattr(module, name)
    except AttributeError as e:
        raise NoAppException(f"Failed to find attribute {name!r} in {module.__name__!r}.") from e
    app = attribute
    if isinstance(attribute, types.FunctionType):
        try:
            app = attribute(*(args or ()), **(kwargs or {}))
        except TypeError as e:
            if not _called_with_wrong_args(e):
                raise
            raise NoAppException(f"The factory {app_name!r} in module {module.__name__!r} could not be"
                                 " called with the specified arguments.") from e
    if _is_flask_app(app):
        return app
    raise NoAppException(f"A valid Flask application was not obtained from '{module.__name__}:{app_name}'.")


def locate_app(module_name: str, app_name: Optional[str], raise_if_not_found: bool = True) -> Any:
    """Import ``module_name`` and return its app (``app_name`` may name one or call a factory).

    A module that is missing is reported as such (or None is returned); an ImportError raised
    *inside* the module is reported with its traceback, since that is a bug in the app.
    """
    try:
        __import__(module_name)
    except ImportError as e:
        if e.__traceback__ is not None and e.__traceback__.tb_next is not None:
            import traceback

            raise NoAppException(f"While importing {module_name!r}, an ImportError was raised:\n\n"
                                 f"{traceback.format_exc()}") from None
        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None
        return None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def _split_app_option(value: str) -> tuple[str, Optional[str]]:
    """``path/to/app.py:create_app()`` -> path and name; a colon before ``\\`` or ``/`` is a
    Windows drive (``C:\\site\\app.py``), not the separator."""
    path, *name = re.split(r":(?![\\/])", value, maxsplit=1)
    return path, (name[0] if name else None)


class ScriptInfo:
    """What commands need to load the app: ``--app``'s value or a ``create_app`` callable.

    ``load_app`` imports it once and caches it; with ``set_debug_flag`` it sets ``app.debug``
    from FLASK_DEBUG/MICROFLASK_DEBUG.
    """

    def __init__(self, app_import_path: Optional[str] = None, create_app: Optional[Callable[..., Any]] = None,
                 set_debug_flag: bool = True, load_dotenv_defaults: bool = True) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        self.data: dict[Any, Any] = {}
        self._loaded_app: Any = None

    def load_app(self) -> Any:
        """The app: from ``create_app``, from ``--app``, else ``wsgi.py`` or ``app.py`` in the cwd."""
        if self._loaded_app is not None:
            return self._loaded_app
        if self.create_app is not None:
            app = self.create_app()
        elif self.app_import_path:
            path, name = _split_app_option(self.app_import_path)
            app = locate_app(prepare_import(path), name)
        else:
            app = self._load_default_app()
        if app is None:
            raise NoAppException(
                f"Could not locate a Flask application. Use the '{PROGRAM_NAME} --app' option, the"
                f" '{APP_ENVVARS[0]}' or '{APP_ENVVARS[1]}' environment variable, or a 'wsgi.py' or"
                " 'app.py' file in the current directory."
            )
        if self.set_debug_flag:
            from .helpers import get_debug_flag

            app.debug = get_debug_flag()
        self._loaded_app = app
        return app

    def _load_default_app(self) -> Any:
        for filename in ("wsgi.py", "app.py"):
            if os.path.isfile(filename):
                app = locate_app(prepare_import(filename), None, raise_if_not_found=False)
                if app is not None:
                    return app
        return None


pass_script_info = make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside the app's context (loading the app if none is active).

    ``@app.cli.command()`` commands get this by default; use it on plain ``@click.command()``s.
    """

    def decorator(*args: Any, **kwargs: Any) -> Any:
        from .globals import _cv_app

        ctx = get_current_context()
        if _cv_app.get(None) is None:
            app = ctx.ensure_object(ScriptInfo).load_app()  # type: ignore[union-attr]
            ctx.with_resource(app.app_context())  # type: ignore[union-attr]
        return ctx.invoke(function, *args, **kwargs)  # type: ignore[union-attr]

    return update_wrapper(decorator, function)


class AppGroup(Group):
    """A group whose commands run in the app's context (``with_appcontext=False`` opts out);
    ``app.cli`` and ``blueprint.cli`` are AppGroups."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.command()(args[0])
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(function: Callable[..., Any]) -> Command:
            if wrap_for_ctx:
                function = with_appcontext(function)
            return Group.command(self, *args, **kwargs)(function)

        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return self.group()(args[0])
        kwargs.setdefault("cls", AppGroup)
        return super().group(*args, **kwargs)


# -- .env files ------------------------------------------------------------------------------------

_DOTENV_SKIPPED_LINE = re.compile(r"[ \t]*(?:#[^\r\n]*)?(?:\r?\n|\Z)")
_DOTENV_EXPORT = re.compile(r"[ \t]*export[ \t]+")
_DOTENV_KEY = re.compile(r"[ \t]*(?:'([^']+)'|([^=#\s'][^=#\s]*))[ \t]*")
_DOTENV_QUOTED = {"'": re.compile(r"'((?:\\.|[^'\\])*)'"), '"': re.compile(r'"((?:\\.|[^"\\])*)"')}
_DOTENV_UNQUOTED = re.compile(r"[^\r\n]*")
_DOTENV_BLANKS = re.compile(r"[ \t]*")
_DOTENV_LINE_END = re.compile(r"[ \t]*(?:#[^\r\n]*)?(?:\r?\n|\Z)")
_DOTENV_SKIP_TO_NEXT_LINE = re.compile(r"[^\n]*(?:\n|\Z)")
_DOTENV_ESCAPE = re.compile(r"\\[\\'\"abfnrtv]")
_DOTENV_ESCAPES = {"\\\\": "\\", "\\'": "'", '\\"': '"', "\\a": "\a", "\\b": "\b", "\\f": "\f",
                   "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\v": "\v"}
_DOTENV_VARIABLE = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")


def _parse_dotenv_value(text: str, position: int) -> tuple[Optional[str], int]:
    """The value starting at ``position`` (after ``=``) and where it ends; None if malformed.

    ``'...'`` keeps text as is but ``\\'`` and ``\\\\``; ``"..."`` decodes ``\\n``-style escapes;
    an unquoted value ends at the line end or at a `` #`` comment, trailing blanks dropped.
    """
    quote = text[position:position + 1]
    if quote in _DOTENV_QUOTED:
        match = _DOTENV_QUOTED[quote].match(text, position)
        if match is None:
            return None, position
        raw = match.group(1)
        if quote == "'":
            return raw.replace("\\'", "'").replace("\\\\", "\\"), match.end()
        return _DOTENV_ESCAPE.sub(lambda m: _DOTENV_ESCAPES[m.group(0)], raw), match.end()
    match = _DOTENV_UNQUOTED.match(text, position)
    value = re.split(r"[ \t]+#", match.group(0), maxsplit=1)[0]  # type: ignore[union-attr]
    return value.strip(), match.end()  # type: ignore[union-attr]


def _parse_dotenv_binding(text: str, position: int) -> tuple[Optional[tuple[str, Optional[str]]], int]:
    """``KEY=value`` (or a bare ``KEY``) at ``position``: the pair and where its line ends; or
    None and how far the statement parsed (a quoted part may have run over several lines)."""
    export = _DOTENV_EXPORT.match(text, position)
    reached = export.end() if export else position
    key_match = _DOTENV_KEY.match(text, reached)
    if key_match is None:
        return None, reached
    key = key_match.group(1) or key_match.group(2)
    value: Optional[str] = None
    reached = key_match.end()
    if text.startswith("=", reached):
        reached = _DOTENV_BLANKS.match(text, reached + 1).end()  # type: ignore[union-attr]
        value, reached = _parse_dotenv_value(text, reached)
        if value is None:
            return None, reached
    line_end = _DOTENV_LINE_END.match(text, reached)
    if line_end is None:
        return None, reached
    return (key, value), line_end.end()


def _iter_dotenv_bindings(text: str, source: str) -> Iterator[tuple[str, Optional[str]]]:
    """Each ``(key, value)`` in dotenv ``text``. A statement that does not parse is skipped up to
    the end of the line where parsing failed, with a warning, as python-dotenv does."""
    position = 0
    while position < len(text):
        skipped = _DOTENV_SKIPPED_LINE.match(text, position)
        if skipped is not None and skipped.end() > position:
            position = skipped.end()
            continue
        binding, end = _parse_dotenv_binding(text, position)
        if binding is None:
            import warnings

            line = text.count("\n", 0, position) + 1
            warnings.warn(f"{source}: could not parse the statement starting at line {line}; it is ignored.",
                          stacklevel=3)
            end = _DOTENV_SKIP_TO_NEXT_LINE.match(text, end).end()  # type: ignore[union-attr]
        else:
            yield binding
        position = end


def _expand_variables(value: str, environ: dict[str, Optional[str]]) -> str:
    """``${NAME}`` and ``${NAME:-default}`` replaced from ``environ`` (python-dotenv's expansion:
    the default applies only to an undefined name, and a bare ``$NAME`` stays as it is)."""
    return _DOTENV_VARIABLE.sub(lambda m: environ.get(m.group(1), m.group(2)) or "", value)


def dotenv_values(path: Union[str, os.PathLike]) -> dict[str, Optional[str]]:
    """The variables a dotenv file sets, ``${VAR}`` expanded from the file's earlier variables,
    then the environment. A bare ``KEY`` line maps to None."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    values: dict[str, Optional[str]] = {}
    for key, value in _iter_dotenv_bindings(text, os.fspath(path)):
        if value is not None:
            value = _expand_variables(value, {**os.environ, **values})
        values[key] = value
    return values


def find_dotenv(filename: str = ".env", start: Optional[str] = None) -> Optional[str]:
    """The path of ``filename`` in ``start`` (the cwd) or the nearest folder above it, or None."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, filename)
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def load_dotenv(path: Union[str, os.PathLike, None] = None, load_defaults: bool = True) -> bool:
    """Set environment variables from ``.flaskenv`` and ``.env`` (``.env`` wins), then ``path``
    (which wins over both). A variable already in the environment is never changed.

    Returns whether any file had variables. Callers check MICROFLASK_SKIP_DOTENV/FLASK_SKIP_DOTENV
    (``helpers.get_load_dotenv``) before calling, as Flask's do.
    """
    values: dict[str, Optional[str]] = {}
    found = [find_dotenv(name) for name in DOTENV_FILES] if load_defaults else []
    if path is not None and os.path.isfile(path):
        found.append(os.fspath(path))
    for file_path in found:
        if file_path is not None:
            values.update(dotenv_values(file_path))
    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value
    return bool(values)


# -- The built-in commands -------------------------------------------------------------------------


def show_server_banner(debug: Optional[bool], app_import_path: Optional[str]) -> None:
    """`` * Serving Flask app 'hello'`` and the debug mode, except in the reloader's child."""
    from .serving import is_running_from_reloader

    if is_running_from_reloader():
        return
    if app_import_path is not None:
        echo(f" * Serving Flask app '{app_import_path}'")
    if debug is not None:
        echo(f" * Debug mode: {'on' if debug else 'off'}")


_ADHOC_MESSAGE = (
    "'adhoc' certificates are generated with the 'cryptography' package, and microflask has no"
    " dependencies. Make a certificate once with: openssl req -x509 -newkey rsa:2048 -nodes -keyout"
    " key.pem -out cert.pem -days 365 -subj /CN=localhost -- then use '--cert cert.pem --key key.pem'."
)


class CertParamType(ParamType):
    """``--cert``: a certificate file, or the import path of an ``ssl.SSLContext`` object."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        try:
            return self.path_type(value, param, ctx)
        except BadParameter:
            if str(value).lower() == "adhoc":
                return self.fail(_ADHOC_MESSAGE, param, ctx)
            context = _import_ssl_context(str(value))
            if context is not None:
                return context
            raise


def _import_ssl_context(value: str) -> Any:
    """The ``ssl.SSLContext`` at ``module:name`` or ``module.name``, or None."""
    import importlib
    import ssl

    module_name, _, attribute = value.replace(":", ".").rpartition(".")
    if not module_name or not all(part.isidentifier() for part in [*module_name.split("."), attribute]):
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    context = getattr(module, attribute, None)
    return context if isinstance(context, ssl.SSLContext) else None


def _is_ssl_context(value: Any) -> bool:
    ssl = sys.modules.get("ssl")  # an SSLContext exists only if ssl was imported
    return ssl is not None and isinstance(value, ssl.SSLContext)


def _validate_key(ctx: Context, param: Parameter, value: Any) -> Any:
    """``--key`` goes with a ``--cert`` file; together they become the server's SSLContext."""
    cert = ctx.params.get("cert")
    if value is None:
        if cert and not _is_ssl_context(cert):
            raise BadParameter('Required when using "--cert".', ctx, param)
        return None
    if _is_ssl_context(cert):
        raise BadParameter('When "--cert" is an SSLContext object, "--key" is not used.', ctx, param)
    if not cert:
        raise BadParameter('"--cert" must also be specified.', ctx, param)
    ctx.params["cert"] = _load_certificate(cert, value, ctx, param)
    return value


def _load_certificate(cert: str, key: str, ctx: Context, param: Parameter) -> Any:
    import ssl

    from .serving import load_ssl_context

    try:
        return load_ssl_context(cert, key)
    except (ssl.SSLError, OSError) as e:
        raise BadParameter(f"Could not load the certificate and key: {e}", ctx, param) from e


class SeparatedPathType(Path):
    """Paths separated by ``os.pathsep`` (``a.txt:b.txt``), each converted as ``Path``."""

    def convert(self, value: Any, param: Optional[Parameter], ctx: Optional[Context]) -> Any:
        items = self.split_envvar_value(value) if isinstance(value, str) else list(value)
        return [super(SeparatedPathType, self).convert(item, param, ctx) for item in items if item]


def _set_debug_from_option(ctx: Context, param: Parameter, value: Optional[bool]) -> Optional[bool]:
    """``--debug``/``--no-debug``, when given, sets FLASK_DEBUG, so that even a factory reading it
    while the app is created sees it."""
    source = ctx.get_parameter_source(param.name or "")
    if source in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return None
    os.environ["FLASK_DEBUG"] = "1" if value else "0"
    if "MICROFLASK_DEBUG" in os.environ:  # read first by get_debug_flag; the option must win
        os.environ["MICROFLASK_DEBUG"] = os.environ["FLASK_DEBUG"]
    return value


def _debug_option() -> Callable[[Any], Any]:
    return option("--debug/--no-debug", default=None, expose_value=False, callback=_set_debug_from_option,
                  allow_from_autoenv=False, help="Set debug mode.")


@command("run", short_help="Run a development server.")
@_debug_option()
@option("--host", "-h", default="127.0.0.1", help="The interface to bind to.")
@option("--port", "-p", default=5000, help="The port to bind to.")
@option("--cert", type=CertParamType(), is_eager=True, help="Specify a certificate file to use HTTPS.")
@option("--key", type=Path(exists=True, dir_okay=False, resolve_path=True), callback=_validate_key,
        expose_value=False, help="The key file to use when specifying a certificate.")
@option("--reload/--no-reload", default=None,
        help="Enable or disable the reloader. By default the reloader is active if debug is enabled.")
@option("--debugger/--no-debugger", default=None,
        help="Enable or disable the debugger. By default the debugger is active if debug is enabled.")
@option("--with-threads/--without-threads", default=True, help="Enable or disable multithreading.")
@option("--extra-files", default=None, type=SeparatedPathType(),
        help=f"Extra files that trigger a reload on change. Multiple paths are separated by {os.pathsep!r}.")
@option("--exclude-patterns", default=None, type=SeparatedPathType(),
        help="Files matching these fnmatch patterns will not trigger a reload on change. Multiple"
             f" patterns are separated by {os.pathsep!r}.")
@pass_script_info
def run_command(info: ScriptInfo, host: str, port: int, reload: Optional[bool], debugger: Optional[bool],
                with_threads: bool, cert: Any, extra_files: Optional[list[str]],
                exclude_patterns: Optional[list[str]]) -> None:
    """Run a local development server.

    This server is for development purposes only. It does not provide the stability, security,
    or performance of production WSGI servers.

    The reloader and debugger are enabled by default with the '--debug' option.
    """
    from . import serving
    from .helpers import get_debug_flag

    app = info.load_app()
    debug = get_debug_flag()
    if info.set_debug_flag:
        app.debug = debug
    reload = debug if reload is None else reload
    debugger = debug if debugger is None else debugger
    if reload:
        # NOTE(cli): template edits restart the server too; run_simple walks folders in extra_files.
        extra_files = [*(extra_files or ()), *app.reloader_template_folders()] or None
    show_server_banner(debug, info.app_import_path)
    serving.run_simple(host, port, app, use_reloader=reload, use_debugger=debugger, threaded=with_threads,
                       ssl_context=cert, extra_files=extra_files, exclude_patterns=exclude_patterns)


_SORT_COLUMNS = ("endpoint", "methods", "domain", "rule", "match")


@command("routes", short_help="Show the routes for the app.")
@option("--sort", "-s", type=Choice(_SORT_COLUMNS), default="endpoint",
        help="Method to sort routes by. 'match' is the order that Flask will match routes when dispatching a request.")
@option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS methods.")
@with_appcontext
def routes_command(sort: str, all_methods: bool) -> None:
    """Show all registered routes with endpoints and methods."""
    from .globals import current_app

    rules = list(current_app.url_map.iter_rules())
    if not rules:
        echo("No routes were registered.")
        return
    headers, rows = _route_rows(current_app.url_map, rules, all_methods)
    sort_index = _route_sort_index(headers, sort)
    if sort_index is not None:
        rows.sort(key=lambda row: row[sort_index])
    for line in _format_table(headers, rows):
        echo(line)


def _route_rows(url_map: Any, rules: list[Any], all_methods: bool) -> tuple[list[str], list[list[str]]]:
    """The table's headers and one row per rule; a Subdomain (or Host) column only when used."""
    ignored = set() if all_methods else {"HEAD", "OPTIONS"}
    host_matching = url_map.host_matching
    domains = [(rule.host if host_matching else rule.subdomain) or "" for rule in rules]
    has_domain = any(domains)
    headers = ["Endpoint", "Methods", *(["Host" if host_matching else "Subdomain"] if has_domain else []), "Rule"]
    rows = []
    for rule, domain in zip(rules, domains):
        methods = ", ".join(sorted((rule.methods or set()) - ignored))
        rows.append([rule.endpoint, methods, *([domain] if has_domain else []), rule.rule])
    return headers, rows


def _route_sort_index(headers: list[str], sort: str) -> Optional[int]:
    """The column to sort by; None keeps the match order (and ``domain`` without that column)."""
    columns = ["endpoint", "methods", *(["domain"] if len(headers) == 4 else []), "rule"]
    return columns.index(sort) if sort in columns else None


def _format_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns two spaces apart, under a dashed rule, as Flask prints them."""
    table = [headers, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    table.insert(1, ["-" * width for width in widths])
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in table]


@command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the context of a given Flask application. The
    application will populate the default namespace of this shell according to its
    configuration.

    This is useful for executing small snippets of management code without having to manually
    configure the application.
    """
    import code

    from .globals import current_app

    banner = (f"Python {sys.version} on {sys.platform}\nApp: {current_app.import_name}\n"
              f"Instance: {current_app.instance_path}")
    namespace: dict[str, Any] = {}
    _run_startup_file(namespace)
    namespace.update(current_app.make_shell_context())
    _set_up_completion(namespace)
    code.interact(banner=banner, local=namespace)


def _run_startup_file(namespace: dict[str, Any]) -> None:
    """Run the PYTHONSTARTUP file in ``namespace``, as the interactive interpreter does."""
    startup = os.environ.get("PYTHONSTARTUP")
    if startup and os.path.isfile(startup):
        with open(startup, encoding="utf-8") as file:
            exec(compile(file.read(), startup, "exec"), namespace)  # noqa: S102 - the user's own file


def _set_up_completion(namespace: dict[str, Any]) -> None:
    """Tab completion of the shell's names and the user's history, as ``python`` sets them up."""
    # NOTE(cli): only on a terminal, so piped input and tests never touch readline or its history file.
    hook = getattr(sys, "__interactivehook__", None)
    if hook is None or not sys.stdin.isatty():
        return
    try:
        import readline
        from rlcompleter import Completer
    except ImportError:
        return
    readline.set_completer(Completer(namespace).complete)
    hook()


@command("template-source", short_help="Print the Python source a template compiles to.")
@argument("name")
@with_appcontext
def template_source_command(name: str) -> None:
    """Print the Python source a template compiles to (the template engine, explained).

    NAME is the template's name, as render_template takes it.
    """
    from .globals import current_app
    from .templating import TemplateNotFound, TemplateSyntaxError

    try:
        template = current_app.jinja_env.get_template(name)
    except TemplateNotFound as e:
        raise ClickException(f"Template not found: {e}") from None
    except TemplateSyntaxError as e:
        raise ClickException(f"{type(e).__name__}: {e}") from None
    echo(template.source, nl=False)


# -- The top-level group ---------------------------------------------------------------------------


def _set_app_import_path(ctx: Context, param: Parameter, value: Optional[str]) -> Optional[str]:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value
    return value


def _load_env_file(ctx: Context, param: Parameter, value: Optional[str]) -> Optional[str]:
    """Load ``-e FILE`` and the default dotenv files before ``--app``'s variable is read."""
    info = ctx.ensure_object(ScriptInfo)
    if value is not None or info.load_dotenv_defaults:
        load_dotenv(value, load_defaults=info.load_dotenv_defaults)
    return value


def _show_version(ctx: Context, param: Parameter, value: bool) -> None:
    if not value:
        return
    from . import __version__

    echo(f"Python {sys.version.split()[0]}\nmicroflask {__version__}", color=ctx.color)
    ctx.exit()


_env_file_option = Option(
    ["-e", "--env-file"], type=Path(exists=True, dir_okay=False), is_eager=True, expose_value=False,
    callback=_load_env_file,
    help="Load environment variables from this file, taking precedence over those set by '.env' and"
         " '.flaskenv'. Variables set directly in the environment take highest precedence.",
)
_app_option = Option(
    ["-A", "--app"], metavar="IMPORT", envvar=list(APP_ENVVARS), is_eager=True, expose_value=False,
    callback=_set_app_import_path,
    help="The Flask application or factory function to load, in the form 'module:name'. Module can be a"
         " dotted import or file path. Name is not required if it is 'app', 'application', 'create_app',"
         " or 'make_app', and can be 'name(args)' to pass arguments.",
)
# NOTE(cli): FLASK_DEBUG is not this option's environment variable: get_debug_flag reads it as
# Flask does (any value but 0/false/no is on), where a boolean option would reject "yes please".
_debug_group_option = Option(["--debug/--no-debug"], default=None, expose_value=False,
                             callback=_set_debug_from_option, allow_from_autoenv=False, help="Set debug mode.")
_version_option = Option(["--version"], is_flag=True, expose_value=False, is_eager=True,
                         callback=_show_version, help="Show the microflask version.")


class FlaskGroup(AppGroup):
    """The ``microflask`` command: the built-in commands, the app's own, and ``--app``,
    ``--env-file``, ``--debug``, ``--version``. A project can make its own script with it:
    ``FlaskGroup(create_app=create_app)``."""

    def __init__(self, add_default_commands: bool = True, create_app: Optional[Callable[..., Any]] = None,
                 add_version_option: bool = True, load_dotenv: bool = True, set_debug_flag: bool = True,
                 **extra: Any) -> None:
        params = [*(extra.pop("params", None) or []), _env_file_option, _app_option, _debug_group_option]
        if add_version_option:
            params.append(_version_option)
        extra.setdefault("context_settings", {})
        extra["context_settings"].setdefault("auto_envvar_prefix", "FLASK")
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            for cmd in (run_command, shell_command, routes_command, template_source_command):
                self.add_command(cmd)

    def make_context(self, info_name: Optional[str], args: Any, parent: Optional[Context] = None,
                     **extra: Any) -> Context:
        # NOTE(cli): tells app.run() in the imported module not to start a second, blocking server.
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            from .helpers import get_load_dotenv

            extra["obj"] = ScriptInfo(create_app=self.create_app, set_debug_flag=self.set_debug_flag,
                                      load_dotenv_defaults=get_load_dotenv(self.load_dotenv))
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            # The env file and MICROFLASK_APP must be read for the help to list the app's commands.
            for param in (_env_file_option, _app_option):
                param.handle_parse_result(ctx, {})
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Context, name: str) -> Optional[Command]:
        """A built-in command, else one of the app's (loading the app and pushing its context)."""
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        app = self._load_app_for_commands(ctx)
        if app is None:
            return None
        from .globals import _cv_app

        current = _cv_app.get(None)
        if current is None or current.app is not app:
            ctx.with_resource(app.app_context())
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: Context) -> list[str]:
        names = set(super().list_commands(ctx))
        app = self._load_app_for_commands(ctx)
        if app is not None:
            names.update(app.cli.list_commands(ctx))
        return sorted(names)

    def _load_app_for_commands(self, ctx: Context) -> Any:
        """The app, or None after telling the user why it could not be loaded."""
        try:
            return ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            echo(f"Error: {e.format_message()}\n", err=True)
            return None


cli = FlaskGroup(
    name=PROGRAM_NAME,
    help=f"""A general utility script for microflask applications.

    An application to load must be given with the '--app' option, the '{APP_ENVVARS[0]}' or
    '{APP_ENVVARS[1]}' environment variable, or with a 'wsgi.py' or 'app.py' file in the current
    directory.
    """,
)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point of the ``microflask`` script and ``python -m microflask``; returns the exit code."""
    try:
        cli.main(args=argv)
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            return e.code or 0
        echo(e.code, err=True)
        return 1
    return 0
