"""The command line (``microflask.cli``), its Click subset (``microflask.commands``) and the CLI
test runner (``app.test_cli_runner()``), checked against what Flask 3.1 and Click 8 print."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import microflask.serving
from microflask import Blueprint, Flask, current_app
from microflask import cli as click
from microflask.cli import (
    AppGroup,
    FlaskGroup,
    NoAppException,
    ScriptInfo,
    dotenv_values,
    load_dotenv,
    locate_app,
    prepare_import,
    routes_command,
    shell_command,
    with_appcontext,
)
from microflask.testing import CliRunner, FlaskCliRunner

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolate_imports_and_environment(monkeypatch, tmp_path):
    """App discovery edits sys.path and imports modules; the CLI sets FLASK_* variables."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    modules_before = set(sys.modules)
    environ_before = dict(os.environ)
    for name in ("FLASK_APP", "MICROFLASK_APP", "FLASK_DEBUG", "MICROFLASK_DEBUG", "FLASK_RUN_FROM_CLI",
                 "FLASK_SKIP_DOTENV", "MICROFLASK_SKIP_DOTENV"):
        os.environ.pop(name, None)
    monkeypatch.chdir(tmp_path)
    yield
    os.environ.clear()
    os.environ.update(environ_before)
    for name in set(sys.modules) - modules_before:
        if name.startswith("cliapp"):
            del sys.modules[name]


@pytest.fixture
def write_module(tmp_path, monkeypatch):
    """Write ``source`` as module ``name`` in tmp_path, which goes first on sys.path."""
    monkeypatch.syspath_prepend(str(tmp_path))

    def write(name, source, folder=tmp_path):
        path = folder / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path

    return write


