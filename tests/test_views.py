"""Class-based views: ``View.as_view`` and ``MethodView``, registered on apps and blueprints."""

from __future__ import annotations

import functools

import pytest

from microflask import Blueprint, abort, current_app, jsonify, request, url_for
from microflask.views import MethodView, View


def allowed_methods(response):
    """The methods of a response's ``Allow`` header, as a set (their order is not specified)."""
    return {item.strip() for item in response.headers["Allow"].split(",")}


def add_header(name, value):
    """A view decorator that sets one response header."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            response = current_app.make_response(view(**kwargs))
            response.headers[name] = value
            return response

        return wrapper

    return decorator


def append_text(text):
    """A view decorator without functools.wraps that appends ``text`` to a str response."""

    def decorator(view):
        def wrapper(**kwargs):
            return view(**kwargs) + text

        return wrapper

    return decorator


class Greeting(View):
    """Says hello."""

    def dispatch_request(self, name="World"):
        return f"Hello, {name}!"


class UserAPI(MethodView):
    def get(self):
        return "list"

    def post(self):
        return "created", 201


# -- View and as_view ---------------------------------------------------------------------------


def test_view_serves_what_dispatch_request_returns(app, client):
    app.add_url_rule("/", view_func=Greeting.as_view("hello"))

    assert client.get("/").text == "Hello, World!"


def test_view_receives_url_values_as_keyword_arguments(app, client):
    app.add_url_rule("/hello/<name>", view_func=Greeting.as_view("hello"))

    assert client.get("/hello/Ada").text == "Hello, Ada!"


def test_as_view_names_the_function_and_points_back_to_the_class():
    view = Greeting.as_view("hello")

    assert view.__name__ == "hello"
    assert view.view_class is Greeting


def test_as_view_copies_the_class_docstring_and_module():
    view = Greeting.as_view("hello")

    assert view.__doc__ == "Says hello."
    assert view.__module__ == __name__


def test_as_view_copies_methods_and_provide_automatic_options():
    class Submit(View):
        methods = ["POST"]
        provide_automatic_options = False

        def dispatch_request(self):
            return "ok"

    view = Submit.as_view("submit")

    assert view.methods == ["POST"]
    assert view.provide_automatic_options is False


def test_view_endpoint_is_the_name_given_to_as_view(app):
    app.add_url_rule("/", view_func=Greeting.as_view("greeting"))

    assert app.view_functions["greeting"].view_class is Greeting


def test_view_without_methods_serves_get_and_rejects_post_with_405(app, client):
    app.add_url_rule("/", view_func=Greeting.as_view("hello"))

    response = client.post("/")
    assert response.status_code == 405
    assert allowed_methods(response) == {"GET", "HEAD", "OPTIONS"}


def test_view_methods_attribute_sets_the_methods_the_route_accepts(app, client):
    class Submit(View):
        methods = ["POST"]

        def dispatch_request(self):
            return "posted"

    app.add_url_rule("/", view_func=Submit.as_view("submit"))

    assert client.post("/").text == "posted"
    assert client.get("/").status_code == 405


def test_view_without_dispatch_request_raises_not_implemented_error(app, client):
    app.add_url_rule("/", view_func=View.as_view("abstract"))

    with pytest.raises(NotImplementedError, match="dispatch_request"):
        client.get("/")


def test_as_view_passes_its_extra_arguments_to_the_constructor(app, client):
    class Template(View):
        def __init__(self, greeting, punctuation="."):
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self):
            return self.greeting + self.punctuation

    app.add_url_rule("/", view_func=Template.as_view("index", "Hi", punctuation="!"))

    assert client.get("/").text == "Hi!"


def test_init_every_request_true_builds_a_new_instance_per_request(app, client):
    instances = []

    class Counted(View):
        def __init__(self):
            instances.append(self)

        def dispatch_request(self):
            return "ok"

    app.add_url_rule("/", view_func=Counted.as_view("counted"))
    client.get("/")
    client.get("/")

    assert len(instances) == 2
    assert instances[0] is not instances[1]


def test_init_every_request_false_reuses_one_instance_for_every_request(app, client):
    class Hits(View):
        init_every_request = False

        def __init__(self):
            self.hits = 0

        def dispatch_request(self):
            self.hits += 1
            return str(self.hits)

    app.add_url_rule("/", view_func=Hits.as_view("hits"))

    assert [client.get("/").text for _ in range(3)] == ["1", "2", "3"]


def test_init_every_request_false_builds_the_instance_when_as_view_is_called():
    class NeedsArgument(View):
        init_every_request = False

        def __init__(self, model):
            self.model = model

    with pytest.raises(TypeError):
        NeedsArgument.as_view("needs")


def test_decorators_wrap_the_view_function(app, client):
    class Tagged(Greeting):
        decorators = [add_header("X-Tag", "views")]

    app.add_url_rule("/", view_func=Tagged.as_view("tagged"))
    response = client.get("/")

    assert response.headers["X-Tag"] == "views"
    assert response.text == "Hello, World!"


def test_decorators_apply_in_list_order_with_the_first_innermost(app, client):
    class Stacked(Greeting):
        decorators = [append_text(" 1"), append_text(" 2")]

    app.add_url_rule("/", view_func=Stacked.as_view("stacked"))

    assert client.get("/").text == "Hello, World! 1 2"


def test_decorated_view_keeps_its_name_and_view_class_when_a_decorator_drops_them():
    class Stacked(Greeting):
        decorators = [append_text("!")]

    view = Stacked.as_view("stacked")

    assert view.__name__ == "stacked"
    assert view.view_class is Stacked


def test_decorators_see_the_endpoint_name_on_the_function_they_wrap():
    seen = []

    def record_name(view):
        seen.append(view.__name__)
        return view

    class Recorded(Greeting):
        decorators = [record_name]

    Recorded.as_view("recorded")

    assert seen == ["recorded"]


def test_async_dispatch_request_is_awaited(app, client):
    class AsyncGreeting(View):
        async def dispatch_request(self):
            return "from a coroutine"

    app.add_url_rule("/", view_func=AsyncGreeting.as_view("greeting"))

    assert client.get("/").text == "from a coroutine"


def test_url_for_builds_the_url_of_a_class_based_view(app):
    app.add_url_rule("/users/", view_func=UserAPI.as_view("users"))

    with app.test_request_context():
        assert url_for("users") == "/users/"


def test_blueprint_serves_a_class_based_view_under_its_url_prefix(app, client):
    bp = Blueprint("api", __name__)
    bp.add_url_rule("/users/", view_func=UserAPI.as_view("users"))
    app.register_blueprint(bp, url_prefix="/api")

    assert client.get("/api/users/").text == "list"
    assert client.post("/api/users/").status_code == 201


def test_url_for_builds_a_blueprint_class_based_view_url_from_its_dotted_endpoint(app):
    bp = Blueprint("api", __name__)
    bp.add_url_rule("/users/", view_func=UserAPI.as_view("users"))
    app.register_blueprint(bp, url_prefix="/api")

    with app.test_request_context():
        assert url_for("api.users") == "/api/users/"


# -- MethodView: methods ------------------------------------------------------------------------


def test_method_view_methods_are_its_defined_handlers():
    assert UserAPI.methods == {"GET", "POST"}


def test_method_view_subclass_adds_its_handlers_to_the_inherited_ones():
    class AdminAPI(UserAPI):
        def delete(self):
            return "deleted"

    assert AdminAPI.methods == {"GET", "POST", "DELETE"}


def test_method_view_subclass_leaves_its_parent_methods_unchanged():
    class AdminAPI(UserAPI):
        def delete(self):
            return "deleted"

    assert "DELETE" not in UserAPI.methods


def test_method_view_counts_handlers_defined_on_a_mixin():
    class DeleteMixin:
        def delete(self):
            return "deleted"

    class Deletable(DeleteMixin, MethodView):
        pass

    assert Deletable.methods == {"DELETE"}


def test_method_view_explicit_methods_attribute_wins_over_handlers():
    class ReadOnly(MethodView):
        methods = ["GET"]

        def get(self):
            return "read"

        def post(self):
            return "never routed"

    assert ReadOnly.methods == ["GET"]


# wsgiref.validate warns about any method outside its own list; PROPFIND is WebDAV's (RFC 4918).
@pytest.mark.filterwarnings("ignore:Unknown REQUEST_METHOD")
def test_method_view_subclass_keeps_custom_methods_listed_by_its_base(app, client):
    class Collection(MethodView):
        methods = ["GET", "PROPFIND"]

        def get(self):
            return "listing"

        def propfind(self):
            return "properties"

    class Folder(Collection):
        def delete(self):
            return "deleted"

    app.add_url_rule("/", view_func=Folder.as_view("folder"))

    assert Folder.methods == {"GET", "PROPFIND", "DELETE"}
    assert client.open("/", method="PROPFIND").text == "properties"


def test_method_view_without_handlers_has_no_methods():
    class Empty(MethodView):
        pass

    assert Empty.methods is None


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"])
def test_method_view_dispatches_to_the_handler_named_after_the_method(app, client, method):
    class Echo(MethodView):
        def get(self):
            return "get"

        def post(self):
            return "post"

        def put(self):
            return "put"

        def patch(self):
            return "patch"

        def delete(self):
            return "delete"

        def trace(self):
            return "trace"

    app.add_url_rule("/", view_func=Echo.as_view("echo"))

    assert client.open("/", method=method).text == method.lower()


def test_method_view_handler_receives_url_values(app, client):
    class Item(MethodView):
        def get(self, item_id):
            return f"item {item_id + 1}"

    app.add_url_rule("/items/<int:item_id>", view_func=Item.as_view("item"))

    assert client.get("/items/41").text == "item 42"


def test_method_view_answers_a_method_without_handler_with_405_and_allow(app, client):
    app.add_url_rule("/users/", view_func=UserAPI.as_view("users"))

    response = client.delete("/users/")
    assert response.status_code == 405
    assert allowed_methods(response) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_method_view_answers_head_with_get_headers_and_no_body(app, client):
    app.add_url_rule("/users/", view_func=UserAPI.as_view("users"))

    response = client.head("/users/")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "4"


def test_method_view_head_handler_takes_precedence_over_get(app, client):
    class Probe(MethodView):
        def get(self):
            return "body"

        def head(self):
            return "", 204, {"X-Probe": "head"}

    app.add_url_rule("/", view_func=Probe.as_view("probe"))
    response = client.head("/")

    assert response.status_code == 204
    assert response.headers["X-Probe"] == "head"


def test_method_view_gets_automatic_options_listing_its_methods(app, client):
    app.add_url_rule("/users/", view_func=UserAPI.as_view("users"))

    response = client.options("/users/")
    assert response.status_code == 200
    assert allowed_methods(response) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_method_view_options_handler_replaces_the_automatic_options_response(app, client):
    class Described(MethodView):
        def get(self):
            return "body"

        def options(self):
            return "custom options", 200, {"Allow": "GET"}

    app.add_url_rule("/", view_func=Described.as_view("described"))
    response = client.options("/")

    assert response.text == "custom options"
    assert allowed_methods(response) == {"GET"}


def test_provide_automatic_options_false_makes_options_a_405(app, client):
    class Quiet(UserAPI):
        provide_automatic_options = False

    app.add_url_rule("/", view_func=Quiet.as_view("quiet"))

    assert client.options("/").status_code == 405


def test_method_view_awaits_an_async_handler(app, client):
    class AsyncAPI(MethodView):
        async def get(self):
            return "awaited"

    app.add_url_rule("/", view_func=AsyncAPI.as_view("async_api"))

    assert client.get("/").text == "awaited"


def test_route_allowing_a_method_the_view_lacks_raises_assertion_error(app, client):
    app.add_url_rule("/", view_func=UserAPI.as_view("users"), methods=["GET", "PUT"])

    with pytest.raises(AssertionError, match="Unimplemented method 'PUT'"):
        client.put("/")


def test_route_allowing_a_method_the_view_lacks_answers_500_outside_testing(app, client):
    app.config["TESTING"] = False
    app.logger.disabled = True
    app.add_url_rule("/", view_func=UserAPI.as_view("users"), methods=["GET", "PUT"])

    assert client.put("/").status_code == 500


def test_method_view_decorators_wrap_every_handler(app, client):
    class Tagged(UserAPI):
        decorators = [add_header("X-Tag", "api")]

    app.add_url_rule("/", view_func=Tagged.as_view("tagged"))

    assert client.get("/").headers["X-Tag"] == "api"
    assert client.post("/").headers["X-Tag"] == "api"


# -- MethodView: the REST API pattern from Flask's docs -----------------------------------------


class ItemAPI(MethodView):
    init_every_request = False

    def __init__(self, store):
        self.store = store

    def find_item(self, item_id):
        if item_id not in self.store:
            abort(404)
        return self.store[item_id]

    def get(self, item_id):
        return jsonify(self.find_item(item_id))

    def patch(self, item_id):
        self.find_item(item_id).update(request.get_json())
        return jsonify(self.store[item_id])

    def delete(self, item_id):
        self.find_item(item_id)
        del self.store[item_id]
        return "", 204


class GroupAPI(MethodView):
    init_every_request = False

    def __init__(self, store):
        self.store = store

    def get(self):
        return jsonify([self.store[key] for key in sorted(self.store)])

    def post(self):
        item_id = max(self.store, default=0) + 1
        self.store[item_id] = dict(request.get_json(), id=item_id)
        return jsonify(self.store[item_id]), 201


@pytest.fixture
def store(app):
    """Register the item and group views for ``/users/`` over one in-memory store."""
    users = {1: {"id": 1, "name": "Ada"}}
    app.add_url_rule("/users/<int:item_id>", view_func=ItemAPI.as_view("user-item", users))
    app.add_url_rule("/users/", view_func=GroupAPI.as_view("user-group", users))
    return users


def test_api_group_url_lists_the_items(client, store):
    assert client.get("/users/").json == [{"id": 1, "name": "Ada"}]


def test_api_group_url_creates_an_item_with_post(client, store):
    response = client.post("/users/", json={"name": "Grace"})

    assert response.status_code == 201
    assert store[2] == {"id": 2, "name": "Grace"}


def test_api_item_url_returns_one_item(client, store):
    assert client.get("/users/1").json == {"id": 1, "name": "Ada"}


def test_api_item_url_updates_an_item_with_patch(client, store):
    client.patch("/users/1", json={"name": "Ada Lovelace"})

    assert store[1]["name"] == "Ada Lovelace"


def test_api_item_url_deletes_an_item(client, store):
    response = client.delete("/users/1")

    assert response.status_code == 204
    assert store == {}


def test_api_item_url_answers_404_for_a_missing_item(client, store):
    assert client.get("/users/99").status_code == 404


def test_api_item_url_rejects_post_with_405_listing_its_methods(client, store):
    response = client.post("/users/1")

    assert response.status_code == 405
    assert allowed_methods(response) == {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH"}


def test_api_urls_are_built_from_the_two_view_names(app, store):
    with app.test_request_context():
        assert url_for("user-group") == "/users/"
        assert url_for("user-item", item_id=1) == "/users/1"
