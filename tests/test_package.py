"""Package-level promises: stdlib-only imports, Python 3.9 syntax, the public names."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "microflask")


def _module_files():
    for folder, _dirs, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def _imported_top_level_names(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def _is_standard_library(name: str) -> bool:
    if hasattr(sys, "stdlib_module_names"):  # Python 3.10+
        return name in sys.stdlib_module_names or name == "__future__"
    # Python 3.9: a module is standard if it is built in or lives in the stdlib folder.
    import importlib.util
    import sysconfig

    spec = importlib.util.find_spec(name)
    if spec is None:
        return False
    if spec.origin in (None, "built-in", "frozen"):
        return True
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    origin = os.path.realpath(spec.origin)
    return origin.startswith(stdlib + os.sep) and "site-packages" not in origin.split(os.sep)


def test_every_module_imports_only_the_standard_library():
    outside = {
        (os.path.relpath(path, PACKAGE), name)
        for path in _module_files()
        for name in _imported_top_level_names(path)
        if name != "microflask" and not _is_standard_library(name)
    }
    assert outside == set()


def test_every_module_starts_with_future_annotations():
    missing = []
    for path in _module_files():
        tree = ast.parse(open(path, encoding="utf-8").read())
        imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "__future__"]
        if os.path.basename(path) != "__main__.py" and not any(a.name == "annotations" for n in imports for a in n.names):
            missing.append(os.path.relpath(path, PACKAGE))
    assert missing == []


def test_importing_microflask_loads_no_third_party_module():
    code = (
        "import sys, microflask, microflask.routing, microflask.test, microflask.cli\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'werkzeug', 'jinja2', 'markupsafe', 'itsdangerous', 'click', 'blinker')]\n"
        "print(bad)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


@pytest.mark.parametrize(
    "module, names",
    [
        ("microflask", ["Flask", "Request", "Response", "request", "session", "g", "current_app",
                        "url_for", "redirect", "abort", "jsonify", "make_response"]),
        ("microflask.exceptions", ["HTTPException", "NotFound", "BadRequest", "abort", "Aborter"]),
        ("microflask.routing", ["Map", "Rule", "MapAdapter", "BaseConverter", "BuildError"]),
        ("microflask.datastructures", ["MultiDict", "ImmutableMultiDict", "Headers", "FileStorage"]),
        ("microflask.globals", ["app_ctx", "request_ctx", "_cv_app", "_cv_request"]),
        ("microflask.test", ["Client", "EnvironBuilder"]),
        ("microflask.testing", ["FlaskClient"]),
        ("microflask.wrappers", ["Request", "Response"]),
        ("microflask.http", ["parse_options_header", "dump_cookie", "http_date", "parse_date"]),
        ("microflask.formparser", ["parse_form_data", "FormDataParser", "MultiPartParser",
                                   "default_stream_factory"]),
        ("microflask.utils", ["send_file", "send_from_directory", "secure_filename"]),
        ("microflask.helpers", ["send_file", "send_from_directory"]),
        ("microflask.middleware", ["ProxyFix", "DispatcherMiddleware"]),
        ("microflask.debug", ["DebuggedApplication"]),
        ("microflask.debughelpers", ["DebugFilesKeyError", "FormDataRoutingRedirect",
                                     "UnexpectedUnicodeError", "explain_template_loading_attempts"]),
        ("microflask.serving", ["make_server", "run_simple"]),
        ("microflask.cli", ["AppGroup", "FlaskGroup", "ScriptInfo", "NoAppException", "find_best_app",
                            "locate_app", "prepare_import", "load_dotenv", "with_appcontext",
                            "run_command", "routes_command", "shell_command", "main", "command", "group",
                            "option", "argument", "echo", "pass_context", "Abort", "BadParameter",
                            "ClickException"]),
        ("microflask.testing", ["FlaskCliRunner"]),
    ],
)
def test_public_names_exist(module, names):
    imported = __import__(module, fromlist=names)
    assert [name for name in names if not hasattr(imported, name)] == []
