"""Flask's quickstart (https://flask.palletsprojects.com/en/stable/quickstart/), run on microflask.

Each ``make_*_app`` function is a quickstart example written as a Flask user writes it; only the
import line changed. Helpers the quickstart leaves undefined (``do_the_login``,
``valid_login``...) are filled in with the smallest thing that shows which branch ran. The
expected values were checked by running this same file against Flask 3.1.

Left out, because they need features that come later: HTML escaping with ``markupsafe.escape``
(the examples here return plain strings), rendering templates (where an example renders one, it
returns a string instead), sessions and message flashing, cookies (the quickstart's example
renders a template), file uploads, logging and WSGI middleware.
"""

from __future__ import annotations

import pytest

from microflask import Flask, abort, jsonify, make_response, redirect, request, url_for

# -- A minimal application --------------------------------------------------------------------


def make_minimal_app():
    app = Flask(__name__)

    @app.route("/")
    def hello_world():
        return "<p>Hello, World!</p>"

    return app


def test_minimal_application_says_hello_world():
    response = make_minimal_app().test_client().get("/")
    assert (response.status_code, response.text) == (200, "<p>Hello, World!</p>")


def test_minimal_application_answers_with_utf8_html():
    response = make_minimal_app().test_client().get("/")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# -- Routing and variable rules ---------------------------------------------------------------


def make_routing_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "Index Page"

    @app.route("/hello")
    def hello():
        return "Hello, World"

    @app.route("/user/<username>")
    def show_user_profile(username):
        # show the user profile for that user
        return f"User {username}"

    @app.route("/post/<int:post_id>")
    def show_post(post_id):
        # show the post with the given id, the id is an integer
        return f"Post {post_id}"

    @app.route("/path/<path:subpath>")
    def show_subpath(subpath):
        # show the subpath after /path/
        return f"Subpath {subpath}"

    @app.route("/price/<float:amount>")
    def show_price(amount):
        return f"{type(amount).__name__} {amount * 2}"

    @app.route("/order/<uuid:order_id>")
    def show_order(order_id):
        return f"{type(order_id).__name__} {order_id.hex}"

    return app


@pytest.fixture
def routing_client():
    return make_routing_app().test_client()


@pytest.mark.parametrize(("path", "text"), [("/", "Index Page"), ("/hello", "Hello, World")])
def test_each_route_answers_with_its_view(routing_client, path, text):
    assert routing_client.get(path).text == text


def test_string_variable_is_passed_to_the_view_by_name(routing_client):
    assert routing_client.get("/user/john").text == "User john"


def test_string_variable_is_url_decoded(routing_client):
    assert routing_client.get("/user/John%20Doe").text == "User John Doe"


def test_string_variable_does_not_match_a_slash(routing_client):
    assert routing_client.get("/user/john/extra").status_code == 404


def test_int_converter_matches_digits(routing_client):
    assert routing_client.get("/post/42").text == "Post 42"


def test_int_converter_does_not_match_other_text(routing_client):
    assert routing_client.get("/post/forty-two").status_code == 404


def test_path_converter_matches_slashes(routing_client):
    assert routing_client.get("/path/a/b/c.txt").text == "Subpath a/b/c.txt"


def test_float_converter_passes_a_float(routing_client):
    assert routing_client.get("/price/2.5").text == "float 5.0"


def test_uuid_converter_passes_a_uuid(routing_client):
    response = routing_client.get("/order/12345678-1234-5678-1234-567812345678")
    assert response.text == "UUID 12345678123456781234567812345678"


# -- Unique URLs / redirection behaviour ------------------------------------------------------


def make_unique_urls_app():
    app = Flask(__name__)

    @app.route("/projects/")
    def projects():
        return "The project page"

    @app.route("/about")
    def about():
        return "The about page"

    return app


@pytest.fixture
def unique_urls_client():
    return make_unique_urls_app().test_client()


def test_url_missing_its_trailing_slash_redirects_permanently_to_the_canonical_url(unique_urls_client):
    response = unique_urls_client.get("/projects")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/projects/"


def test_following_the_trailing_slash_redirect_reaches_the_page(unique_urls_client):
    response = unique_urls_client.get("/projects", follow_redirects=True)
    assert (response.status_code, response.text) == (200, "The project page")


def test_canonical_url_with_trailing_slash_is_served_directly(unique_urls_client):
    assert unique_urls_client.get("/projects/").text == "The project page"


