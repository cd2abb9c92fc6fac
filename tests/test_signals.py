"""Tests for ``microflask.signals``: the Signal/Namespace API, weak references, and the signals
the app sends during requests and app contexts, with the keyword arguments Flask documents."""

from __future__ import annotations

import gc

import pytest

import microflask
from microflask import signals
from microflask.signals import ANY, Namespace, Signal


def record(calls, result=None):
    """A receiver that appends ``(sender, kwargs)`` to ``calls`` and returns ``result``."""

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))
        return result

    return receiver


class Listener:
    def __init__(self):
        self.calls = []

    def on_signal(self, sender, **kwargs):
        self.calls.append(sender)


class Sender:
    """A sender object that, unlike a str, can be garbage-collected."""


# -- Namespace and Signal ------------------------------------------------------------------------


def test_namespace_signal_returns_the_same_signal_for_the_same_name():
    namespace = Namespace()
    assert namespace.signal("saved") is namespace.signal("saved")


def test_namespace_signal_returns_distinct_signals_for_distinct_names():
    namespace = Namespace()
    assert namespace.signal("saved") is not namespace.signal("deleted")


def test_namespace_signal_has_its_name_and_doc():
    signal = Namespace().signal("saved", doc="Sent after a save.")
    assert (signal.name, signal.__doc__) == ("saved", "Sent after a save.")


def test_send_calls_receiver_with_sender_and_keyword_arguments():
    calls = []
    signal = Signal()
    receiver = record(calls)  # held: connect keeps a weak reference
    signal.connect(receiver)
    signal.send("app", value=1)
    assert calls == [("app", {"value": 1})]


def test_send_returns_receiver_and_result_pairs_in_connection_order():
    signal = Signal()
    first, second = record([], "one"), record([], "two")
    signal.connect(first)
    signal.connect(second)
    assert signal.send("app") == [(first, "one"), (second, "two")]


def test_send_without_receivers_returns_an_empty_list():
    assert Signal().send("app") == []


def test_send_without_sender_sends_none():
    calls = []
    signal = Signal()
    receiver = record(calls)  # held: connect keeps a weak reference
    signal.connect(receiver)
    signal.send()
    assert calls == [(None, {})]


def test_send_with_two_positional_arguments_raises_type_error():
    with pytest.raises(TypeError):
        Signal().send("app", "extra")


def test_connect_returns_the_receiver_so_it_works_as_a_decorator():
    signal = Signal()

    @signal.connect
    def receiver(sender):
        return "ok"

    assert signal.send("app") == [(receiver, "ok")]


def test_connecting_a_receiver_twice_calls_it_once():
    calls = []
    signal = Signal()
    receiver = record(calls)
    signal.connect(receiver)
    signal.connect(receiver)
    signal.send("app")
    assert len(calls) == 1


def test_receiver_connected_to_a_sender_ignores_other_senders():
    calls = []
    signal = Signal()
    receiver = record(calls)  # held: connect keeps a weak reference
    signal.connect(receiver, sender="a")
    signal.send("b")
    signal.send("a")
    assert calls == [("a", {})]


def test_receiver_connected_to_any_hears_every_sender():
    calls = []
    signal = Signal()
    receiver = record(calls)  # held: connect keeps a weak reference
    signal.connect(receiver, sender=ANY)
    signal.send("a")
    signal.send("b")
    assert [sender for sender, _ in calls] == ["a", "b"]


def test_receiver_connected_to_two_senders_hears_both():
    calls = []
    signal = Signal()
    receiver = record(calls)
    signal.connect(receiver, sender="a")
    signal.connect(receiver, sender="b")
    signal.send("a")
    signal.send("b")
    assert [sender for sender, _ in calls] == ["a", "b"]


def test_connect_via_connects_the_decorated_receiver_for_one_sender():
    calls = []
    signal = Signal()

    @signal.connect_via("a")
    def receiver(sender):
        calls.append(sender)

    signal.send("a")
    signal.send("b")
    assert calls == ["a"]


def test_connect_via_keeps_a_strong_reference_by_default():
    signal = Signal()
    signal.connect_via("a")(lambda sender: "alive")
    gc.collect()
    assert [result for _, result in signal.send("a")] == ["alive"]


