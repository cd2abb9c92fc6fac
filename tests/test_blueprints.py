"""Blueprints: prefixes, subdomains, defaults, static files, scoped hooks and error handlers,
URL processors, app-wide registrations, deferred setup, naming rules and nesting.

Each scenario was first run on real Flask 3.1 to fix the expected behaviour
(https://flask.palletsprojects.com/en/stable/blueprints/).
"""

from __future__ import annotations

import pytest

from microflask import Blueprint, Flask, abort, current_app, g, request, url_for
from microflask.blueprints import BlueprintSetupState
from microflask.exceptions import HTTPException


def make_app(root_path: str = "/nonexistent-root", **kwargs) -> Flask:
    app = Flask("test_blueprints_app", root_path=root_path, **kwargs)
    app.config["TESTING"] = True
    return app


def make_recording_hooks(scaffold, label: str, events: list) -> None:
    """Register before/after/teardown hooks on ``scaffold`` that append ``label:kind`` to events."""

    @scaffold.before_request
    def before():
        events.append(f"{label}:before")

    @scaffold.after_request
    def after(response):
        events.append(f"{label}:after")
        return response

    @scaffold.teardown_request
    def teardown(error):
        events.append(f"{label}:teardown")


# -- Routes and URL prefixes -----------------------------------------------------------------


def test_blueprint_routes_are_served_under_its_url_prefix(app, client):
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/users")
    def users():
        return "users"

    app.register_blueprint(bp)
    assert client.get("/admin/users").text == "users"
    assert client.get("/users").status_code == 404


def test_blueprint_endpoints_are_named_after_the_blueprint(app):
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/users")
    def users():
        return "users"

    app.register_blueprint(bp)
    assert app.view_functions["admin.users"] is users
    with app.test_request_context():
        assert url_for("admin.users") == "/admin/users"


def test_url_prefix_given_at_registration_overrides_the_blueprints_own(app, client):
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("/users")
    def users():
        return "users"

    app.register_blueprint(bp, url_prefix="/staff")
    assert client.get("/staff/users").text == "users"
    assert client.get("/admin/users").status_code == 404


def test_route_with_an_empty_rule_is_served_at_the_prefix_itself(app, client):
    bp = Blueprint("admin", __name__, url_prefix="/admin")

    @bp.route("")
    def home():
        return "home"

    app.register_blueprint(bp)
    assert client.get("/admin").text == "home"


def test_url_prefix_trailing_slash_does_not_double_the_slash(app, client):
    bp = Blueprint("admin", __name__, url_prefix="/admin/")

    @bp.route("/users")
    def users():
        return "users"

    app.register_blueprint(bp)
    assert client.get("/admin/users").text == "users"


def test_blueprint_without_prefix_serves_routes_at_their_own_rule(app, client):
    bp = Blueprint("pages", __name__)

    @bp.route("/about")
    def about():
        return "about"

    app.register_blueprint(bp)
    assert client.get("/about").text == "about"


def test_url_prefix_none_at_registration_keeps_the_blueprints_own(app, client):
    bp = Blueprint("admin", __name__, url_prefix="/admin")
    bp.add_url_rule("/users", "users", lambda: "users")
    app.register_blueprint(bp, url_prefix=None)
    assert client.get("/admin/users").text == "users"


def test_url_prefix_without_a_leading_slash_raises_value_error(app):
    bp = Blueprint("admin", __name__, url_prefix="admin")
    bp.add_url_rule("/users", "users", lambda: "users")
    with pytest.raises(ValueError, match="must start with a slash"):
        app.register_blueprint(bp)


def test_blueprint_route_methods_are_honoured(app, client):
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.route("/items", methods=["POST"])
    def create():
        return "created", 201

    app.register_blueprint(bp)
    assert client.post("/api/items").status_code == 201
    assert client.get("/api/items").status_code == 405


def test_blueprint_method_shortcut_decorators_register_routes(app, client):
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.get("/item")
    def read():
        return "read"

    @bp.post("/item")
    def write():
        return "write"

    app.register_blueprint(bp)
    assert client.get("/api/item").text == "read"
    assert client.post("/api/item").text == "write"


def test_blueprint_route_with_explicit_endpoint_is_prefixed(app):
    bp = Blueprint("api", __name__)

    @bp.route("/x", endpoint="custom")
    def view():
        return "x"

    app.register_blueprint(bp)
    assert app.view_functions["api.custom"] is view


def test_add_url_rule_uses_the_methods_attribute_of_a_view_function(app, client):
    bp = Blueprint("api", __name__, url_prefix="/api")

    def item_view():
        return request.method

    item_view.methods = ["GET", "PUT"]
    bp.add_url_rule("/item", view_func=item_view)
    app.register_blueprint(bp)
    assert client.put("/api/item").text == "PUT"
    assert client.get("/api/item").text == "GET"
    assert client.post("/api/item").status_code == 405


def test_endpoint_decorator_registers_a_view_under_the_prefixed_endpoint(app, client):
    bp = Blueprint("bp", __name__)

    @bp.endpoint("legacy")
    def legacy():
        return "legacy view"

    app.register_blueprint(bp)
    app.add_url_rule("/old", endpoint="bp.legacy")
    assert app.view_functions["bp.legacy"] is legacy
    assert client.get("/old").text == "legacy view"


def test_endpoint_decorator_serves_a_rule_the_blueprint_added_without_a_view(app, client):
    # Deviation: Flask 3.1 files the view under the bare endpoint (pallets/flask#4472) -> 500.
    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/foo", "foo")

    @bp.endpoint("foo")
    def foo():
        return "foo view"

    app.register_blueprint(bp)
    assert client.get("/api/foo").text == "foo view"