def test_url_without_trailing_slash_is_404_when_asked_for_with_one(unique_urls_client):
    assert unique_urls_client.get("/about/").status_code == 404


# -- URL building -----------------------------------------------------------------------------


def make_url_building_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "index"

    @app.route("/login")
    def login():
        return "login"

    @app.route("/user/<username>")
    def profile(username):
        return f"{username}'s profile"

    return app


@pytest.mark.parametrize(
    ("endpoint", "values", "url"),
    [
        ("index", {}, "/"),
        ("login", {}, "/login"),
        ("login", {"next": "/"}, "/login?next=/"),
        ("profile", {"username": "John Doe"}, "/user/John%20Doe"),
    ],
)
def test_url_for_builds_the_urls_the_quickstart_prints(endpoint, values, url):
    app = make_url_building_app()
    with app.test_request_context():
        assert url_for(endpoint, **values) == url


def test_url_for_static_file_points_under_static():
    app = make_url_building_app()
    with app.test_request_context():
        assert url_for("static", filename="style.css") == "/static/style.css"


def test_built_url_leads_back_to_its_view():
    app = make_url_building_app()
    with app.test_request_context():
        url = url_for("profile", username="John Doe")
    assert app.test_client().get(url).text == "John Doe's profile"


def test_url_for_outside_a_context_raises_runtime_error():
    with pytest.raises(RuntimeError):
        url_for("index")


# -- HTTP methods -----------------------------------------------------------------------------


def do_the_login():
    return f"logged in as {request.form['username']}"


def show_the_login_form():
    return '<form method="post"><input name="username"></form>'


def make_methods_app():
    app = Flask(__name__)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            return do_the_login()
        else:
            return show_the_login_form()

    return app


def make_method_shortcuts_app():
    app = Flask(__name__)

    @app.get("/login")
    def login_get():
        return show_the_login_form()

    @app.post("/login")
    def login_post():
        return do_the_login()

    return app


@pytest.fixture(params=[make_methods_app, make_method_shortcuts_app], ids=["methods", "shortcuts"])
def methods_client(request):
    return request.param().test_client()


def test_get_shows_the_login_form(methods_client):
    assert methods_client.get("/login").text.startswith('<form method="post">')


def test_post_does_the_login(methods_client):
    assert methods_client.post("/login", data={"username": "ada"}).text == "logged in as ada"


def test_method_not_allowed_is_405_listing_the_allowed_methods(methods_client):
    response = methods_client.put("/login")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_head_is_answered_for_a_get_route_without_a_body(methods_client):
    response = methods_client.head("/login")
    assert (response.status_code, response.data) == (200, b"")


def test_options_is_answered_with_the_allowed_methods(methods_client):
    response = methods_client.options("/login")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


# -- The request object -----------------------------------------------------------------------


def test_test_request_context_sets_request_path_and_method():
    app = Flask(__name__)
    with app.test_request_context("/hello", method="POST"):
        assert (request.path, request.method) == ("/hello", "POST")


def valid_login(username, password):
    return (username, password) == ("admin", "secret")


def log_the_user_in(username):
    return f"Welcome, {username}!"


def make_request_object_app():
    app = Flask(__name__)

    @app.route("/login", methods=["POST", "GET"])
    def login():
        error = None
        if request.method == "POST":
            if valid_login(request.form["username"], request.form["password"]):
                return log_the_user_in(request.form["username"])
            else:
                error = "Invalid username/password"
        # the code below is executed if the request method
        # was GET or the credentials were invalid
        return f"login form, error={error}"

    @app.route("/search")
    def search():
        searchword = request.args.get("key", "")
        return f"searching for {searchword!r}"

    return app


@pytest.fixture
def request_object_client():
    return make_request_object_app().test_client()


def test_valid_form_credentials_log_the_user_in(request_object_client):
    response = request_object_client.post("/login", data={"username": "admin", "password": "secret"})
    assert response.text == "Welcome, admin!"


def test_invalid_form_credentials_report_an_error(request_object_client):
    response = request_object_client.post("/login", data={"username": "admin", "password": "guess"})
    assert response.text == "login form, error=Invalid username/password"


def test_get_of_the_login_page_has_no_error(request_object_client):
    assert request_object_client.get("/login").text == "login form, error=None"


def test_missing_form_key_is_answered_with_400_bad_request(request_object_client):
    assert request_object_client.post("/login", data={"username": "admin"}).status_code == 400


