"""Tests for microflask.sessions, session_transaction and flash, all through the test client.

The Flask vectors below are session cookies produced by a real Flask 3.1 app on the development
machine (SECRET_KEY = FLASK_KEY, ``time.time`` patched to FIXED_TIME); microflask must load each
to the same data and, with its clock patched to the same second, write the same bytes.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from conftest import FIXED_TIME

import microflask.signing
from microflask import flash, get_flashed_messages, message_flashed, render_template_string, session
from microflask.markup import Markup
from microflask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionInterface
from microflask.signing import Signer, URLSafeTimedSerializer, base64_encode

FLASK_KEY = "microflask-test-secret"


@pytest.fixture
def app(app):
    app.secret_key = "test-secret"
    seen = app.extensions["seen_sessions"] = []

    @app.route("/set/<key>/<value>")
    def set_value(key, value):
        session[key] = value
        return "ok"

    @app.route("/get/<key>")
    def get_value(key):
        return str(session.get(key))

    @app.route("/dump")
    def dump():
        seen.append((dict(session), session.new))
        return "ok"

    @app.route("/clear")
    def clear():
        session.clear()
        return "ok"

    @app.route("/untouched")
    def untouched():
        return "ok"

    return app


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def cookie_value(response, name: str = "session") -> str:
    for header in set_cookies(response):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {set_cookies(response)}")


def loaded_session(app, client) -> dict:
    """What the app sees in ``session`` on the next request with the client's cookies."""
    response = client.get("/dump")
    assert response.status_code == 200
    return app.extensions["seen_sessions"][-1][0]


# -- Reading and writing -------------------------------------------------------------------------


def test_a_value_written_to_the_session_is_read_on_the_next_request(client):
    client.get("/set/name/ada")
    assert client.get("/get/name").text == "ada"


def test_a_request_without_cookie_sees_an_empty_session(app, client):
    assert loaded_session(app, client) == {}


def test_a_cookie_session_is_never_new_as_in_flask(app, client):
    # NOTE(test_sessions): Flask's cookie sessions keep ``new`` False even without a cookie.
    client.get("/dump")
    client.get("/set/a/1")
    client.get("/dump")
    assert [new for _, new in app.extensions["seen_sessions"]] == [False, False]


def test_the_session_cookie_is_signed_in_flask_format(client):
    value = cookie_value(client.get("/set/a/1"))
    payload, timestamp, signature = value.split(".")
    assert URLSafeTimedSerializer("test-secret", salt="cookie-session",
                                  signer_kwargs={"key_derivation": "hmac"}).loads(value) == {"a": "1"}
    assert len(signature) == 27 and timestamp


def test_writing_marks_the_session_modified_and_accessed(app):
    with app.test_request_context():
        assert session.modified is False and session.accessed is False
        session["x"] = 1
        assert session.modified is True and session.accessed is True


def test_reading_marks_the_session_accessed_but_not_modified(app):
    with app.test_request_context():
        session.get("x")
        assert session.accessed is True and session.modified is False


def test_a_nested_change_is_not_noticed_without_setting_modified(app, client):
    @app.route("/nested")
    def nested():
        session["items"].append(2)
        return "ok"

    with client.session_transaction() as sess:
        sess["items"] = [1]
    assert set_cookies(client.get("/nested")) == []


def test_setting_modified_by_hand_saves_a_nested_change(app, client):
    @app.route("/nested")
    def nested():
        session["items"].append(2)
        session.modified = True
        return "ok"

    with client.session_transaction() as sess:
        sess["items"] = [1]
    client.get("/nested")
    assert loaded_session(app, client) == {"items": [1, 2]}


def test_permanent_is_stored_in_the_session(app):
    with app.test_request_context():
        assert session.permanent is False
        session.permanent = True
        assert session.permanent is True and session["_permanent"] is True


# -- When the cookie is written ---------------------------------------------------------------


def test_no_cookie_is_written_when_the_session_was_only_read(client):
    client.get("/set/a/1")
    assert set_cookies(client.get("/get/a")) == []