def test_endpoint_decorator_with_a_dot_raises_value_error():
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match=r"'endpoint' may not contain a dot '\.' character"):
        bp.endpoint("a.b")


def test_app_blueprints_maps_registered_names_to_blueprints(app):
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="other")
    assert app.blueprints == {"bp": bp, "other": bp}


# -- Subdomains ------------------------------------------------------------------------------


def make_subdomain_app() -> Flask:
    app = make_app(subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    return app


def test_blueprint_subdomain_routes_match_only_that_subdomain():
    app = make_subdomain_app()
    bp = Blueprint("api", __name__, subdomain="api")

    @bp.route("/")
    def index():
        return "api index"

    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/", subdomain="api").text == "api index"
    assert client.get("/").status_code == 404


def test_subdomain_given_at_registration_overrides_the_blueprints_own():
    app = make_subdomain_app()
    bp = Blueprint("api", __name__, subdomain="api")

    @bp.route("/")
    def index():
        return "index"

    app.register_blueprint(bp, subdomain="v2")
    client = app.test_client()
    assert client.get("/", subdomain="v2").text == "index"
    assert client.get("/", subdomain="api").status_code == 404


def test_url_for_a_subdomain_blueprint_endpoint_builds_an_external_url():
    app = make_subdomain_app()
    bp = Blueprint("api", __name__, subdomain="api")

    @bp.route("/status")
    def status():
        return "ok"

    app.register_blueprint(bp)
    with app.app_context():
        assert url_for("api.status") == "http://api.example.test/status"


def test_subdomain_route_receives_a_dynamic_subdomain_value():
    app = make_subdomain_app()
    bp = Blueprint("users", __name__, subdomain="<user>")

    @bp.route("/")
    def home(user):
        return f"home of {user}"

    app.register_blueprint(bp)
    assert app.test_client().get("/", subdomain="ada").text == "home of ada"


# -- URL defaults ----------------------------------------------------------------------------


def test_blueprint_url_defaults_are_passed_to_its_views(app, client):
    bp = Blueprint("docs", __name__, url_defaults={"version": "v1"})

    @bp.route("/docs")
    def docs(version):
        return f"docs {version}"

    app.register_blueprint(bp)
    assert client.get("/docs").text == "docs v1"


def test_register_time_url_defaults_update_the_blueprints_own(app, client):
    bp = Blueprint("docs", __name__, url_defaults={"version": "v1", "lang": "en"})

    @bp.route("/docs")
    def docs(version, lang):
        return f"{version} {lang}"

    app.register_blueprint(bp, url_defaults={"version": "v2"})
    assert client.get("/docs").text == "v2 en"


def test_route_defaults_win_over_blueprint_url_defaults(app, client):
    bp = Blueprint("docs", __name__, url_defaults={"version": "v1"})

    @bp.route("/docs", defaults={"version": "latest"})
    def docs(version):
        return version

    app.register_blueprint(bp)
    assert client.get("/docs").text == "latest"


def test_route_defaults_survive_a_second_registration(app, client):
    bp = Blueprint("docs", __name__)
    bp.add_url_rule("/docs", "docs", lambda version: version, defaults={"version": "v3"})
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again", url_prefix="/again")
    assert client.get("/docs").text == "v3"
    assert client.get("/again/docs").text == "v3"


def test_one_blueprint_registered_with_different_url_defaults_serves_each(app, client):
    bp = Blueprint("docs", __name__)

    @bp.route("/")
    def docs(version):
        return version

    app.register_blueprint(bp, url_prefix="/v1", url_defaults={"version": "1"})
    app.register_blueprint(bp, name="docs2", url_prefix="/v2", url_defaults={"version": "2"})
    assert client.get("/v1/").text == "1"
    assert client.get("/v2/").text == "2"


# -- Static files and templates --------------------------------------------------------------


@pytest.fixture
def static_root(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "style.css").write_text("body { color: red; }")
    return tmp_path


def test_blueprint_static_folder_is_served_under_its_static_url_path(static_root):
    app = make_app(str(static_root), static_folder=None)
    bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/assets",
                   root_path=str(static_root))
    app.register_blueprint(bp)
    response = app.test_client().get("/assets/style.css")
    assert response.status_code == 200
    assert response.data == b"body { color: red; }"
    assert response.mimetype == "text/css"
    response.close()


def test_blueprint_static_url_path_is_placed_under_the_url_prefix(static_root):
    app = make_app(str(static_root), static_folder=None)
    bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/assets",
                   url_prefix="/admin", root_path=str(static_root))
    app.register_blueprint(bp)
    response = app.test_client().get("/admin/assets/style.css")
    assert response.data == b"body { color: red; }"
    response.close()


def test_blueprint_static_url_path_defaults_to_the_folder_name(static_root):
    bp = Blueprint("admin", __name__, static_folder="static", root_path=str(static_root))
    assert bp.static_url_path == "/static"


def test_blueprint_static_folder_is_resolved_against_its_root_path(static_root):
    bp = Blueprint("admin", __name__, static_folder="static", root_path=str(static_root))
    assert bp.static_folder == str(static_root / "static")
    assert bp.has_static_folder


def test_url_for_blueprint_static_builds_the_file_url(static_root):
    app = make_app(str(static_root))
    bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/assets",
                   url_prefix="/admin", root_path=str(static_root))
    app.register_blueprint(bp)
    with app.test_request_context():
        assert url_for("admin.static", filename="style.css") == "/admin/assets/style.css"