def test_args_get_reads_a_query_string_parameter(request_object_client):
    assert request_object_client.get("/search?key=flask+tips").text == "searching for 'flask tips'"


def test_args_get_returns_the_default_when_the_parameter_is_missing(request_object_client):
    assert request_object_client.get("/search").text == "searching for ''"


# -- Redirects and errors ---------------------------------------------------------------------


def make_redirects_app(executed):
    app = Flask(__name__)

    @app.route("/")
    def index():
        return redirect(url_for("login"))

    @app.route("/login")
    def login():
        abort(401)
        executed.append("this_is_never_executed")

    @app.errorhandler(404)
    def page_not_found(error):
        return "<h1>This page does not exist</h1>", 404

    return app


@pytest.fixture
def executed():
    return []


@pytest.fixture
def redirects_client(executed):
    return make_redirects_app(executed).test_client()


def test_redirect_to_url_for_sends_302_to_the_built_url(redirects_client):
    response = redirects_client.get("/")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")


def test_abort_401_answers_unauthorized(redirects_client):
    assert redirects_client.get("/login").status_code == 401


def test_abort_401_page_escapes_the_apostrophe_as_flask_does(redirects_client):
    assert "doesn&#39;t understand" in redirects_client.get("/login").text


def test_abort_stops_the_view_at_once(redirects_client, executed):
    redirects_client.get("/login")
    assert executed == []


def test_following_a_redirect_into_abort_ends_at_401(redirects_client):
    assert redirects_client.get("/", follow_redirects=True).status_code == 401


def test_404_errorhandler_returns_its_page_with_the_404_status(redirects_client):
    response = redirects_client.get("/no-such-page")
    assert (response.status_code, response.text) == (404, "<h1>This page does not exist</h1>")


# -- About responses --------------------------------------------------------------------------


def make_responses_app():
    app = Flask(__name__)

    @app.route("/created")
    def created():
        return "made it", 201

    @app.route("/tagged")
    def tagged():
        return "tagged", {"X-Tag": "quickstart"}

    @app.route("/teapot")
    def teapot():
        return "short and stout", 418, [("X-Tea", "earl grey")]

    @app.errorhandler(404)
    def not_found(error):
        resp = make_response("<h1>Not here</h1>", 404)
        resp.headers["X-Something"] = "A value"
        return resp

    @app.route("/me")
    def me_api():
        return {
            "username": "ada",
            "theme": "dark",
            "image": url_for("static", filename="ada.png"),
        }

    @app.route("/users")
    def users_api():
        users = [{"username": "ada"}, {"username": "grace"}]
        return users

    @app.route("/jsonified")
    def jsonified():
        return jsonify(username="ada", admin=False)

    return app


@pytest.fixture
def responses_client():
    return make_responses_app().test_client()


def test_tuple_of_body_and_status_sets_the_status(responses_client):
    response = responses_client.get("/created")
    assert (response.status_code, response.text) == (201, "made it")


def test_tuple_of_body_and_headers_adds_the_headers(responses_client):
    response = responses_client.get("/tagged")
    assert (response.status_code, response.headers["X-Tag"]) == (200, "quickstart")


def test_tuple_of_body_status_and_headers_sets_both(responses_client):
    response = responses_client.get("/teapot")
    assert (response.status_code, response.headers["X-Tea"]) == (418, "earl grey")


def test_make_response_lets_an_errorhandler_add_headers(responses_client):
    response = responses_client.get("/missing")
    assert (response.status_code, response.headers["X-Something"]) == (404, "A value")


def test_make_response_keeps_the_given_body(responses_client):
    assert responses_client.get("/missing").text == "<h1>Not here</h1>"


def test_returned_dict_becomes_a_json_response(responses_client):
    response = responses_client.get("/me")
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {"username": "ada", "theme": "dark", "image": "/static/ada.png"}


def test_returned_list_becomes_a_json_response(responses_client):
    response = responses_client.get("/users")
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == [{"username": "ada"}, {"username": "grace"}]


def test_json_response_body_is_compact_with_sorted_keys(responses_client):
    body = responses_client.get("/me").data
    assert body == b'{"image":"/static/ada.png","theme":"dark","username":"ada"}\n'


def test_jsonify_of_keyword_arguments_is_a_json_object(responses_client):
    response = responses_client.get("/jsonified")
    assert response.mimetype == "application/json"
    assert response.get_json() == {"username": "ada", "admin": False}