# -- Disconnecting -------------------------------------------------------------------------------


def test_disconnect_stops_calls_and_empties_receivers():
    calls = []
    signal = Signal()
    receiver = record(calls)
    signal.connect(receiver)
    signal.disconnect(receiver)
    signal.send("app")
    assert calls == []
    assert not signal.receivers


def test_disconnect_from_one_sender_keeps_the_other_senders():
    calls = []
    signal = Signal()
    receiver = record(calls)
    signal.connect(receiver, sender="a")
    signal.connect(receiver, sender="b")
    signal.disconnect(receiver, sender="a")
    signal.send("a")
    signal.send("b")
    assert [sender for sender, _ in calls] == ["b"]


def test_disconnect_without_sender_removes_every_sender():
    calls = []
    signal = Signal()
    receiver = record(calls)
    signal.connect(receiver, sender="a")
    signal.connect(receiver, sender="b")
    signal.disconnect(receiver)
    assert signal.send("a") == signal.send("b") == []


def test_disconnect_of_a_bound_method_works_with_a_fresh_method_object():
    listener = Listener()
    signal = Signal()
    connected = listener.on_signal
    signal.connect(connected)
    signal.disconnect(listener.on_signal)  # another bound-method object (other id), same method
    signal.send("app")
    assert listener.calls == []


def test_disconnect_of_an_unknown_receiver_does_nothing():
    signal = Signal()
    signal.disconnect(record([]))
    assert not signal.receivers


def test_connected_to_connects_only_inside_the_with_block():
    calls = []
    signal = Signal()
    receiver = record(calls)
    with signal.connected_to(receiver):
        signal.send("inside")
    signal.send("outside")
    assert [sender for sender, _ in calls] == ["inside"]


def test_connected_to_disconnects_when_the_block_raises():
    signal = Signal()
    with pytest.raises(KeyError):
        with signal.connected_to(record([])):
            raise KeyError("boom")
    assert not signal.receivers


def test_connected_to_with_a_sender_filters_by_that_sender():
    calls = []
    signal = Signal()
    with signal.connected_to(record(calls), sender="a"):
        signal.send("b")
        signal.send("a")
    assert [sender for sender, _ in calls] == ["a"]


def test_muted_signal_calls_no_receivers():
    calls = []
    signal = Signal()
    signal.connect(record(calls))
    with signal.muted():
        assert signal.send("app") == []
    assert calls == []


# -- Receivers and weak references ---------------------------------------------------------------


def test_receivers_is_empty_until_something_connects():
    signal = Signal()
    assert not signal.receivers
    signal.connect(record([]), weak=False)
    assert signal.receivers


def test_weakly_connected_function_is_dropped_when_garbage_collected():
    signal = Signal()
    signal.connect(record([]))  # nothing else holds the receiver
    gc.collect()
    assert not signal.receivers
    assert signal.send("app") == []


def test_weakly_connected_bound_method_is_dropped_when_its_instance_is_collected():
    signal = Signal()
    listener = Listener()
    signal.connect(listener.on_signal)
    del listener
    gc.collect()
    assert not signal.receivers


def test_weakly_connected_bound_method_is_called_while_its_instance_lives():
    signal = Signal()
    listener = Listener()
    signal.connect(listener.on_signal)
    gc.collect()
    signal.send("app")
    assert listener.calls == ["app"]


def test_strongly_connected_lambda_survives_garbage_collection():
    signal = Signal()
    signal.connect(lambda sender: "alive", weak=False)
    gc.collect()
    assert [result for _, result in signal.send("app")] == ["alive"]


def test_connections_for_a_collected_sender_are_dropped():
    signal = Signal()
    sender = Sender()
    receiver = record([])
    signal.connect(receiver, sender=sender)
    del sender
    gc.collect()
    assert not signal.receivers
    assert not signal.has_receivers_for(Sender())


def test_has_receivers_for_a_connected_sender_is_true():
    signal = Signal()
    receiver = record([])
    signal.connect(receiver, sender="a")
    assert signal.has_receivers_for("a")


