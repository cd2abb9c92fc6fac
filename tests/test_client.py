"""The test client: building requests, following redirects, the cookie jar, kept contexts and
the response it hands back."""

from __future__ import annotations

import pytest

from microflask import Flask, Response, g, has_request_context, redirect, request
from microflask.test import ClientRedirectError

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.fixture
def echo(app):
    """``/echo`` answers with what it received: method, args, form, body, headers."""

    @app.route("/echo", methods=ALL_METHODS)
    def echo_view():
        return {
            "method": request.method,
            "args": request.args.to_dict(flat=False),
            "form": request.form.to_dict(flat=False),
            "body": request.get_data(as_text=True),
            "content_type": request.content_type,
            "x_test": request.headers.get("X-Test"),
        }

    return app


@pytest.fixture
def cookies(app):
    """``/set?k=&v=&...`` sets a cookie; ``/<path>`` answers with the Cookie header it got."""

    @app.route("/set", defaults={"rest": ""})
    @app.route("/set/<path:rest>")
    def set_cookie(rest):
        response = Response("set")
        options = {key: request.args[key] for key in ("path", "domain") if key in request.args}
        for key in ("max_age", "expires"):
            if key in request.args:
                options[key] = int(request.args[key])
        response.set_cookie(request.args.get("k", "c"), request.args.get("v", "1"),
                            secure="secure" in request.args, **options)
        return response

    @app.route("/forget")
    def forget():
        response = Response("forgotten")
        response.delete_cookie(request.args.get("k", "c"))
        return response

    @app.route("/", defaults={"rest": ""})
    @app.route("/<path:rest>")
    def show(rest):
        return request.headers.get("Cookie", "-")

    return app


# -- Building requests --------------------------------------------------------------------------


def test_open_uses_the_method_argument(echo, client):
    assert client.open("/echo", method="PATCH").json["method"] == "PATCH"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "head", "options"])
def test_method_helpers_send_their_http_method(app, client, method):
    @app.route("/", methods=[*ALL_METHODS])
    def index():
        return "", 200, {"X-Method": request.method}

    assert getattr(client, method)("/").headers["X-Method"] == method.upper()


def test_query_string_dict_repeats_list_values(echo, client):
    response = client.get("/echo", query_string={"tag": ["a", "b"], "q": "x y"})
    assert response.json["args"] == {"tag": ["a", "b"], "q": ["x y"]}


def test_query_string_str_is_sent_as_is(echo, client):
    assert client.get("/echo", query_string="a=1&a=2").json["args"] == {"a": ["1", "2"]}


def test_query_string_in_both_path_and_argument_is_a_value_error(echo, client):
    with pytest.raises(ValueError):
        client.get("/echo?a=1", query_string={"b": "2"})


def test_data_dict_is_sent_as_a_urlencoded_form(echo, client):
    data = client.post("/echo", data={"name": "Ada", "tag": ["a", "b"]}).json
    assert data["content_type"] == "application/x-www-form-urlencoded"
    assert data["form"] == {"name": ["Ada"], "tag": ["a", "b"]}


def test_data_str_is_sent_as_a_utf8_body(echo, client):
    assert client.post("/echo", data="héllo").json["body"] == "héllo"


def test_data_bytes_are_sent_unchanged(echo, client):
    assert client.post("/echo", data=b"raw\x01").json["body"] == "raw\x01"


def test_json_argument_sends_json_with_its_content_type(echo, client):
    data = client.post("/echo", json={"a": [1, 2]}).json
    assert (data["content_type"], data["body"]) == ("application/json", '{"a": [1, 2]}')


def test_json_and_data_together_is_a_type_error(echo, client):
    with pytest.raises(TypeError):
        client.post("/echo", json={}, data="x")


def test_headers_are_sent_to_the_app(echo, client):
    assert client.get("/echo", headers={"X-Test": "yes"}).json["x_test"] == "yes"


def test_repeated_headers_arrive_joined_with_commas(echo, client):
    assert client.get("/echo", headers=[("X-Test", "1"), ("X-Test", "2")]).json["x_test"] == "1, 2"


def test_content_type_argument_sets_the_request_content_type(echo, client):
    assert client.post("/echo", data="a,b", content_type="text/csv").json["content_type"] == "text/csv"


def test_environ_base_sets_keys_of_the_environ(app, client):
    @app.route("/")
    def index():
        return request.remote_addr

    assert client.get("/", environ_base={"REMOTE_ADDR": "10.9.8.7"}).text == "10.9.8.7"


def test_client_sends_a_loopback_remote_addr_by_default(app, client):
    @app.route("/")
    def index():
        return request.remote_addr

    assert client.get("/").text == "127.0.0.1"


# -- Redirects ----------------------------------------------------------------------------------


