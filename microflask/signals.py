"""Signals: a small stdlib publish/subscribe, and Flask's ten signals (the role of blinker).

A ``Signal`` keeps receivers per sender (or for any sender). ``connect`` stores a weak reference
by default, so a receiver that is garbage-collected disconnects itself; ``send(sender, **kw)``
calls each receiver as ``receiver(sender, **kw)`` and returns ``[(receiver, result), ...]``.
The framework checks ``signal.receivers`` before sending, so an unused signal costs one truth
test per request.

Does not: order receivers beyond connection order, or run them concurrently.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

#: Connect with ``sender=ANY`` (the default) to receive from every sender.
ANY = object()


def _make_reference(receiver: Callable[..., Any], weak: bool, on_dead: Callable[[Any], None]) -> Any:
    """A zero-argument callable returning the receiver (or None once it was collected)."""
    if not weak:
        return lambda: receiver
    if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
        return weakref.WeakMethod(receiver, on_dead)  # a bound method dies with its instance
    try:
        return weakref.ref(receiver, on_dead)
    except TypeError:  # builtins and some callables cannot be weakly referenced
        return lambda: receiver


def _sender_key(sender: Any) -> Any:
    return ANY if sender is ANY else id(sender)


def _is_coroutine_function(function: Any) -> bool:
    # NOTE(signals): the code flag test avoids importing inspect (slow) for plain functions.
    code = getattr(function, "__code__", None)
    if code is not None:
        return bool(code.co_flags & 0x0080)  # inspect.CO_COROUTINE
    import inspect

    return inspect.iscoroutinefunction(function)


class Signal:
    """A named event that receivers connect to and senders send."""

    def __init__(self, name: str = "", doc: Optional[str] = None) -> None:
        self.name = name
        self.__doc__ = doc
        #: receiver id -> (reference, sender key); insertion ordered.
        self.receivers: dict[int, tuple[Any, Any]] = {}

    def __repr__(self) -> str:
        return f"<Signal {self.name!r}>"

    def connect(self, receiver: Callable[..., Any], sender: Any = ANY, weak: bool = True) -> Callable[..., Any]:
        """Call ``receiver(sender, **kwargs)`` whenever this signal is sent by ``sender``."""
        key = id(receiver)

        def on_dead(_reference: Any) -> None:
            self.receivers.pop(key, None)

        self.receivers[key] = (_make_reference(receiver, weak, on_dead), _sender_key(sender))
        return receiver

    def connect_via(self, sender: Any, weak: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of ``connect`` for one sender."""

        def decorator(receiver: Callable[..., Any]) -> Callable[..., Any]:
            return self.connect(receiver, sender, weak)

        return decorator

    def disconnect(self, receiver: Callable[..., Any], sender: Any = ANY) -> None:
        self.receivers.pop(id(receiver), None)

    @contextmanager
    def connected_to(self, receiver: Callable[..., Any], sender: Any = ANY) -> Iterator[None]:
        """Connect ``receiver`` for the duration of a ``with`` block (handy in tests)."""
        self.connect(receiver, sender, weak=False)
        try:
            yield
        finally:
            self.disconnect(receiver)

    def receivers_for(self, sender: Any) -> Iterator[Callable[..., Any]]:
        """The live receivers that want signals from ``sender``."""
        wanted = id(sender)
        for reference, key in list(self.receivers.values()):
            receiver = reference()
            if receiver is not None and (key is ANY or key == wanted):
                yield receiver

    def has_receivers_for(self, sender: Any) -> bool:
        return any(True for _ in self.receivers_for(sender))

    def send(self, *args: Any, _async_wrapper: Optional[Callable] = None, **kwargs: Any) -> list:
        """Call every receiver for the sender; ``_async_wrapper`` runs coroutine receivers."""
        if len(args) > 1:
            raise TypeError(f"send() accepts only one positional argument, {len(args)} given")
        sender = args[0] if args else None
        results = []
        for receiver in self.receivers_for(sender):
            function = receiver
            if _async_wrapper is not None and _is_coroutine_function(receiver):
                function = _async_wrapper(receiver)
            results.append((receiver, function(sender, **kwargs)))
        return results


class Namespace(dict):
    """A mapping of names to signals; ``signal(name)`` returns the same Signal for a name."""

    def signal(self, name: str, doc: Optional[str] = None) -> Signal:
        if name not in self:
            self[name] = Signal(name, doc)
        return self[name]


_signals = Namespace()

template_rendered = _signals.signal("template-rendered")
before_render_template = _signals.signal("before-render-template")
request_started = _signals.signal("request-started")
request_finished = _signals.signal("request-finished")
request_tearing_down = _signals.signal("request-tearing-down")
got_request_exception = _signals.signal("got-request-exception")
appcontext_tearing_down = _signals.signal("appcontext-tearing-down")
appcontext_pushed = _signals.signal("appcontext-pushed")
appcontext_popped = _signals.signal("appcontext-popped")
message_flashed = _signals.signal("message-flashed")