APP_SOURCE = """\
from microflask import Flask
app = Flask(__name__)

@app.route("/")
def index():
    return "index"
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def app():
    app = Flask("cli_test_app", root_path="/nonexistent-root")

    @app.route("/")
    def index():
        return "index"

    @app.route("/users/<int:id>", methods=["GET", "POST"])
    def user(id):
        return "user"

    return app


@pytest.fixture
def cli_runner(app):
    return app.test_cli_runner()


def invoke_group(runner, args, create_app=None, **kwargs):
    """Run ``args`` through a fresh ``microflask`` top-level group."""
    return runner.invoke(FlaskGroup(name="microflask", create_app=create_app), args, **kwargs)


# -- Finding the app -------------------------------------------------------------------------------


def test_module_name_finds_its_app_attribute(write_module):
    write_module("cliapp_basic", APP_SOURCE)
    app = ScriptInfo(app_import_path="cliapp_basic").load_app()
    assert app.import_name == "cliapp_basic"


def test_application_attribute_is_found_when_there_is_no_app(write_module):
    write_module("cliapp_application", "from microflask import Flask\napplication = Flask('named')\n")
    assert locate_app("cliapp_application", None).import_name == "named"


def test_the_only_flask_instance_is_found_whatever_its_name(write_module):
    write_module("cliapp_single", "from microflask import Flask\nwebsite = Flask('site')\n")
    assert locate_app("cliapp_single", None).import_name == "site"


@pytest.mark.parametrize("factory", ["create_app", "make_app"])
def test_a_factory_is_called_when_the_module_has_no_app(write_module, factory):
    write_module(f"cliapp_{factory}", f"from microflask import Flask\ndef {factory}():\n    return Flask('made')\n")
    assert locate_app(f"cliapp_{factory}", None).import_name == "made"


def test_module_colon_name_picks_that_attribute(write_module):
    write_module("cliapp_two", "from microflask import Flask\nfirst = Flask('one')\nsecond = Flask('two')\n")
    assert ScriptInfo(app_import_path="cliapp_two:second").load_app().import_name == "two"


def test_factory_call_receives_literal_positional_and_keyword_arguments(write_module):
    write_module("cliapp_args", (
        "from microflask import Flask\n"
        "def create_app(name, *, config=None):\n"
        "    app = Flask(name)\n"
        "    app.config['GIVEN'] = config\n"
        "    return app\n"
    ))
    app = ScriptInfo(app_import_path="cliapp_args:create_app('made', config={'a': [1, 2]})").load_app()
    assert (app.import_name, app.config["GIVEN"]) == ("made", {"a": [1, 2]})


def test_factory_arguments_that_are_not_literals_are_refused_and_never_run(write_module, tmp_path):
    write_module("cliapp_literal", "from microflask import Flask\ndef create_app(x):\n    return Flask('x')\n")
    marker = tmp_path / "ran"
    info = ScriptInfo(app_import_path=f"cliapp_literal:create_app(open({str(marker)!r}, 'w'))")
    with pytest.raises(NoAppException, match="Failed to parse arguments as literal values"):
        info.load_app()
    assert not marker.exists()


def test_file_path_is_imported_as_its_package_module(tmp_path):
    package = tmp_path / "cliapp_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "site.py").write_text(APP_SOURCE)
    assert prepare_import(str(package / "site.py")) == "cliapp_pkg.site"
    assert ScriptInfo(app_import_path=str(package / "site.py")).load_app().import_name == "cliapp_pkg.site"


def test_file_path_with_a_factory_call_after_the_colon(tmp_path):
    (tmp_path / "cliapp_file.py").write_text("from microflask import Flask\ndef create_app(n):\n    return Flask(n)\n")
    app = ScriptInfo(app_import_path="cliapp_file.py:create_app('from-file')").load_app()
    assert app.import_name == "from-file"


@pytest.mark.parametrize("variable", ["MICROFLASK_APP", "FLASK_APP"])
def test_environment_variable_names_the_app_without_the_app_option(write_module, runner, variable):
    write_module("cliapp_env", APP_SOURCE)
    result = invoke_group(runner, ["routes"], env={variable: "cliapp_env"})
    assert result.exit_code == 0, result.output
    assert "index" in result.output


def test_microflask_app_variable_wins_over_flask_app(write_module, runner):
    write_module("cliapp_first", "from microflask import Flask\napp = Flask('first')\n@app.route('/first')\ndef f(): pass\n")
    write_module("cliapp_second", "from microflask import Flask\napp = Flask('second')\n@app.route('/second')\ndef s(): pass\n")
    result = invoke_group(runner, ["routes"], env={"MICROFLASK_APP": "cliapp_first", "FLASK_APP": "cliapp_second"})
    assert "/first" in result.output and "/second" not in result.output


def test_app_option_wins_over_the_environment_variable(write_module, runner):
    write_module("cliapp_opt", "from microflask import Flask\napp = Flask('o')\n@app.route('/from-option')\ndef f(): pass\n")
    result = invoke_group(runner, ["--app", "cliapp_opt", "routes"], env={"FLASK_APP": "no_such_module"})
    assert "/from-option" in result.output


@pytest.mark.parametrize("filename", ["wsgi.py", "app.py"])
def test_wsgi_or_app_file_in_the_cwd_is_found_without_any_app_option(tmp_path, filename):
    (tmp_path / filename).write_text(APP_SOURCE.replace("__name__", "'default-file'"))
    sys.modules.pop(filename[:-3], None)
    try:
        assert ScriptInfo().load_app().import_name == "default-file"
    finally:
        sys.modules.pop(filename[:-3], None)


@pytest.mark.parametrize(("source", "app_name", "message"), [
    ("x = 1\n", None, "Failed to find Flask application or factory in module 'cliapp_err'. Use 'cliapp_err:name' to specify one."),
    ("from microflask import Flask\na = Flask('a')\nb = Flask('b')\n", None,
     "Detected multiple Flask applications in module 'cliapp_err'. Use 'cliapp_err:name' to specify the correct one."),
    ("from microflask import Flask\ndef create_app(name):\n    return Flask(name)\n", None,
     "Detected factory 'create_app' in module 'cliapp_err', but could not call it without arguments."
     " Use 'cliapp_err:create_app(args)' to specify arguments."),
    ("x = 1\n", "nope", "Failed to find attribute 'nope' in 'cliapp_err'."),
    ("x = 1\n", "x", "A valid Flask application was not obtained from 'cliapp_err:x'."),
    ("x = 1\n", "a.b", "Failed to parse 'a.b' as an attribute name or function call."),
    ("x = 1\n", "make(1", "Failed to parse 'make(1' as an attribute name or function call."),
    ("x = 1\n", "make()()", "Function reference must be a simple name: 'make()()'."),
    ("def make(a):\n    return a\n", "make(1, 2)",
     "The factory 'make(1, 2)' in module 'cliapp_err' could not be called with the specified arguments."),
])
def test_app_discovery_errors_explain_what_to_do(write_module, source, app_name, message):
    write_module("cliapp_err", source)
    with pytest.raises(NoAppException) as caught:
        locate_app("cliapp_err", app_name)
    assert caught.value.message == message


def test_missing_module_is_reported_by_name(write_module):
    with pytest.raises(NoAppException, match="^Could not import 'cliapp_missing'.$"):
        locate_app("cliapp_missing", None)


def test_import_error_inside_the_module_is_reported_with_its_traceback(write_module):
    write_module("cliapp_broken", "import cliapp_dependency_that_is_missing\n")
    with pytest.raises(NoAppException) as caught:
        locate_app("cliapp_broken", None)
    assert caught.value.message.startswith("While importing 'cliapp_broken', an ImportError was raised:")
    assert "No module named 'cliapp_dependency_that_is_missing'" in caught.value.message


def test_type_error_raised_inside_a_factory_is_not_hidden(write_module):
    write_module("cliapp_raises", "def create_app():\n    raise TypeError('bug in the factory')\n")
    with pytest.raises(TypeError, match="bug in the factory"):
        locate_app("cliapp_raises", None)


def test_no_app_at_all_is_a_usage_error_naming_the_app_option(runner):
    result = invoke_group(runner, ["routes"])
    assert result.exit_code == 2
    assert "Error: Could not locate a Flask application. Use the 'microflask --app' option" in result.stderr


# -- .env files ------------------------------------------------------------------------------------


def write_env(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_dotenv_values_reads_plain_exported_and_quoted_values(tmp_path):
    env = write_env(tmp_path / ".env", "A=1\nexport B = two words\nC='single'\nD=\"double\"\n")
    assert dotenv_values(env) == {"A": "1", "B": "two words", "C": "single", "D": "double"}


def test_double_quotes_decode_escapes_and_single_quotes_keep_them(tmp_path):
    env = write_env(tmp_path / ".env", "D=\"tab\\there \\\"q\\\" \\\\ \\n\"\nS='raw\\n \\'q\\''\n")
    assert dotenv_values(env) == {"D": 'tab\there "q" \\ \n', "S": "raw\\n 'q'"}


def test_comments_and_blank_lines_are_skipped_but_a_hash_inside_a_value_is_kept(tmp_path):
    env = write_env(tmp_path / ".env", "# a comment\n\n   \nA=value  # trailing comment\nB=no#comment\nC=\"x # y\"  # c\n")
    assert dotenv_values(env) == {"A": "value", "B": "no#comment", "C": "x # y"}


def test_variables_expand_from_earlier_lines_then_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CLI_TEST_HOME", "/home/ada")
    env = write_env(tmp_path / ".env", "DIR=${CLI_TEST_HOME}/app\nLOG=${DIR}/log\nLEVEL=${CLI_TEST_UNSET:-info}\nRAW=$DIR\n")
    assert dotenv_values(env) == {"DIR": "/home/ada/app", "LOG": "/home/ada/app/log", "LEVEL": "info", "RAW": "$DIR"}


def test_quoted_values_may_span_lines_and_crlf_line_ends_are_accepted(tmp_path):
    env = write_env(tmp_path / ".env", "KEY=\"line one\nline two\"\r\nNEXT=1\r\n")
    assert dotenv_values(env) == {"KEY": "line one\nline two", "NEXT": "1"}


def test_a_malformed_statement_is_skipped_with_a_warning_naming_its_line(tmp_path):
    env = write_env(tmp_path / ".env", "A=1\nB='unterminated\nC=3\n")
    with pytest.warns(UserWarning, match="line 2"):
        values = dotenv_values(env)
    assert values == {"A": "1", "C": "3"}


def test_load_dotenv_never_overrides_a_variable_already_set(tmp_path, monkeypatch):
    monkeypatch.setenv("CLI_TEST_SET", "from-environment")
    write_env(tmp_path / ".env", "CLI_TEST_SET=from-file\nCLI_TEST_NEW=new\n")
    monkeypatch.delenv("CLI_TEST_NEW", raising=False)
    assert load_dotenv() is True
    assert (os.environ["CLI_TEST_SET"], os.environ.pop("CLI_TEST_NEW")) == ("from-environment", "new")


def test_dot_env_takes_precedence_over_dot_flaskenv(tmp_path, monkeypatch):
    monkeypatch.delenv("CLI_TEST_WHO", raising=False)
    write_env(tmp_path / ".flaskenv", "CLI_TEST_WHO=flaskenv\n")
    write_env(tmp_path / ".env", "CLI_TEST_WHO=env\n")
    load_dotenv()
    assert os.environ.pop("CLI_TEST_WHO") == "env"


def test_dotenv_files_are_searched_upward_from_the_cwd(tmp_path, monkeypatch):
    monkeypatch.delenv("CLI_TEST_UP", raising=False)
    write_env(tmp_path / ".flaskenv", "CLI_TEST_UP=found\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    load_dotenv()
    assert os.environ.pop("CLI_TEST_UP") == "found"


def test_load_dotenv_returns_false_when_there_is_no_file(tmp_path):
    assert load_dotenv() is False


def echo_variable_app(name):
    """An app with a command that prints an environment variable, and a group to run it."""
    app = Flask("cliapp_echo", root_path="/nonexistent-root")

    @app.cli.command("show")
    def show():
        click.echo(os.environ.get(name, "<unset>"))

    return app


def test_env_file_option_wins_over_the_dotenv_files(tmp_path, runner):
    write_env(tmp_path / ".env", "CLI_TEST_PICK=env\n")
    write_env(tmp_path / "custom.env", "CLI_TEST_PICK=custom\n")
    app = echo_variable_app("CLI_TEST_PICK")
    result = invoke_group(runner, ["-e", "custom.env", "show"], create_app=lambda: app)
    assert result.output == "custom\n"


def test_the_group_loads_dotenv_before_running_a_command(tmp_path, runner):
    write_env(tmp_path / ".flaskenv", "CLI_TEST_GROUP=loaded\n")
    app = echo_variable_app("CLI_TEST_GROUP")
    assert invoke_group(runner, ["show"], create_app=lambda: app).output == "loaded\n"


@pytest.mark.parametrize("variable", ["MICROFLASK_SKIP_DOTENV", "FLASK_SKIP_DOTENV"])
def test_skip_dotenv_variable_stops_the_group_loading_dotenv_files(tmp_path, runner, variable):
    write_env(tmp_path / ".env", "CLI_TEST_SKIPPED=loaded\n")
    app = echo_variable_app("CLI_TEST_SKIPPED")
    assert invoke_group(runner, ["show"], create_app=lambda: app, env={variable: "1"}).output == "<unset>\n"


def test_flaskenv_can_name_the_app(write_module, tmp_path, runner):
    write_module("cliapp_dotenv_named", APP_SOURCE)
    write_env(tmp_path / ".flaskenv", "FLASK_APP=cliapp_dotenv_named\n")
    result = invoke_group(runner, ["routes"])
    assert result.exit_code == 0 and "index" in result.output


def test_runner_restores_the_environment_the_command_changed(tmp_path, runner):
    write_env(tmp_path / ".env", "CLI_TEST_LEAK=1\n")
    invoke_group(runner, ["--debug", "show"], create_app=lambda: echo_variable_app("X"))
    assert "CLI_TEST_LEAK" not in os.environ and "FLASK_DEBUG" not in os.environ


# -- routes ----------------------------------------------------------------------------------------


def test_routes_prints_flasks_table_sorted_by_endpoint(cli_runner):
    result = cli_runner.invoke(routes_command)
    assert result.output.splitlines() == [
        "Endpoint  Methods    Rule                   ",
        "--------  ---------  -----------------------",
        "index     GET        /                      ",
        "static    GET        /static/<path:filename>",
        "user      GET, POST  /users/<int:id>        ",
    ]


@pytest.mark.parametrize(("sort", "endpoints"), [
    ("endpoint", ["a_post", "b_delete", "c_get"]),
    ("methods", ["b_delete", "c_get", "a_post"]),
    ("rule", ["b_delete", "c_get", "a_post"]),
    ("match", ["c_get", "a_post", "b_delete"]),
])
def test_routes_sort_option_orders_the_rows(sort, endpoints):
    app = Flask("cliapp_sort", root_path="/nonexistent-root", static_folder=None)
    app.add_url_rule("/b", "c_get", lambda: "")
    app.add_url_rule("/c", "a_post", lambda: "", methods=["POST"])
    app.add_url_rule("/a", "b_delete", lambda: "", methods=["DELETE"])
    result = app.test_cli_runner().invoke(routes_command, ["--sort", sort])
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == endpoints


def test_routes_all_methods_shows_head_and_options(cli_runner):
    result = cli_runner.invoke(routes_command, ["--all-methods"])
    assert "GET, HEAD, OPTIONS, POST" in result.output


def test_routes_adds_a_subdomain_column_when_a_rule_has_one():
    app = Flask("cliapp_sub", root_path="/nonexistent-root", static_folder=None)
    app.config["SERVER_NAME"] = "example.test"
    app.add_url_rule("/", "home", lambda: "")
    app.add_url_rule("/", "api", lambda: "", subdomain="api")
    result = app.test_cli_runner().invoke(routes_command, ["-s", "domain"])
    assert result.output.splitlines()[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert [line.split()[0] for line in result.output.splitlines()[2:]] == ["home", "api"]


def test_routes_without_any_rule_says_so():
    app = Flask("cliapp_empty", root_path="/nonexistent-root", static_folder=None)
    assert app.test_cli_runner().invoke(routes_command).output == "No routes were registered.\n"


def test_routes_rejects_an_unknown_sort_key(cli_runner):
    result = cli_runner.invoke(routes_command, ["--sort", "size"])
    assert result.exit_code == 2
    assert "Error: Invalid value for '--sort' / '-s': 'size' is not one of 'endpoint', 'methods'," in result.stderr


# -- run -------------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch):
    """Replace run_simple; each call's arguments (and FLASK_RUN_FROM_CLI at that time) are kept."""
    calls = []

    def fake_run_simple(host, port, app, **options):
        calls.append({"host": host, "port": port, "app": app, **options,
                      "from_cli": os.environ.get("FLASK_RUN_FROM_CLI")})

    monkeypatch.setattr(microflask.serving, "run_simple", fake_run_simple)
    return calls


