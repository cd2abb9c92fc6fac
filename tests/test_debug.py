"""The debug page (``microflask.debug``) and the debug-mode helpers (``microflask.debughelpers``)."""

from __future__ import annotations

import io
import logging
import os
import sys
import traceback

import pytest

from microflask import Blueprint, Flask, abort, render_template, request
from microflask.debug import DebuggedApplication, render_debug_page, render_traceback_text
from microflask.debughelpers import (
    DebugFilesKeyError,
    FormDataRoutingRedirect,
    UnexpectedUnicodeError,
    attach_enctype_error_multidict,
    explain_template_loading_attempts,
)
from microflask.exceptions import NotFound
from microflask.routing import RequestRedirect
from microflask.test import Client


@pytest.fixture
def app(app):
    app.debug = True

    @app.route("/fail", methods=["GET", "POST"])
    def fail():
        raise ValueError("failing view <script>alert(1)</script>")

    return app


@pytest.fixture
def debug_client(app):
    return Client(DebuggedApplication(app))


def get_page(client, *args, **kwargs):
    kwargs.setdefault("errors_stream", io.StringIO())
    return client.get(*args, **kwargs)


# -- The page ----------------------------------------------------------------------------------


def test_unhandled_error_answers_500_with_an_html_page(debug_client):
    response = get_page(debug_client, "/fail")
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>ValueError</h1>" in response.text


def test_exception_message_is_html_escaped(debug_client):
    text = get_page(debug_client, "/fail").text
    assert "ValueError: failing view &lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_page_contains_no_script_element(debug_client):
    assert "<script" not in get_page(debug_client, "/fail").text.lower()


def test_page_is_sent_with_a_policy_that_forbids_scripts_and_caching(debug_client):
    headers = get_page(debug_client, "/fail").headers
    assert headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_page_marks_the_source_line_of_the_failing_view(debug_client):
    text = get_page(debug_client, "/fail").text
    assert "raise ValueError(&#34;failing view &lt;script&gt;alert(1)&lt;/script&gt;&#34;)</span>" in text
    marked = text.split('<span class="line current">')
    assert any(part.split("</span>", 2)[1].strip().startswith("raise ValueError") for part in marked[1:])


def test_page_shows_source_lines_around_the_failing_line(debug_client):
    text = get_page(debug_client, "/fail").text
    assert "def fail():</span>" in text


MICROFLASK_FOLDER = os.path.dirname(sys.modules["microflask"].__file__)


def frame_kinds(page):
    """{file name: kind} for the frames of a debug page."""
    kinds = {}
    for block in page.split('<div class="frame ')[1:]:
        kind, _, rest = block.partition('"')
        kinds[rest.split('<cite>"', 1)[1].split('"</cite>', 1)[0]] = kind
    return kinds


def test_frames_of_the_app_and_of_microflask_are_told_apart(debug_client):
    kinds = frame_kinds(get_page(debug_client, "/fail").text)
    assert kinds[__file__] == "app"
    assert kinds[os.path.join(MICROFLASK_FOLDER, "app.py")] == "library"


def test_middleware_frames_are_left_out_of_the_traceback(debug_client):
    kinds = frame_kinds(get_page(debug_client, "/fail").text)
    assert os.path.join(MICROFLASK_FOLDER, "debug.py") not in kinds


def test_local_variable_values_are_not_shown(app, debug_client):
    @app.route("/secret")
    def secret():
        api_key = "s3cr3t-" + str(40 + 2)
        raise RuntimeError(f"length {len(api_key)}")

    text = get_page(debug_client, "/secret").text
    assert "RuntimeError: length 9" in text
    assert "s3cr3t-" + str(42) not in text


def test_chained_exceptions_are_shown_oldest_first_with_pythons_wording(app, debug_client):
    @app.route("/chain")
    def chain():
        try:
            {}["missing-key"]
        except KeyError as error:
            raise LookupError("lookup failed") from error

    text = get_page(debug_client, "/chain").text
    cause = text.index("KeyError: &#39;missing-key&#39;")
    link = text.index("The above exception was the direct cause of the following exception:")
    assert cause < link < text.index('<p class="error">LookupError: lookup failed</p>')


def test_implicitly_chained_exception_says_it_happened_during_handling(app, debug_client):
    @app.route("/context")
    def context():
        try:
            1 / 0
        except ZeroDivisionError:
            raise TypeError("while handling")

    text = get_page(debug_client, "/context").text
    assert "During handling of the above exception, another exception occurred:" in text
    assert text.index("ZeroDivisionError") < text.index('<p class="error">TypeError: while handling')