def test_no_cookie_is_written_when_the_session_was_not_touched(client):
    response = client.get("/untouched")
    assert set_cookies(response) == [] and "Cookie" not in response.headers.get("Vary", "")


def test_a_permanent_session_is_refreshed_on_every_request(app, client):
    @app.route("/permanent")
    def permanent():
        session.permanent = True
        session["a"] = 1
        return "ok"

    client.get("/permanent")
    assert len(set_cookies(client.get("/get/a"))) == 1


def test_a_permanent_session_is_not_refreshed_when_refresh_is_off(app, client):
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False

    @app.route("/permanent")
    def permanent():
        session.permanent = True
        return "ok"

    client.get("/permanent")
    assert set_cookies(client.get("/get/a")) == []


def test_a_permanent_session_cookie_expires_after_the_lifetime(app, client):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=2)

    @app.route("/permanent")
    def permanent():
        session.permanent = True
        return "ok"

    header = set_cookies(client.get("/permanent"))[0]
    expires = header.split("Expires=")[1].split(";")[0]
    when = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert abs((when - datetime.now(timezone.utc)) - timedelta(days=2)) < timedelta(seconds=5)


def test_a_non_permanent_session_cookie_has_no_expiry(client):
    assert "Expires" not in set_cookies(client.get("/set/a/1"))[0]


def test_emptying_the_session_deletes_the_cookie(client):
    client.get("/set/a/1")
    header = set_cookies(client.get("/clear"))[0]
    assert header.startswith("session=;") and "Max-Age=0" in header
    assert client.get("/get/a").text == "None"


def test_clearing_an_already_empty_session_still_sends_a_deletion_like_flask(client):
    assert set_cookies(client.get("/clear"))[0].startswith("session=;")


def test_vary_cookie_is_set_when_the_session_was_read(client):
    assert client.get("/get/a").headers["Vary"] == "Cookie"


def test_vary_cookie_is_set_when_the_session_was_written(client):
    assert client.get("/set/a/1").headers["Vary"] == "Cookie"


def test_vary_cookie_joins_a_vary_header_the_view_set(app, client):
    @app.route("/negotiated")
    def negotiated():
        session["a"] = 1
        return "ok", {"Vary": "Accept-Encoding"}

    @app.route("/already")
    def already():
        session.get("a")
        return "ok", {"Vary": "cookie"}

    assert client.get("/negotiated").headers.getlist("Vary") == ["Accept-Encoding, Cookie"]
    assert client.get("/already").headers.getlist("Vary") == ["cookie"]


# -- Cookie options --------------------------------------------------------------------------


def test_every_session_cookie_option_reaches_the_set_cookie_header(app, client):
    app.config.update(
        SESSION_COOKIE_NAME="sid", SESSION_COOKIE_DOMAIN="example.com", SESSION_COOKIE_PATH="/set",
        SESSION_COOKIE_HTTPONLY=False, SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    header = set_cookies(client.get("/set/a/1", base_url="https://example.com"))[0]
    parts = [part.strip() for part in header.split(";")]
    assert parts[0].startswith("sid=")
    assert {"Domain=example.com", "Path=/set", "Secure", "SameSite=Strict", "Partitioned"} <= set(parts)
    assert "HttpOnly" not in parts


def test_the_default_cookie_is_httponly_with_path_root(client):
    parts = [part.strip() for part in set_cookies(client.get("/set/a/1"))[0].split(";")]
    assert "HttpOnly" in parts and "Path=/" in parts and "Secure" not in parts


def test_the_cookie_path_defaults_to_application_root(app, client):
    app.config["APPLICATION_ROOT"] = "/set"
    assert "Path=/set" in set_cookies(client.get("/set/a/1"))[0]


def test_the_cookie_name_is_configurable_for_reading_too(app, client):
    app.config["SESSION_COOKIE_NAME"] = "sid"
    client.get("/set/a/1")
    assert client.get("/get/a").text == "1"


# -- Lifetime and keys ---------------------------------------------------------------------------


def test_an_expired_signed_cookie_gives_an_empty_session(app, client, clock):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=60)
    client.get("/set/a/1")
    clock(FIXED_TIME + 61)
    assert client.get("/get/a").text == "None"