@pytest.fixture
def redirects(echo):
    """``/to/<code>`` redirects to ``/echo`` with that code; ``/chain`` redirects twice."""

    @echo.route("/to/<int:code>", methods=ALL_METHODS)
    def to(code):
        return redirect("/echo", code)

    @echo.route("/chain")
    def chain():
        return redirect("/to/302", 301)

    @echo.route("/loop/a")
    def loop_a():
        return redirect("/loop/b")

    @echo.route("/loop/b")
    def loop_b():
        return redirect("/loop/a")

    return echo


def test_redirect_is_not_followed_by_default(redirects, client):
    response = client.get("/to/302")
    assert (response.status_code, response.location) == (302, "/echo")


def test_follow_redirects_returns_the_final_response(redirects, client):
    assert client.get("/chain", follow_redirects=True).json["method"] == "GET"


def test_history_holds_each_redirect_response_in_order(redirects, client):
    response = client.get("/chain", follow_redirects=True)
    assert [r.status_code for r in response.history] == [301, 302]


def test_history_is_empty_without_redirects(redirects, client):
    assert client.get("/echo", follow_redirects=True).history == ()


def test_followed_response_request_is_the_last_request(redirects, client):
    assert client.get("/chain", follow_redirects=True).request.path == "/echo"


def test_redirect_loop_raises_client_redirect_error(redirects, client):
    with pytest.raises(ClientRedirectError, match="Loop detected"):
        client.get("/loop/a", follow_redirects=True)


def test_redirect_to_another_host_is_not_followed(app, client):
    @app.route("/")
    def index():
        return redirect("https://elsewhere.example/")

    with pytest.raises(RuntimeError, match="external"):
        client.get("/", follow_redirects=True)


@pytest.mark.parametrize("code", [307, 308])
def test_307_and_308_keep_the_method_and_body(redirects, client, code):
    data = client.post(f"/to/{code}", data="payload", content_type="text/plain", follow_redirects=True).json
    assert (data["method"], data["body"], data["content_type"]) == ("POST", "payload", "text/plain")


@pytest.mark.parametrize("code", [301, 302, 303])
def test_301_302_and_303_turn_a_post_into_a_bodiless_get(redirects, client, code):
    data = client.post(f"/to/{code}", data="payload", content_type="text/plain", follow_redirects=True).json
    assert (data["method"], data["body"], data["content_type"]) == ("GET", "", None)


def test_redirect_keeps_the_request_headers(redirects, client):
    response = client.get("/to/302", headers={"X-Test": "kept"}, follow_redirects=True)
    assert response.json["x_test"] == "kept"


def test_head_stays_head_across_a_redirect(redirects, client):
    assert client.head("/to/302", follow_redirects=True).request.method == "HEAD"


def test_cookie_set_by_a_redirect_reaches_its_target(app, client):
    @app.route("/login")
    def login():
        response = redirect("/home")
        response.set_cookie("sid", "abc")
        return response

    @app.route("/home")
    def home():
        return request.cookies.get("sid", "-")

    assert client.get("/login", follow_redirects=True).text == "abc"


# -- The cookie jar -----------------------------------------------------------------------------


def test_cookie_set_by_a_response_is_sent_on_the_next_request(cookies, client):
    client.get("/set?v=abc")
    assert client.get("/anywhere").text == "c=abc"


def test_cookie_with_a_path_is_sent_only_under_that_path(cookies, client):
    client.get("/set?path=/admin")
    sent = [client.get(path).text for path in ("/", "/admin", "/admin/users", "/administrator")]
    assert sent == ["-", "c=1", "c=1", "-"]


def test_cookie_for_a_domain_is_sent_to_its_subdomains(cookies, client):
    client.get("/set?domain=example.com", base_url="http://example.com/")
    assert client.get("/", base_url="http://api.example.com/").text == "c=1"


def test_cookie_for_a_domain_is_not_sent_to_other_hosts(cookies, client):
    client.get("/set?domain=example.com", base_url="http://example.com/")
    assert client.get("/", base_url="http://example.org/").text == "-"


def test_host_only_cookie_is_not_sent_to_subdomains(cookies, client):
    client.get("/set", base_url="http://example.com/")
    assert client.get("/", base_url="http://api.example.com/").text == "-"


def test_cookie_set_with_max_age_zero_is_removed(cookies, client):
    client.get("/set")
    client.get("/set?max_age=0")
    assert client.get("/").text == "-"


def test_cookie_set_with_expires_in_the_past_is_removed(cookies, client):
    client.get("/set")
    client.get("/set?expires=1000")
    assert client.get("/").text == "-"


def test_delete_cookie_in_a_response_removes_it_from_the_jar(cookies, client):
    client.get("/set")
    client.get("/forget")
    assert client.get("/").text == "-"


def test_later_cookie_replaces_an_earlier_one_with_the_same_name(cookies, client):
    client.get("/set?v=old")
    client.get("/set?v=new")
    assert client.get("/").text == "c=new"


def test_secure_cookie_is_sent_only_over_https(cookies, client):
    client.get("/set?secure=1", base_url="https://localhost/")
    sent = [client.get("/", base_url=url).text for url in ("http://localhost/", "https://localhost/")]
    assert sent == ["-", "c=1"]


