"""ProxyFix and DispatcherMiddleware, through the test client and as plain WSGI callables.

The ProxyFix vectors at the top were produced by running Werkzeug 3.1's ProxyFix on the same
environs; the cases where microflask deliberately differs (garbage values are ignored, schemes
are lower-cased, the prefix is prepended without its trailing slash) are tested separately below.
"""

from __future__ import annotations

import pytest

from microflask import Flask, request, url_for
from microflask.exceptions import NotFound
from microflask.middleware import MAX_FORWARDED_ITEMS, DispatcherMiddleware, ProxyFix

SERVER = {
    "REMOTE_ADDR": "10.0.0.1", "wsgi.url_scheme": "http", "HTTP_HOST": "internal:8000",
    "SERVER_NAME": "internal", "SERVER_PORT": "8000", "SCRIPT_NAME": "", "PATH_INFO": "/p",
}
FIXED_KEYS = ("REMOTE_ADDR", "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")


def run_proxy_fix(headers: dict, **hops: int) -> dict:
    """The environ keys ProxyFix may change, as the wrapped app sees them."""
    seen: dict = {}

    def inner(environ, start_response):
        seen.update(environ)
        start_response("204 No Content", [])
        return []

    environ = dict(SERVER, **headers)
    ProxyFix(inner, **hops)(environ, lambda status, headers, exc_info=None: None)
    return {key: seen.get(key) for key in FIXED_KEYS + ("werkzeug.proxy_fix.orig",)}


@pytest.fixture
def echo_app(app):
    """An app whose one view reports what the request looks like after the middleware."""

    @app.route("/echo")
    def echo():
        return {
            "remote_addr": request.remote_addr,
            "scheme": request.scheme,
            "host": request.host,
            "root_path": request.root_path,
            "script_root": request.script_root,
            "url": request.url,
            "external": url_for("echo", _external=True),
            "is_secure": request.is_secure,
        }

    return app


def get_echo(app, headers=None, environ_base=None, base_url=None, **hops):
    app.wsgi_app = ProxyFix(app.wsgi_app, **hops)
    client = app.test_client()
    response = client.get("/echo", headers=headers or {}, environ_base=environ_base, base_url=base_url)
    assert response.status_code == 200
    return response.json


# -- Werkzeug vectors ---------------------------------------------------------------------------