def test_run_calls_run_simple_with_flasks_defaults(app, runner, served):
    result = invoke_group(runner, ["run"], create_app=lambda: app)
    assert result.exit_code == 0, result.output
    call = served[0]
    del call["from_cli"]
    assert call == {"host": "127.0.0.1", "port": 5000, "app": app, "use_reloader": False, "use_debugger": False,
                    "threaded": True, "ssl_context": None, "extra_files": None, "exclude_patterns": None}


def test_run_passes_host_port_reloader_debugger_and_threads_options(app, runner, served):
    invoke_group(runner, ["run", "-h", "0.0.0.0", "-p", "8080", "--reload", "--debugger", "--without-threads"],
                 create_app=lambda: app)
    call = served[0]
    assert (call["host"], call["port"], call["use_reloader"], call["use_debugger"], call["threaded"]) == (
        "0.0.0.0", 8080, True, True, False)


def test_run_reads_its_defaults_from_flask_run_variables(app, runner, served):
    env = {"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "6000", "FLASK_RUN_WITH_THREADS": "false"}
    invoke_group(runner, ["run"], create_app=lambda: app, env=env)
    assert (served[0]["host"], served[0]["port"], served[0]["threaded"]) == ("0.0.0.0", 6000, False)


def test_run_splits_extra_files_and_exclude_patterns_on_the_path_separator(app, runner, served):
    invoke_group(runner, ["run", "--no-reload", "--extra-files", f"a.txt{os.pathsep}b.txt",
                          "--exclude-patterns", f"*.pyc{os.pathsep}*.log"], create_app=lambda: app)
    assert (served[0]["extra_files"], served[0]["exclude_patterns"]) == (["a.txt", "b.txt"], ["*.pyc", "*.log"])


def test_debug_turns_on_the_reloader_and_debugger_which_watches_template_folders(tmp_path, runner, served):
    (tmp_path / "templates").mkdir()
    (tmp_path / "admin_templates").mkdir()
    app = Flask("cliapp_debug", root_path=str(tmp_path))
    app.register_blueprint(Blueprint("admin", __name__, root_path=str(tmp_path), template_folder="admin_templates"))
    result = invoke_group(runner, ["--debug", "run"], create_app=lambda: app)
    call = served[0]
    assert (call["use_reloader"], call["use_debugger"], app.debug) == (True, True, True)
    assert call["extra_files"] == [str(tmp_path / "templates"), str(tmp_path / "admin_templates")]
    assert " * Debug mode: on" in result.output


def test_run_debug_option_after_the_command_also_turns_on_debug_mode(app, runner, served):
    invoke_group(runner, ["run", "--debug"], create_app=lambda: app)
    assert served[0]["use_debugger"] is True and app.debug is True


def test_run_tells_app_run_in_the_imported_module_to_do_nothing(app, runner, served):
    invoke_group(runner, ["run"], create_app=lambda: app)
    assert served[0]["from_cli"] == "true"


def test_run_banner_names_the_app_option_and_the_debug_mode(write_module, runner, served):
    write_module("cliapp_banner", APP_SOURCE)
    result = invoke_group(runner, ["--app", "cliapp_banner", "run"])
    assert result.output == " * Serving Flask app 'cliapp_banner'\n * Debug mode: off\n"


def test_run_with_a_certificate_but_no_key_is_a_usage_error(app, runner, served, tmp_path):
    (tmp_path / "cert.pem").write_text("not really a certificate")
    result = invoke_group(runner, ["run", "--cert", "cert.pem"], create_app=lambda: app)
    assert result.exit_code == 2
    assert "Error: Invalid value for '--key': Required when using \"--cert\"." in result.stderr
    assert served == []


def test_run_with_a_key_but_no_certificate_is_a_usage_error(app, runner, served, tmp_path):
    (tmp_path / "key.pem").write_text("not really a key")
    result = invoke_group(runner, ["run", "--key", "key.pem"], create_app=lambda: app)
    assert "Error: Invalid value for '--key': \"--cert\" must also be specified." in result.stderr


def test_run_with_an_adhoc_certificate_explains_how_to_make_one(app, runner, served):
    result = invoke_group(runner, ["run", "--cert", "adhoc"], create_app=lambda: app)
    assert result.exit_code == 2
    assert "'adhoc' certificates are generated with the 'cryptography' package" in result.stderr
    assert "openssl req -x509" in result.stderr


def test_run_with_a_missing_certificate_file_names_it(app, runner, served):
    result = invoke_group(runner, ["run", "--cert", "missing.pem", "--key", "missing.key"], create_app=lambda: app)
    assert "Error: Invalid value for '--cert': File 'missing.pem' does not exist." in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_run_with_certificate_and_key_passes_an_ssl_context(app, runner, served, tmp_path):
    import ssl

    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost"],
                   cwd=tmp_path, check=True, capture_output=True)
    result = invoke_group(runner, ["run", "--cert", "cert.pem", "--key", "key.pem"], create_app=lambda: app)
    assert result.exit_code == 0, result.output
    assert isinstance(served[0]["ssl_context"], ssl.SSLContext)