def test_missing_blueprint_static_file_is_404(static_root):
    app = make_app(str(static_root), static_folder=None)
    bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/assets",
                   root_path=str(static_root))
    app.register_blueprint(bp)
    assert app.test_client().get("/assets/missing.css").status_code == 404


@pytest.mark.parametrize(
    "path", ["/assets/../secret.txt", "/assets/%2e%2e/secret.txt", "/assets/..%2fsecret.txt"]
)
def test_blueprint_static_route_does_not_serve_files_outside_its_folder(static_root, path):
    (static_root / "secret.txt").write_text("top secret")
    app = make_app(str(static_root), static_folder=None)
    bp = Blueprint("admin", __name__, static_folder="static", static_url_path="/assets",
                   root_path=str(static_root))
    app.register_blueprint(bp)
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert b"top secret" not in response.data


def test_blueprint_without_static_folder_has_no_static_endpoint(app):
    bp = Blueprint("admin", __name__)
    app.register_blueprint(bp)
    assert not bp.has_static_folder
    assert "admin.static" not in app.view_functions


def test_blueprint_send_static_file_without_static_folder_raises(app):
    bp = Blueprint("admin", __name__)
    with app.app_context(), pytest.raises(RuntimeError, match="static_folder"):
        bp.send_static_file("style.css")


def test_blueprint_template_folder_is_stored_as_given(tmp_path):
    bp = Blueprint("admin", __name__, template_folder="templates", root_path=str(tmp_path))
    assert bp.template_folder == "templates"
    assert bp.root_path == str(tmp_path)


# -- Blueprint-scoped request hooks ----------------------------------------------------------


def make_app_with_blueprint_hooks(events: list):
    app = make_app()
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    make_recording_hooks(app, "app", events)
    make_recording_hooks(bp, "bp", events)

    @bp.route("/")
    def bp_view():
        events.append("bp:view")
        return "bp"

    @app.route("/")
    def app_view():
        events.append("app:view")
        return "app"

    app.register_blueprint(bp)
    return app


def test_blueprint_hooks_run_for_its_endpoints_after_and_before_the_apps():
    events: list = []
    client = make_app_with_blueprint_hooks(events).test_client()
    assert client.get("/bp/").text == "bp"
    assert events == [
        "app:before", "bp:before", "bp:view", "bp:after", "app:after",
        "bp:teardown", "app:teardown",
    ]


def test_blueprint_hooks_do_not_run_for_app_endpoints():
    events: list = []
    client = make_app_with_blueprint_hooks(events).test_client()
    assert client.get("/").text == "app"
    assert events == ["app:before", "app:view", "app:after", "app:teardown"]


def test_blueprint_hooks_do_not_run_for_an_unmatched_url_under_its_prefix():
    events: list = []
    client = make_app_with_blueprint_hooks(events).test_client()
    assert client.get("/bp/missing").status_code == 404
    assert events == ["app:before", "app:after", "app:teardown"]


def test_blueprint_before_request_return_value_replaces_the_view(app, client):
    bp = Blueprint("bp", __name__)

    @bp.before_request
    def deny():
        return "denied", 403

    @bp.route("/secret")
    def secret():
        return "secret"

    app.register_blueprint(bp)
    response = client.get("/secret")
    assert response.status_code == 403
    assert response.text == "denied"


def test_blueprint_after_request_hooks_run_in_reverse_registration_order(app, client):
    bp = Blueprint("bp", __name__)
    order = []

    @bp.after_request
    def first(response):
        order.append("first")
        return response

    @bp.after_request
    def second(response):
        order.append("second")
        return response

    @bp.route("/")
    def index():
        return "x"

    app.register_blueprint(bp)
    client.get("/")
    assert order == ["second", "first"]


