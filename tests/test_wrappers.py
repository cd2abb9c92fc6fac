"""Request and Response, as a view sees them through the test client.

Most request tests route every path to one view that answers ``{"value": read()}`` and check
the value; bad-input tests also check that the answer is not a 500.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from microflask import Response, request
from microflask.test import create_environ

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def serve(app, read):
    """Route every path and method to one view answering ``{"value": read()}`` as JSON."""

    @app.route("/", defaults={"rest": ""}, methods=ALL_METHODS)
    @app.route("/<path:rest>", methods=ALL_METHODS)
    def view(rest):
        return {"value": read()}


def value(response):
    assert response.status_code == 200, response.text
    return response.json["value"]


# -- The URL ------------------------------------------------------------------------------------


def test_method_is_the_http_verb_in_upper_case(app, client):
    serve(app, lambda: request.method)
    assert value(client.open("/", method="patch")) == "PATCH"


@pytest.mark.parametrize(
    ("attribute", "url", "base_url", "expected"),
    [
        ("scheme", "/", "https://example.com/", "https"),
        ("host", "/", "http://example.com:8080/", "example.com:8080"),
        ("host", "/", "https://example.com:443/", "example.com"),
        ("path", "/caf%C3%A9/a%20b", None, "/café/a b"),
        ("full_path", "/a", None, "/a?"),
        ("full_path", "/a?x=1&y=2", None, "/a?x=1&y=2"),
        ("script_root", "/x", "http://localhost/app", "/app"),
        ("url", "/p?q=1", "https://example.com/app", "https://example.com/app/p?q=1"),
        ("base_url", "/p?q=1", "https://example.com/app", "https://example.com/app/p"),
        ("url_root", "/p?q=1", "https://example.com/app", "https://example.com/app/"),
        ("host_url", "/p", "https://example.com:8443/app", "https://example.com:8443/"),
    ],
    ids=["scheme", "host-keeps-port", "host-drops-default-port", "path-decoded", "full-path-bare",
         "full-path-query", "script-root", "url", "base-url", "url-root", "host-url"],
)
def test_url_attribute_describes_the_requested_url(app, client, attribute, url, base_url, expected):
    serve(app, lambda: getattr(request, attribute))
    assert value(client.get(url, base_url=base_url)) == expected


def test_is_secure_is_true_only_over_https(app, client):
    serve(app, lambda: request.is_secure)
    assert value(client.get("/", base_url="https://example.com/")) is True
    assert value(client.get("/", base_url="http://example.com/")) is False


def test_script_root_comes_from_script_name_in_the_environ(app, client):
    serve(app, lambda: request.script_root)
    assert value(client.get("/", environ_overrides={"SCRIPT_NAME": "/mount"})) == "/mount"


# -- Query string and form ----------------------------------------------------------------------


def test_args_keep_every_value_of_a_repeated_key(app, client):
    serve(app, lambda: request.args.getlist("tag"))
    assert value(client.get("/?tag=a&tag=b&other=c")) == ["a", "b"]


def test_form_holds_the_fields_of_a_urlencoded_body(app, client):
    serve(app, lambda: request.form.to_dict())
    assert value(client.post("/", data={"name": "Ada", "lang": "en"})) == {"name": "Ada", "lang": "en"}


def test_values_combine_args_and_form_on_post(app, client):
    serve(app, lambda: request.values.to_dict())
    assert value(client.post("/?q=1", data={"name": "Ada"})) == {"q": "1", "name": "Ada"}


def test_values_ignore_the_body_of_a_get_request(app, client):
    serve(app, lambda: request.values.to_dict())
    assert value(client.get("/?q=1", data={"name": "Ada"})) == {"q": "1"}


# -- The body -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "options", "expected"),
    [
        (lambda: request.data.decode(), {"data": "raw", "content_type": "text/plain"}, "raw"),
        (lambda: [request.data.decode(), request.form["a"]], {"data": {"a": "1"}}, ["", "1"]),
        (lambda: [request.get_data(as_text=True), request.form["a"]], {"data": {"a": "1"}}, ["a=1", "1"]),
        (lambda: request.get_data(as_text=True), {"data": "héllo".encode()}, "héllo"),
        (lambda: request.stream.read().decode(), {"data": "streamed"}, "streamed"),
    ],
    ids=["data-is-raw-body", "data-empty-once-form-parsed", "form-parsed-after-get-data",
         "get-data-as-text", "stream-reads-raw-body"],
)
def test_body_reads_give_what_the_client_sent(app, client, read, options, expected):
    serve(app, read)
    assert value(client.post("/", **options)) == expected


def test_get_data_caches_the_body_for_a_second_read(app, client):
    serve(app, lambda: [request.get_data(as_text=True), request.get_data(as_text=True)])
    assert value(client.post("/", data="abc")) == ["abc", "abc"]


def test_get_data_without_cache_leaves_nothing_for_the_next_read(app, client):
    serve(app, lambda: [request.get_data(cache=False, as_text=True), request.get_data(as_text=True)])
    assert value(client.post("/", data="abc")) == ["abc", ""]


def test_reading_the_stream_twice_does_not_report_a_disconnected_client(app, client):
    serve(app, lambda: [request.stream.read().decode(), request.stream.read().decode()])
    assert value(client.post("/", data="once")) == ["once", ""]


@pytest.mark.parametrize(
    ("read", "options", "expected"),
    [
        (lambda: request.json, {"json": {"a": [1, 2]}}, {"a": [1, 2]}),
        (lambda: request.get_json(force=True), {"data": '{"a": 1}', "content_type": "text/plain"}, {"a": 1}),
        (lambda: request.get_json(silent=True), {"data": "{oops", "content_type": "application/json"}, None),
    ],
    ids=["json-parses-body", "force-ignores-content-type", "silent-gives-none-for-invalid"],
)
def test_json_reads_give_the_parsed_body(app, client, read, options, expected):
    serve(app, read)
    assert value(client.post("/", **options)) == expected


def test_get_json_returns_the_cached_object_on_a_second_call(app, client):
    serve(app, lambda: request.get_json() is request.get_json())
    assert value(client.post("/", json={"a": 1})) is True


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", True),
        ("application/vnd.api+json", True),
        ("application/json; charset=utf-8", True),
        ("text/plain", False),
        ("application/jsonp", False),
    ],
)
def test_is_json_accepts_json_and_json_suffix_types(app, client, content_type, expected):
    serve(app, lambda: request.is_json)
    assert value(client.post("/", data="{}", content_type=content_type)) is expected


# -- Headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "options", "expected"),
    [
        ("mimetype", {"content_type": "Text/Plain; charset=UTF-8"}, "text/plain"),
        ("mimetype_params", {"content_type": "text/plain; charset=UTF-8"}, {"charset": "UTF-8"}),
        ("content_type", {"content_type": "text/plain; charset=UTF-8"}, "text/plain; charset=UTF-8"),
        ("content_length", {"data": "abcd"}, 4),
        ("remote_addr", {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}, "10.1.2.3"),
        ("referrer", {"headers": {"Referer": "https://example.com/from"}}, "https://example.com/from"),
    ],
    ids=["mimetype-lowered", "mimetype-params", "content-type-raw", "content-length", "remote-addr",
         "referrer"],
)
def test_header_attribute_reads_its_header(app, client, attribute, options, expected):
    serve(app, lambda: getattr(request, attribute))
    assert value(client.post("/", **options)) == expected


def test_cookies_are_parsed_from_the_cookie_header(app):
    serve(app, lambda: request.cookies.to_dict())
    response = app.test_client(use_cookies=False).get("/", headers={"Cookie": 'a=1; b="x y"'})
    assert value(response) == {"a": "1", "b": "x y"}


@pytest.mark.parametrize(
    ("read", "headers", "expected"),
    [
        (lambda: request.headers["x-custom"], {"X-Custom": "v"}, "v"),
        (lambda: list(request.access_route), {"X-Forwarded-For": "1.2.3.4, 10.0.0.1"},
         ["1.2.3.4", "10.0.0.1"]),
        (lambda: list(request.access_route), {}, ["127.0.0.1"]),
        (lambda: str(request.user_agent), {"User-Agent": "bot/1.0"}, "bot/1.0"),
        (lambda: request.if_modified_since.isoformat(),
         {"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}, "2015-10-21T07:28:00+00:00"),
        (lambda: request.if_modified_since, {"If-Modified-Since": "yesterday"}, None),
        (lambda: ["a" in request.if_none_match, "b" in request.if_none_match,
                  request.if_none_match.contains_weak("b")],
         {"If-None-Match": '"a", W/"b"'}, [True, False, True]),
        (lambda: [list(span) for span in request.range.ranges], {"Range": "bytes=0-4,10-"},
         [[0, 5], [10, None]]),
        (lambda: request.content_length, {}, None),
    ],
    ids=["headers-case-insensitive", "access-route-forwarded", "access-route-remote-addr", "user-agent",
         "if-modified-since-utc", "if-modified-since-unparsable", "if-none-match-strong-and-weak",
         "range-byte-ranges", "content-length-none-without-body"],
)
def test_header_attribute_of_a_get_request_is_parsed(app, client, read, headers, expected):
    serve(app, read)
    assert value(client.get("/", headers=headers)) == expected


@pytest.mark.parametrize(
    ("read", "options", "expected"),
    [
        (lambda: [request.authorization.type, request.authorization.username, request.authorization.password],
         {"auth": ("ada", "pass:word")}, ["basic", "ada", "pass:word"]),
        (lambda: [request.authorization.type, request.authorization.token],
         {"headers": {"Authorization": "Bearer abc.def"}}, ["bearer", "abc.def"]),
        (lambda: request.authorization, {}, None),
    ],
    ids=["basic-gives-credentials", "bearer-gives-token", "none-without-header"],
)
def test_authorization_parses_the_header(app, client, read, options, expected):
    serve(app, read)
    assert value(client.get("/", **options)) == expected


@pytest.mark.parametrize(
    ("attribute", "header", "offered", "expected"),
    [
        ("accept_mimetypes", ("Accept", "text/html;q=0.5, application/json;q=0.9"),
         ["text/html", "application/json"], "application/json"),
        ("accept_languages", ("Accept-Language", "fr;q=0.5, de"), ["fr", "de"], "de"),
        ("accept_charsets", ("Accept-Charset", "utf-8, latin-1;q=0.5"), ["latin-1", "utf-8"], "utf-8"),
    ],
    ids=["mimetypes", "languages", "charsets"],
)
def test_accept_best_match_prefers_the_higher_quality(app, client, attribute, header, offered, expected):
    serve(app, lambda: getattr(request, attribute).best_match(offered))
    assert value(client.get("/", headers=[header])) == expected


# -- Routing results ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda: request.endpoint, "show_item"),
        (lambda: request.view_args, {"item_id": 3}),
        (lambda: request.url_rule.rule, "/items/<int:item_id>"),
        (lambda: request.blueprint, None),
    ],
    ids=["endpoint", "view-args", "url-rule", "blueprint-none-for-an-app-route"],
)
def test_routing_attribute_describes_the_matched_rule(app, client, read, expected):
    @app.route("/items/<int:item_id>")
    def show_item(item_id):
        return {"value": read()}

    assert value(client.get("/items/3")) == expected


# -- Bad input never gives a 500 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "read", "expected"),
    [
        ("/%zz", lambda: request.path, "/%zz"),
        ("/x%ffy", lambda: request.path, "/x\ufffdy"),
        ("/?a=%zz", lambda: request.args["a"], "%zz"),
        ("/?a=x%ffy", lambda: request.args["a"], "x\ufffdy"),
        ("/?a=1;b=2", lambda: request.args.to_dict(), {"a": "1;b=2"}),
        ("/?q=a+b%2Bc", lambda: request.args["q"], "a b+c"),
    ],
    ids=["path-malformed-escape-kept", "path-bad-utf8-replaced", "query-malformed-escape-kept",
         "query-bad-utf8-replaced", "query-semicolon-is-not-a-separator", "query-plus-is-a-space"],
)
def test_odd_bytes_in_the_url_are_decoded_leniently(app, client, url, read, expected):
    serve(app, read)
    assert value(client.get(url)) == expected


def test_invalid_utf8_in_form_becomes_the_replacement_character(app, client):
    serve(app, lambda: request.form["a"])
    response = client.post("/", data=b"a=x%ffy", content_type="application/x-www-form-urlencoded")
    assert value(response) == "x\ufffdy"


def test_cookie_without_a_name_is_skipped(app):
    serve(app, lambda: request.cookies.to_dict())
    response = app.test_client(use_cookies=False).get("/", headers={"Cookie": "=orphan; good=1"})
    assert value(response) == {"good": "1"}


def test_nameless_cookie_cannot_shadow_a_host_prefixed_cookie(app):
    serve(app, lambda: request.cookies.getlist("__Host-sid"))
    cookie = "=__Host-sid=evil; __Host-sid=real"
    response = app.test_client(use_cookies=False).get("/", headers={"Cookie": cookie})
    assert value(response) == ["real"]


@pytest.mark.parametrize(
    "content_type",
    [";;;=", "text/plain; charset", 'application/x-www-form-urlencoded; charset="'],
)
def test_malformed_content_type_gives_a_readable_form(app, client, content_type):
    serve(app, lambda: len(request.form))
    assert client.post("/", data="a=1", content_type=content_type).status_code == 200


@pytest.mark.parametrize("content_type", ['multipart/form-data; boundary="', "multipart/form-data"])
def test_multipart_body_without_a_usable_boundary_is_400(app, client, content_type):
    serve(app, lambda: len(request.form))
    response = client.post("/", data="a=1", content_type=content_type)
    assert response.status_code == 400
    assert b"boundary" in response.data


def test_invalid_json_is_400_with_the_decoder_message(app, client):
    serve(app, lambda: request.json)
    response = client.post("/", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert "Failed to decode JSON object" in response.text


def test_deeply_nested_json_is_400_not_a_recursion_error(app, client):
    serve(app, lambda: request.json)
    response = client.post("/", data="[" * 100_000, content_type="application/json")
    assert response.status_code == 400


def test_get_json_after_a_silent_failure_still_raises_400(app, client):
    serve(app, lambda: [request.get_json(silent=True), request.get_json()])
    assert client.post("/", data="{oops", content_type="application/json").status_code == 400


def test_json_body_of_another_content_type_is_415(app, client):
    serve(app, lambda: request.json)
    response = client.post("/", data="{}", content_type="text/plain")
    assert response.status_code == 415
    assert "application/json" in response.text


@pytest.mark.parametrize(
    ("read", "options"),
    [
        (lambda: request.form.to_dict(),
         {"data": "a=1", "headers": {"Content-Length": "11"},
          "content_type": "application/x-www-form-urlencoded"}),
        (lambda: request.get_data(as_text=True), {"data": "x" * 11}),
        (lambda: request.get_data(as_text=True),
         {"data": "x" * 20, "headers": {"Transfer-Encoding": "chunked"},
          "environ_overrides": {"wsgi.input_terminated": True}}),
    ],
    ids=["declared-length-before-reading", "get-data", "unsized-body-while-streaming"],
)
def test_body_over_max_content_length_is_413(app, client, read, options):
    app.config["MAX_CONTENT_LENGTH"] = 10
    serve(app, read)
    assert client.post("/", **options).status_code == 413


def test_non_numeric_content_length_gives_an_empty_body(app):
    serve(app, lambda: request.get_data(as_text=True))
    # wsgiref.validate rejects this environ itself, so the app is called without it.
    environ = create_environ("/", method="POST", data="body")
    environ["CONTENT_LENGTH"] = "ten"
    statuses = []
    body = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["200 OK"]
    assert body == b'{"value":""}\n'


# -- Response: body and status ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [("héllo", "héllo".encode()), (b"\x00\xff", b"\x00\xff"), (["a", b"b", "c"], b"abc")],
    ids=["str-as-utf8", "bytes-as-is", "iterable-joined"],
)
def test_response_body_becomes_bytes(body, expected):
    assert Response(body).get_data() == expected


def test_generator_body_is_streamed_without_content_length(app, client):
    @app.route("/")
    def index():
        return Response(chunk for chunk in ["one ", "two"])

    response = client.get("/")
    assert response.data == b"one two"
    assert "Content-Length" not in response.headers


def test_int_status_gets_its_reason_phrase():
    assert Response("x", status=201).status == "201 CREATED"


def test_string_status_keeps_a_custom_reason():
    response = Response("x", status="299 Custom Thing")
    assert (response.status, response.status_code) == ("299 Custom Thing", 299)


def test_setting_status_code_updates_the_status_line():
    response = Response("x")
    response.status_code = 418
    assert response.status == "418 I'M A TEAPOT"


def test_headers_given_to_a_response_are_sent(app, client):
    @app.route("/")
    def index():
        return Response("x", headers={"X-Custom": "yes"})

    assert client.get("/").headers["X-Custom"] == "yes"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "text/html; charset=utf-8"),
        ({"mimetype": "text/plain"}, "text/plain; charset=utf-8"),
        ({"mimetype": "application/json"}, "application/json"),
        ({"content_type": "text/plain"}, "text/plain"),
    ],
    ids=["default-html", "text-gets-charset", "non-text-no-charset", "content-type-verbatim"],
)
def test_response_content_type_follows_mimetype_and_content_type(options, expected):
    assert Response("x", **options).content_type == expected


def test_set_data_replaces_the_body_and_content_length():
    response = Response("old body")
    response.set_data("new")
    assert (response.get_data(), response.content_length) == (b"new", 3)


def test_get_data_as_text_decodes_the_body():
    assert Response("héllo").get_data(as_text=True) == "héllo"


def test_response_json_parses_a_json_body():
    assert Response('{"a": 1}', mimetype="application/json").json == {"a": 1}


def test_response_json_is_none_for_a_non_json_body():
    assert Response('{"a": 1}', mimetype="text/plain").json is None


def test_location_property_sets_the_header():
    response = Response("x", status=302)
    response.location = "/next"
    assert response.headers["Location"] == "/next"


def test_cache_control_changes_rewrite_the_header():
    response = Response("x")
    response.cache_control.max_age = 60
    response.cache_control.public = True
    assert set(response.headers["Cache-Control"].split(", ")) == {"max-age=60", "public"}


def test_cache_control_reads_an_existing_header():
    assert Response("x", headers={"Cache-Control": "max-age=5"}).cache_control.max_age == 5


# -- Response: cookies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "sid=abc; Path=/"),
        ({"path": "/admin"}, "sid=abc; Path=/admin"),
        ({"domain": "example.com"}, "sid=abc; Domain=example.com; Path=/"),
        ({"secure": True}, "sid=abc; Secure; Path=/"),
        ({"httponly": True}, "sid=abc; HttpOnly; Path=/"),
        ({"samesite": "lax"}, "sid=abc; Path=/; SameSite=Lax"),
        ({"partitioned": True}, "sid=abc; Secure; Path=/; Partitioned"),
        ({"expires": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)},
         "sid=abc; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/"),
    ],
)
def test_set_cookie_writes_each_option_into_the_header(options, expected):
    response = Response("x")
    response.set_cookie("sid", "abc", **options)
    assert response.headers.getlist("Set-Cookie") == [expected]


def test_set_cookie_max_age_also_sets_a_matching_expires():
    response = Response("x")
    response.set_cookie("sid", "abc", max_age=3600)
    header = response.headers["Set-Cookie"]
    assert "; Max-Age=3600; " in header
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    assert abs(expires - datetime.now(timezone.utc) - timedelta(hours=1)) < timedelta(seconds=5)


def test_set_cookie_quotes_a_value_with_separators():
    response = Response("x")
    response.set_cookie("sid", "a b;c")
    assert response.headers["Set-Cookie"] == 'sid="a b\\073c"; Path=/'


def test_delete_cookie_sends_an_empty_cookie_that_expired():
    response = Response("x")
    response.delete_cookie("sid", path="/app")
    expected = "sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app"
    assert response.headers["Set-Cookie"] == expected


# -- Response: conditional requests -------------------------------------------------------------


@pytest.fixture
def conditional(app):
    """``/doc`` serves "hello world" with an ETag and Last-Modified, answering conditionals."""

    @app.route("/doc")
    def doc():
        response = Response("hello world", mimetype="text/plain")
        response.add_etag()
        response.last_modified = datetime(2020, 1, 1, tzinfo=timezone.utc)
        return response.make_conditional(request, accept_ranges=True)

    return app


def test_add_etag_derives_the_etag_from_the_body():
    first, second = Response("one"), Response("two")
    first.add_etag()
    second.add_etag()
    assert first.headers["ETag"].startswith('"')
    assert first.headers["ETag"] != second.headers["ETag"]


def test_matching_if_none_match_gives_304_without_body(conditional, client):
    etag = client.get("/doc").headers["ETag"]
    response = client.get("/doc", headers={"If-None-Match": etag})
    assert (response.status_code, response.data) == (304, b"")


def test_failing_if_match_gives_412(conditional, client):
    assert client.get("/doc", headers={"If-Match": '"other"'}).status_code == 412


@pytest.mark.parametrize("own_etag, if_range, status", [
    ('"v1"', '"v1"', 206),
    ('W/"v1"', '"v1"', 200),  # a weak validator never matches If-Range (RFC 9110 13.1.5)
    ('"v1"', 'W/"v1"', 200),
    ('"v1"', '"v2"', 200),
])
def test_if_range_needs_a_strong_etag_match(app, client, own_etag, if_range, status):
    @app.route("/tagged")
    def tagged():
        response = Response("hello world", mimetype="text/plain")
        response.headers["ETag"] = own_etag
        return response.make_conditional(request, accept_ranges=True)

    response = client.get("/tagged", headers={"Range": "bytes=0-4", "If-Range": if_range})
    assert response.status_code == status
    assert response.data == (b"hello" if status == 206 else b"hello world")


def test_range_request_gives_206_with_content_range(conditional, client):
    response = client.get("/doc", headers={"Range": "bytes=0-4"})
    assert (response.status_code, response.data) == (206, b"hello")
    assert response.headers["Content-Range"] == "bytes 0-4/11"


def test_unsatisfiable_range_gives_416(conditional, client):
    response = client.get("/doc", headers={"Range": "bytes=50-60"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */11"


def test_if_modified_since_not_before_last_modified_gives_304(conditional, client):
    response = client.get("/doc", headers={"If-Modified-Since": "Wed, 01 Jan 2020 00:00:00 GMT"})
    assert response.status_code == 304


def test_if_modified_since_before_last_modified_gives_the_body(conditional, client):
    response = client.get("/doc", headers={"If-Modified-Since": "Tue, 01 Jan 2019 00:00:00 GMT"})
    assert (response.status_code, response.data) == (200, b"hello world")


# -- Response: what is sent ---------------------------------------------------------------------


def test_head_response_has_the_headers_but_no_body(app, client):
    @app.route("/")
    def index():
        return "body"

    response = client.head("/")
    assert (response.data, response.headers["Content-Length"]) == (b"", "4")


@pytest.mark.parametrize("status", [204, 304])
def test_bodiless_status_has_no_content_type_or_length(app, client, status):
    @app.route("/")
    def index():
        return "ignored", status

    response = client.get("/")
    assert response.data == b""
    assert "Content-Type" not in response.headers
    assert "Content-Length" not in response.headers


def test_header_value_with_a_newline_raises_value_error():
    response = Response("x")
    with pytest.raises(ValueError):
        response.headers["X-Evil"] = "a\r\nSet-Cookie: admin=1"


def test_view_setting_a_header_with_a_newline_fails_instead_of_sending_it(app, client):
    @app.route("/")
    def index():
        response = Response("x")
        response.headers["X-Evil"] = "a\nSet-Cookie: admin=1"
        return response

    with pytest.raises(ValueError):
        client.get("/")


def test_close_calls_close_on_the_wrapped_iterable():
    class Body:
        closed = False

        def __iter__(self):
            return iter([b"x"])

        def close(self):
            self.closed = True

    body = Body()
    Response(body).close()
    assert body.closed


def test_call_on_close_functions_run_once_the_response_is_closed(app, client):
    calls = []

    @app.route("/")
    def index():
        response = Response("x")
        response.call_on_close(lambda: calls.append("closed"))
        return response

    client.get("/").close()
    assert calls == ["closed"]


def test_vary_is_a_live_header_set(app, client):
    @app.route("/")
    def index():
        response = Response("x")
        response.vary.add("Cookie")
        response.vary.add("Accept-Encoding")
        response.vary.add("cookie")
        return response

    assert client.get("/").headers["Vary"] == "Cookie, Accept-Encoding"


def test_a_held_vary_set_keeps_writing_back_until_it_is_empty():
    response = Response("x", headers={"Vary": "Accept, Origin"})
    vary = response.vary
    vary.discard("accept")
    assert response.headers.getlist("Vary") == ["Origin"]
    vary.add("Cookie")
    assert response.headers.getlist("Vary") == ["Origin, Cookie"]
    vary.clear()
    assert "Vary" not in response.headers


def test_a_vary_token_holding_a_newline_is_refused():
    response = Response("x")
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        response.vary.add("Cookie\r\nSet-Cookie: admin=1")
    assert "Set-Cookie" not in response.headers


def test_allow_can_be_assigned_and_cleared():
    response = Response("x")
    response.allow = ["GET", "POST"]
    assert response.headers["Allow"] == "GET, POST"
    assert "post" in response.allow
    response.allow = None
    assert "Allow" not in response.headers


def test_nul_in_accept_charset_is_not_a_500(app, client):
    @app.route("/")
    def index():
        return request.accept_charsets.best_match(["utf-8"]) or "none"

    response = client.get("/", environ_overrides={"HTTP_ACCEPT_CHARSET": "\x00, utf-8"})
    assert response.status_code == 200
    assert response.text == "utf-8"
