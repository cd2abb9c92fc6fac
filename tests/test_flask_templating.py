"""Templates inside an app, the way a Flask user meets them: ``render_template`` and friends
through the test client, the app's and blueprints' template folders, context processors, the
default context, template helpers, autoescape by file name, ``jinja_options``, auto-reload,
signals, streaming, ``get_template_attribute``, ``tojson`` and the ``template-source`` command.

Expected outputs were checked against Flask 3.1 running the same app.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import microflask
from microflask import (
    Blueprint,
    Flask,
    before_render_template,
    g,
    get_template_attribute,
    render_template,
    render_template_string,
    request,
    stream_template,
    stream_template_string,
    template_rendered,
)
from microflask.templating import TemplateNotFound


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def site(tmp_path):
    """An app rooted at tmp_path, so its template folder is tmp_path / "templates"."""
    app = Flask("site", root_path=str(tmp_path))
    app.config["TESTING"] = True
    return app


def add_view(app, rule, function):
    app.add_url_rule(rule, rule.strip("/") or "index", function)


def get_text(app, url="/"):
    response = app.test_client().get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- Template folders ---------------------------------------------------------------------------


def test_render_template_reads_the_app_templates_folder(site, tmp_path):
    write(tmp_path / "templates" / "hello.html", "Hello {{ name }}!")
    add_view(site, "/", lambda: render_template("hello.html", name="World"))
    assert get_text(site) == "Hello World!"


def test_render_template_finds_templates_in_subfolders(site, tmp_path):
    write(tmp_path / "templates" / "users" / "show.html", "user {{ id }}")
    add_view(site, "/", lambda: render_template("users/show.html", id=7))
    assert get_text(site) == "user 7"


def test_render_template_with_a_list_renders_the_first_that_exists(site, tmp_path):
    write(tmp_path / "templates" / "fallback.html", "fallback")
    add_view(site, "/", lambda: render_template(["custom.html", "fallback.html"]))
    assert get_text(site) == "fallback"


def make_blueprint(tmp_path, name, files):
    for filename, text in files.items():
        write(tmp_path / name / "templates" / filename, text)
    return Blueprint(name, __name__, template_folder="templates", root_path=str(tmp_path / name))


def test_blueprint_template_folder_is_searched(site, tmp_path):
    blueprint = make_blueprint(tmp_path, "admin", {"admin/panel.html": "panel"})
    blueprint.add_url_rule("/panel", "panel", lambda: render_template("admin/panel.html"))
    site.register_blueprint(blueprint)
    assert get_text(site, "/panel") == "panel"


def test_app_template_overrides_the_blueprint_template_of_the_same_name(site, tmp_path):
    write(tmp_path / "templates" / "shared.html", "app wins")
    blueprint = make_blueprint(tmp_path, "admin", {"shared.html": "blueprint loses"})
    blueprint.add_url_rule("/", "index", lambda: render_template("shared.html"))
    site.register_blueprint(blueprint)
    assert get_text(site) == "app wins"


def test_first_registered_blueprint_wins_between_blueprints(site, tmp_path):
    first = make_blueprint(tmp_path, "first", {"shared.html": "first"})
    second = make_blueprint(tmp_path, "second", {"shared.html": "second"})
    add_view(site, "/", lambda: render_template("shared.html"))
    site.register_blueprint(first)
    site.register_blueprint(second)
    assert get_text(site) == "first"


def test_missing_template_names_the_app_and_blueprint_folders(site, tmp_path):
    # NOTE: Flask's message names only the template; microflask also lists where it looked.
    site.register_blueprint(make_blueprint(tmp_path, "admin", {}))
    with site.app_context(), pytest.raises(TemplateNotFound) as caught:
        render_template("missing.html")
    assert caught.value.name == "missing.html"
    assert str(tmp_path / "templates") in str(caught.value)
    assert str(tmp_path / "admin" / "templates") in str(caught.value)


# -- Context ------------------------------------------------------------------------------------


def test_app_context_processor_values_reach_every_template(site):
    site.context_processor(lambda: {"site_name": "Shop"})
    add_view(site, "/", lambda: render_template_string("{{ site_name }}"))
    assert get_text(site) == "Shop"


def test_explicit_context_values_win_over_context_processors(site):
    site.context_processor(lambda: {"title": "processor"})
    add_view(site, "/", lambda: render_template_string("{{ title }}", title="explicit"))
    assert get_text(site) == "explicit"


@pytest.fixture
def shop(site, tmp_path):
    """An app with an app-wide and a blueprint-scoped context processor, and a view in each."""
    site.context_processor(lambda: {"scope": "app", "app_value": "A"})
    blueprint = Blueprint("shop", __name__, url_prefix="/shop")
    blueprint.context_processor(lambda: {"scope": "blueprint", "shop_value": "S"})
    blueprint.app_context_processor(lambda: {"everywhere": "E"})
    template = "{{ scope }}|{{ app_value }}|{{ shop_value }}|{{ everywhere }}"
    blueprint.add_url_rule("/", "index", lambda: render_template_string(template))
    add_view(site, "/", lambda: render_template_string(template))
    site.register_blueprint(blueprint)
    return site


def test_blueprint_context_processor_applies_to_its_own_views_and_overrides_the_app(shop):
    assert get_text(shop, "/shop/") == "blueprint|A|S|E"


def test_blueprint_context_processor_does_not_reach_app_views(shop):
    assert get_text(shop, "/") == "app|A||E"


def test_default_context_has_config_request_session_g_url_for_and_flashes(site):
    site.config["SITE"] = "s3"

    def view():
        g.user = "ann"
        return render_template_string(
            "{{ config.SITE }}|{{ request.path }}|{{ session is mapping }}|{{ g.user }}|"
            "{{ url_for('index') }}|{{ get_flashed_messages() }}")

    add_view(site, "/", view)
    assert get_text(site) == "s3|/|True|ann|/|[]"


def test_template_sees_the_request_of_the_view(site):
    add_view(site, "/search", lambda: render_template_string("{{ request.args.q }} via {{ request.method }}"))
    assert get_text(site, "/search?q=owls") == "owls via GET"


def test_macro_imported_without_context_sees_request_and_g(site, tmp_path):
    write(tmp_path / "templates" / "nav.html", "{% macro here() %}[{{ request.path }}|{{ g.section }}]{% endmacro %}")
    write(tmp_path / "templates" / "page.html", "{% import 'nav.html' as nav %}{{ nav.here() }}")

    def view():
        g.section = "docs"
        return render_template("page.html")

    add_view(site, "/page", view)
    assert get_text(site, "/page") == "[/page|docs]"


def test_config_and_g_are_available_with_only_an_app_context(site):
    site.config["SITE"] = "s3"
    with site.app_context():
        g.user = "ann"
        assert render_template_string("{{ config.SITE }}|{{ g.user }}") == "s3|ann"


# -- Filters, tests and globals -------------------------------------------------------------------


def test_template_filter_decorator_registers_a_filter(site):
    @site.template_filter("reverse_text")
    def reverse_text(value):
        return value[::-1]

    add_view(site, "/", lambda: render_template_string("{{ 'abc'|reverse_text }}"))
    assert get_text(site) == "cba"


def test_template_filter_decorator_defaults_to_the_function_name(site):
    @site.template_filter()
    def shout(value):
        return value.upper() + "!"

    add_view(site, "/", lambda: render_template_string("{{ 'hi'|shout }}"))
    assert get_text(site) == "HI!"


def test_template_test_decorator_registers_a_test(site):
    @site.template_test("short")
    def is_short(value):
        return len(value) < 3

    add_view(site, "/", lambda: render_template_string("{{ 'ab' is short }} {{ 'abcd' is short }}"))
    assert get_text(site) == "True False"


def test_template_global_decorator_registers_a_global(site):
    @site.template_global()
    def answer():
        return 42

    add_view(site, "/", lambda: render_template_string("{{ answer() }}"))
    assert get_text(site) == "42"


def test_add_template_methods_register_filters_tests_and_globals(site):
    site.add_template_filter(str.upper, "up")
    site.add_template_test(lambda value: value == 0, "zero")
    site.add_template_global("G!", "bang")
    add_view(site, "/", lambda: render_template_string("{{ 'q'|up }}|{{ 0 is zero }}|{{ bang }}"))
    assert get_text(site) == "Q|True|G!"


# -- Autoescape -------------------------------------------------------------------------------------


@pytest.mark.parametrize("filename, expected", [
    ("page.html", "<p>&lt;b&gt;</p>"),
    ("page.htm", "<p>&lt;b&gt;</p>"),
    ("page.xml", "<p>&lt;b&gt;</p>"),
    ("page.xhtml", "<p>&lt;b&gt;</p>"),
    ("page.svg", "<p>&lt;b&gt;</p>"),
    ("page.txt", "<p><b></p>"),
    ("page.j2", "<p><b></p>"),
])
def test_autoescape_follows_the_template_file_extension(site, tmp_path, filename, expected):
    write(tmp_path / "templates" / filename, "<p>{{ x }}</p>")
    add_view(site, "/", lambda: render_template(filename, x="<b>"))
    assert get_text(site) == expected


def test_template_strings_are_autoescaped(site):
    add_view(site, "/", lambda: render_template_string("{{ x }}|{{ x|safe }}", x="<b>"))
    assert get_text(site) == "&lt;b&gt;|<b>"


@pytest.mark.parametrize("filename, expected", [
    (None, True), ("a.html", True), ("a.svg", True), ("a.txt", False), ("a.html.j2", False),
])
def test_select_jinja_autoescape_decides_by_file_name(app, filename, expected):
    assert app.select_jinja_autoescape(filename) is expected


def test_tojson_output_is_safe_inside_a_script_element(site):
    source = "<script>var d = {{ d|tojson }};</script>"
    add_view(site, "/", lambda: render_template_string(source, d={"a": "</script>&'", "b": [1]}))
    expected = '<script>var d = {"a": "\\u003c/script\\u003e\\u0026\\u0027", "b": [1]};</script>'
    assert get_text(site) == expected


# -- Environment options and reloading ----------------------------------------------------------------


def test_jinja_options_of_a_subclass_configure_the_environment():
    class TrimmedFlask(Flask):
        jinja_options = {"trim_blocks": True, "lstrip_blocks": True}

    app = TrimmedFlask("trimmed")
    with app.app_context():
        assert render_template_string("  {% if true %}\nx\n  {% endif %}\n") == "x\n"


def test_jinja_env_uses_the_apps_environment_class(app):
    assert isinstance(app.jinja_env, microflask.templating.Environment)
    assert app.jinja_env.app is app


def change_template(path, text):
    before = os.stat(path).st_mtime
    path.write_text(text)
    os.utime(path, (before + 10, before + 10))


def render_twice_with_a_change_between(app, tmp_path):
    path = write(tmp_path / "templates" / "page.html", "version 1")
    add_view(app, "/", lambda: render_template("page.html"))
    first = get_text(app)
    change_template(path, "version 2")
    return first, get_text(app)


def test_templates_auto_reload_rereads_a_changed_template(site, tmp_path):
    site.config["TEMPLATES_AUTO_RELOAD"] = True
    assert render_twice_with_a_change_between(site, tmp_path) == ("version 1", "version 2")


def test_templates_are_not_reread_by_default_outside_debug_mode(site, tmp_path):
    assert render_twice_with_a_change_between(site, tmp_path) == ("version 1", "version 1")


def test_debug_mode_turns_auto_reload_on(app):
    app.debug = True
    assert app.jinja_env.auto_reload is True


def test_turning_debug_on_after_the_environment_exists_turns_auto_reload_on(app):
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is True


# -- Signals --------------------------------------------------------------------------------------


def test_signals_are_sent_before_and_after_rendering(site):
    calls = []

    def before(sender, template, context, **extra):
        calls.append(("before", sender, template.name, context["v"]))

    def after(sender, template, context, **extra):
        calls.append(("after", sender, template.name, context["v"]))

    add_view(site, "/", lambda: render_template_string("{{ v }}", v=1))
    with before_render_template.connected_to(before, site), template_rendered.connected_to(after, site):
        get_text(site)
    assert calls == [("before", site, None, 1), ("after", site, None, 1)]


def test_template_rendered_receives_the_template_and_the_full_context(site, tmp_path):
    write(tmp_path / "templates" / "page.html", "x")
    add_view(site, "/", lambda: render_template("page.html", v=1))
    seen = []
    with template_rendered.connected_to(lambda sender, template, context, **extra: seen.append((template, context))):
        get_text(site)
    template, context = seen[0]
    assert template.name == "page.html"
    assert (context["v"], context["request"].path, context["g"] is not None) == (1, "/", True)


# -- Strings, streaming and macros -------------------------------------------------------------------


def test_render_template_string_renders_with_the_context(site):
    add_view(site, "/", lambda: render_template_string("{% for n in items %}{{ n }},{% endfor %}", items=[1, 2]))
    assert get_text(site) == "1,2,"


def test_stream_template_keeps_the_request_context_while_streaming(site, tmp_path):
    write(tmp_path / "templates" / "stream.html", "{{ request.path }}|{% for i in range(3) %}{{ i }}{% endfor %}|"
                                                 "{{ current_query() }}")
    site.add_template_global(lambda: request.args["q"], "current_query")
    add_view(site, "/stream", lambda: stream_template("stream.html"))
    assert get_text(site, "/stream?q=late") == "/stream|012|late"


def test_stream_template_string_sends_the_page_in_several_chunks(site):
    source = "{% for i in range(3) %}[{{ i }}]{% endfor %}{{ url_for('stream') }}"
    add_view(site, "/stream", lambda: stream_template_string(source))
    response = site.test_client().get("/stream", buffered=False)
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    assert (len(chunks) > 1, b"".join(chunks)) == (True, b"[0][1][2]/stream")


def test_get_template_attribute_calls_a_macro(site, tmp_path):
    write(tmp_path / "templates" / "macros.html", "{% macro hello(name) %}Hello {{ name }}!{% endmacro %}")
    add_view(site, "/", lambda: get_template_attribute("macros.html", "hello")("<w>"))
    assert get_text(site) == "Hello &lt;w&gt;!"


def test_rendering_outside_an_app_context_raises_runtime_error():
    with pytest.raises(RuntimeError, match="application context"):
        render_template_string("x")


def test_url_for_in_a_template_builds_urls_for_blueprint_endpoints(site):
    blueprint = Blueprint("admin", __name__, url_prefix="/admin")
    blueprint.add_url_rule("/users/<int:id>", "user", lambda id: render_template_string("{{ url_for('.user', id=3) }}"))
    site.register_blueprint(blueprint)
    assert get_text(site, "/admin/users/1") == "/admin/users/3"


# -- The template-source command -----------------------------------------------------------------------


def test_template_source_command_prints_the_generated_python(tmp_path):
    write(tmp_path / "hello.py", "from microflask import Flask\napp = Flask(__name__)\n")
    write(tmp_path / "templates" / "index.html", "Hello {{ name|upper }}!")
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(microflask.__file__)))
    environ = {**os.environ, "PYTHONPATH": package_root}
    result = subprocess.run([sys.executable, "-m", "microflask", "--app", "hello.py", "template-source", "index.html"],
                            cwd=str(tmp_path), env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    compile(result.stdout, "<template-source>", "exec")
    assert "'index.html'" in result.stdout and "def root(" in result.stdout
