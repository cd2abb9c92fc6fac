"""Tests for ``async def`` views, hooks, error handlers and class-based views, which the app runs
with the standard library's asyncio (no extra package), and for ``app.ensure_sync``."""

from __future__ import annotations

import asyncio

import pytest

from microflask import abort, g, request


class AppError(Exception):
    pass


def test_async_view_returns_its_response(app, client):
    @app.route("/")
    async def index():
        return "hello async"

    assert client.get("/").data == b"hello async"


def test_async_view_that_awaits_asyncio_sleep_works(app, client):
    @app.route("/")
    async def index():
        await asyncio.sleep(0)
        return "slept"

    assert client.get("/").data == b"slept"


def test_async_view_receives_url_values(app, client):
    @app.route("/users/<int:user_id>")
    async def user(user_id):
        return {"id": user_id}

    assert client.get("/users/7").get_json() == {"id": 7}


def test_async_view_sees_request_and_g_after_an_await(app, client):
    @app.before_request
    def load_user():
        g.user = "ada"

    @app.route("/who")
    async def who():
        await asyncio.sleep(0)
        return f"{g.user} {request.args['q']}"

    assert client.get("/who?q=hi").data == b"ada hi"


def test_async_view_can_run_concurrent_tasks(app, client):
    async def double(value):
        await asyncio.sleep(0)
        return value * 2

    @app.route("/")
    async def index():
        results = await asyncio.gather(double(1), double(2))
        return str(results)

    assert client.get("/").data == b"[2, 4]"


def test_async_before_request_can_short_circuit_the_view(app, client):
    @app.before_request
    async def deny():
        await asyncio.sleep(0)
        return "denied", 403

    app.route("/")(lambda: "view")
    response = client.get("/")
    assert (response.status_code, response.data) == (403, b"denied")


def test_async_before_request_returning_none_lets_the_view_run(app, client):
    @app.before_request
    async def noop():
        await asyncio.sleep(0)

    app.route("/")(lambda: "view")
    assert client.get("/").data == b"view"


def test_async_after_request_can_change_the_response(app, client):
    @app.after_request
    async def tag(response):
        await asyncio.sleep(0)
        response.headers["X-Async"] = "yes"
        return response

    app.route("/")(lambda: "view")
    assert client.get("/").headers["X-Async"] == "yes"


def test_async_teardown_request_runs_with_the_error_or_none(app, client):
    seen = []

    @app.teardown_request
    async def teardown(exc):
        await asyncio.sleep(0)
        seen.append(exc)

    app.route("/")(lambda: "view")
    client.get("/")
    assert seen == [None]


def test_async_teardown_appcontext_runs_when_the_context_pops(app):
    seen = []

    @app.teardown_appcontext
    async def teardown(exc):
        seen.append(exc)

    with app.app_context():
        pass
    assert seen == [None]


def test_exception_in_async_view_reaches_a_sync_error_handler(app, client):
    @app.route("/")
    async def index():
        await asyncio.sleep(0)
        raise AppError("from async")

    app.register_error_handler(AppError, lambda e: (f"handled {e}", 409))
    response = client.get("/")
    assert (response.status_code, response.data) == (409, b"handled from async")


def test_async_error_handler_handles_an_exception(app, client):
    @app.route("/")
    def index():
        raise AppError("from sync")

    @app.errorhandler(AppError)
    async def handle(error):
        await asyncio.sleep(0)
        return f"async handled {error}", 418

    response = client.get("/")
    assert (response.status_code, response.data) == (418, b"async handled from sync")


def test_async_error_handler_handles_an_http_error_code(app, client):
    @app.errorhandler(404)
    async def not_found(error):
        return "custom 404", 404

    assert client.get("/missing").data == b"custom 404"


def test_abort_in_async_view_gives_the_http_error(app, client):
    @app.route("/")
    async def index():
        await asyncio.sleep(0)
        abort(404)

    assert client.get("/").status_code == 404


def test_unhandled_exception_in_async_view_propagates_when_testing(app, client):
    @app.route("/")
    async def index():
        raise AppError("unhandled")

    with pytest.raises(AppError, match="unhandled"):
        client.get("/")


def test_unhandled_exception_in_async_view_becomes_a_500(app, client):
    @app.route("/")
    async def index():
        raise AppError("unhandled")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/").status_code == 500


def test_view_class_with_async_dispatch_request_works(app, client):
    views = pytest.importorskip("microflask.views", reason="class-based views are in microflask.views")

    class Hello(views.View):
        async def dispatch_request(self, name):
            await asyncio.sleep(0)
            return f"hello {name}"

    app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))
    assert client.get("/hello/ada").data == b"hello ada"


def test_method_view_with_async_handlers_works(app, client):
    views = pytest.importorskip("microflask.views", reason="class-based views are in microflask.views")

    class Items(views.MethodView):
        async def get(self):
            await asyncio.sleep(0)
            return "list"

        async def post(self):
            return "created", 201

    app.add_url_rule("/items", view_func=Items.as_view("items"))
    assert client.get("/items").data == b"list"
    assert client.post("/items").status_code == 201


def test_ensure_sync_returns_a_sync_function_unchanged(app):
    def view():
        return "sync"

    assert app.ensure_sync(view) is view


def test_ensure_sync_returns_a_sync_bound_method_unchanged(app):
    class Handler:
        def handle(self):
            return "sync"

    method = Handler().handle
    assert app.ensure_sync(method) is method


def test_ensure_sync_makes_an_async_function_callable_synchronously(app):
    async def add(a, b=0):
        await asyncio.sleep(0)
        return a + b

    assert app.ensure_sync(add)(1, b=2) == 3


def test_ensure_sync_makes_an_async_bound_method_callable_synchronously(app):
    class Handler:
        async def handle(self, value):
            return value * 2

    assert app.ensure_sync(Handler().handle)(4) == 8