def test_blueprint_teardown_request_receives_the_unhandled_error(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bp = Blueprint("bp", __name__)
    seen = []

    @bp.teardown_request
    def record(error):
        seen.append(error)

    @bp.route("/boom")
    def boom():
        raise KeyError("boom")

    app.register_blueprint(bp)
    assert client.get("/boom").status_code == 500
    assert len(seen) == 1 and isinstance(seen[0], KeyError)


def test_before_app_request_runs_for_every_request(app, client):
    bp = Blueprint("bp", __name__)
    seen = []

    @bp.before_app_request
    def remember():
        seen.append(request.path)

    @app.route("/app")
    def app_view():
        return "app"

    app.register_blueprint(bp)
    client.get("/app")
    client.get("/missing")
    assert seen == ["/app", "/missing"]


def test_after_app_request_runs_for_every_request(app, client):
    bp = Blueprint("bp", __name__)

    @bp.after_app_request
    def tag(response):
        response.headers["X-Tagged"] = "yes"
        return response

    @app.route("/app")
    def app_view():
        return "app"

    app.register_blueprint(bp)
    assert client.get("/app").headers["X-Tagged"] == "yes"
    assert client.get("/missing").headers["X-Tagged"] == "yes"


def test_teardown_app_request_runs_for_every_request(app, client):
    bp = Blueprint("bp", __name__)
    seen = []

    @bp.teardown_app_request
    def remember(error):
        seen.append(request.path)

    @app.route("/app")
    def app_view():
        return "app"

    app.register_blueprint(bp)
    client.get("/app")
    assert seen == ["/app"]


def test_app_wide_hooks_are_added_once_when_a_blueprint_is_registered_twice(app, client):
    bp = Blueprint("bp", __name__)
    calls = []

    @bp.before_app_request
    def count():
        calls.append(1)

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    client.get("/missing")
    assert calls == [1]


# -- Error handlers --------------------------------------------------------------------------


def make_app_with_blueprint_404_handler():
    app = make_app()
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(404)
    def bp_not_found(error):
        return "bp handler", 404

    @app.errorhandler(404)
    def app_not_found(error):
        return "app handler", 404

    @bp.route("/item")
    def item():
        abort(404)

    @app.route("/thing")
    def thing():
        abort(404)

    app.register_blueprint(bp)
    return app


def test_blueprint_errorhandler_handles_an_abort_in_its_view():
    client = make_app_with_blueprint_404_handler().test_client()
    response = client.get("/bp/item")
    assert response.status_code == 404
    assert response.text == "bp handler"


def test_blueprint_errorhandler_does_not_handle_errors_of_app_views():
    client = make_app_with_blueprint_404_handler().test_client()
    assert client.get("/thing").text == "app handler"


def test_unmatched_url_under_a_blueprint_prefix_is_handled_by_the_app_handler():
    client = make_app_with_blueprint_404_handler().test_client()
    response = client.get("/bp/missing")
    assert response.status_code == 404
    assert response.text == "app handler"


def test_blueprint_errorhandler_for_an_exception_class_handles_subclasses(app, client):
    bp = Blueprint("bp", __name__)

    @bp.errorhandler(LookupError)
    def lookup_failed(error):
        return f"lookup: {type(error).__name__}", 400

    @bp.route("/")
    def index():
        raise KeyError("k")

    app.register_blueprint(bp)
    response = client.get("/")
    assert response.status_code == 400
    assert response.text == "lookup: KeyError"


def test_blueprint_register_error_handler_works_like_the_decorator(app, client):
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(403, lambda error: ("no entry", 403))

    @bp.route("/")
    def index():
        abort(403)

    app.register_blueprint(bp)
    assert client.get("/").text == "no entry"


def test_app_handler_for_a_status_code_wins_over_a_blueprint_handler_for_a_class(app, client):
    # Handlers are looked up by status code first (innermost blueprint to app), then by class.
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(HTTPException, lambda error: ("bp generic", error.code))
    app.register_error_handler(404, lambda error: ("app 404", 404))

    @bp.route("/gone")
    def gone():
        abort(404)

    @bp.route("/bad")
    def bad():
        abort(400)

    app.register_blueprint(bp)
    assert client.get("/gone").text == "app 404"
    assert client.get("/bad").text == "bp generic"


def test_blueprint_500_handler_handles_unhandled_errors_in_its_views(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    bp = Blueprint("bp", __name__)

    @bp.errorhandler(500)
    def server_error(error):
        return f"bp 500: {type(error.original_exception).__name__}", 500

    @bp.route("/boom")
    def boom():
        raise RuntimeError("boom")

    @app.route("/app-boom")
    def app_boom():
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    assert client.get("/boom").text == "bp 500: RuntimeError"
    response = client.get("/app-boom")
    assert response.status_code == 500
    assert "bp 500" not in response.text


def test_wrong_method_on_a_blueprint_url_is_handled_by_the_app_handler(app, client):
    bp = Blueprint("bp", __name__)
    bp.register_error_handler(405, lambda error: ("bp 405", 405))
    app.register_error_handler(405, lambda error: ("app 405", 405))
    bp.add_url_rule("/only-post", "only_post", lambda: "posted", methods=["POST"])
    app.register_blueprint(bp)
    assert client.get("/only-post").text == "app 405"


def test_app_errorhandler_from_a_blueprint_handles_errors_everywhere(app, client):
    bp = Blueprint("bp", __name__)

    @bp.app_errorhandler(404)
    def not_found(error):
        return "everywhere", 404

    app.register_blueprint(bp)
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.text == "everywhere"


def test_app_errorhandler_from_a_blueprint_is_registered_on_the_app(app):
    bp = Blueprint("bp", __name__)

    @bp.app_errorhandler(ValueError)
    def bad_value(error):
        return "bad value", 400

    app.register_blueprint(bp)
    assert app.error_handler_spec[None][None][ValueError] is bad_value


# -- URL processors --------------------------------------------------------------------------


def make_language_app():
    """Flask docs, "URL Processors": the language code lives in the URL prefix and in ``g``."""
    app = make_app()
    bp = Blueprint("frontend", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language_code(endpoint, values):
        values.setdefault("lang_code", g.lang_code)

    @bp.url_value_preprocessor
    def pull_lang_code(endpoint, values):
        g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index():
        return f"{g.lang_code} {url_for('.about')}"

    @bp.route("/about")
    def about():
        return f"about in {g.lang_code}"

    app.register_blueprint(bp)
    return app


def test_blueprint_url_value_preprocessor_moves_the_language_code_into_g():
    client = make_language_app().test_client()
    assert client.get("/de/about").text == "about in de"


def test_blueprint_url_defaults_fill_the_language_code_when_building_urls():
    client = make_language_app().test_client()
    assert client.get("/fr/").text == "fr /fr/about"


def test_blueprint_url_value_preprocessor_does_not_run_for_app_endpoints(app, client):
    bp = Blueprint("bp", __name__)
    calls = []

    @bp.url_value_preprocessor
    def pull(endpoint, values):
        calls.append(endpoint)

    @bp.route("/bp/<int:n>")
    def bp_view(n):
        return "bp"

    @app.route("/app/<int:n>")
    def app_view(n):
        return "app"

    app.register_blueprint(bp)
    client.get("/app/1")
    client.get("/bp/2")
    assert calls == ["bp.bp_view"]


def test_blueprint_url_defaults_do_not_apply_to_app_endpoints(app):
    bp = Blueprint("bp", __name__)

    @bp.url_defaults
    def add_page(endpoint, values):
        values.setdefault("page", 7)

    @bp.route("/bp/<int:page>")
    def bp_view(page):
        return "bp"

    @app.route("/app")
    def app_view():
        return "app"

    app.register_blueprint(bp)
    with app.test_request_context():
        assert url_for("bp.bp_view") == "/bp/7"
        assert url_for("app_view") == "/app"


def test_app_url_value_preprocessor_from_a_blueprint_runs_for_every_endpoint(app, client):
    bp = Blueprint("bp", __name__)
    calls = []

    @bp.app_url_value_preprocessor
    def pull(endpoint, values):
        calls.append(endpoint)

    @app.route("/app")
    def app_view():
        return "app"

    app.register_blueprint(bp)
    client.get("/app")
    assert calls == ["app_view"]


def test_app_url_defaults_from_a_blueprint_apply_to_every_endpoint(app):
    bp = Blueprint("bp", __name__)

    @bp.app_url_defaults
    def add_page(endpoint, values):
        values.setdefault("page", 3)

    @app.route("/list/<int:page>")
    def listing(page):
        return "list"

    app.register_blueprint(bp)
    with app.test_request_context():
        assert url_for("listing") == "/list/3"


def test_app_url_value_preprocessors_run_before_blueprint_ones(app, client):
    bp = Blueprint("bp", __name__)
    order = []
    app.url_value_preprocessor(lambda endpoint, values: order.append("app"))
    bp.url_value_preprocessor(lambda endpoint, values: order.append("bp"))

    @bp.route("/")
    def index():
        return "x"

    app.register_blueprint(bp)
    client.get("/")
    assert order == ["app", "bp"]


# -- Context processors and template helpers -------------------------------------------------


def test_blueprint_context_processor_is_recorded_under_the_blueprint_name(app):
    bp = Blueprint("bp", __name__)

    @bp.context_processor
    def inject():
        return {"who": "bp"}

    app.register_blueprint(bp)
    assert inject in app.template_context_processors["bp"]
    assert inject not in app.template_context_processors[None]


def test_app_context_processor_from_a_blueprint_is_recorded_for_the_whole_app(app):
    bp = Blueprint("bp", __name__)

    @bp.app_context_processor
    def inject():
        return {"who": "everyone"}

    app.register_blueprint(bp)
    assert inject in app.template_context_processors[None]


def test_app_template_filter_lands_in_the_apps_filters_under_its_name(app):
    bp = Blueprint("bp", __name__)

    @bp.app_template_filter()
    def shout(value):
        return value.upper()

    @bp.app_template_filter("rev")
    def backwards(value):
        return value[::-1]

    app.register_blueprint(bp)
    assert app.jinja_env.filters["shout"] is shout
    assert app.jinja_env.filters["rev"] is backwards
    assert "backwards" not in app.jinja_env.filters


def test_add_app_template_filter_lands_in_the_apps_filters(app):
    bp = Blueprint("bp", __name__)

    def double(value):
        return value * 2

    bp.add_app_template_filter(double)
    bp.add_app_template_filter(double, "twice")
    app.register_blueprint(bp)
    assert app.jinja_env.filters["double"] is double
    assert app.jinja_env.filters["twice"] is double


def test_app_template_test_lands_in_the_apps_tests(app):
    bp = Blueprint("bp", __name__)

    @bp.app_template_test()
    def even(value):
        return value % 2 == 0

    def odd(value):
        return value % 2 == 1

    bp.add_app_template_test(odd, "odd_number")
    app.register_blueprint(bp)
    assert app.jinja_env.tests["even"] is even
    assert app.jinja_env.tests["odd_number"] is odd


def test_app_template_global_lands_in_the_apps_globals(app):
    bp = Blueprint("bp", __name__)

    @bp.app_template_global("site")
    def site_name():
        return "microflask"

    def year():
        return 2024

    bp.add_app_template_global(year)
    app.register_blueprint(bp)
    assert app.jinja_env.globals["site"] is site_name
    assert app.jinja_env.globals["year"] is year


def test_app_template_filter_is_only_added_when_the_blueprint_is_registered(app):
    bp = Blueprint("bp", __name__)

    @bp.app_template_filter()
    def shout(value):
        return value.upper()

    assert "shout" not in app.jinja_env.filters


# -- Deferred setup: record and record_once --------------------------------------------------


def test_record_calls_the_function_with_the_setup_state_on_each_registration(app):
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    states = []
    bp.record(states.append)
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="bp2", url_prefix="/two")
    assert [(s.name, s.url_prefix, s.first_registration) for s in states] == [
        ("bp", "/bp", True),
        ("bp2", "/two", False),
    ]


def test_setup_state_exposes_the_app_the_blueprint_and_the_options(app):
    bp = Blueprint("bp", __name__, subdomain="api", url_defaults={"a": 1})
    states = []
    bp.record(states.append)
    app.register_blueprint(bp, url_defaults={"b": 2}, custom="value")
    (state,) = states
    assert isinstance(state, BlueprintSetupState)
    assert state.app is app
    assert state.blueprint is bp
    assert state.subdomain == "api"
    assert state.url_defaults == {"a": 1, "b": 2}
    assert state.options["custom"] == "value"


def test_setup_state_add_url_rule_applies_prefix_and_blueprint_name(app, client):
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.record(lambda state: state.add_url_rule("/hello", "hello", lambda: "hi"))
    app.register_blueprint(bp)
    assert client.get("/bp/hello").text == "hi"
    assert "bp.hello" in app.view_functions


def test_record_once_calls_the_function_only_on_the_first_registration(app):
    bp = Blueprint("bp", __name__)
    names = []
    bp.record_once(lambda state: names.append(state.name))
    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")
    assert names == ["bp"]


def test_record_once_runs_again_for_a_different_app():
    bp = Blueprint("bp", __name__)
    apps = []
    bp.record_once(lambda state: apps.append(state.app))
    first, second = make_app(), make_app()
    first.register_blueprint(bp)
    second.register_blueprint(bp)
    assert apps == [first, second]


# -- Registering twice, naming rules ---------------------------------------------------------


def make_counter_blueprint(calls: list) -> Blueprint:
    bp = Blueprint("counter", __name__)

    @bp.before_request
    def count():
        calls.append(request.blueprint)

    @bp.route("/")
    def index():
        return f"{request.blueprint} {url_for('.index')}"

    return bp


def test_blueprint_registered_twice_under_different_names_serves_both(app, client):
    bp = make_counter_blueprint([])
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="second")
    assert client.get("/one/").text == "counter /one/"
    assert client.get("/two/").text == "second /two/"


def test_hooks_of_a_blueprint_registered_twice_apply_under_both_names(app, client):
    calls: list = []
    bp = make_counter_blueprint(calls)
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="second")
    client.get("/one/")
    client.get("/two/")
    assert calls == ["counter", "second"]


