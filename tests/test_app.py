"""The application layer: routing decorators, dispatch, make_response, hooks, errors, contexts."""

from __future__ import annotations

import pytest

from microflask import (
    Flask,
    Response,
    abort,
    after_this_request,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from microflask.exceptions import BadRequest, Forbidden, HTTPException, InternalServerError, NotFound
from microflask.globals import _cv_app, _cv_request, app_ctx, request_ctx


# -- Routing through the app ------------------------------------------------------------------


def test_hello_world_returns_html_text(app, client):
    @app.route("/")
    def index():
        return "Hello, World!"

    response = client.get("/")
    assert response.status_code == 200
    assert response.text == "Hello, World!"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Length"] == "13"


def test_variable_rules_convert_values(app, client):
    @app.route("/user/<username>")
    def profile(username):
        return f"User {username}"

    @app.route("/post/<int:post_id>")
    def post(post_id):
        return f"Post {post_id + 1}"

    @app.route("/path/<path:subpath>")
    def subpath(subpath):
        return f"Subpath {subpath}"

    assert client.get("/user/ada").text == "User ada"
    assert client.get("/post/41").text == "Post 42"
    assert client.get("/post/abc").status_code == 404
    assert client.get("/path/a/b/c").text == "Subpath a/b/c"


def test_unique_url_redirects_to_trailing_slash_keeping_query(app, client):
    @app.route("/projects/")
    def projects():
        return "projects"

    response = client.get("/projects?page=2")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/projects/?page=2")
    assert client.get("/projects", follow_redirects=True).text == "projects"


def test_rule_without_slash_gives_404_for_slash(app, client):
    @app.route("/about")
    def about():
        return "about"

    assert client.get("/about/").status_code == 404


def test_http_methods_and_automatic_head_and_options(app, client):
    @app.route("/login", methods=["GET", "POST"])
    def login():
        return f"method {request.method}"

    assert client.post("/login").text == "method POST"
    head = client.head("/login")
    assert head.status_code == 200 and head.data == b""
    options = client.options("/login")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_wrong_method_gives_405_with_allow_header(app, client):
    @app.post("/submit")
    def submit():
        return "ok"

    response = client.get("/submit")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_method_shortcut_decorators(app, client):
    @app.get("/r")
    def read():
        return "get"

    @app.put("/r")
    def replace():
        return "put"

    @app.patch("/r")
    def update():
        return "patch"

    @app.delete("/r")
    def remove():
        return "delete"

    assert [client.open("/r", method=m).text for m in ("GET", "PUT", "PATCH", "DELETE")] == [
        "get", "put", "patch", "delete",
    ]


def test_method_shortcut_rejects_methods_argument(app):
    with pytest.raises(TypeError):
        app.get("/", methods=["POST"])


def test_methods_as_string_is_a_clear_type_error(app):
    with pytest.raises(TypeError, match="list of strings"):
        app.add_url_rule("/", "index", lambda: "", methods="POST")


def test_overwriting_an_endpoint_raises(app):
    app.add_url_rule("/a", "same", lambda: "a")
    with pytest.raises(AssertionError, match="overwriting"):
        app.add_url_rule("/b", "same", lambda: "b")


def test_endpoint_decorator_and_add_url_rule(app, client):
    app.add_url_rule("/x", endpoint="x")

    @app.endpoint("x")
    def x_view():
        return "x view"

    assert client.get("/x").text == "x view"


def test_setup_method_after_first_request_raises(app, client):
    @app.route("/")
    def index():
        return ""

    client.get("/")
    with pytest.raises(AssertionError, match="first request"):
        app.add_url_rule("/late", "late", lambda: "")


def test_unknown_url_is_404_html(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Not Found" in response.text
    assert response.mimetype == "text/html"


def test_bad_percent_encoding_in_path_is_not_a_500(app, client):
    @app.route("/<name>")
    def show(name):
        return name

    response = client.get("/%ff%fe")
    assert response.status_code == 200


# -- URL building -----------------------------------------------------------------------------


def test_url_for_builds_rules_and_query_strings(app):
    @app.route("/")
    def index():
        return ""

    @app.route("/user/<username>")
    def profile(username):
        return ""

    with app.test_request_context():
        assert url_for("index") == "/"
        assert url_for("index", _anchor="top") == "/#top"
        assert url_for("profile", username="John Doe") == "/user/John%20Doe"
        assert url_for("profile", username="a", next=["/x", "/y"]) == "/user/a?next=/x&next=/y"
        assert url_for("profile", username="a", _external=True) == "http://localhost/user/a"
        assert url_for("profile", username="a", _external=True, _scheme="https") == "https://localhost/user/a"


def test_url_for_scheme_without_external_raises(app):
    app.add_url_rule("/", "index", lambda: "")
    with app.test_request_context():
        with pytest.raises(ValueError):
            url_for("index", _scheme="https", _external=False)


def test_url_for_missing_value_raises_build_error(app):
    from microflask.routing import BuildError

    @app.route("/user/<username>")
    def profile(username):
        return ""

    with app.test_request_context():
        with pytest.raises(BuildError, match="username"):
            url_for("profile")


def test_url_for_outside_request_needs_server_name(app):
    app.add_url_rule("/", "index", lambda: "")
    with app.app_context():
        with pytest.raises(RuntimeError, match="SERVER_NAME"):
            url_for("index")
    app.config["SERVER_NAME"] = "example.com"
    with app.app_context():
        assert url_for("index") == "http://example.com/"


def test_url_defaults_and_value_preprocessor(app, client):
    @app.url_defaults
    def add_language(endpoint, values):
        values.setdefault("lang", g.get("lang", "en"))

    @app.url_value_preprocessor
    def pull_language(endpoint, values):
        g.lang = values.pop("lang")

    @app.route("/<lang>/page")
    def page():
        return url_for("page")

    assert client.get("/fr/page").text == "/fr/page"


def test_url_build_error_handler_can_supply_url(app):
    app.url_build_error_handlers.append(lambda error, endpoint, values: f"/fallback/{endpoint}")
    with app.test_request_context():
        assert url_for("missing") == "/fallback/missing"


# -- Responses --------------------------------------------------------------------------------


def test_view_returning_dict_or_list_gives_json(app, client):
    @app.route("/d")
    def as_dict():
        return {"b": 1, "a": [1, 2]}

    @app.route("/l")
    def as_list():
        return [1, "two"]

    response = client.get("/d")
    assert response.mimetype == "application/json"
    assert response.json == {"a": [1, 2], "b": 1}
    assert client.get("/l").json == [1, "two"]


def test_view_returning_tuples(app, client):
    @app.route("/created")
    def created():
        return "made", 201

    @app.route("/headers")
    def with_headers():
        return "h", {"X-Thing": "1"}

    @app.route("/all")
    def everything():
        return {"ok": True}, "202 Accepted Later", [("X-A", "b")]

    assert client.get("/created").status_code == 201
    assert client.get("/headers").headers["X-Thing"] == "1"
    response = client.get("/all")
    assert response.status == "202 Accepted Later"
    assert response.headers["X-A"] == "b"
    assert response.json == {"ok": True}


def test_view_returning_bad_tuple_is_type_error(app, client):
    @app.route("/")
    def index():
        return ("a", 200, {}, "extra")

    with pytest.raises(TypeError, match="valid response tuple"):
        client.get("/")


def test_view_returning_none_names_the_view(app, client):
    @app.route("/")
    def forgetful():
        pass

    with pytest.raises(TypeError, match="'forgetful' did not return a valid response"):
        client.get("/")


def test_view_returning_unknown_type_is_type_error(app, client):
    @app.route("/")
    def index():
        return 3.5

    with pytest.raises(TypeError, match="float"):
        client.get("/")


def test_view_returning_generator_is_streamed(app, client):
    @app.route("/stream")
    def stream():
        def generate():
            yield "a"
            yield b"b"
            yield "c"

        return generate()

    response = client.get("/stream")
    assert response.data == b"abc"
    assert "Content-Length" not in response.headers


def test_view_returning_wsgi_app(app, client):
    def wsgi(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from wsgi"]

    @app.route("/")
    def index():
        return wsgi

    response = client.get("/")
    assert response.text == "from wsgi"
    assert response.mimetype == "text/plain"


def test_make_response_lets_view_add_headers(app, client):
    @app.route("/")
    def index():
        response = make_response("body", 418)
        response.headers["X-Extra"] = "yes"
        return response

    response = client.get("/")
    assert response.status_code == 418
    assert response.headers["X-Extra"] == "yes"


def test_response_status_string_and_unknown_code(app, client):
    @app.route("/")
    def index():
        return Response("x", status=299)

    assert client.get("/").status == "299 UNKNOWN"


def test_jsonify_args_kwargs_and_debug_indent(app, client):
    @app.route("/kw")
    def kw():
        return jsonify(name="x", n=1)

    @app.route("/args")
    def args():
        return jsonify(1, 2, 3)

    assert client.get("/kw").data == b'{"n":1,"name":"x"}\n'
    assert client.get("/args").json == [1, 2, 3]
    app.debug = True
    with app.test_request_context():
        assert jsonify(a=1).get_data() == b'{\n  "a": 1\n}\n'


def test_jsonify_serialises_dates_decimals_uuids_and_dataclasses(app):
    import dataclasses
    import datetime
    import decimal
    import uuid

    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    value = {
        "date": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        "decimal": decimal.Decimal("1.50"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "point": Point(1, 2),
    }
    with app.app_context():
        data = jsonify(value).json
    assert data == {
        "date": "Tue, 02 Jan 2024 03:04:05 GMT",
        "decimal": "1.50",
        "uuid": "12345678-1234-5678-1234-567812345678",
        "point": {"x": 1, "y": 2},
    }


def test_redirect_helper(app, client):
    @app.route("/old")
    def old():
        return redirect(url_for("new"))

    @app.route("/new")
    def new():
        return "new place"

    response = client.get("/old")
    assert response.status_code == 302
    assert response.location == "/new"
    followed = client.get("/old", follow_redirects=True)
    assert followed.text == "new place"
    assert [r.status_code for r in followed.history] == [302]


# -- Request data -----------------------------------------------------------------------------


def test_request_args_form_values_and_json(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return {
            "args": request.args.to_dict(flat=False),
            "form": request.form.to_dict(),
            "values": sorted(request.values.keys()),
        }

    data = client.post("/?q=1&q=2", data={"name": "ada", "lang": "en"}).json
    assert data == {"args": {"q": ["1", "2"]}, "form": {"lang": "en", "name": "ada"}, "values": ["lang", "name", "q"]}


def test_missing_form_key_is_400(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return request.form["missing"]

    response = client.post("/", data={"present": "1"})
    assert response.status_code == 400


def test_invalid_json_is_400_and_wrong_type_is_415(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return {"got": request.json}

    assert client.post("/", json={"a": 1}).json == {"got": {"a": 1}}
    bad = client.post("/", data="{not json", content_type="application/json")
    assert bad.status_code == 400
    assert "Failed to decode JSON" in bad.text
    assert client.post("/", data="{}", content_type="text/plain").status_code == 415


def test_get_json_silent_and_force(app, client):
    @app.route("/", methods=["POST"])
    def index():
        return {"silent": request.get_json(silent=True), "forced": request.get_json(force=True, silent=True)}

    data = client.post("/", data='{"x": 1}', content_type="text/plain").json
    assert data == {"silent": None, "forced": {"x": 1}}


def test_max_content_length_gives_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.route("/", methods=["POST"])
    def index():
        return request.get_data()

    assert client.post("/", data=b"x" * 10).data == b"x" * 10
    assert client.post("/", data=b"x" * 11).status_code == 413


def test_max_form_parts_gives_413(app, client):
    app.config["MAX_FORM_PARTS"] = 3

    @app.route("/", methods=["POST"])
    def index():
        return str(len(request.form))

    assert client.post("/", data="a=1&b=2&c=3", content_type="application/x-www-form-urlencoded").text == "3"
    assert client.post("/", data="a=1&b=2&c=3&d=4", content_type="application/x-www-form-urlencoded").status_code == 413


def test_request_url_parts(app, client):
    @app.route("/a/<x>")
    def view(x):
        return {
            "path": request.path, "full_path": request.full_path, "url": request.url,
            "base_url": request.base_url, "url_root": request.url_root, "host": request.host,
            "host_url": request.host_url, "script_root": request.script_root,
            "endpoint": request.endpoint, "view_args": request.view_args,
            "rule": request.url_rule.rule, "scheme": request.scheme, "is_secure": request.is_secure,
        }

    data = client.get("/a/b c?x=1", base_url="https://example.com:8443/app").json
    assert data == {
        "path": "/a/b c", "full_path": "/a/b c?x=1", "url": "https://example.com:8443/app/a/b%20c?x=1",
        "base_url": "https://example.com:8443/app/a/b%20c", "url_root": "https://example.com:8443/app/",
        "host": "example.com:8443", "host_url": "https://example.com:8443/", "script_root": "/app",
        "endpoint": "view", "view_args": {"x": "b c"}, "rule": "/a/<x>", "scheme": "https", "is_secure": True,
    }


def test_request_headers_cookies_and_client_info(app, client):
    @app.route("/")
    def index():
        return {
            "agent": request.user_agent.string,
            "header": request.headers.get("X-Custom"),
            "cookie": request.cookies.get("flavour"),
            "remote": request.remote_addr,
            "route": list(request.access_route),
            "referrer": request.referrer,
        }

    client.set_cookie("flavour", "oat")
    data = client.get(
        "/", headers={"User-Agent": "tester/1", "X-Custom": "v", "Referer": "http://r/",
                      "X-Forwarded-For": "1.2.3.4, 10.0.0.1"}
    ).json
    assert data == {"agent": "tester/1", "header": "v", "cookie": "oat", "remote": "127.0.0.1",
                    "route": ["1.2.3.4", "10.0.0.1"], "referrer": "http://r/"}


# -- Hooks ------------------------------------------------------------------------------------


def test_hooks_run_in_order(app, client):
    calls = []

    @app.before_request
    def before():
        calls.append("before")

    @app.after_request
    def after(response):
        calls.append("after")
        response.headers["X-After"] = "1"
        return response

    @app.teardown_request
    def teardown(error):
        calls.append(f"teardown {error}")

    @app.teardown_appcontext
    def teardown_app(error):
        calls.append("teardown app")

    @app.route("/")
    def index():
        calls.append("view")
        return "ok"

    response = client.get("/")
    assert response.headers["X-After"] == "1"
    assert calls == ["before", "view", "after", "teardown None", "teardown app"]


def test_before_request_return_value_short_circuits(app, client):
    @app.before_request
    def gate():
        if request.args.get("blocked"):
            return "blocked", 403

    @app.route("/")
    def index():
        return "view"

    assert client.get("/").text == "view"
    response = client.get("/?blocked=1")
    assert (response.status_code, response.text) == (403, "blocked")


def test_after_request_functions_run_last_registered_first(app, client):
    @app.after_request
    def first(response):
        response.headers.add("X-Order", "first")
        return response

    @app.after_request
    def second(response):
        response.headers.add("X-Order", "second")
        return response

    app.add_url_rule("/", "index", lambda: "")
    assert client.get("/").headers.getlist("X-Order") == ["second", "first"]


def test_after_this_request_runs_for_one_request(app, client):
    @app.route("/")
    def index():
        @after_this_request
        def add_header(response):
            response.headers["X-Once"] = "yes"
            return response

        return "ok"

    assert client.get("/").headers["X-Once"] == "yes"


def test_teardown_receives_unhandled_error(app, client):
    seen = []
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.teardown_request
    def teardown(error):
        seen.append(type(error).__name__)

    @app.route("/")
    def index():
        raise KeyError("boom")

    assert client.get("/").status_code == 500
    assert seen == ["KeyError"]


# -- Errors -----------------------------------------------------------------------------------


def test_abort_with_code_and_description(app, client):
    @app.route("/")
    def index():
        abort(403, description="Members only")

    response = client.get("/")
    assert response.status_code == 403
    assert "Members only" in response.text


def test_abort_with_response(app, client):
    @app.route("/")
    def index():
        abort(Response("custom", 409))

    response = client.get("/")
    assert (response.status_code, response.text) == (409, "custom")


def test_errorhandler_by_code(app, client):
    @app.errorhandler(404)
    def not_found(error):
        return f"missing: {error.code}", 404

    response = client.get("/nope")
    assert (response.status_code, response.text) == (404, "missing: 404")


def test_errorhandler_most_specific_class_wins(app, client):
    class AppError(Exception):
        pass

    class DetailedError(AppError):
        pass

    @app.errorhandler(AppError)
    def app_error(error):
        return "app error", 500

    @app.errorhandler(DetailedError)
    def detailed(error):
        return "detailed", 500

    @app.route("/a")
    def a():
        raise AppError()

    @app.route("/d")
    def d():
        raise DetailedError()

    assert client.get("/a").text == "app error"
    assert client.get("/d").text == "detailed"


def test_http_exception_handler_catches_all_http_errors(app, client):
    @app.errorhandler(HTTPException)
    def any_http(error):
        return {"code": error.code, "name": error.name}, error.code

    response = client.get("/missing")
    assert response.json == {"code": 404, "name": "Not Found"}


def test_unhandled_error_propagates_when_testing(app, client):
    @app.route("/")
    def index():
        raise ValueError("raised to the test")

    with pytest.raises(ValueError, match="raised to the test"):
        client.get("/")


def test_unhandled_error_becomes_500_with_original_exception(app, client):
    app.testing = False
    seen = {}

    @app.errorhandler(500)
    def server_error(error):
        seen["error"] = error
        return "sorry", 500

    @app.route("/")
    def index():
        raise ValueError("hidden")

    response = client.get("/")
    assert (response.status_code, response.text) == (500, "sorry")
    assert isinstance(seen["error"], InternalServerError)
    assert isinstance(seen["error"].original_exception, ValueError)


def test_unhandled_error_without_handler_is_generic_500(app, client, capsys):
    app.testing = False

    @app.route("/")
    def index():
        raise ValueError("secret detail")

    response = client.get("/")
    assert response.status_code == 500
    assert "Internal Server Error" in response.text
    assert "secret detail" not in response.text


def test_error_handler_for_exception_class_catches_http_errors_too(app, client):
    @app.errorhandler(Exception)
    def everything(error):
        return f"caught {type(error).__name__}", 500

    assert client.get("/missing").text == "caught NotFound"


def test_trap_http_exceptions_raises_them(app, client):
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    with pytest.raises(NotFound):
        client.get("/missing")


def test_registering_handler_for_unknown_code_raises(app):
    with pytest.raises(ValueError, match="not a recognized HTTP error code"):
        app.register_error_handler(999, lambda e: "")


def test_registering_handler_for_instance_raises(app):
    with pytest.raises(TypeError):
        app.register_error_handler(Forbidden(), lambda e: "")


def test_handler_may_return_response_for_bad_request(app, client):
    @app.errorhandler(BadRequest)
    def bad(error):
        return jsonify(error=error.description), 400

    @app.route("/", methods=["POST"])
    def index():
        return request.form["x"]

    response = client.post("/", data={})
    assert response.status_code == 400
    assert response.json["error"]


# -- Contexts ---------------------------------------------------------------------------------


def test_globals_outside_context_raise_runtime_error():
    with pytest.raises(RuntimeError, match="outside of request context"):
        request.path
    with pytest.raises(RuntimeError, match="outside of application context"):
        current_app.name
    assert not has_request_context()
    assert not has_app_context()


def test_app_context_provides_current_app_and_g(app):
    with app.app_context():
        assert current_app.name == "test_app"
        g.value = 42
        assert g.get("value") == 42
        assert "value" in g
        assert app_ctx.app is app
        assert _cv_app.get().g is g._get_current_object()
    assert not has_app_context()


def test_context_proxies_forward_item_operators(app):
    app.secret_key = "k"
    with app.test_request_context():
        session["a"] = 1
        assert session["a"] == 1 and "a" in session and "b" not in session
        del session["a"]
        assert "a" not in session and session.modified
        with pytest.raises(KeyError):
            session["missing"]
        with pytest.raises(KeyError):
            del session["missing"]


def test_g_is_per_app_context(app):
    with app.app_context():
        g.x = 1
    with app.app_context():
        assert "x" not in g


def test_test_request_context_sets_request(app):
    with app.test_request_context("/path?x=1", method="POST"):
        assert request.path == "/path"
        assert request.args["x"] == "1"
        assert request.method == "POST"
        assert has_request_context() and has_app_context()
        assert request_ctx.request is _cv_request.get().request


def test_with_client_keeps_request_context(app, client):
    @app.route("/")
    def index():
        g.seen = "yes"
        return "ok"

    with client:
        client.get("/?a=1")
        assert request.args["a"] == "1"
        assert g.seen == "yes"
    assert not has_request_context()


def test_copy_current_request_context_runs_in_thread(app, client):
    import threading

    results = []

    @app.route("/")
    def index():
        @copy_current_request_context
        def work():
            results.append(request.args["who"])

        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
        return "ok"

    client.get("/?who=thread")
    assert results == ["thread"]


def test_session_without_secret_key_is_readable_but_not_writable(app, client):
    @app.route("/read")
    def read():
        return str(session.get("x"))

    @app.route("/write")
    def write():
        session["x"] = 1
        return "written"

    assert client.get("/read").text == "None"
    with pytest.raises(RuntimeError, match="secret key"):
        client.get("/write")


def test_async_view_and_hook_run_without_extra_packages(app, client):
    import asyncio

    @app.before_request
    async def before():
        await asyncio.sleep(0)
        g.before = "async hook"

    @app.route("/")
    async def index():
        await asyncio.sleep(0)
        return f"{g.before} and view for {request.path}"

    assert client.get("/").text == "async hook and view for /"


def test_config_attributes_mirror_keys(app):
    app.secret_key = "s3cret"
    assert app.config["SECRET_KEY"] == "s3cret"
    app.config["DEBUG"] = True
    assert app.debug is True
    app.permanent_session_lifetime = 60
    assert app.permanent_session_lifetime.total_seconds() == 60