def test_run_with_a_key_that_does_not_match_the_certificate_fails_clearly(app, runner, served, tmp_path):
    (tmp_path / "cert.pem").write_text("junk")
    (tmp_path / "key.pem").write_text("junk")
    result = invoke_group(runner, ["run", "--cert", "cert.pem", "--key", "key.pem"], create_app=lambda: app)
    assert result.exit_code == 2
    assert "Error: Invalid value for '--key': Could not load the certificate and key:" in result.stderr


# -- shell -----------------------------------------------------------------------------------------


@pytest.fixture
def interact(monkeypatch):
    """Replace code.interact; records the banner and the namespace the shell would get."""
    import code

    seen = {}

    def fake_interact(banner=None, local=None, **kwargs):
        from microflask.globals import _cv_app

        seen.update(banner=banner, local=local, app_context=_cv_app.get(None))

    monkeypatch.setattr(code, "interact", fake_interact)
    return seen


def test_shell_namespace_has_the_app_g_and_shell_context_processors(app, cli_runner, interact):
    app.shell_context_processor(lambda: {"answer": 42})
    cli_runner.invoke(shell_command)
    assert interact["local"]["app"] is app
    assert interact["local"]["answer"] == 42
    assert "g" in interact["local"]


def test_shell_runs_inside_the_app_context(app, cli_runner, interact):
    cli_runner.invoke(shell_command)
    assert interact["app_context"].app is app


