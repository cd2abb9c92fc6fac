"""The command line: ``python -m microflask --app APP COMMAND`` (Flask's ``flask`` command, on argparse).

``--app`` names the application as Flask's does: a module (``hello``), a module and attribute
(``hello:app``), a factory call (``hello:create_app()``), or a file path (``examples/hello.py``).
Without an attribute the module's ``app`` or ``application`` is used, else a ``create_app`` or
``make_app`` factory. ``MICROFLASK_APP`` or ``FLASK_APP`` stand in for ``--app``.

Commands: ``run`` serves the app on the development server; ``routes`` lists the URL rules;
``template-source NAME`` prints the Python source a template compiles to.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import os
import sys
import types
from typing import Any, Optional, Sequence


class NoAppException(Exception):
    """The application could not be found or loaded."""


def prepare_import(path: str) -> str:
    """Make ``path`` importable (add its package root to ``sys.path``); return the module name."""
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


def find_best_app(module: Any) -> Any:
    """The app in ``module``: ``app``/``application``, the only Flask instance, or a factory."""
    from .app import Flask

    for attribute in ("app", "application"):
        candidate = getattr(module, attribute, None)
        if isinstance(candidate, Flask):
            return candidate
    matches = [value for value in vars(module).values() if isinstance(value, Flask)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NoAppException(
            f"Detected multiple Flask applications in module {module.__name__!r}. Use '--app"
            f" {module.__name__}:name' to specify the correct one."
        )
    for attribute in ("create_app", "make_app"):
        factory = getattr(module, attribute, None)
        if callable(factory):
            app = factory()
            if isinstance(app, Flask):
                return app
    raise NoAppException(
        f"Failed to find Flask application or factory in module {module.__name__!r}. Use"
        f" '--app {module.__name__}:name' to specify one."
    )


def _call_factory(module: Any, expression: str) -> Any:
    """Evaluate ``name`` or ``name(args)`` against ``module``; arguments are literals only."""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise NoAppException(f"Failed to parse {expression!r} as an attribute name or function call.") from None
    if isinstance(node, ast.Name):
        value = getattr(module, node.id, None) or _missing(module, node.id)
        # A bare factory name is called with no arguments, as Flask does: "--app hello:create_app".
        return value() if isinstance(value, types.FunctionType) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = getattr(module, node.func.id, None) or _missing(module, node.func.id)
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
        except ValueError:
            raise NoAppException(f"Failed to parse arguments as literal values: {expression!r}.") from None
        return function(*args, **kwargs)
    raise NoAppException(f"Failed to parse {expression!r} as an attribute name or function call.")


def _missing(module: Any, name: str) -> Any:
    raise NoAppException(f"Failed to find attribute {name!r} in {module.__name__!r}.")


def _is_module_or_parent(missing: Optional[str], module_name: str) -> bool:
    """Whether the module import reported missing is ``module_name`` or a package above it."""
    return missing is not None and (module_name == missing or module_name.startswith(missing + "."))


def locate_app(module_name: str, app_name: Optional[str], raise_if_not_found: bool = True) -> Any:
    """Import ``module_name`` and return its app (``app_name`` may be a factory call)."""
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if not _is_module_or_parent(e.name, module_name):
            raise  # the module exists; one of its own imports is missing
        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None
        return None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return _call_factory(module, app_name)


def load_app(app_option: Optional[str]) -> Any:
    """The app named by ``--app`` (or the environment, or ``wsgi.py``/``app.py`` in the cwd)."""
    app_option = app_option or os.environ.get("MICROFLASK_APP") or os.environ.get("FLASK_APP")
    if app_option:
        path, _, name = app_option.partition(":")
        if os.path.exists(path) or path.endswith(".py"):
            module_name = prepare_import(path)
        else:
            module_name = path
            if os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())
        return locate_app(module_name, name or None)
    for filename in ("wsgi.py", "app.py"):
        if os.path.exists(filename):
            return locate_app(prepare_import(filename), None)
    raise NoAppException(
        "Could not locate a Flask application. Use the '--app' option, 'MICROFLASK_APP'"
        " environment variable, or a 'wsgi.py' or 'app.py' file in the current directory."
    )


def run_command(app: Any, options: argparse.Namespace) -> int:
    from .serving import run_simple

    if options.debug:
        app.debug = True
    run_simple(options.host, options.port, app, threaded=options.with_threads)
    return 0


def routes_command(app: Any, options: argparse.Namespace) -> int:
    """Print each rule's endpoint, methods and path."""
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: getattr(rule, options.sort, rule.endpoint) or "")
    ignored = {"HEAD", "OPTIONS"}
    rows = [("Endpoint", "Methods", "Rule")]
    for rule in rules:
        methods = ", ".join(sorted((rule.methods or set()) - ignored))
        rows.append((rule.endpoint, methods, rule.rule))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rows.insert(1, tuple("-" * width for width in widths))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def template_source_command(app: Any, options: argparse.Namespace) -> int:
    """Print the Python source a template compiles to (the engine, explained)."""
    from .templating import TemplateNotFound, TemplateSyntaxError

    with app.app_context():
        try:
            template = app.jinja_env.get_template(options.name)
        except TemplateNotFound as e:
            print(f"Error: template not found: {e}", file=sys.stderr)
            return 2
        except TemplateSyntaxError as e:
            print(f"Error: {type(e).__name__}: {e}", file=sys.stderr)
            return 2
    print(template.source, end="")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="microflask", description="Run and inspect microflask apps.")
    parser.add_argument("--app", help="the app: module, module:name, module:factory(), or a file path")
    parser.add_argument("--debug", action="store_true", help="enable debug mode")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve the app on the development server", add_help=False)
    run.add_argument("--help", action="help", help="show this help message and exit")
    run.add_argument("--host", "-h", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    run.add_argument("--port", "-p", type=int, default=5000, help="port to bind (default 5000)")
    run.add_argument("--with-threads", dest="with_threads", action="store_true", default=True)
    run.add_argument("--without-threads", dest="with_threads", action="store_false")
    routes = commands.add_parser("routes", help="list the app's URL rules")
    routes.add_argument("--sort", "-s", choices=("endpoint", "rule", "methods"), default="endpoint")
    source = commands.add_parser("template-source", help="print the Python a template compiles to")
    source.add_argument("name", help="the template's name, as render_template takes it")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``python -m microflask`` and the ``microflask`` script."""
    parser = make_parser()
    options = parser.parse_args(argv)
    try:
        app = load_app(options.app)
    except NoAppException as e:
        parser.exit(2, f"Error: {e}\n")
    command = {"run": run_command, "routes": routes_command,
               "template-source": template_source_command}[options.command]
    return command(app, options)
