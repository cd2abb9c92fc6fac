"""CSRF protection through the test client: render a form, read its token, send it back."""

from __future__ import annotations

import re

import pytest

import microflask.signing
from microflask import Blueprint, render_template_string, request
from microflask.csrf import CSRFError, CSRFProtect, generate_csrf
from microflask.exceptions import BadRequest

FORM = '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}"></form>'


@pytest.fixture
def app(app):
    app.secret_key = "csrf test secret"
    CSRFProtect(app)

    @app.route("/form", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def form():
        if request.method == "GET":
            return render_template_string(FORM)
        return f"{request.method} accepted"

    return app


@pytest.fixture
def csrf(app):
    return app.extensions["csrf"]


def fetch_token(client, path="/form", **kwargs):
    text = client.get(path, **kwargs).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match is not None, text
    return match.group(1)


def shift_clock(monkeypatch, seconds):
    """Make token signing and checking see a clock ``seconds`` ahead."""
    original = microflask.signing.TimestampSigner.get_timestamp
    monkeypatch.setattr(microflask.signing.TimestampSigner, "get_timestamp",
                        lambda self: original(self) + seconds)


# -- The form round trip ------------------------------------------------------------------------


def test_post_with_the_token_from_the_rendered_form_is_accepted(client):
    token = fetch_token(client)
    response = client.post("/form", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.text == "POST accepted"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_unsafe_methods_are_accepted_with_the_token(client, method):
    token = fetch_token(client)
    response = client.open("/form", method=method, data={"csrf_token": token})
    assert response.text == f"{method} accepted"


def test_a_token_stays_valid_after_the_form_is_rendered_again(client):
    first = fetch_token(client)
    fetch_token(client)
    assert client.post("/form", data={"csrf_token": first}).status_code == 200


def test_the_token_can_be_posted_many_times_in_one_session(client):
    token = fetch_token(client)
    statuses = [client.post("/form", data={"csrf_token": token}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_rendering_the_token_sets_the_session_cookie(app, client):
    fetch_token(client)
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None


# -- Rejections ---------------------------------------------------------------------------------


def test_post_without_a_token_is_rejected_as_missing(client):
    fetch_token(client)
    response = client.post("/form", data={"name": "x"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.text


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_unsafe_methods_are_rejected_without_a_token(client, method):
    fetch_token(client)
    assert client.open("/form", method=method).status_code == 400


def test_an_empty_token_is_rejected_as_missing(client):
    fetch_token(client)
    response = client.post("/form", data={"csrf_token": ""})
    assert "The CSRF token is missing." in response.text


def test_a_tampered_token_is_rejected_as_invalid(client):
    token = fetch_token(client)
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    response = client.post("/form", data={"csrf_token": tampered})
    assert response.status_code == 400
    assert "The CSRF token is invalid." in response.text


@pytest.mark.parametrize("garbage", ["x", "a.b", "a.b.c", "..", "\u00e9.\u00e9.\u00e9", "." * 5000, "A" * 5000])
def test_a_garbage_token_is_rejected_as_invalid_not_a_crash(client, garbage):
    fetch_token(client)
    response = client.post("/form", data={"csrf_token": garbage})
    assert response.status_code == 400
    assert "The CSRF token is invalid." in response.text


def test_a_token_signed_with_another_secret_key_is_rejected_as_invalid(app, client):
    token = fetch_token(client)
    app.secret_key = "a different secret"
    response = client.post("/form", data={"csrf_token": token})
    # The session cookie is unreadable under the new key too, so the session token is gone.
    assert response.status_code == 400


def test_a_token_from_another_session_does_not_match(app):
    victim, attacker = app.test_client(), app.test_client()
    attacker_token = fetch_token(attacker)
    fetch_token(victim)
    response = victim.post("/form", data={"csrf_token": attacker_token})
    assert response.status_code == 400
    assert "The CSRF tokens do not match." in response.text


def test_a_token_sent_without_a_session_reports_the_missing_session_token(app):
    token = fetch_token(app.test_client())
    response = app.test_client().post("/form", data={"csrf_token": token})
    assert response.status_code == 400
    assert "The CSRF session token is missing." in response.text


def test_a_token_older_than_the_time_limit_is_rejected_as_expired(client, monkeypatch):
    token = fetch_token(client)
    shift_clock(monkeypatch, 3601)
    response = client.post("/form", data={"csrf_token": token})
    assert response.status_code == 400
    assert "The CSRF token has expired." in response.text


def test_a_token_within_the_time_limit_is_accepted(client, monkeypatch):
    token = fetch_token(client)
    shift_clock(monkeypatch, 3599)
    assert client.post("/form", data={"csrf_token": token}).status_code == 200


def test_the_time_limit_is_configurable(app, client, monkeypatch):
    app.config["CSRF_TIME_LIMIT"] = 10
    token = fetch_token(client)
    shift_clock(monkeypatch, 11)
    assert "The CSRF token has expired." in client.post("/form", data={"csrf_token": token}).text


def test_no_time_limit_keeps_tokens_valid_for_the_whole_session(app, client, monkeypatch):
    app.config["CSRF_TIME_LIMIT"] = None
    token = fetch_token(client)
    shift_clock(monkeypatch, 7 * 24 * 3600)  # well within the 31-day session
    assert client.post("/form", data={"csrf_token": token}).status_code == 200


def test_a_token_signed_under_a_fallback_key_is_still_accepted_after_key_rotation(app, client):
    token = fetch_token(client)
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "the new secret"
    assert client.post("/form", data={"csrf_token": token}).status_code == 200


# -- Where the token comes from ------------------------------------------------------------------


@pytest.mark.parametrize("header", ["X-CSRFToken", "X-CSRF-Token"])
def test_an_ajax_request_may_send_the_token_in_a_header(client, header):
    token = fetch_token(client)
    response = client.post("/form", json={"a": 1}, headers={header: token})
    assert response.status_code == 200


def test_a_wrong_header_token_is_rejected(client):
    fetch_token(client)
    response = client.post("/form", json={"a": 1}, headers={"X-CSRFToken": "wrong"})
    assert "The CSRF token is invalid." in response.text


def test_the_token_in_a_json_body_is_not_read(client):
    token = fetch_token(client)
    response = client.post("/form", json={"csrf_token": token})
    assert "The CSRF token is missing." in response.text


def test_the_accepted_headers_are_configurable(app, client):
    app.config["CSRF_HEADERS"] = ["X-Anti-Forgery"]
    token = fetch_token(client)
    assert client.post("/form", headers={"X-Anti-Forgery": token}).status_code == 200
    assert client.post("/form", headers={"X-CSRFToken": token}).status_code == 400


def test_the_form_field_name_is_configurable(app, client):
    app.config["CSRF_FIELD_NAME"] = "_token"
    token = fetch_token(client)
    assert client.post("/form", data={"_token": token}).status_code == 200
    assert client.post("/form", data={"csrf_token": token}).status_code == 400


def test_a_token_in_a_multipart_form_is_accepted(client):
    import io

    token = fetch_token(client)
    data = {"csrf_token": token, "upload": (io.BytesIO(b"hi"), "a.txt")}
    response = client.post("/form", data=data, content_type="multipart/form-data")
    assert response.status_code == 200


# -- What is not checked -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_are_never_checked(app, client, method):
    @app.route("/read", methods=["GET", "OPTIONS"])
    def read():
        return "read"

    assert client.open("/read", method=method).status_code == 200


def test_a_method_left_out_of_csrf_methods_is_not_checked(app, client):
    app.config["CSRF_METHODS"] = {"POST"}
    assert client.delete("/form").status_code == 200


def test_disabling_csrf_in_config_accepts_posts_without_a_token(app, client):
    app.config["CSRF_ENABLED"] = False
    assert client.post("/form").status_code == 200


def test_a_post_to_an_unknown_url_is_still_a_404(client):
    assert client.post("/nowhere").status_code == 404


def test_a_post_to_a_get_only_view_is_still_a_405(app, client):
    @app.route("/only-get")
    def only_get():
        return "x"

    assert client.post("/only-get").status_code == 405


def test_an_exempt_view_accepts_posts_without_a_token(app, client, csrf):
    @app.route("/hook", methods=["POST"])
    @csrf.exempt
    def hook():
        return "hooked"

    assert client.post("/hook").text == "hooked"


def test_exempt_works_above_the_route_decorator_too(app, client, csrf):
    @csrf.exempt
    @app.route("/hook", methods=["POST"])
    def hook():
        return "hooked"

    assert client.post("/hook").status_code == 200


def test_exempting_one_view_leaves_the_others_protected(app, client, csrf):
    @app.route("/hook", methods=["POST"])
    @csrf.exempt
    def hook():
        return "hooked"

    assert client.post("/form").status_code == 400


def test_a_view_can_be_exempted_by_endpoint_name(app, client, csrf):
    @app.route("/hook", methods=["POST"])
    def hook():
        return "hooked"

    csrf.exempt("hook")
    assert client.post("/hook").status_code == 200


def test_an_exempt_blueprint_accepts_posts_without_a_token(app, client, csrf):
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.route("/items", methods=["POST"])
    def create_item():
        return "created"

    csrf.exempt(api)
    app.register_blueprint(api)
    assert client.post("/api/items").text == "created"


def test_a_blueprint_can_be_exempted_by_name(app, client, csrf):
    api = Blueprint("api", __name__, url_prefix="/api")

    @api.route("/items", methods=["POST"])
    def create_item():
        return "created"

    app.register_blueprint(api)
    csrf.exempt("api")
    assert client.post("/api/items").status_code == 200


def test_a_blueprint_nested_in_an_exempt_blueprint_is_exempt(app, client, csrf):
    api, v1 = Blueprint("api", __name__, url_prefix="/api"), Blueprint("v1", __name__, url_prefix="/v1")

    @v1.route("/items", methods=["POST"])
    def create_item():
        return "created"

    api.register_blueprint(v1)
    app.register_blueprint(api)
    csrf.exempt(api)
    assert client.post("/api/v1/items").status_code == 200


def test_a_blueprint_that_is_not_exempt_is_protected(app, client, csrf):
    api, admin = Blueprint("api", __name__), Blueprint("admin", __name__, url_prefix="/admin")

    @admin.route("/delete", methods=["POST"])
    def delete():
        return "deleted"

    app.register_blueprint(api)
    app.register_blueprint(admin)
    csrf.exempt(api)
    assert client.post("/admin/delete").status_code == 400


def test_protect_checks_an_exempt_view_on_demand(app, client, csrf):
    @app.route("/manual", methods=["POST"])
    @csrf.exempt
    def manual():
        if request.form.get("check"):
            csrf.protect()
        return "ok"

    assert client.post("/manual").status_code == 200
    assert "The CSRF token is missing." in client.post("/manual", data={"check": "1"}).text


# -- https: Origin and Referer must name this host -----------------------------------------------


@pytest.fixture
def https_token(client):
    return fetch_token(client, base_url="https://localhost")


def post_https(client, token, **headers):
    return client.post("/form", base_url="https://localhost", data={"csrf_token": token}, headers=headers)


def test_https_post_with_a_same_origin_referer_is_accepted(client, https_token):
    assert post_https(client, https_token, Referer="https://localhost/form").status_code == 200


def test_https_post_with_a_same_origin_origin_header_is_accepted(client, https_token):
    assert post_https(client, https_token, Origin="https://localhost").status_code == 200


def test_https_post_with_a_foreign_referer_is_rejected(client, https_token):
    response = post_https(client, https_token, Referer="https://evil.example/form")
    assert response.status_code == 400
    assert "The referrer does not match the host." in response.text


def test_https_post_with_a_foreign_origin_is_rejected_even_with_a_good_referer(client, https_token):
    response = post_https(client, https_token, Origin="https://evil.example", Referer="https://localhost/")
    assert "The referrer does not match the host." in response.text


@pytest.mark.parametrize("referer", [
    "http://localhost/form",  # downgraded scheme
    "https://localhost:8443/form",  # another port
    "https://localhost.evil.example/",  # host as a prefix
    "https://evil.example/?https://localhost/",
    "null",
    "https://localhost:99999/",  # port out of range
    "https://[::1/",  # malformed
])
def test_https_post_with_a_referer_of_another_origin_is_rejected(client, https_token, referer):
    assert "The referrer does not match the host." in post_https(client, https_token, Referer=referer).text


def test_https_post_with_an_explicit_default_port_in_the_referer_is_accepted(client, https_token):
    assert post_https(client, https_token, Referer="https://LOCALHOST:443/x").status_code == 200


def test_https_post_without_origin_or_referer_is_rejected(client, https_token):
    response = post_https(client, https_token)
    assert response.status_code == 400
    assert "The referrer header is missing." in response.text


def test_https_referer_check_can_be_turned_off(app, client, https_token):
    app.config["CSRF_SSL_STRICT"] = False
    assert post_https(client, https_token).status_code == 200


def test_plain_http_post_does_not_need_a_referer(client):
    token = fetch_token(client)
    response = client.post("/form", data={"csrf_token": token}, headers={"Referer": "http://evil.example/"})
    assert response.status_code == 200


# -- Errors and setup ------------------------------------------------------------------------------


def test_a_csrf_error_handler_renders_the_failure(app, client):
    @app.errorhandler(CSRFError)
    def handle_csrf(error):
        return f"csrf: {error.description}", 403

    response = client.post("/form")
    assert response.status_code == 403
    assert response.text == "csrf: The CSRF token is missing."


def test_a_400_error_handler_also_receives_csrf_errors(app, client):
    @app.errorhandler(400)
    def handle_bad_request(error):
        return type(error).__name__, 400

    assert client.post("/form").text == "CSRFError"


def test_csrf_error_is_a_bad_request():
    error = CSRFError("The CSRF token is missing.")
    assert isinstance(error, BadRequest)
    assert error.code == 400


def test_rendering_a_token_without_a_secret_key_raises_a_clear_error(app, client):
    app.secret_key = None
    with pytest.raises(RuntimeError, match="secret key"):
        client.get("/form")


def test_posting_without_a_secret_key_raises_a_clear_error(app, client):
    app.secret_key = None
    with pytest.raises(RuntimeError, match="secret key"):
        client.post("/form", data={"csrf_token": "x"})


def test_init_app_registers_the_extension_and_config_defaults(app):
    protect = CSRFProtect()
    other = type(app)("other", root_path="/nonexistent-root")
    protect.init_app(other)
    assert other.extensions["csrf"] is protect
    assert other.config["CSRF_ENABLED"] is True
    assert other.config["CSRF_FIELD_NAME"] == "csrf_token"
    assert other.config["CSRF_HEADERS"] == ["X-CSRFToken", "X-CSRF-Token"]
    assert other.config["CSRF_METHODS"] == {"POST", "PUT", "PATCH", "DELETE"}
    assert other.config["CSRF_TIME_LIMIT"] == 3600
    assert other.config["CSRF_SSL_STRICT"] is True


def test_init_app_keeps_config_the_app_already_has():
    from microflask import Flask

    app = Flask("configured", root_path="/nonexistent-root")
    app.config["CSRF_TIME_LIMIT"] = 60
    CSRFProtect(app)
    assert app.config["CSRF_TIME_LIMIT"] == 60


def test_apps_do_not_share_the_default_header_list():
    from microflask import Flask

    first, second = Flask("first", root_path="/x"), Flask("second", root_path="/x")
    protect = CSRFProtect()
    protect.init_app(first)
    protect.init_app(second)
    first.config["CSRF_HEADERS"].append("X-Mine")
    assert second.config["CSRF_HEADERS"] == ["X-CSRFToken", "X-CSRF-Token"]


def test_generate_csrf_is_the_csrf_token_template_global(app):
    assert app.jinja_env.globals["csrf_token"] is generate_csrf