def test_shell_banner_names_python_the_app_and_its_instance_folder(app, cli_runner, interact):
    cli_runner.invoke(shell_command)
    assert interact["banner"] == (f"Python {sys.version} on {sys.platform}\nApp: cli_test_app\n"
                                  f"Instance: {app.instance_path}")


def test_shell_runs_the_pythonstartup_file_first(cli_runner, interact, tmp_path, monkeypatch):
    startup = tmp_path / "startup.py"
    startup.write_text("FROM_STARTUP = 'yes'\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    cli_runner.invoke(shell_command)
    assert interact["local"]["FROM_STARTUP"] == "yes"


def test_shell_executes_what_is_typed_with_the_shell_context(app, cli_runner):
    app.shell_context_processor(lambda: {"answer": 42})
    result = cli_runner.invoke(shell_command, input="print(app.import_name, answer)\n")
    assert result.exit_code == 0
    assert "cli_test_app 42" in result.stdout


# -- template-source -------------------------------------------------------------------------------


def test_template_source_prints_the_compiled_python(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "hi.html").write_text("Hi {{ name }}!")
    app = Flask("cliapp_templates", root_path=str(tmp_path))
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), ["template-source", "hi.html"])
    assert result.exit_code == 0
    compile(result.stdout, "<template-source>", "exec")


