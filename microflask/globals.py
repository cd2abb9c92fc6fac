"""The context globals: ``current_app``, ``g``, ``request``, ``session`` (Flask's ``flask.globals``).

Two ``contextvars.ContextVar`` objects hold the active application context and request context;
``ctx.AppContext.push`` and ``ctx.RequestContext.push`` set them and ``pop`` resets them. The names
apps import are proxies: every operation on ``request`` looks up the current request context and
forwards to its ``request`` attribute, so each thread (or asyncio task) sees its own request.

Does not: create or push contexts (see ``ctx``).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Callable

_no_app_msg = """\
Working outside of application context.

This typically means that you attempted to use functionality that needed
the current application. To solve this, set up an application context
with app.app_context(). See the documentation for more information."""

_no_req_msg = """\
Working outside of request context.

This typically means that you attempted to use functionality that needed
an active HTTP request. Consult the documentation on testing for
information about how to avoid this problem."""

_cv_app: ContextVar[Any] = ContextVar("microflask.app_ctx")
_cv_request: ContextVar[Any] = ContextVar("microflask.request_ctx")


def _make_getter(var: ContextVar, attribute: str | None, message: str) -> Callable[[], Any]:
    """A function returning ``var.get().attribute``, raising RuntimeError(message) when unset."""
    get = var.get

    def get_current_object() -> Any:
        try:
            context = get()
        except LookupError:
            raise RuntimeError(message) from None
        return context if attribute is None else getattr(context, attribute)

    return get_current_object


_get_own_attribute = object.__getattribute__
#: Attributes a ContextProxy answers itself; every other attribute is the proxied object's.
_OWN_ATTRIBUTES = frozenset({"_get_current_object", "__class__"})


def _forward(name: str) -> Callable[..., Any]:
    def method(self: ContextProxy, *args: Any) -> Any:
        return getattr(_get_own_attribute(self, "_get_current_object")(), name)(*args)

    method.__name__ = name
    return method


class ContextProxy:
    """Forward every operation to the object a getter returns right now.

    ``request.args``, ``session["user"] = 1``, ``"x" in g`` and ``bool(request)`` all work; use
    ``_get_current_object()`` to get the real object (to pass it to another thread, say).
    """

    __slots__ = ("_get_current_object", "__weakref__")

    def __init__(self, getter: Callable[[], Any]) -> None:
        object.__setattr__(self, "_get_current_object", getter)

    def __getattribute__(self, name: str) -> Any:
        # NOTE(globals): forwarding here rather than in ``__getattr__`` skips the failed lookup on
        # the proxy (and its AttributeError) that ``__getattr__`` only runs after: ``request.args``
        # and ``session.get`` cost about half as much.
        if name in _OWN_ATTRIBUTES:
            return _get_own_attribute(self, name)
        return getattr(_get_own_attribute(self, "_get_current_object")(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    def __bool__(self) -> bool:
        try:
            return bool(self._get_current_object())
        except RuntimeError:
            return False

    def __repr__(self) -> str:
        try:
            return repr(self._get_current_object())
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"

    def __dir__(self) -> list[str]:
        return dir(self._get_current_object())

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # so isinstance(request, Request) is True, as in Flask
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return ContextProxy

    __str__ = _forward("__str__")
    __eq__ = _forward("__eq__")
    __ne__ = _forward("__ne__")
    __hash__ = _forward("__hash__")  # type: ignore[assignment]
    __len__ = _forward("__len__")
    __iter__ = _forward("__iter__")
    __call__ = _forward("__call__")
    __enter__ = _forward("__enter__")
    __exit__ = _forward("__exit__")

    # NOTE(globals): the item operators (``session[key]``, ``"name" in g``) are spelled out:
    # applying the operator to the object costs about half of fetching and calling its method.
    def __getitem__(self, key: Any) -> Any:
        return _get_own_attribute(self, "_get_current_object")()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        _get_own_attribute(self, "_get_current_object")()[key] = value

    def __delitem__(self, key: Any) -> None:
        del _get_own_attribute(self, "_get_current_object")()[key]

    def __contains__(self, item: Any) -> bool:
        return item in _get_own_attribute(self, "_get_current_object")()


app_ctx: Any = ContextProxy(_make_getter(_cv_app, None, _no_app_msg))
current_app: Any = ContextProxy(_make_getter(_cv_app, "app", _no_app_msg))
g: Any = ContextProxy(_make_getter(_cv_app, "g", _no_app_msg))
request_ctx: Any = ContextProxy(_make_getter(_cv_request, None, _no_req_msg))
request: Any = ContextProxy(_make_getter(_cv_request, "request", _no_req_msg))
session: Any = ContextProxy(_make_getter(_cv_request, "session", _no_req_msg))