def test_a_cookie_within_the_lifetime_loads(app, client, clock):
    app.config["PERMANENT_SESSION_LIFETIME"] = 60  # seconds as an int work too
    client.get("/set/a/1")
    clock(FIXED_TIME + 60)
    assert client.get("/get/a").text == "1"


def test_a_cookie_signed_with_a_fallback_key_loads(app, client):
    client.get("/set/a/1")
    app.secret_key = "new-secret"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    assert client.get("/get/a").text == "1"


def test_a_new_cookie_is_signed_with_the_current_key(app, client):
    app.secret_key = "new-secret"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    value = cookie_value(client.get("/set/a/1"))
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/get/a").text == "1"
    assert Signer("new-secret", salt="cookie-session", key_derivation="hmac").validate(value)


def test_a_cookie_signed_with_a_retired_key_is_ignored(app, client):
    client.get("/set/a/1")
    app.secret_key = "new-secret"
    assert client.get("/get/a").text == "None"


def test_writing_the_session_without_secret_key_raises_a_clear_error(app, client):
    app.secret_key = None
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="no secret key was set"):
        client.get("/set/a/1")


def test_reading_the_session_without_secret_key_works(app, client):
    app.secret_key = None
    response = client.get("/get/a")
    assert response.text == "None" and set_cookies(response) == []


# -- Custom interfaces and session_transaction -------------------------------------------------


def test_a_custom_session_interface_is_used(app, client):
    class HeaderSessions(SessionInterface):
        def open_session(self, app, request):
            return SecureCookieSession({"user": request.headers.get("X-User", "anon")})

        def save_session(self, app, session, response):
            response.headers["X-Saved"] = session["user"]

    app.session_interface = HeaderSessions()
    response = client.get("/get/user", headers={"X-User": "ada"})
    assert response.text == "ada" and response.headers["X-Saved"] == "ada"


def test_a_subclass_can_change_the_salt(app, client):
    class Salted(SecureCookieSessionInterface):
        salt = "other-salt"

    client.get("/set/a/1")
    app.session_interface = Salted()
    assert client.get("/get/a").text == "None"


def test_session_transaction_writes_what_the_next_request_reads(client):
    with client.session_transaction() as sess:
        sess["a"] = "from-test"
    assert client.get("/get/a").text == "from-test"


def test_session_transaction_reads_what_a_request_wrote(client):
    client.get("/set/a/1")
    with client.session_transaction() as sess:
        assert sess["a"] == "1"


def test_session_transaction_without_secret_key_raises(app, client):
    app.secret_key = None
    with pytest.raises(RuntimeError):
        with client.session_transaction():
            pass


def test_session_transaction_without_cookies_raises(app):
    client = app.test_client(use_cookies=False)
    with pytest.raises(TypeError):
        with client.session_transaction():
            pass


# -- Flash -------------------------------------------------------------------------------------


@pytest.fixture
def flash_app(app):
    @app.route("/flash")
    def flash_messages():
        flash("saved")
        flash("careful", "warning")
        flash(Markup("<b>bold</b>"), "error")
        return "ok"

    @app.route("/messages")
    def messages():
        return repr(get_flashed_messages())

    return app


def test_flashed_messages_are_read_on_the_next_request(flash_app, client):
    client.get("/flash")
    assert client.get("/messages").text == repr(["saved", "careful", Markup("<b>bold</b>")])


def test_flashed_messages_are_gone_after_being_read(flash_app, client):
    client.get("/flash")
    client.get("/messages")
    assert client.get("/messages").text == "[]"