def test_registering_a_blueprint_twice_without_a_new_name_raises_value_error(app):
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    message = r"^The name 'bp' is already registered for this blueprint\. Use 'name=' to provide"
    with pytest.raises(ValueError, match=message + r" a unique name\.$"):
        app.register_blueprint(bp)


def test_two_blueprints_with_the_same_name_raise_value_error(app):
    app.register_blueprint(Blueprint("bp", __name__))
    with pytest.raises(ValueError, match="'bp' is already registered for a different blueprint"):
        app.register_blueprint(Blueprint("bp", __name__))


def test_registering_under_a_name_already_taken_by_another_blueprint_raises(app):
    app.register_blueprint(Blueprint("first", __name__))
    with pytest.raises(ValueError, match="'first' is already registered for a different blueprint"):
        app.register_blueprint(Blueprint("second", __name__), name="first")


def test_registering_under_a_dotted_name_raises_value_error(app):
    # Deviation: Flask accepts name="a.b" here, which makes "a" look like a parent blueprint.
    with pytest.raises(ValueError, match=r"'name' may not contain a dot '\.' character"):
        app.register_blueprint(Blueprint("bp", __name__), name="a.b")


def test_registering_under_an_empty_name_raises_value_error(app):
    # Deviation: Flask accepts name="", which gives endpoints like ".index" (a relative name).
    with pytest.raises(ValueError, match="'name' may not be empty"):
        app.register_blueprint(Blueprint("bp", __name__), name="")