def test_has_receivers_for_another_sender_is_false():
    signal = Signal()
    receiver = record([])
    signal.connect(receiver, sender="a")
    assert not signal.has_receivers_for("b")


def test_has_receivers_for_any_sender_is_true_when_connected_to_any():
    signal = Signal()
    receiver = record([])
    signal.connect(receiver)
    assert signal.has_receivers_for("whoever")


def test_receivers_for_yields_the_live_receivers_of_a_sender():
    signal = Signal()
    for_a, for_all = record([]), record([])
    signal.connect(for_a, sender="a")
    signal.connect(for_all)
    signal.connect(record([]), sender="b", weak=False)
    assert list(signal.receivers_for("a")) == [for_a, for_all]


def test_send_to_a_coroutine_receiver_without_async_wrapper_raises_runtime_error():
    signal = Signal()

    async def receiver(sender):
        return "never"

    signal.connect(receiver)
    with pytest.raises(RuntimeError, match="coroutine"):
        signal.send("app")


def test_send_runs_a_coroutine_receiver_through_async_wrapper():
    import asyncio

    signal = Signal()

    async def receiver(sender):
        return f"async {sender}"

    signal.connect(receiver)

    def wrapper(function):
        return lambda *args, **kwargs: asyncio.run(function(*args, **kwargs))

    assert signal.send("app", _async_wrapper=wrapper) == [(receiver, "async app")]


def test_send_async_awaits_coroutine_receivers():
    import asyncio

    signal = Signal()

    async def receiver(sender, **kwargs):
        await asyncio.sleep(0)
        return kwargs["value"]

    signal.connect(receiver)
    assert asyncio.run(signal.send_async("app", value=3)) == [(receiver, 3)]


# -- Signals the app sends -----------------------------------------------------------------------


@pytest.fixture
def events(app):
    """Connect a recorder to each request/app-context signal for ``app``; yields the event list."""
    names = [
        "appcontext_pushed", "request_started", "got_request_exception", "request_finished",
        "request_tearing_down", "appcontext_tearing_down", "appcontext_popped",
    ]
    log = []
    receivers = []
    for name in names:
        def receiver(sender, _name=name, **kwargs):
            log.append((_name, sender, kwargs))

        receivers.append((getattr(signals, name), receiver))
    for signal, receiver in receivers:
        signal.connect(receiver, sender=app)
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver, sender=app)


def test_flask_signals_are_exported_from_the_package():
    names = [
        "template_rendered", "before_render_template", "request_started", "request_finished",
        "request_tearing_down", "got_request_exception", "appcontext_tearing_down",
        "appcontext_pushed", "appcontext_popped", "message_flashed",
    ]
    assert all(isinstance(getattr(microflask, name), Signal) for name in names)


def test_template_signals_exist_with_flasks_names():
    assert (signals.template_rendered.name, signals.before_render_template.name) == (
        "template-rendered", "before-render-template")


def test_request_sends_signals_in_flasks_order(app, client, events):
    app.route("/")(lambda: "hi")
    client.get("/")
    assert [name for name, _, _ in events] == [
        "appcontext_pushed", "request_started", "request_finished", "request_tearing_down",
        "appcontext_tearing_down", "appcontext_popped",
    ]


def test_every_signal_of_a_request_is_sent_by_the_app(app, client, events):
    app.route("/")(lambda: "hi")
    client.get("/")
    assert all(sender is app for _, sender, _ in events)


def test_request_started_is_sent_inside_the_request_context(app, client):
    app.route("/path")(lambda: "hi")
    seen = []

    def receiver(sender, **kwargs):
        seen.append((microflask.request.path, kwargs))

    with signals.request_started.connected_to(receiver, app):
        client.get("/path")
    assert seen == [("/path", {})]


def test_request_finished_passes_the_response(app, client):
    app.route("/")(lambda: ("made", 201))
    seen = []

    def receiver(sender, response):
        seen.append((response.status_code, response.get_data()))

    with signals.request_finished.connected_to(receiver, app):
        client.get("/")
    assert seen == [(201, b"made")]


