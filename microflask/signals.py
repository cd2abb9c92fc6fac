"""Signals: a small stdlib publish/subscribe, and Flask's ten signals (the role of blinker).

A ``Signal`` links receivers to senders. ``connect(receiver, sender=ANY, weak=True)`` records the
pair; ``send(sender, **kwargs)`` calls every receiver linked to that sender or to ``ANY`` as
``receiver(sender, **kwargs)``, in connection order, and returns ``[(receiver, result), ...]``.
Bookkeeping, in three dicts:

1. ``receivers``: receiver key -> a weak reference (or the receiver itself when ``weak=False``);
   the key of a bound method is (instance id, function id), as each attribute access makes a new
   method object;
2. ``_by_receiver`` / ``_by_sender``: the links, as sets of keys each way;
3. ``_senders``: sender id -> a weak reference to the sender, so that when a receiver or a sender
   is garbage-collected its links go too, and a new object that reuses the id inherits nothing.

The framework checks ``signal.receivers`` before sending, so an unused signal costs one truth
test. Flask docs: https://flask.palletsprojects.com/en/stable/signals/ ; API of the blinker
library Flask uses: https://blinker.readthedocs.io/en/stable/ .

Does not: run receivers concurrently, or emit blinker's ``receiver_connected`` meta-signals.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, Optional

Receiver = Callable[..., Any]


class _AnySender:
    """The type of ``ANY``: a receiver connected with it hears every sender."""

    def __repr__(self) -> str:
        return "ANY"


#: Connect with ``sender=ANY`` (the default) to receive from every sender.
ANY: Any = _AnySender()


def _receiver_key(receiver: Receiver) -> Hashable:
    """A key that is the same for every access to the same receiver (bound methods included)."""
    if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
        return (id(receiver.__self__), id(receiver.__func__))  # type: ignore[attr-defined]
    return id(receiver)


def _resolve(reference: Any) -> Optional[Receiver]:
    """The receiver behind a ``receivers`` value, or None once it was garbage-collected."""
    # NOTE(signals): strong receivers are stored as themselves, as blinker does, so a weakref
    # object can only mean "connected weakly".
    if isinstance(reference, weakref.ref):
        return reference()
    return reference


def _is_coroutine_function(function: Any) -> bool:
    # NOTE(signals): the code flag test avoids importing inspect (slow) for plain functions and
    # bound methods, which forward ``__code__`` to their function.
    code = getattr(function, "__code__", None)
    if code is not None:
        return bool(code.co_flags & 0x0080)  # inspect.CO_COROUTINE
    import inspect

    return inspect.iscoroutinefunction(function)


class Signal:
    """An event that receivers connect to and senders send."""

    ANY = ANY

    def __init__(self, doc: Optional[str] = None) -> None:
        if doc:
            self.__doc__ = doc
        #: receiver key -> weak reference, or the receiver itself; in connection order.
        self.receivers: dict[Hashable, Any] = {}
        self._by_receiver: dict[Hashable, set[Hashable]] = {}
        self._by_sender: dict[Hashable, set[Hashable]] = {}
        self._senders: dict[int, Any] = {}
        #: True inside ``muted()``: ``send`` then calls nobody.
        self.is_muted = False

    # -- Connecting ----------------------------------------------------------------------------

    def connect(self, receiver: Receiver, sender: Any = ANY, weak: bool = True) -> Receiver:
        """Call ``receiver(sender, **kwargs)`` whenever this signal is sent by ``sender``.

        With ``weak=True`` the signal keeps only a weak reference: the connection ends when the
        receiver (or, for a bound method, its instance) is garbage-collected. Returns
        ``receiver``, so ``connect`` also works as a decorator.
        """
        key = _receiver_key(receiver)
        if key not in self.receivers:
            self.receivers[key] = self._make_reference(receiver, key) if weak else receiver
        sender_key = self._remember_sender(sender)
        self._by_receiver.setdefault(key, set()).add(sender_key)
        self._by_sender.setdefault(sender_key, set()).add(key)
        return receiver

    def connect_via(self, sender: Any, weak: bool = False) -> Callable[[Receiver], Receiver]:
        """Decorator form of ``connect`` for one sender (strong by default, as in blinker)."""

        def decorator(receiver: Receiver) -> Receiver:
            return self.connect(receiver, sender, weak)

        return decorator

    def disconnect(self, receiver: Receiver, sender: Any = ANY) -> None:
        """Stop sending to ``receiver``: from ``sender`` only, or from everyone with ``ANY``."""
        key = _receiver_key(receiver)
        if sender is ANY:
            self._forget_receiver(key)
        else:
            self._unlink(key, id(sender))

    @contextmanager
    def connected_to(self, receiver: Receiver, sender: Any = ANY) -> Iterator[Receiver]:
        """Connect ``receiver`` (strongly) for the span of a ``with`` block, e.g. in a test."""
        self.connect(receiver, sender, weak=False)
        try:
            yield receiver
        finally:
            self.disconnect(receiver, sender)

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Send to nobody for the span of a ``with`` block."""
        previous, self.is_muted = self.is_muted, True
        try:
            yield
        finally:
            self.is_muted = previous

    # -- Sending -------------------------------------------------------------------------------

    def receivers_for(self, sender: Any) -> Iterator[Receiver]:
        """The live receivers connected to ``sender`` or to ``ANY``, in connection order."""
        if not self.receivers:
            return
        wanted = set(self._by_sender.get(ANY, ()))
        if sender is not ANY:
            wanted.update(self._by_sender.get(id(sender), ()))
        # NOTE(signals): dict.copy() runs in C without creating objects, so no garbage collection
        # (and no weakref callback changing ``receivers``) can happen half-way through it.
        for key, reference in self.receivers.copy().items():
            if key in wanted:
                receiver = _resolve(reference)
                if receiver is not None:
                    yield receiver

    def has_receivers_for(self, sender: Any) -> bool:
        """True when ``send(sender)`` would call at least one receiver."""
        return any(True for _ in self.receivers_for(sender))

    def send(self, sender: Any = None, /, *, _async_wrapper: Optional[Callable[[Receiver], Receiver]] = None,
             **kwargs: Any) -> list[tuple[Receiver, Any]]:
        """Call each receiver for ``sender`` with ``kwargs``; return ``[(receiver, result)]``.

        An ``async def`` receiver needs ``_async_wrapper`` (the app passes ``app.ensure_sync``),
        which turns it into a plain callable; without one it raises RuntimeError.
        """
        if self.is_muted:
            return []
        results = []
        for receiver in self.receivers_for(sender):
            call = receiver
            if _is_coroutine_function(receiver):
                if _async_wrapper is None:
                    raise RuntimeError(
                        f"Cannot send to the coroutine function {receiver!r}: pass _async_wrapper"
                        " (such as app.ensure_sync) or use 'await signal.send_async(...)'."
                    )
                call = _async_wrapper(receiver)
            results.append((receiver, call(sender, **kwargs)))
        return results

    async def send_async(self, sender: Any = None, /, *,
                         _sync_wrapper: Optional[Callable[[Receiver], Receiver]] = None,
                         **kwargs: Any) -> list[tuple[Receiver, Any]]:
        """``send`` for async code: awaits each receiver; plain ones need ``_sync_wrapper``."""
        if self.is_muted:
            return []
        results = []
        for receiver in self.receivers_for(sender):
            if _is_coroutine_function(receiver):
                result = await receiver(sender, **kwargs)
            elif _sync_wrapper is None:
                raise RuntimeError(
                    f"Cannot send_async to the plain function {receiver!r}: pass _sync_wrapper,"
                    " which must turn it into a coroutine function, or use 'send'."
                )
            else:
                result = await _sync_wrapper(receiver)(sender, **kwargs)
            results.append((receiver, result))
        return results

    # -- Bookkeeping ---------------------------------------------------------------------------

    def _make_reference(self, receiver: Receiver, key: Hashable) -> Any:
        """A weak reference to ``receiver`` that disconnects it when it dies."""

        def on_dead(reference: Any) -> None:
            if self.receivers.get(key) is reference:
                self._forget_receiver(key)

        if hasattr(receiver, "__self__") and hasattr(receiver, "__func__"):
            return weakref.WeakMethod(receiver, on_dead)  # a bound method dies with its instance
        try:
            return weakref.ref(receiver, on_dead)
        except TypeError:
            # NOTE(signals): some callables (objects with __slots__ and no __weakref__) cannot be
            # weakly referenced; they are kept strongly instead of refused.
            return receiver

    def _remember_sender(self, sender: Any) -> Hashable:
        """The key for ``sender``, watching it so its links go when it is garbage-collected."""
        if sender is ANY:
            return ANY
        key = id(sender)
        if key not in self._senders:

            def on_dead(reference: Any) -> None:
                if self._senders.get(key) is reference:
                    self._forget_sender(key)

            try:
                self._senders[key] = weakref.ref(sender, on_dead)
            except TypeError:
                # NOTE(signals): str, int and tuple senders cannot be weakly referenced; holding
                # them keeps their id from being reused by another object while connected.
                self._senders[key] = sender
        return key

    def _unlink(self, key: Hashable, sender_key: Hashable) -> None:
        """Remove one receiver-sender link, then whichever side is left with no links."""
        senders = self._by_receiver.get(key)
        if senders is not None:
            senders.discard(sender_key)
            if not senders:
                del self._by_receiver[key]
                self.receivers.pop(key, None)
        receivers = self._by_sender.get(sender_key)
        if receivers is not None:
            receivers.discard(key)
            if not receivers:
                del self._by_sender[sender_key]
                self._senders.pop(sender_key, None)  # type: ignore[call-overload]

    def _forget_receiver(self, key: Hashable) -> None:
        for sender_key in list(self._by_receiver.get(key, ())):
            self._unlink(key, sender_key)
        self.receivers.pop(key, None)

    def _forget_sender(self, sender_key: Hashable) -> None:
        for key in list(self._by_sender.get(sender_key, ())):
            self._unlink(key, sender_key)
        self._senders.pop(sender_key, None)  # type: ignore[call-overload]


class NamedSignal(Signal):
    """A signal with a ``name``, as made by ``Namespace.signal``."""

    def __init__(self, name: str, doc: Optional[str] = None) -> None:
        super().__init__(doc)
        self.name = name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class Namespace(dict):
    """A mapping of names to signals; ``signal(name)`` returns the same signal for a name."""

    def signal(self, name: str, doc: Optional[str] = None) -> NamedSignal:
        if name not in self:
            self[name] = NamedSignal(name, doc)
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