WERKZEUG_VECTORS = [
    ({"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, {}, {"REMOTE_ADDR": "1.1.1.1"}),
    ({"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, {}, {"REMOTE_ADDR": "2.2.2.2"}),
    ({"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, {"x_for": 2}, {"REMOTE_ADDR": "1.1.1.1"}),
    ({"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, {"x_for": 2}, {}),
    ({"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, {"x_for": 0}, {}),
    ({"HTTP_X_FORWARDED_FOR": ""}, {}, {}),
    ({"HTTP_X_FORWARDED_FOR": " , "}, {}, {}),
    ({"HTTP_X_FORWARDED_FOR": "a,,b"}, {"x_for": 2}, {"REMOTE_ADDR": "a"}),
    ({"HTTP_X_FORWARDED_FOR": "a, ,"}, {}, {"REMOTE_ADDR": "a"}),
    ({"HTTP_X_FORWARDED_FOR": "a,  b  "}, {}, {"REMOTE_ADDR": "b"}),
    ({"HTTP_X_FORWARDED_PROTO": "https"}, {}, {"wsgi.url_scheme": "https"}),
    ({"HTTP_X_FORWARDED_PROTO": "https,http"}, {}, {"wsgi.url_scheme": "http"}),
    ({"HTTP_X_FORWARDED_PROTO": "https,http"}, {"x_proto": 2}, {"wsgi.url_scheme": "https"}),
    ({"HTTP_X_FORWARDED_PROTO": ""}, {}, {}),
    ({"HTTP_X_FORWARDED_HOST": "example.com"}, {"x_host": 1},
     {"HTTP_HOST": "example.com", "SERVER_NAME": "example.com"}),
    ({"HTTP_X_FORWARDED_HOST": "example.com"}, {}, {}),
    ({"HTTP_X_FORWARDED_HOST": "example.com:8443"}, {"x_host": 1},
     {"HTTP_HOST": "example.com:8443", "SERVER_NAME": "example.com", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_HOST": "[::1]:8443"}, {"x_host": 1},
     {"HTTP_HOST": "[::1]:8443", "SERVER_NAME": "[::1]", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_HOST": "[::1]"}, {"x_host": 1}, {"HTTP_HOST": "[::1]", "SERVER_NAME": "[::1]"}),
    ({"HTTP_X_FORWARDED_HOST": "a.com, b.com"}, {"x_host": 1},
     {"HTTP_HOST": "b.com", "SERVER_NAME": "b.com"}),
    ({"HTTP_X_FORWARDED_HOST": ""}, {"x_host": 1}, {}),
    ({"HTTP_X_FORWARDED_PORT": "8443"}, {"x_port": 1}, {"HTTP_HOST": "internal:8443", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": " 8443 "}, {"x_port": 1},
     {"HTTP_HOST": "internal:8443", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": "1, 2"}, {"x_port": 2}, {"HTTP_HOST": "internal:1", "SERVER_PORT": "1"}),
    ({"HTTP_X_FORWARDED_PORT": "1, 2"}, {"x_port": 3}, {}),
    ({"HTTP_X_FORWARDED_PORT": "8443", "HTTP_HOST": "internal"}, {"x_port": 1},
     {"HTTP_HOST": "internal:8443", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": "8443", "HTTP_HOST": "[::1]:80"}, {"x_port": 1},
     {"HTTP_HOST": "[::1]:8443", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": "8443", "HTTP_HOST": "[::1]"}, {"x_port": 1},
     {"HTTP_HOST": "[::1]:8443", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": "8443", "HTTP_X_FORWARDED_HOST": "ex.com:9"}, {"x_port": 1, "x_host": 1},
     {"HTTP_HOST": "ex.com:8443", "SERVER_NAME": "ex.com", "SERVER_PORT": "8443"}),
    ({"HTTP_X_FORWARDED_PORT": ""}, {"x_port": 1}, {}),
    ({"HTTP_X_FORWARDED_PREFIX": "/app"}, {"x_prefix": 1}, {"SCRIPT_NAME": "/app"}),
    ({"HTTP_X_FORWARDED_PREFIX": "/a, /b"}, {"x_prefix": 2}, {"SCRIPT_NAME": "/a"}),
    ({"HTTP_X_FORWARDED_PREFIX": ""}, {"x_prefix": 1}, {}),
]


@pytest.mark.parametrize(("headers", "hops", "changes"), WERKZEUG_VECTORS)
def test_proxy_fix_rewrites_the_environ_as_werkzeug_does(headers, hops, changes):
    expected = {key: headers.get(key, SERVER.get(key)) for key in FIXED_KEYS}
    expected.update(changes)
    result = run_proxy_fix(headers, **hops)
    assert {key: result[key] for key in FIXED_KEYS} == expected


def test_proxy_fix_keeps_the_original_values_in_the_environ():
    headers = {"HTTP_X_FORWARDED_FOR": "1.1.1.1", "HTTP_X_FORWARDED_PROTO": "https",
               "HTTP_X_FORWARDED_HOST": "ex.com:1", "HTTP_X_FORWARDED_PREFIX": "/app"}
    result = run_proxy_fix(headers, x_host=1, x_prefix=1)
    assert result["werkzeug.proxy_fix.orig"] == {key: SERVER[key] for key in FIXED_KEYS}


def test_proxy_fix_records_missing_original_keys_as_none():
    seen = {}

    def inner(environ, start_response):
        seen.update(environ["werkzeug.proxy_fix.orig"])
        return []

    ProxyFix(inner)({"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, None)
    assert seen == dict.fromkeys(FIXED_KEYS)


def test_proxy_fix_exposes_the_wrapped_app_and_hop_counts():
    def inner(environ, start_response):
        return []

    fix = ProxyFix(inner, x_host=1)
    assert (fix.app, fix.x_for, fix.x_proto, fix.x_host, fix.x_port, fix.x_prefix) == (inner, 1, 1, 1, 0, 0)


# -- What the app sees ---------------------------------------------------------------------------


def test_remote_addr_is_the_client_named_by_the_trusted_proxy(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-For": "203.0.113.7"}, {"REMOTE_ADDR": "10.0.0.1"})
    assert data["remote_addr"] == "203.0.113.7"


def test_spoofed_forwarded_for_values_left_of_the_trusted_hop_are_ignored(echo_app):
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}  # the client wrote 6.6.6.6 itself
    assert get_echo(echo_app, headers)["remote_addr"] == "203.0.113.7"


def test_two_trusted_proxies_take_the_second_value_from_the_right(echo_app):
    headers = {"X-Forwarded-For": "6.6.6.6, 203.0.113.7, 10.0.0.2"}
    assert get_echo(echo_app, headers, x_for=2)["remote_addr"] == "203.0.113.7"


def test_fewer_forwarded_values_than_trusted_hops_keep_the_socket_address(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-For": "203.0.113.7"}, {"REMOTE_ADDR": "10.0.0.1"}, x_for=2)
    assert data["remote_addr"] == "10.0.0.1"


def test_forwarded_proto_makes_the_request_secure(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Proto": "https"})
    assert (data["scheme"], data["is_secure"]) == ("https", True)


def test_forwarded_proto_makes_external_urls_https(echo_app):
    assert get_echo(echo_app, {"X-Forwarded-Proto": "https"})["external"] == "https://localhost/echo"


def test_forwarded_proto_is_ignored_when_not_trusted(echo_app):
    assert get_echo(echo_app, {"X-Forwarded-Proto": "https"}, x_proto=0)["scheme"] == "http"


def test_forwarded_host_is_ignored_by_default(echo_app):
    assert get_echo(echo_app, {"X-Forwarded-Host": "evil.example"})["host"] == "localhost"


def test_forwarded_host_sets_host_and_external_urls(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Host": "shop.example"}, x_host=1)
    assert (data["host"], data["external"]) == ("shop.example", "http://shop.example/echo")


def test_forwarded_host_port_appears_in_external_urls(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Host": "shop.example:8443"}, x_host=1)
    assert data["external"] == "http://shop.example:8443/echo"


def test_forwarded_port_replaces_the_port_of_the_host(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Port": "8080"}, x_port=1)
    assert data["host"] == "localhost:8080"


def test_forwarded_default_port_is_dropped_from_the_host(echo_app):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example", "X-Forwarded-Port": "443"}
    data = get_echo(echo_app, headers, x_host=1, x_port=1)
    assert data["url"] == "https://shop.example/echo"


def test_forwarded_prefix_sets_root_path_and_script_root(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Prefix": "/shop"}, x_prefix=1)
    assert (data["root_path"], data["script_root"]) == ("/shop", "/shop")


def test_forwarded_prefix_appears_in_external_urls(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Prefix": "/shop"}, x_prefix=1)
    assert data["external"] == "http://localhost/shop/echo"


def test_all_headers_from_one_proxy_rebuild_the_public_url(echo_app):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "shop.example", "X-Forwarded-Prefix": "/store"}
    data = get_echo(echo_app, headers, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    assert (data["remote_addr"], data["external"]) == ("203.0.113.7", "https://shop.example/store/echo")


# -- Where microflask differs from Werkzeug on purpose -------------------------------------------


def test_forwarded_prefix_loses_its_trailing_slash():
    assert run_proxy_fix({"HTTP_X_FORWARDED_PREFIX": "/app/"}, x_prefix=1)["SCRIPT_NAME"] == "/app"


def test_forwarded_prefix_of_a_single_slash_leaves_script_name_empty():
    assert run_proxy_fix({"HTTP_X_FORWARDED_PREFIX": "/"}, x_prefix=1)["SCRIPT_NAME"] == ""


def test_forwarded_prefix_goes_in_front_of_the_servers_script_name(echo_app):
    data = get_echo(echo_app, {"X-Forwarded-Prefix": "/shop"}, base_url="http://localhost/inner/", x_prefix=1)
    assert data["external"] == "http://localhost/shop/inner/echo"


def test_forwarded_prefix_without_leading_slash_is_ignored():
    assert run_proxy_fix({"HTTP_X_FORWARDED_PREFIX": "app"}, x_prefix=1)["SCRIPT_NAME"] == ""


def test_forwarded_proto_is_lower_cased():
    assert run_proxy_fix({"HTTP_X_FORWARDED_PROTO": "HTTPS"})["wsgi.url_scheme"] == "https"


@pytest.mark.parametrize("value", ["ht tp", "https://", "1https", "javascript:"])
def test_forwarded_proto_that_is_not_a_scheme_is_ignored(value):
    assert run_proxy_fix({"HTTP_X_FORWARDED_PROTO": value})["wsgi.url_scheme"] == "http"


@pytest.mark.parametrize("value", ["abc", "-1", "+8443", "99999999", "65536", "\u0663", "8o", "9" * 5000])
def test_garbage_forwarded_port_is_ignored(value):
    result = run_proxy_fix({"HTTP_X_FORWARDED_PORT": value}, x_port=1)
    assert (result["HTTP_HOST"], result["SERVER_PORT"]) == ("internal:8000", "8000")


def test_garbage_forwarded_port_does_not_fail_the_request(echo_app):
    assert get_echo(echo_app, {"X-Forwarded-Port": "not-a-port"}, x_port=1)["host"] == "localhost"


@pytest.mark.parametrize("value", ["ex.com:abc", "ex.com:", "::1", "[::1]x", "ex com", "ex.com/path", ":80"])
def test_malformed_forwarded_host_is_ignored(value):
    result = run_proxy_fix({"HTTP_X_FORWARDED_HOST": value}, x_host=1)
    assert (result["HTTP_HOST"], result["SERVER_NAME"]) == ("internal:8000", "internal")


# -- Bounded work and setup errors ---------------------------------------------------------------


def test_very_long_forwarded_list_uses_the_trusted_hop(echo_app):
    headers = {"X-Forwarded-For": "6.6.6.6, " * 200_000 + "203.0.113.7"}
    assert get_echo(echo_app, headers)["remote_addr"] == "203.0.113.7"


def test_trusted_value_hidden_behind_too_many_empty_items_is_ignored():
    value = "203.0.113.7" + "," * (MAX_FORWARDED_ITEMS + 1)
    assert run_proxy_fix({"HTTP_X_FORWARDED_FOR": value})["REMOTE_ADDR"] == "10.0.0.1"


@pytest.mark.parametrize("hops", [{"x_for": -1}, {"x_host": MAX_FORWARDED_ITEMS + 1}])
def test_hop_count_out_of_range_is_rejected_at_setup(hops):
    with pytest.raises(ValueError, match="outside 0.."):
        ProxyFix(lambda environ, start_response: [], **hops)


@pytest.mark.parametrize("value", ["1", 1.0, True, None])
def test_hop_count_that_is_not_an_int_is_rejected_at_setup(value):
    with pytest.raises(TypeError, match="must be an int"):
        ProxyFix(lambda environ, start_response: [], x_for=value)


# -- DispatcherMiddleware ------------------------------------------------------------------------


def make_named_app(name: str) -> Flask:
    """A microflask app that reports its name, root path, path and a URL it builds."""
    app = Flask(name, root_path="/nonexistent-root")

    @app.route("/", defaults={"rest": ""})
    @app.route("/<path:rest>")
    def show(rest):
        return f"{name} root={request.root_path} path={request.path} url={url_for('show', rest='x')}"

    return app


@pytest.fixture
def dispatcher():
    frontend = make_named_app("frontend")
    frontend.wsgi_app = DispatcherMiddleware(frontend.wsgi_app, {
        "/api": make_named_app("api"), "/api/v2": make_named_app("v2"),
    })
    return frontend.test_client()


def test_dispatcher_sends_a_mounted_prefix_to_its_app(dispatcher):
    assert dispatcher.get("/api/users").text == "api root=/api path=/users url=/api/x"


def test_dispatcher_prefers_the_longest_mount(dispatcher):
    assert dispatcher.get("/api/v2/users").text == "v2 root=/api/v2 path=/users url=/api/v2/x"


def test_dispatcher_sends_the_bare_mount_path_to_the_mounted_app_root(dispatcher):
    assert dispatcher.get("/api").text.startswith("api root=/api path=/ ")


def test_dispatcher_matches_whole_path_segments_only(dispatcher):
    assert dispatcher.get("/apix").text.startswith("frontend root= path=/apix ")


def test_dispatcher_sends_unmatched_paths_to_the_default_app(dispatcher):
    assert dispatcher.get("/about").text.startswith("frontend root= path=/about ")


def test_dispatcher_keeps_the_servers_script_name_in_front(dispatcher):
    text = dispatcher.get("/api/users", base_url="http://localhost/site/").text
    assert text == "api root=/site/api path=/users url=/site/api/x"


def test_dispatcher_with_not_found_default_answers_404():
    app = make_named_app("api")
    root = Flask("root", root_path="/nonexistent-root")
    root.wsgi_app = DispatcherMiddleware(NotFound(), {"/api": app})
    assert root.test_client().get("/elsewhere").status_code == 404


def test_proxy_fix_prefix_and_dispatcher_mount_add_up():
    frontend = make_named_app("frontend")
    frontend.wsgi_app = ProxyFix(DispatcherMiddleware(frontend.wsgi_app, {"/api": make_named_app("api")}),
                                 x_prefix=1)
    text = frontend.test_client().get("/api/users", headers={"X-Forwarded-Prefix": "/shop"}).text
    assert text == "api root=/shop/api path=/users url=/shop/api/x"


@pytest.mark.parametrize("prefix", ["api", "/api/", "/"])
def test_dispatcher_rejects_malformed_mount_prefixes_at_setup(prefix):
    with pytest.raises(ValueError, match="must start with '/' and not end with '/'"):
        DispatcherMiddleware(NotFound(), {prefix: NotFound()})


def test_dispatcher_exposes_the_default_app_and_mounts():
    default, api = NotFound(), NotFound()
    middleware = DispatcherMiddleware(default, {"/api": api})
    assert (middleware.app, middleware.mounts) == (default, {"/api": api})