def test_blueprint_name_with_a_dot_raises_value_error():
    with pytest.raises(ValueError, match=r"'name' may not contain a dot '\.' character"):
        Blueprint("admin.users", __name__)


def test_empty_blueprint_name_raises_value_error():
    with pytest.raises(ValueError, match="'name' may not be empty"):
        Blueprint("", __name__)


def test_endpoint_with_a_dot_raises_value_error():
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match=r"'endpoint' may not contain a dot '\.' character"):
        bp.add_url_rule("/x", "a.b", lambda: "x")


def test_view_function_name_with_a_dot_raises_value_error():
    bp = Blueprint("bp", __name__)

    def view():
        return "x"

    view.__name__ = "a.b"
    with pytest.raises(ValueError, match=r"'view_func' name may not contain a dot"):
        bp.add_url_rule("/x", view_func=view)


def test_setup_method_after_registration_raises_assertion_error(app):
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    message = "'before_request' can no longer be called on the blueprint 'bp'"
    with pytest.raises(AssertionError, match=message):
        bp.before_request(lambda: None)


def test_route_after_registration_raises_assertion_error(app):
    bp = Blueprint("bp", __name__)
    app.register_blueprint(bp)
    with pytest.raises(AssertionError, match="can no longer be called on the blueprint 'bp'"):
        bp.route("/late")(lambda: "late")


def test_registering_a_blueprint_on_itself_raises_value_error():
    bp = Blueprint("bp", __name__)
    with pytest.raises(ValueError, match="Cannot register a blueprint on itself"):
        bp.register_blueprint(bp)


def test_blueprint_repr_names_the_blueprint():
    assert repr(Blueprint("admin", __name__)) == "<Blueprint 'admin'>"


# -- Relative endpoints and request.blueprint ------------------------------------------------


def test_relative_url_for_inside_a_blueprint_view_resolves_to_that_blueprint(app, client):
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/index")
    def index():
        return "bp index"

    @bp.route("/link")
    def link():
        return url_for(".index")

    @app.route("/index")
    def app_index():
        return "app index"

    app.register_blueprint(bp)
    assert client.get("/bp/link").text == "/bp/index"


def test_relative_url_for_inside_an_app_view_resolves_to_an_app_endpoint(app, client):
    @app.route("/index")
    def index():
        return "app index"

    @app.route("/link")
    def link():
        return url_for(".index")

    assert client.get("/link").text == "/index"


def test_request_blueprint_names_the_blueprint_of_the_matched_endpoint(app, client):
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/")
    def index():
        return f"{request.blueprint} {request.blueprints}"

    app.register_blueprint(bp)
    assert client.get("/bp/").text == "bp ['bp']"