def test_flashed_messages_can_be_read_twice_in_one_request(flash_app, client):
    @flash_app.route("/twice")
    def twice():
        return repr(get_flashed_messages() == get_flashed_messages() == ["saved", "careful", "<b>bold</b>"])

    client.get("/flash")
    assert client.get("/twice").text == "True"


def test_flashed_messages_with_categories(flash_app, client):
    @flash_app.route("/categories")
    def categories():
        return repr(get_flashed_messages(with_categories=True))

    client.get("/flash")
    assert client.get("/categories").text == repr(
        [("message", "saved"), ("warning", "careful"), ("error", Markup("<b>bold</b>"))])


def test_flashed_messages_filtered_by_category(flash_app, client):
    @flash_app.route("/filtered")
    def filtered():
        return repr(get_flashed_messages(category_filter=["warning", "error"]))

    client.get("/flash")
    assert client.get("/filtered").text == repr(["careful", Markup("<b>bold</b>")])


def test_flashed_messages_in_a_template(flash_app, client):
    @flash_app.route("/page")
    def page():
        return render_template_string(
            "{% for category, message in get_flashed_messages(with_categories=true) %}"
            "<p class={{ category }}>{{ message }}</p>{% endfor %}")

    client.get("/flash")
    assert client.get("/page").text == (
        "<p class=message>saved</p><p class=warning>careful</p><p class=error><b>bold</b></p>")


def test_flash_sends_message_flashed(flash_app, client):
    received = []

    def record(sender, message, category, **extra):
        received.append((sender, message, category))

    message_flashed.connect(record, flash_app)
    try:
        client.get("/flash")
    finally:
        message_flashed.disconnect(record, flash_app)
    assert received[:2] == [(flash_app, "saved", "message"), (flash_app, "careful", "warning")]


# -- Flask compatibility vectors -------------------------------------------------------------

FLASK_VECTORS = {
    "simple": (
        {"user_id": 42, "name": "ada"},
        "eyJuYW1lIjoiYWRhIiwidXNlcl9pZCI6NDJ9.ZVPxAA.9xsMMEfd27s4zuAR2BD9drrmDSo",
    ),
    "tuple_bytes": (
        {"t": (1, "two", 3.5), "b": b"\x00\xffbin"},
        "eyJiIjp7IiBiIjoiQVA5aWFXND0ifSwidCI6eyIgdCI6WzEsInR3byIsMy41XX19.ZVPxAA.JQYb_jjfX4BLgF6b8RPAMjDVzvg",
    ),
    "datetime_uuid": (
        {"when": datetime(2024, 2, 29, 12, 30, 5, tzinfo=timezone.utc),
         "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        ".eJyrVspMUbKqVlIoVbJSMjQyNjE1M7fARSvV6iiVZ6TmgTUAtSmFZJTqKBhZKrilJikYGRiZKBgaWRkbWBmYKrj7hijV1gIAIRI"
        "WgQ.ZVPxAA.3G2kd2KCgEceaJa3jyzCZ-fN5r0",
    ),
    "markup_nested": (
        {"html": Markup("<b>hi</b>"), "nested": {"z": [1, {"y": None}], "a": {" t": "looks tagged"}},
         "_permanent": True},
        ".eJwdyjEKgDAQBdGryK8DYruIFxEJEZcoJlF0LTTs3Y1WU8zLsDsf0SVOApLjYoNZYgBlVBGEduzmpa3HDmqQ-BSevud-MC1_xNoi"
        "w7atZyXO-0K06AfUNybjBqUrBB1UX89YI8g.ZVPxAA.AQ9JIYimzLLoYLWjU-4aSvEH-ps",
    ),
    "compressed": (
        {"long": "spam " * 100},
        ".eJyrVsrJz0tXslIqLkjMVRglRhShVAsAAZ65Dw.ZVPxAA.YYbPUjTmTu5v8lXhGFhekCCwdDI",
    ),
}


@pytest.fixture
def flask_app(app, clock):
    app.secret_key = FLASK_KEY
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365 * 100)
    return app