def test_quoted_cookie_value_reaches_the_app_unquoted(app, client):
    @app.route("/set")
    def set_cookie():
        response = Response("set")
        response.set_cookie("note", 'a;b "c" é')
        return response

    @app.route("/")
    def show():
        return request.cookies["note"]

    client.get("/set")
    assert client.get("/").text == 'a;b "c" é'


def test_client_set_cookie_is_sent_to_the_app(cookies, client):
    client.set_cookie("flavour", "oat")
    assert client.get("/").text == "flavour=oat"


def test_client_set_cookie_domain_limits_where_it_is_sent(cookies, client):
    client.set_cookie("flavour", "oat", domain="example.com")
    sent = [client.get("/", base_url=url).text for url in ("http://localhost/", "http://example.com/")]
    assert sent == ["-", "flavour=oat"]


def test_client_set_cookie_path_limits_where_it_is_sent(cookies, client):
    client.set_cookie("flavour", "oat", path="/shop")
    assert [client.get(path).text for path in ("/", "/shop/cart")] == ["-", "flavour=oat"]


def test_get_cookie_returns_the_stored_cookie(cookies, client):
    client.get("/set?k=sid&v=abc")
    assert client.get_cookie("sid").value == "abc"


def test_get_cookie_returns_none_for_an_unknown_cookie(client):
    assert client.get_cookie("missing") is None


def test_get_cookie_matches_the_domain_and_path_it_was_stored_under(client):
    client.set_cookie("flavour", "oat", domain="example.com", path="/shop")
    assert client.get_cookie("flavour") is None
    assert client.get_cookie("flavour", domain="example.com", path="/shop").value == "oat"


def test_client_delete_cookie_stops_sending_it(cookies, client):
    client.set_cookie("flavour", "oat")
    client.delete_cookie("flavour")
    assert client.get("/").text == "-"


def test_client_without_cookies_does_not_store_them(cookies, app):
    client = app.test_client(use_cookies=False)
    client.get("/set")
    assert client.get("/").text == "-"


def test_get_cookie_without_cookies_is_a_type_error(app):
    with pytest.raises(TypeError, match="use_cookies"):
        app.test_client(use_cookies=False).get_cookie("c")


# -- Keeping the request context ----------------------------------------------------------------


@pytest.fixture
def remembers(app):
    @app.route("/")
    def index():
        g.seen = request.args.get("n")
        return "ok"

    return app


def test_with_client_keeps_the_last_request(remembers, client):
    with client:
        client.get("/?n=1")
        client.get("/?n=2")
        assert request.args["n"] == "2"


def test_with_client_keeps_g_of_the_last_request(remembers, client):
    with client:
        client.get("/?n=1")
        client.get("/?n=2")
        assert g.seen == "2"


def test_request_context_ends_with_the_with_block(remembers, client):
    with client:
        client.get("/?n=1")
    assert not has_request_context()


def test_no_request_context_remains_without_a_with_block(remembers, client):
    client.get("/?n=1")
    assert not has_request_context()


def test_nested_with_client_is_a_runtime_error(client):
    with client:
        with pytest.raises(RuntimeError):
            with client:
                pass


# -- The response -------------------------------------------------------------------------------


@pytest.fixture
def answer(app):
    @app.route("/")
    def index():
        return {"greeting": "héllo"}, 201, {"X-Extra": "1"}

    @app.route("/away")
    def away():
        return redirect("/elsewhere")

    @app.route("/text")
    def text():
        return "héllo"

    return app


def test_response_data_is_the_body_bytes(answer, client):
    assert client.get("/text").data == "héllo".encode()


def test_response_text_is_the_decoded_body(answer, client):
    assert client.get("/text").text == "héllo"


def test_response_json_parses_a_json_body(answer, client):
    assert client.get("/").json == {"greeting": "héllo"}


def test_response_get_json_parses_a_json_body(answer, client):
    assert client.get("/").get_json() == {"greeting": "héllo"}


def test_response_status_code_and_status_line(answer, client):
    response = client.get("/")
    assert (response.status_code, response.status) == (201, "201 CREATED")


def test_response_headers_are_readable_case_insensitively(answer, client):
    assert client.get("/").headers["x-extra"] == "1"


def test_response_mimetype_is_the_content_type_without_parameters(answer, client):
    assert client.get("/away").mimetype == "text/html"


def test_response_location_is_the_redirect_target(answer, client):
    assert client.get("/away").location == "/elsewhere"


def test_response_request_is_the_request_that_was_sent(answer, client):
    sent = client.delete("/away?x=1").request
    assert (sent.method, sent.path, sent.args["x"]) == ("DELETE", "/away", "1")


def test_absolute_url_sets_scheme_host_and_path_of_the_request():
    app = Flask(__name__)

    @app.route("/where")
    def where():
        return f"{request.scheme} {request.host} {request.path} {request.args['q']}"

    response = app.test_client().get("https://cdn.example.com/where?q=1")
    assert response.text == "https cdn.example.com /where 1"