def test_request_blueprint_is_none_for_app_views(app, client):
    @app.route("/")
    def index():
        return f"{request.blueprint} {request.blueprints}"

    assert client.get("/").text == "None []"


def test_request_blueprint_uses_the_name_given_at_registration(app, client):
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index():
        return request.blueprint

    app.register_blueprint(bp, name="renamed")
    assert client.get("/").text == "renamed"


# -- Nested blueprints -----------------------------------------------------------------------


def test_nested_blueprint_endpoint_is_named_parent_dot_child(app, client):
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/")
    def index():
        return "child"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert "parent.child.index" in app.view_functions
    assert set(app.blueprints) == {"parent", "parent.child"}
    assert client.get("/parent/child/").text == "child"


@pytest.mark.parametrize(
    ("parent_prefix", "child_prefix", "rule", "url"),
    [
        ("/parent", "/child", "/x", "/parent/child/x"),
        ("/parent/", "/child", "/x", "/parent/child/x"),
        ("/parent", "child", "/x", "/parent/child/x"),
        ("/parent/", "/child/", "/x", "/parent/child/x"),
        ("/parent", "/child", "", "/parent/child"),
        ("/parent", "/child/", "", "/parent/child/"),
        ("/parent", "/child", "/", "/parent/child/"),
        (None, "/child", "/x", "/child/x"),
        ("/parent", None, "/x", "/parent/x"),
        ("/", "/child", "/x", "/child/x"),
        ("/parent", "/", "/x", "/parent/x"),
        ("", "", "/x", "/x"),
    ],
)
def test_nested_url_prefixes_compose(app, client, parent_prefix, child_prefix, rule, url):
    parent = Blueprint("parent", __name__, url_prefix=parent_prefix)
    child = Blueprint("child", __name__, url_prefix=child_prefix)
    child.add_url_rule(rule, "view", lambda: "child view")
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get(url).text == "child view"
    with app.test_request_context():
        assert url_for("parent.child.view") == url


def test_nested_url_prefixes_given_at_registration_compose(app, client):
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    child.add_url_rule("/x", "view", lambda: "child view")
    parent.register_blueprint(child, url_prefix="/kid/")
    app.register_blueprint(parent, url_prefix="/mom/")
    assert client.get("/mom/kid/x").text == "child view"


def test_nested_url_prefix_none_at_registration_keeps_the_childs_own(app, client):
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    child.add_url_rule("/x", "view", lambda: "child view")
    parent.register_blueprint(child, url_prefix=None)
    app.register_blueprint(parent)
    assert client.get("/parent/child/x").text == "child view"


def test_nested_blueprint_registered_twice_without_a_name_raises_value_error(app):
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)
    parent.register_blueprint(child)
    parent.register_blueprint(child)
    with pytest.raises(ValueError, match="^The name 'child' is already registered for this"
                                         " blueprint 'parent.child'. Use 'name='"):
        app.register_blueprint(parent)


def test_nested_static_route_is_named_and_prefixed_like_the_child(static_root):
    app = make_app(str(static_root), static_folder=None)
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child", static_folder="static",
                      root_path=str(static_root))
    parent.register_blueprint(child)
    app.register_blueprint(parent)
    with app.test_request_context():
        url = url_for("parent.child.static", filename="style.css")
    assert url == "/parent/child/static/style.css"
    response = app.test_client().get("/parent/child/static/style.css")
    assert response.data == b"body { color: red; }"
    response.close()


def test_nested_blueprint_does_not_inherit_the_parents_url_defaults(app, client):
    parent = Blueprint("parent", __name__, url_defaults={"from_parent": 1})
    child = Blueprint("child", __name__, url_defaults={"from_child": 2})

    @child.route("/child")
    def child_view(**values):
        return repr(sorted(values))

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/child").text == "['from_child']"


def test_nested_context_processor_is_recorded_under_the_dotted_name(app):
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__)

    @child.context_processor
    def inject():
        return {}

    parent.register_blueprint(child)
    app.register_blueprint(parent, name="renamed")
    assert inject in app.template_context_processors["renamed.child"]


def test_three_levels_of_nesting_compose_names_and_prefixes(app, client):
    grandparent = Blueprint("a", __name__, url_prefix="/a")
    parent = Blueprint("b", __name__, url_prefix="/b")
    child = Blueprint("c", __name__, url_prefix="/c")

    @child.route("/")
    def index():
        return f"{request.blueprint} {request.blueprints} {url_for('.index')}"

    parent.register_blueprint(child)
    grandparent.register_blueprint(parent)
    app.register_blueprint(grandparent)
    assert set(app.blueprints) == {"a", "a.b", "a.b.c"}
    assert client.get("/a/b/c/").text == "a.b.c ['a.b.c', 'a.b', 'a'] /a/b/c/"


@pytest.mark.parametrize(
    ("child_at_registration", "parent_at_registration", "subdomain"),
    [(None, None, "v1.api"), ("v2", None, "v2.api"), (None, "www", "v1.www")],
)
def test_nested_subdomains_given_at_registration_compose(child_at_registration,
                                                         parent_at_registration, subdomain):
    app = make_subdomain_app()
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, subdomain="v1")
    child.add_url_rule("/", "index", lambda: "child")
    parent.register_blueprint(child, subdomain=child_at_registration)
    app.register_blueprint(parent, subdomain=parent_at_registration)
    assert app.test_client().get("/", subdomain=subdomain).text == "child"