@pytest.mark.parametrize("name", sorted(FLASK_VECTORS))
def test_a_cookie_written_by_flask_loads_to_the_same_data(flask_app, client, name):
    data, cookie = FLASK_VECTORS[name]
    client.set_cookie("session", cookie)
    loaded = loaded_session(flask_app, client)
    assert loaded == data
    assert {key: type(value) for key, value in loaded.items()} == {key: type(value) for key, value in data.items()}


@pytest.mark.parametrize("name", sorted(FLASK_VECTORS))
def test_microflask_writes_the_cookie_flask_writes(flask_app, client, name):
    data, cookie = FLASK_VECTORS[name]

    @flask_app.route("/write")
    def write():
        session.update(data)
        return "ok"

    assert cookie_value(client.get("/write")) == cookie


# -- Bad input -------------------------------------------------------------------------------


def good_cookie(client) -> str:
    return cookie_value(client.get("/set/a/1"))


def signed_session_cookie(payload: bytes, key: str = "test-secret") -> str:
    """A correctly signed, timestamped session cookie around a raw payload."""
    serializer = URLSafeTimedSerializer(key, salt="cookie-session", signer_kwargs={"key_derivation": "hmac"})
    return serializer.make_signer().sign(payload).decode()


def tampered(client) -> str:
    value = good_cookie(client)
    return "e" + value[1:] if value[0] != "e" else "f" + value[1:]


BAD_COOKIES = {
    "tampered": tampered,
    "truncated": lambda client: good_cookie(client)[:-5],
    "wrong key": lambda client: URLSafeTimedSerializer(
        "other", salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}).dumps({"a": "1"}),
    "non-base64": lambda client: "%%%not*base64!!!",
    "no separators": lambda client: "abcdef",
    "huge": lambda client: "A" * 100_000 + "." + good_cookie(client),
    "non-dict payload": lambda client: URLSafeTimedSerializer(
        "test-secret", salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}).dumps([1, 2, 3]),
    "signed non-base64 payload": lambda client: signed_session_cookie(b"!!!." + base64_encode(b"\x01")),
    "signed bad json": lambda client: signed_session_cookie(base64_encode(b"{nope") + b".ZVPxAA"),
    "signed bad tag": lambda client: signed_session_cookie(base64_encode(b'{"a":{" t":5}}') + b".ZVPxAA"),
    "zip bomb": lambda client: signed_session_cookie(
        b"." + base64_encode(zlib.compress(b'{"a":"' + b"x" * (microflask.signing.MAX_DECOMPRESSED_SIZE + 1) + b'"}'))
        + b".ZVPxAA"),
}


@pytest.mark.filterwarnings("ignore:The 'session' cookie is too large")
@pytest.mark.parametrize("kind", sorted(BAD_COOKIES))
def test_a_bad_cookie_gives_an_empty_session_and_status_200(app, client, kind, clock):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=365 * 100)
    bad = BAD_COOKIES[kind](client)
    client.set_cookie("session", bad)
    response = client.get("/dump")
    assert response.status_code == 200
    assert app.extensions["seen_sessions"][-1][0] == {}


def test_an_expired_cookie_gives_an_empty_session_and_status_200(app, client, clock):
    client.get("/set/a/1")
    clock(FIXED_TIME + 32 * 24 * 3600)  # the default lifetime is 31 days
    assert client.get("/get/a").status_code == 200
    assert loaded_session(app, client) == {}


def test_a_bad_cookie_is_logged_at_debug_level(app, client, caplog):
    client.set_cookie("session", "garbage.value.here")
    with caplog.at_level(logging.DEBUG, logger=app.logger.name):
        client.get("/get/a")
    assert any(record.levelno == logging.DEBUG and "session" in record.getMessage() for record in caplog.records)


def test_a_bad_cookie_is_replaced_when_the_session_is_written(client):
    client.set_cookie("session", "garbage")
    client.get("/set/a/1")
    assert client.get("/get/a").text == "1"