def test_template_source_of_a_missing_template_is_an_error(app):
    result = app.test_cli_runner().invoke(FlaskGroup(create_app=lambda: app), ["template-source", "nope.html"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Template not found: nope.html")


# -- Custom commands -------------------------------------------------------------------------------


def test_a_flask_style_command_runs_unchanged(app, cli_runner):
    @app.cli.command("init-db")
    @click.option("--drop", is_flag=True, help="Drop first.")
    @click.argument("name")
    def init_db(drop, name):
        """Clear the existing data and create new tables."""
        click.echo(f"init {name} drop={drop}")

    assert cli_runner.invoke(args=["init-db", "shop", "--drop"]).output == "init shop drop=True\n"


def test_command_name_is_the_function_name_dashed_without_a_command_suffix(app, cli_runner):
    @app.cli.command()
    def seed_users_command():
        click.echo("seeded")

    assert cli_runner.invoke(args=["seed-users"]).output == "seeded\n"


def test_app_commands_run_inside_the_app_context(app, cli_runner):
    @app.cli.command()
    def which():
        click.echo(current_app.import_name)

    assert cli_runner.invoke(args=["which"]).output == "cli_test_app\n"


def test_with_appcontext_false_runs_the_command_without_an_app_context(app, cli_runner):
    from microflask import has_app_context

    @app.cli.command(with_appcontext=False)
    def plain():
        click.echo(has_app_context())

    assert cli_runner.invoke(args=["plain"]).output == "False\n"


def test_with_appcontext_gives_a_plain_click_command_the_app(app, cli_runner):
    @click.command()
    @with_appcontext
    def standalone():
        click.echo(current_app.import_name)

    assert cli_runner.invoke(standalone).output == "cli_test_app\n"


def test_blueprint_commands_form_a_group_named_after_the_blueprint(app, cli_runner):
    students = Blueprint("students", __name__)

    @students.cli.command("create")
    @click.argument("name")
    def create(name):
        click.echo(f"created {name}")

    app.register_blueprint(students)
    assert cli_runner.invoke(args=["students", "create", "ada"]).output == "created ada\n"


def test_blueprint_with_cli_group_none_adds_its_commands_at_the_top_level(app, cli_runner):
    tools = Blueprint("tools", __name__, cli_group=None)

    @tools.cli.command()
    def sweep():
        click.echo("swept")

    app.register_blueprint(tools)
    assert cli_runner.invoke(args=["sweep"]).output == "swept\n"


def test_cli_group_renames_a_blueprints_group_and_registration_can_override_it(app, cli_runner):
    tools = Blueprint("tools", __name__, cli_group="maintenance")

    @tools.cli.command()
    def sweep():
        click.echo("swept")

    app.register_blueprint(tools)
    app.register_blueprint(tools, name="tools2", cli_group="chores")
    assert cli_runner.invoke(args=["maintenance", "sweep"]).output == "swept\n"
    assert cli_runner.invoke(args=["chores", "sweep"]).output == "swept\n"


def test_nested_blueprint_group_is_named_with_its_parent(app, cli_runner):
    parent, child = Blueprint("parent", __name__), Blueprint("child", __name__)

    @child.cli.command()
    def hello():
        click.echo("from child")

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert cli_runner.invoke(args=["parent.child", "hello"]).output == "from child\n"


def test_app_commands_appear_in_the_top_level_help(app, runner):
    @app.cli.command("init-db")
    def init_db():
        """Clear the existing data and create new tables."""

    result = invoke_group(runner, ["--help"], create_app=lambda: app)
    assert "  init-db          Clear the existing data and create new tables.\n" in result.output


def test_app_command_options_read_flask_prefixed_environment_variables(app, runner):
    @app.cli.command("greet")
    @click.option("--name")
    def greet(name):
        click.echo(f"hello {name}")

    result = invoke_group(runner, ["greet"], create_app=lambda: app, env={"FLASK_GREET_NAME": "env"})
    assert result.output == "hello env\n"


def test_debug_option_sets_flask_debug_before_the_factory_runs(runner, served):
    seen = []

    def create_app():
        seen.append(os.environ.get("FLASK_DEBUG"))
        return Flask("cliapp_factory", root_path="/nonexistent-root")

    invoke_group(runner, ["--debug", "run"], create_app=create_app)
    assert seen == ["1"]


def test_no_debug_option_wins_over_the_debug_variables(runner, served, app):
    invoke_group(runner, ["--no-debug", "run"], create_app=lambda: app,
                 env={"FLASK_DEBUG": "1", "MICROFLASK_DEBUG": "1"})
    assert served[0]["use_debugger"] is False and app.debug is False


def test_version_option_prints_python_and_microflask_versions(runner):
    from microflask import __version__

    result = invoke_group(runner, ["--version"])
    assert result.output == f"Python {sys.version.split()[0]}\nmicroflask {__version__}\n"


# -- The Click subset --------------------------------------------------------------------------------


def run(command, args=(), **kwargs):
    return CliRunner().invoke(command, list(args), **kwargs)


def echo_params(**params):
    click.echo(" ".join(f"{key}={value!r}" for key, value in sorted(params.items())))


def test_option_types_convert_values():
    @click.command()
    @click.option("--count", type=int)
    @click.option("--ratio", type=float)
    @click.option("--on", type=bool)
    @click.option("--color", type=click.Choice(["red", "blue"]))
    def show(**params):
        echo_params(**params)

    result = run(show, ["--count", "3", "--ratio", "0.5", "--on", "yes", "--color", "blue"])
    assert result.output == "color='blue' count=3 on=True ratio=0.5\n"


def test_type_is_inferred_from_the_default():
    @click.command()
    @click.option("--count", default=1)
    def show(count):
        click.echo(repr(count))

    assert run(show, ["--count", "7"]).output == "7\n"


def test_flag_pair_sets_true_or_false_and_defaults_to_false():
    @click.command()
    @click.option("--shout/--no-shout")
    def show(shout):
        click.echo(shout)

    assert [run(show, args).output for args in (["--shout"], ["--no-shout"], [])] == ["True\n", "False\n", "False\n"]


def test_flag_pair_with_a_true_default_can_still_be_given_either_way():
    @click.command()
    @click.option("--color/--no-color", default=True)
    def show(color):
        click.echo(color)

    assert [run(show, args).output for args in (["--color"], ["--no-color"], [])] == ["True\n", "False\n", "True\n"]


def test_feature_switch_flags_share_a_name_and_one_marks_the_default():
    @click.command()
    @click.option("--upper", "case", flag_value="upper")
    @click.option("--lower", "case", flag_value="lower", default=True)
    def show(case):
        click.echo(case)

    assert [run(show, args).output for args in (["--upper"], ["--lower"], [])] == ["upper\n", "lower\n", "lower\n"]


def test_multiple_option_collects_a_tuple_and_short_names_work():
    @click.command()
    @click.option("--tag", "-t", multiple=True)
    def show(tag):
        click.echo(repr(tag))

    assert run(show, ["-t", "a", "--tag=b", "-t", "c"]).output == "('a', 'b', 'c')\n"


def test_count_option_counts_repeats():
    @click.command()
    @click.option("-v", "--verbose", count=True)
    def show(verbose):
        click.echo(verbose)

    assert run(show, ["-v", "-v", "--verbose"]).output == "3\n"


def test_envvar_gives_an_option_its_value_and_the_command_line_wins():
    @click.command()
    @click.option("--token", envvar="CLI_TEST_TOKEN")
    def show(token):
        click.echo(token)

    assert run(show, env={"CLI_TEST_TOKEN": "from-env"}).output == "from-env\n"
    assert run(show, ["--token", "given"], env={"CLI_TEST_TOKEN": "from-env"}).output == "given\n"


def test_callable_default_is_called_when_the_option_is_not_given():
    @click.command()
    @click.option("--stamp", default=lambda: "computed")
    def show(stamp):
        click.echo(stamp)

    assert run(show).output == "computed\n"


def test_path_type_checks_existence():
    @click.command()
    @click.argument("config", type=click.Path(exists=True, dir_okay=False))
    def show(config):
        click.echo(config)

    result = run(show, ["missing.cfg"])
    assert result.exit_code == 2
    assert "Error: Invalid value for 'CONFIG': File 'missing.cfg' does not exist." in result.stderr


def test_nargs_minus_one_takes_what_the_other_arguments_leave():
    @click.command()
    @click.argument("sources", nargs=-1)
    @click.argument("target")
    def copy(sources, target):
        click.echo(f"{sources} -> {target}")

    assert run(copy, ["a", "b", "c"]).output == "('a', 'b') -> c\n"


def test_options_and_arguments_may_be_interleaved():
    @click.command()
    @click.option("--flag", is_flag=True)
    @click.argument("words", nargs=-1)
    def show(flag, words):
        click.echo(f"{flag} {words}")

    assert run(show, ["a", "--flag", "b"]).output == "True ('a', 'b')\n"


def test_double_dash_ends_options():
    @click.command()
    @click.argument("words", nargs=-1)
    def show(words):
        click.echo(repr(words))

    assert run(show, ["--", "--not-an-option"]).output == "('--not-an-option',)\n"


def test_missing_required_option_is_a_usage_error_with_exit_code_2():
    @click.command("greet")
    @click.option("--name", required=True)
    def greet(name):
        pass

    result = run(greet)
    assert result.exit_code == 2
    assert result.stderr == ("Usage: greet [OPTIONS]\nTry 'greet --help' for help.\n\n"
                             "Error: Missing option '--name'.\n")


def test_missing_argument_names_it_in_capitals():
    @click.command("greet")
    @click.argument("name")
    def greet(name):
        pass

    assert run(greet).stderr.endswith("Error: Missing argument 'NAME'.\n")


def test_unknown_option_is_a_usage_error_suggesting_close_names():
    @click.command("greet")
    @click.option("--name")
    def greet(name):
        pass

    result = run(greet, ["--nmae", "x"])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option '--nmae'. (Did you mean '--name'?)\n")


def test_unexpected_extra_argument_is_a_usage_error():
    @click.command()
    @click.argument("name")
    def greet(name):
        pass

    assert run(greet, ["a", "b"]).stderr.endswith("Error: Got unexpected extra argument (b)\n")


def test_option_without_its_value_is_a_usage_error():
    @click.command()
    @click.option("--name")
    def greet(name):
        pass

    result = run(greet, ["--name"])
    assert result.exit_code == 2 and "Error: Option '--name' requires an argument." in result.stderr


def test_invalid_integer_message_names_the_option():
    @click.command()
    @click.option("--count", "-c", type=int)
    def show(count):
        pass

    assert run(show, ["-c", "many"]).stderr.endswith(
        "Error: Invalid value for '--count' / '-c': 'many' is not a valid integer.\n")


def test_choice_rejection_lists_the_choices():
    @click.command()
    @click.option("--color", type=click.Choice(["red", "blue"]))
    def show(color):
        pass

    assert run(show, ["--color", "green"]).stderr.endswith(
        "Error: Invalid value for '--color': 'green' is not one of 'red', 'blue'.\n")


def test_click_exception_prints_error_and_exits_1():
    @click.command()
    def fail():
        raise click.ClickException("the database is locked")

    result = run(fail)
    assert (result.exit_code, result.stderr) == (1, "Error: the database is locked\n")


def test_bad_parameter_raised_by_a_command_names_the_parameter():
    @click.command()
    @click.option("--port", type=int)
    def serve(port):
        raise click.BadParameter("must be above 1024", param_hint="'--port'")

    assert run(serve).stderr.endswith("Error: Invalid value for '--port': must be above 1024\n")


def test_abort_prints_aborted_and_exits_1():
    @click.command()
    def stop():
        raise click.Abort()

    result = run(stop)
    assert (result.exit_code, result.stderr) == (1, "Aborted!\n")


def test_context_fail_is_a_usage_error_and_exit_sets_the_code():
    @click.command()
    @click.option("--code", type=int)
    @click.pass_context
    def stop(ctx, code):
        if code is None:
            ctx.fail("give a code")
        ctx.exit(code)

    assert run(stop).stderr.endswith("Error: give a code\n")
    assert run(stop, ["--code", "3"]).exit_code == 3


def test_help_works_on_commands_groups_and_nested_groups():
    @click.group()
    def tool():
        """Tools."""

    @tool.group()
    def db():
        """Database commands."""

    @db.command("migrate")
    @click.option("--count", "-c", default=1, show_default=True, help="How many.")
    def migrate(count):
        """Apply migrations.

        More words here."""

    assert run(tool, ["--help"]).output == (
        "Usage: tool [OPTIONS] COMMAND [ARGS]...\n\n  Tools.\n\nOptions:\n"
        "  --help  Show this message and exit.\n\nCommands:\n  db  Database commands.\n")
    assert run(tool, ["db", "migrate", "--help"]).output == (
        "Usage: tool db migrate [OPTIONS]\n\n  Apply migrations.\n\n  More words here.\n\nOptions:\n"
        "  -c, --count INTEGER  How many.  [default: 1]\n  --help               Show this message and exit.\n")


def test_nested_groups_run_the_innermost_command():
    @click.group()
    def tool():
        pass

    @tool.group()
    def db():
        pass

    @db.command()
    @click.argument("steps", type=int)
    def migrate(steps):
        click.echo(f"migrated {steps}")

    assert run(tool, ["db", "migrate", "3"]).output == "migrated 3\n"


def test_group_without_a_subcommand_shows_its_help_on_stderr_with_exit_code_2():
    @click.group()
    def tool():
        pass

    @tool.command()
    def sub():
        pass

    result = run(tool)
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: tool [OPTIONS] COMMAND [ARGS]...")


def test_unknown_command_is_a_usage_error():
    @click.group()
    def tool():
        pass

    assert run(tool, ["nope"]).stderr.endswith("Error: No such command 'nope'.\n")


def test_group_options_come_before_the_subcommand_and_reach_it_through_ctx_obj():
    @click.group()
    @click.option("--verbose", is_flag=True)
    @click.pass_context
    def tool(ctx, verbose):
        ctx.obj = {"verbose": verbose}

    @tool.command()
    @click.option("--verbose", is_flag=True)
    @click.pass_obj
    def sub(obj, verbose):
        click.echo(f"group={obj['verbose']} sub={verbose}")

    assert run(tool, ["--verbose", "sub"]).output == "group=True sub=False\n"


def test_ctx_invoke_runs_another_command_with_its_defaults():
    @click.command()
    @click.option("--count", default=2)
    def other(count):
        click.echo(f"other {count}")

    @click.command()
    @click.pass_context
    def main_command(ctx):
        ctx.invoke(other)

    assert run(main_command).output == "other 2\n"


def test_prompt_and_confirm_read_answers_from_stdin():
    @click.command()
    def ask():
        if click.confirm("Continue?", abort=True):
            name = click.prompt("Name", default="bob")
            age = click.prompt("Age", type=int)
            click.echo(f"{name} {age}")

    result = run(ask, input="y\n\nold\n7\n")
    assert result.output == ("Continue? [y/N]: y\nName [bob]: \nAge: old\n"
                             "Error: 'old' is not a valid integer.\nAge: 7\nbob 7\n")


def test_confirm_with_abort_stops_on_no():
    @click.command()
    def ask():
        click.confirm("Drop everything?", abort=True)
        click.echo("dropped")

    result = run(ask, input="n\n")
    assert (result.exit_code, result.stderr) == (1, "Aborted!\n")


def test_end_of_input_at_a_prompt_aborts():
    @click.command()
    def ask():
        click.prompt("Name")

    assert run(ask, input="").exit_code == 1


def test_option_with_prompt_asks_only_when_not_given():
    @click.command()
    @click.option("--name", prompt=True)
    def greet(name):
        click.echo(f"hi {name}")

    assert run(greet, input="ada\n").output == "Name: ada\nhi ada\n"
    assert run(greet, ["--name", "bob"]).output == "hi bob\n"


def test_echo_with_err_writes_to_stderr_and_output_interleaves_both():
    @click.command()
    def talk():
        click.echo("one")
        click.echo("two", err=True)
        click.echo("three")

    result = run(talk)
    assert (result.stdout, result.stderr, result.output) == ("one\nthree\n", "two\n", "one\ntwo\nthree\n")


def test_echo_drops_styles_when_the_output_is_not_a_terminal():
    @click.command()
    def talk():
        click.secho("ok", fg="green", bold=True)

    assert run(talk).output == "ok\n"
    assert run(talk, color=True).output == "\x1b[32m\x1b[1mok\x1b[0m\n"


# -- The test runner -------------------------------------------------------------------------------


def test_test_cli_runner_invokes_app_cli_by_default(app, cli_runner):
    @app.cli.command()
    def hello():
        click.echo("hello")

    assert isinstance(cli_runner, FlaskCliRunner)
    assert cli_runner.invoke(args=["hello"]).output == "hello\n"


def test_test_cli_runner_gives_plain_commands_this_app_through_script_info(app, cli_runner):
    @click.command()
    @click.pass_obj
    def which(info):
        click.echo(info.load_app() is app)

    assert cli_runner.invoke(which).output == "True\n"


def test_args_given_as_one_string_are_split_like_a_shell(app, cli_runner):
    @app.cli.command()
    @click.argument("words", nargs=-1)
    def say(words):
        click.echo(repr(words))

    assert cli_runner.invoke(args="say 'two words' three").output == "('two words', 'three')\n"


def test_an_uncaught_exception_is_recorded_with_exit_code_1(app, cli_runner):
    @app.cli.command()
    def boom():
        raise RuntimeError("bad")

    result = cli_runner.invoke(args=["boom"])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)


def test_catch_exceptions_false_lets_the_exception_through(app, cli_runner):
    @app.cli.command()
    def boom():
        raise RuntimeError("bad")

    with pytest.raises(RuntimeError):
        cli_runner.invoke(args=["boom"], catch_exceptions=False)


def test_return_value_is_kept_outside_standalone_mode(app, cli_runner):
    @app.cli.command()
    def answer():
        return 42

    assert cli_runner.invoke(args=["answer"], standalone_mode=False).return_value == 42


def test_test_cli_runner_class_replaces_the_runner(app):
    class Runner(FlaskCliRunner):
        pass

    app.test_cli_runner_class = Runner
    assert isinstance(app.test_cli_runner(), Runner)


def test_usage_lines_use_the_app_name_as_program_name(app, cli_runner):
    @app.cli.command()
    @click.argument("name")
    def greet(name):
        pass

    assert cli_runner.invoke(args=["greet"]).stderr.startswith("Usage: cli_test_app greet [OPTIONS] NAME\n")


# -- The program -----------------------------------------------------------------------------------


def test_python_m_microflask_lists_the_routes_of_an_app_file(tmp_path):
    (tmp_path / "cliapp_program.py").write_text(APP_SOURCE)
    environ = {key: value for key, value in os.environ.items() if key not in ("FLASK_APP", "MICROFLASK_APP")}
    environ["PYTHONPATH"] = str(REPO_ROOT)
    result = subprocess.run([sys.executable, "-m", "microflask", "--app", "cliapp_program.py", "routes"],
                            cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].split() == ["index", "GET", "/"]


def test_main_returns_the_exit_code(capsys):
    assert click.main(["--app", "cliapp_nothing_here", "routes"]) == 2
    assert "Error: Could not import 'cliapp_nothing_here'." in capsys.readouterr().err


def test_a_project_script_made_with_group_cls_flaskgroup_runs_built_in_and_own_commands(app, runner):
    @click.group(cls=FlaskGroup, create_app=lambda: app)
    def manage():
        """Management script."""

    @manage.command()
    def hello():
        click.echo(f"hello from {current_app.import_name}")

    assert runner.invoke(manage, ["hello"]).output == "hello from cli_test_app\n"
    assert "user" in runner.invoke(manage, ["routes"]).output


def test_app_group_commands_get_the_app_context_from_script_info(app):
    group = AppGroup("tools")

    @group.command()
    def which():
        click.echo(current_app.import_name)

    assert app.test_cli_runner().invoke(group, ["which"]).output == "cli_test_app\n"