def test_nested_blueprint_subdomains_compose():
    app = make_subdomain_app()
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, subdomain="v1")

    @child.route("/")
    def index():
        return "v1 api"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    client = app.test_client()
    assert client.get("/", subdomain="v1.api").text == "v1 api"
    assert client.get("/", subdomain="api").status_code == 404


def test_nested_blueprint_inherits_the_parents_subdomain():
    app = make_subdomain_app()
    parent = Blueprint("parent", __name__, subdomain="api")
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/")
    def index():
        return "child on api"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert app.test_client().get("/child/", subdomain="api").text == "child on api"


def make_nested_app_with_hooks(events: list) -> Flask:
    app = make_app()
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    for scaffold, label in ((app, "app"), (parent, "parent"), (child, "child")):
        make_recording_hooks(scaffold, label, events)

    @parent.route("/")
    def parent_view():
        return "parent"

    @child.route("/")
    def child_view():
        return "child"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


def test_parent_hooks_run_for_child_endpoints_outermost_first_on_the_way_in():
    events: list = []
    make_nested_app_with_hooks(events).test_client().get("/parent/child/")
    assert events == [
        "app:before", "parent:before", "child:before",
        "child:after", "parent:after", "app:after",
        "child:teardown", "parent:teardown", "app:teardown",
    ]


def test_child_hooks_do_not_run_for_parent_endpoints():
    events: list = []
    make_nested_app_with_hooks(events).test_client().get("/parent/")
    assert events == [
        "app:before", "parent:before", "parent:after", "app:after",
        "parent:teardown", "app:teardown",
    ]


def make_nested_app_with_error_handlers() -> Flask:
    app = make_app()
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    parent.register_error_handler(403, lambda error: ("parent 403", 403))
    parent.register_error_handler(404, lambda error: ("parent 404", 404))
    child.register_error_handler(404, lambda error: ("child 404", 404))

    @parent.route("/missing")
    def parent_missing():
        abort(404)

    @child.route("/missing")
    def child_missing():
        abort(404)

    @child.route("/forbidden")
    def child_forbidden():
        abort(403)

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    return app


def test_parent_errorhandler_handles_errors_in_child_views():
    client = make_nested_app_with_error_handlers().test_client()
    assert client.get("/parent/child/forbidden").text == "parent 403"


def test_child_errorhandler_wins_over_the_parents_for_child_views():
    client = make_nested_app_with_error_handlers().test_client()
    assert client.get("/parent/child/missing").text == "child 404"


def test_child_errorhandler_does_not_handle_errors_in_parent_views():
    client = make_nested_app_with_error_handlers().test_client()
    assert client.get("/parent/missing").text == "parent 404"


def test_parent_url_value_preprocessor_runs_for_child_endpoints(app, client):
    parent = Blueprint("parent", __name__, url_prefix="/<lang>")
    child = Blueprint("child", __name__, url_prefix="/child")

    @parent.url_value_preprocessor
    def pull_lang(endpoint, values):
        g.lang = values.pop("lang")

    @parent.url_defaults
    def add_lang(endpoint, values):
        values.setdefault("lang", g.lang)

    @child.route("/page")
    def page():
        return f"{g.lang} {url_for('.page')}"

    parent.register_blueprint(child)
    app.register_blueprint(parent)
    assert client.get("/en/child/page").text == "en /en/child/page"


def test_nested_blueprint_registered_twice_in_a_parent_with_names(app, client):
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__)

    @child.route("/")
    def index():
        return request.blueprint

    parent.register_blueprint(child, url_prefix="/one")
    parent.register_blueprint(child, url_prefix="/two", name="two")
    app.register_blueprint(parent)
    assert client.get("/parent/one/").text == "parent.child"
    assert client.get("/parent/two/").text == "parent.two"


def test_parent_registered_twice_registers_its_children_under_each_name(app, client):
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__, url_prefix="/child")

    @child.route("/")
    def index():
        return request.blueprint

    parent.register_blueprint(child)
    app.register_blueprint(parent, url_prefix="/one")
    app.register_blueprint(parent, url_prefix="/two", name="other")
    assert client.get("/one/child/").text == "parent.child"
    assert client.get("/two/child/").text == "other.child"


def test_registering_a_child_on_a_registered_parent_raises_assertion_error(app):
    parent = Blueprint("parent", __name__)
    app.register_blueprint(parent)
    with pytest.raises(AssertionError, match="'register_blueprint' can no longer be called"):
        parent.register_blueprint(Blueprint("child", __name__))


# -- App factory -----------------------------------------------------------------------------


factory_blueprint = Blueprint("site", __name__, url_prefix="/site")


@factory_blueprint.route("/")
def factory_index():
    return current_app.config["SITE_NAME"]


@factory_blueprint.before_app_request
def factory_tag_request():
    g.tagged = current_app.config["SITE_NAME"]


@factory_blueprint.route("/tag")
def factory_tag():
    return g.tagged


def create_app(site_name: str) -> Flask:
    app = make_app()
    app.config["SITE_NAME"] = site_name
    app.register_blueprint(factory_blueprint)
    return app


def test_module_level_blueprint_serves_each_app_made_by_a_factory():
    first, second = create_app("first"), create_app("second")
    assert first.test_client().get("/site/").text == "first"
    assert second.test_client().get("/site/").text == "second"


def test_apps_made_by_a_factory_keep_independent_registries():
    first, second = create_app("first"), create_app("second")
    assert first.url_map is not second.url_map
    assert first.before_request_funcs[None] == [factory_tag_request]
    assert second.before_request_funcs[None] == [factory_tag_request]
    assert second.test_client().get("/site/tag").text == "second"
