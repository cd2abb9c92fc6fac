"""Application and request contexts (Flask's ``flask.ctx``).

A context is pushed for the span of a request (or of a ``with app.app_context():`` block): pushing
sets the context variables in ``globals`` so ``current_app``, ``g``, ``request`` and ``session``
resolve, popping runs the teardown functions and resets them. A request context pushes an app
context first if none for its app is active. The session is opened the first time it is used,
not at push, so a request that never touches ``session`` never parses a cookie.

Does not: dispatch the request (see ``app.Flask.full_dispatch_request``).
"""

from __future__ import annotations

import sys
from functools import update_wrapper
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, TypeVar

from .globals import _cv_app, _cv_request
from .signals import appcontext_popped, appcontext_pushed

if TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .wrappers import Request

F = TypeVar("F", bound=Callable[..., Any])

#: Sentinel for "no error passed": ``pop()`` then looks at ``sys.exc_info()``.
_sentinel = object()


class _AppCtxGlobals:
    """The ``g`` object: a plain namespace for one app context, with dict-like helpers."""

    def get(self, name: str, default: Any = None) -> Any:
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: Any = _sentinel) -> Any:
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: Any = None) -> Any:
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        from .globals import _cv_app as current

        context = current.get(None)
        name = context.app.name if context is not None else "unbound"
        return f"<microflask.g of {name!r}>"


class AppContext:
    """Makes ``current_app`` and ``g`` available; pushed per request and for CLI commands."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._tokens: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        # NOTE(ctx): ``g`` and the URL adapter are made on first use: most requests touch
        # neither, and only url_for outside a request needs the adapter.
        if name == "g":
            value = self.app.app_ctx_globals_class()
        elif name == "url_adapter":
            value = self.app.create_url_adapter(None)
        else:
            raise AttributeError(name)
        self.__dict__[name] = value
        return value

    def push(self) -> None:
        self._tokens.append(_cv_app.set(self))
        if appcontext_pushed.receivers:
            appcontext_pushed.send(self.app, _async_wrapper=self.app.ensure_sync)

    def pop(self, exc: Any = _sentinel) -> None:
        try:
            if len(self._tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            context = _cv_app.get()
            _cv_app.reset(self._tokens.pop())
        if context is not self:
            raise AssertionError(f"Popped wrong app context. ({context!r} instead of {self!r})")
        if appcontext_popped.receivers:
            appcontext_popped.send(self.app, _async_wrapper=self.app.ensure_sync)

    def __enter__(self) -> AppContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc_value: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.pop(exc_value)


class RequestContext:
    """Holds everything about one request: the Request, URL match, session, after-request hooks."""

    #: ``after_this_request`` functions (a list per context once one is added).
    _after_request_functions: Any = ()

    def __init__(self, app: Flask, environ: dict, request: Optional[Request] = None,
                 session: Any = None) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
            app._configure_request(request)
        self.request = request
        self.flashes: Optional[list] = None
        if session is not None:
            self.__dict__["session"] = session
        self._cv_tokens: list[tuple[Any, Optional[AppContext]]] = []

    def __getattr__(self, name: str) -> Any:
        # NOTE(ctx): the URL adapter and the session are made on first use: most requests never
        # build a URL, and requests that never read the session skip the cookie parse and
        # signature check. __getattr__ only runs when the attribute is missing.
        if name == "url_adapter":
            return self._bind_url_adapter()
        if name != "session":
            raise AttributeError(name)
        session_interface = self.app.session_interface
        session = session_interface.open_session(self.app, self.request)
        if session is None:
            session = session_interface.make_null_session(self.app)
        self.__dict__["session"] = session
        return session

    @property
    def session_opened(self) -> bool:
        return "session" in self.__dict__

    def copy(self) -> RequestContext:
        """A new context for the same request, sharing the session, for another thread."""
        return self.__class__(self.app, self.request.environ, self.request, self.__dict__.get("session"))

    def _bind_url_adapter(self) -> Any:
        adapter = None
        try:
            adapter = self.app.create_url_adapter(self.request)
        except Exception as e:  # noqa: BLE001 - a bad Host header becomes the request's 400
            self.request.routing_exception = e
        self.__dict__["url_adapter"] = adapter
        return adapter

    def match_request(self) -> None:
        """Match the URL and store ``url_rule``/``view_args`` (or the routing exception).

        Without SERVER_NAME or host matching, a plain hit is found on the map directly; only
        misses, redirects and 405s bind the adapter, which knows how to raise them.
        """
        request, app = self.request, self.app
        if app.config["SERVER_NAME"] is None and not app.url_map.host_matching:
            found = app.url_map.match_environ(request.environ, app.url_map.default_subdomain or "", request.method)
            if found is not None:
                request.url_rule, request.view_args = found
                return
        adapter = self.url_adapter
        if adapter is None:
            return
        try:
            request.url_rule, request.view_args = adapter.match(return_rule=True)
        except Exception as e:  # noqa: BLE001 - NotFound, 405 and redirects are raised at dispatch
            request.routing_exception = e

    def push(self) -> None:
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.push()
        else:
            app_ctx = None
        self._cv_tokens.append((_cv_request.set(self), app_ctx))
        if self.request.routing_exception is None:
            self.match_request()

    def pop(self, exc: Any = _sentinel) -> None:
        clear_request = len(self._cv_tokens) == 1
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                self.request.close()
        finally:
            context = _cv_request.get()
            token, app_ctx = self._cv_tokens.pop()
            _cv_request.reset(token)
            if clear_request:
                context.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if context is not self:
                raise AssertionError(f"Popped wrong request context. ({context!r} instead of {self!r})")

    def __enter__(self) -> RequestContext:
        self.push()
        return self

    def __exit__(self, exc_type: Any, exc_value: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.pop(exc_value)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.request.url!r} [{self.request.method}] of {self.app.name}>"


def after_this_request(function: F) -> F:
    """Run ``function(response)`` after this request, and use what it returns as the response."""
    context = _cv_request.get(None)
    if context is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request context is active, such as in a view function."
        )
    context._after_request_functions = [*context._after_request_functions, function]
    return function


def copy_current_request_context(function: F) -> F:
    """Decorate ``function`` so it runs inside a copy of the current request context.

    For handing work to a thread or greenlet that still needs ``request`` and ``session``.
    """
    context = _cv_request.get(None)
    if context is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a request context is active,"
            " such as in a view function."
        )
    context = context.copy()

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with context:
            return context.app.ensure_sync(function)(*args, **kwargs)

    return update_wrapper(wrapper, function)  # type: ignore[return-value]


def has_request_context() -> bool:
    """True inside a request (or a ``test_request_context``)."""
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    """True when an application context is active."""
    return _cv_app.get(None) is not None