def test_request_tearing_down_passes_exc_none_after_success(app, client, events):
    app.route("/")(lambda: "hi")
    client.get("/")
    assert [kwargs for name, _, kwargs in events if name == "request_tearing_down"] == [{"exc": None}]


def test_unhandled_error_sends_got_request_exception_with_the_exception(app, client, events):
    error = ValueError("boom")

    @app.route("/boom")
    def boom():
        raise error

    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/boom").status_code == 500
    assert [kwargs for name, _, kwargs in events if name == "got_request_exception"] == [{"exception": error}]


def test_unhandled_error_is_passed_to_teardown_signals_as_exc(app, client, events):
    error = ValueError("boom")

    @app.route("/boom")
    def boom():
        raise error

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client.get("/boom")
    teardowns = [(name, kwargs) for name, _, kwargs in events if name.endswith("tearing_down")]
    assert teardowns == [("request_tearing_down", {"exc": error}), ("appcontext_tearing_down", {"exc": error})]


def test_unhandled_error_still_sends_request_finished_with_the_500_response(app, client, events):
    @app.route("/boom")
    def boom():
        raise ValueError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client.get("/boom")
    finished = [kwargs["response"].status_code for name, _, kwargs in events if name == "request_finished"]
    assert finished == [500]


def test_propagated_error_sends_got_request_exception_before_raising(app, client, events):
    @app.route("/boom")
    def boom():
        raise ValueError("boom")

    with pytest.raises(ValueError):
        client.get("/boom")  # TESTING is on, so the error propagates
    names = [name for name, _, _ in events]
    assert "got_request_exception" in names
    assert "request_finished" not in names


def test_handled_error_does_not_send_got_request_exception(app, client, events):
    @app.route("/boom")
    def boom():
        raise KeyError("boom")

    app.register_error_handler(KeyError, lambda e: ("handled", 400))
    assert client.get("/boom").status_code == 400
    assert "got_request_exception" not in [name for name, _, _ in events]


def test_http_error_does_not_send_got_request_exception(app, client, events):
    client.get("/missing")
    assert "got_request_exception" not in [name for name, _, _ in events]


def test_app_context_sends_pushed_tearing_down_and_popped(app, events):
    with app.app_context():
        pass
    assert events == [
        ("appcontext_pushed", app, {}),
        ("appcontext_tearing_down", app, {"exc": None}),
        ("appcontext_popped", app, {}),
    ]


def test_appcontext_pushed_receiver_sees_the_pushed_app(app):
    seen = []

    def receiver(sender):
        seen.append(microflask.current_app._get_current_object())

    with signals.appcontext_pushed.connected_to(receiver, app):
        with app.app_context():
            pass
    assert seen == [app]


def test_app_context_closed_by_an_error_passes_it_as_exc(app, events):
    error = KeyError("boom")
    with pytest.raises(KeyError):
        with app.app_context():
            raise error
    assert [kwargs for name, _, kwargs in events if name == "appcontext_tearing_down"] == [{"exc": error}]


def test_receiver_connected_to_one_app_does_not_hear_another(app):
    other = microflask.Flask("other_app", root_path="/nonexistent-root")
    calls = []
    with signals.appcontext_pushed.connected_to(record(calls), app):
        with other.app_context():
            pass
    assert calls == []


def test_async_receiver_of_an_app_signal_is_run_by_the_app(app, client):
    seen = []

    async def receiver(sender, response):
        seen.append(response.status_code)

    app.route("/")(lambda: "hi")
    with signals.request_finished.connected_to(receiver, app):
        client.get("/")
    assert seen == [200]


def _sessions_work(app):
    with app.test_request_context():
        try:
            microflask.session["probe"] = True
        except RuntimeError:
            return False
    return True


def test_flash_sends_message_flashed_with_message_and_category(app, client):
    app.secret_key = "test secret"
    if not _sessions_work(app):
        pytest.skip("flash needs a session; signed-cookie sessions are issue 5, not built yet")
    seen = []

    def receiver(sender, message, category):
        seen.append((sender, message, category))

    @app.route("/")
    def index():
        microflask.flash("Saved", "info")
        return "ok"

    with signals.message_flashed.connected_to(receiver, app):
        client.get("/")
    assert seen == [(app, "Saved", "info")]