def test_repeated_recursive_frames_are_collapsed(app, debug_client):
    def descend(depth):
        if depth == 0:
            raise RecursionError("bottom")
        return descend(depth - 1)

    @app.route("/deep")
    def deep():
        return descend(50)

    text = get_page(debug_client, "/deep").text
    assert "[Previous frame repeated 47 more times]" in text
    assert text.count("return descend(depth - 1)</span>") < 10


def test_template_frame_shows_the_template_source_line(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>first</p>\n{{ explode() }}\n<p>third</p>\n")
    app = Flask("template_app", root_path=str(tmp_path))
    app.debug = True

    def explode():
        raise ValueError("template helper failed")

    @app.route("/")
    def index():
        return render_template("page.html", explode=explode)

    text = get_page(Client(DebuggedApplication(app)), "/").text
    template_frame = text.split('<div class="frame template">', 1)[1].split("</div>", 1)[0]
    assert "page.html" in template_frame
    assert '<span class="line current"><span class="lineno">    2</span> {{ explode() }}</span>' in template_frame
    assert "&lt;p&gt;first&lt;/p&gt;" in template_frame


def test_exception_whose_str_fails_still_gets_a_page(app, debug_client):
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no str")

    @app.route("/unprintable")
    def unprintable():
        raise Unprintable()

    response = get_page(debug_client, "/unprintable")
    assert response.status_code == 500
    assert "Unprintable" in response.text


def test_plain_traceback_is_included_for_copying(debug_client):
    text = get_page(debug_client, "/fail").text
    plain = text.split('<pre class="plain">', 1)[1]
    assert plain.startswith("Traceback (most recent call last):\n")


# -- The request section -----------------------------------------------------------------------


def test_page_shows_request_method_and_url(debug_client):
    text = debug_client.post("/fail?page=2", errors_stream=io.StringIO()).text
    assert "<tr><th>Method</th><td>POST</td></tr>" in text
    assert "<tr><th>URL</th><td>http://localhost/fail?page=2</td></tr>" in text


def test_page_shows_query_arguments_escaped(debug_client):
    text = get_page(debug_client, "/fail", query_string={"q": "<b>x</b>"}).text
    assert "<tr><th>q</th><td>&lt;b&gt;x&lt;/b&gt;</td></tr>" in text


def test_page_shows_header_values_escaped(debug_client):
    text = get_page(debug_client, "/fail", headers={"X-Note": '"<i>"'}).text
    assert "<tr><th>X-Note</th><td>&#34;&lt;i&gt;&#34;</td></tr>" in text


def test_cookie_header_value_is_redacted(debug_client):
    debug_client.set_cookie("session", "very-private-session-value")
    text = get_page(debug_client, "/fail").text
    assert "<tr><th>Cookie</th><td>[redacted]</td></tr>" in text
    assert "very-private-session-value" not in text


@pytest.mark.parametrize("header", ["Authorization", "Proxy-Authorization"])
def test_authorization_header_values_are_redacted(debug_client, header):
    text = get_page(debug_client, "/fail", headers={header: "Bearer top-secret-token"}).text
    assert f"<tr><th>{header}</th><td>[redacted]</td></tr>" in text
    assert "top-secret-token" not in text


def test_form_read_by_the_view_is_shown(app, debug_client):
    @app.route("/signup", methods=["POST"])
    def signup():
        raise ValueError(f"no user {request.form['user']}")

    text = debug_client.post("/signup", data={"user": "<ann>"}, errors_stream=io.StringIO()).text
    assert "<tr><th>user</th><td>&lt;ann&gt;</td></tr>" in text


def test_form_is_shown_when_the_view_never_read_the_body(debug_client):
    text = debug_client.post("/fail", data={"title": "draft"}, errors_stream=io.StringIO()).text
    assert "<tr><th>title</th><td>draft</td></tr>" in text


def test_password_like_form_fields_are_redacted(debug_client):
    data = {"password": "hunter2-pw", "api_token": "tok-123"}
    text = debug_client.post("/fail", data=data, errors_stream=io.StringIO()).text
    assert "<tr><th>password</th><td>[redacted]</td></tr>" in text
    assert "hunter2-pw" not in text and "tok-123" not in text


def test_form_longer_than_the_recording_limit_is_not_shown(app):
    client = Client(DebuggedApplication(app, max_recorded_body=10))
    text = client.post("/fail", data={"essay": "x" * 100}, errors_stream=io.StringIO()).text
    assert "xxxxxxxxxx" not in text
    assert "(not shown: the body was longer than the middleware keeps" in text


# -- What the middleware passes through --------------------------------------------------------


def test_debugger_requests_go_to_the_app_and_run_nothing(app, debug_client, monkeypatch):
    monkeypatch.delenv("MICROFLASK_DEBUG_PWNED", raising=False)

    @app.route("/")
    def index():
        return "home"

    command = "import os; os.environ['MICROFLASK_DEBUG_PWNED'] = '1'"
    response = debug_client.get("/", query_string={"__debugger__": "yes", "cmd": command, "frm": "0", "s": "x"})
    assert (response.status_code, response.text) == (200, "home")
    assert "MICROFLASK_DEBUG_PWNED" not in os.environ


def test_console_path_is_not_served_by_the_middleware(debug_client):
    assert debug_client.get("/console").status_code == 404


def test_http_error_from_a_view_passes_through_without_a_debug_page(app, debug_client):
    @app.route("/missing")
    def missing():
        abort(404)

    response = debug_client.get("/missing")
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_http_error_raised_by_a_plain_wsgi_app_is_sent_as_its_response():
    def wsgi_app(environ, start_response):
        raise NotFound("nothing here")

    response = Client(DebuggedApplication(wsgi_app)).get("/")
    assert response.status_code == 404
    assert "nothing here" in response.text


def test_successful_response_passes_through_unchanged(app, debug_client):
    @app.route("/ok")
    def ok():
        return "fine", 201, {"X-Extra": "1"}

    response = debug_client.get("/ok")
    assert (response.status_code, response.text, response.headers["X-Extra"]) == (201, "fine", "1")


def test_error_before_the_first_body_chunk_replaces_the_response(app, debug_client):
    @app.route("/lazy")
    def lazy():
        def generate():
            raise ValueError("before any output")
            yield "never"

        return generate()

    response = get_page(debug_client, "/lazy")
    assert response.status_code == 500
    assert "ValueError: before any output" in response.text


def test_plain_app_error_after_start_response_but_before_body_gets_the_page():
    def wsgi_app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        raise ValueError("after start_response")

    response = get_page(Client(DebuggedApplication(wsgi_app)), "/")
    assert response.status_code == 500
    assert "ValueError: after start_response" in response.text


def test_error_after_body_started_is_logged_and_reraised_not_appended(app, debug_client):
    @app.route("/stream")
    def stream():
        def generate():
            yield "partial "
            raise ValueError("mid-stream")

        return generate()

    errors = io.StringIO()
    with pytest.raises(ValueError, match="mid-stream"):
        debug_client.get("/stream", errors_stream=errors)
    assert "after the response had started; it is cut short" in errors.getvalue()
    assert "ValueError: mid-stream" in errors.getvalue()


def test_traceback_is_written_to_wsgi_errors(debug_client):
    errors = io.StringIO()
    debug_client.get("/fail", errors_stream=errors)
    assert errors.getvalue().startswith("Error on GET http://localhost/fail, answered with the debug page:\n")
    assert "Traceback (most recent call last):" in errors.getvalue()


def test_client_accepting_only_json_gets_a_plain_text_traceback(debug_client):
    response = get_page(debug_client, "/fail", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("Traceback (most recent call last):")


def test_evalex_true_warns_that_there_is_no_console(app):
    with pytest.warns(UserWarning, match="no effect"):
        DebuggedApplication(app, evalex=True)


# -- Debug off ---------------------------------------------------------------------------------


def test_middleware_shows_no_page_when_app_debug_is_off(app, debug_client):
    app.debug = False  # TESTING is on, so the app propagates the error
    with pytest.raises(ValueError, match="failing view"):
        debug_client.get("/fail")


def test_middleware_around_wsgi_app_method_follows_the_app_debug_flag(app):
    app.wsgi_app = DebuggedApplication(app.wsgi_app)
    app.debug = False
    with pytest.raises(ValueError):
        app.test_client().get("/fail")


def test_debug_off_without_middleware_answers_a_plain_500_with_no_traceback(app):
    app.debug = False
    app.testing = False
    response = app.test_client().get("/fail", errors_stream=io.StringIO())
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert "failing view" not in response.text


def test_debug_on_without_middleware_propagates_the_error_to_the_test_client(app):
    app.testing = False
    with pytest.raises(ValueError, match="failing view"):
        app.test_client().get("/fail")


# -- Rendering functions -----------------------------------------------------------------------


def make_error():
    try:
        raise KeyError("direct")
    except KeyError as error:
        return error


def test_render_traceback_text_matches_python():
    error = make_error()
    assert render_traceback_text(error) == "".join(traceback.format_exception(type(error), error, error.__traceback__))


def test_render_debug_page_without_environ_has_no_request_section():
    page = render_debug_page(make_error())
    assert "KeyError: &#39;direct&#39;" in page
    assert "<h2>Request</h2>" not in page


# -- debughelpers ------------------------------------------------------------------------------


def test_files_key_sent_as_form_field_raises_debug_files_key_error(app):
    with app.test_request_context("/", method="POST", data={"photo": "cat.jpg"}):
        attach_enctype_error_multidict(request)
        with pytest.raises(DebugFilesKeyError) as info:
            request.files["photo"]
    message = str(info.value)
    assert "multipart/form-data" in message and "'application/x-www-form-urlencoded'" in message
    assert "'cat.jpg'" in message


def test_debug_files_key_error_is_still_a_key_error():
    assert issubclass(DebugFilesKeyError, KeyError) and issubclass(DebugFilesKeyError, AssertionError)


def test_files_key_absent_from_the_form_raises_the_usual_key_error(app):
    with app.test_request_context("/", method="POST", data={"other": "x"}):
        attach_enctype_error_multidict(request)
        with pytest.raises(KeyError) as info:
            request.files["photo"]
    assert not isinstance(info.value, DebugFilesKeyError)


def test_form_data_routing_redirect_explains_the_trailing_slash(app):
    with app.test_request_context("/items", method="POST"):
        request.routing_exception = RequestRedirect("http://localhost/items/")
        message = str(FormDataRoutingRedirect(request))
    assert "'http://localhost/items/'" in message
    assert "ends with a slash" in message
    assert "307 or 308" in message


def test_form_data_routing_redirect_is_an_assertion_error():
    assert issubclass(FormDataRoutingRedirect, AssertionError)


def test_unexpected_unicode_error_is_a_unicode_error():
    assert issubclass(UnexpectedUnicodeError, UnicodeError) and issubclass(UnexpectedUnicodeError, AssertionError)


def test_explain_template_loading_logs_each_loader_and_its_answer(app, caplog, tmp_path):
    blueprint = Blueprint("shop", __name__, template_folder=str(tmp_path))
    found = ("<p>hi</p>", str(tmp_path / "a.html"), None)
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        explain_template_loading_attempts(app, "a.html", [(app.jinja_loader, app, None), (None, blueprint, found)])
    text = caplog.text
    assert "Locating template 'a.html':" in text
    assert "trying loader of application 'test_app'" in text
    assert "-> no match" in text
    assert f"trying loader of blueprint 'shop' ({__name__})" in text
    assert f"-> found ('{tmp_path / 'a.html'}')" in text


def test_explain_template_loading_says_when_nothing_was_found(app, caplog):
    with caplog.at_level(logging.INFO, logger=app.logger.name):
        explain_template_loading_attempts(app, "gone.html", [(None, app, None)])
    assert "Error: no loader found the template." in caplog.text


def test_debug_app_explains_a_files_key_sent_without_multipart_enctype(app):
    app.debug = True
    with app.test_request_context("/", method="POST", data={"photo": "cat.jpg"}):
        with pytest.raises(DebugFilesKeyError):
            request.files["photo"]


def test_app_without_debug_raises_the_plain_key_error_for_a_missing_file(app):
    app.debug = False
    with app.test_request_context("/", method="POST", data={"photo": "cat.jpg"}):
        with pytest.raises(KeyError) as info:
            request.files["photo"]
    assert not isinstance(info.value, DebugFilesKeyError)


def test_explain_template_loading_config_logs_every_loader_asked_by_render_template(caplog, tmp_path):
    from microflask import Flask, render_template

    (tmp_path / "app_templates").mkdir()
    (tmp_path / "shop_templates").mkdir()
    (tmp_path / "shop_templates" / "item.html").write_text("item")
    app = Flask("explained", root_path=str(tmp_path), template_folder="app_templates")
    app.register_blueprint(Blueprint("shop", __name__, template_folder=str(tmp_path / "shop_templates")))
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with app.app_context(), caplog.at_level(logging.INFO, logger=app.logger.name):
        assert render_template("item.html") == "item"
    assert "trying loader of application 'explained'" in caplog.text
    assert "trying loader of blueprint 'shop'" in caplog.text
    assert "-> found" in caplog.text


def test_explain_template_loading_still_raises_template_not_found(caplog, tmp_path):
    from microflask import Flask, render_template
    from microflask.templating import TemplateNotFound

    app = Flask("explained", root_path=str(tmp_path))
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    with app.app_context(), caplog.at_level(logging.INFO, logger=app.logger.name):
        with pytest.raises(TemplateNotFound):
            render_template("missing.html")
    assert "Error: no loader found the template." in caplog.text
