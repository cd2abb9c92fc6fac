"""Class-based views (Flask's ``flask.views``): a view written as a class, registered as a function.

``View.as_view(name, *args, **kwargs)`` turns a class into a plain view function:
1. per request the function builds ``cls(*args, **kwargs)`` (or, with ``init_every_request =
   False``, reuses the one instance ``as_view`` built) and calls its
   ``dispatch_request(**url_values)`` through ``current_app.ensure_sync``, so ``async def`` works;
2. each of ``cls.decorators`` wraps that function, in list order (the first is innermost);
3. ``methods`` and ``provide_automatic_options`` are copied onto the function, where
   ``add_url_rule`` reads them, with ``view_class`` pointing back at the class.
``MethodView`` fills ``methods`` from the handlers a class defines or inherits (``get``,
``post``...) and dispatches to the one named after the request method; HEAD falls back to ``get``.
Flask docs: https://flask.palletsprojects.com/en/stable/views/ and
https://flask.palletsprojects.com/en/stable/api/#class-based-views.

Does not: route (the app's ``add_url_rule`` does), nor answer OPTIONS (the app's automatic OPTIONS
response does, unless the class defines an ``options`` handler).
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Collection, List, Optional

from .globals import current_app, request

__all__ = ["View", "MethodView", "http_method_funcs"]

#: The handler names ``MethodView`` looks for: the methods of RFC 9110 section 9 (minus CONNECT,
#: which no web app serves) plus PATCH (RFC 5789).
http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """Subclass, override ``dispatch_request``, and register ``as_view(name)``::

        class Hello(View):
            def dispatch_request(self, name):
                return f"Hello, {name}!"

        app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))
    """

    #: The methods the route accepts (``None``: the app's default, ``["GET"]``).
    methods: ClassVar[Optional[Collection[str]]] = None
    #: Whether the app answers OPTIONS itself (``None``: yes, unless ``methods`` has OPTIONS).
    provide_automatic_options: ClassVar[Optional[bool]] = None
    #: Decorators applied, in order, to the function ``as_view`` returns.
    decorators: ClassVar[List[Callable[..., Any]]] = []
    #: True: a new instance per request. False: one instance, built by ``as_view``, serves every
    #: request (faster, but then ``self`` must not hold per-request state).
    init_every_request: ClassVar[bool] = True

    def dispatch_request(self, **kwargs: Any) -> Any:
        """The view body: receives the URL values, returns a response value like any view."""
        raise NotImplementedError(
            f"{type(self).__name__} must override dispatch_request(self, **url_values).")

    @classmethod
    def as_view(cls, name: str, *class_args: Any, **class_kwargs: Any) -> Callable[..., Any]:
        """A view function named ``name`` that runs this class; the args go to its constructor."""
        if cls.init_every_request:
            view = _build_per_request_view(cls, class_args, class_kwargs)
        else:
            view = _build_shared_instance_view(cls(*class_args, **class_kwargs))
        # NOTE(views): name the inner function before decorating, so decorators that use
        # functools.wraps carry the endpoint name, and again after, whatever they returned.
        view.__name__ = name
        view.__module__ = cls.__module__
        for decorator in cls.decorators:
            view = decorator(view)
        return _describe_view(view, cls, name)


def _build_per_request_view(cls: type[View], args: tuple[Any, ...],
                            kwargs: dict[str, Any]) -> Callable[..., Any]:
    """A view function that builds a fresh ``cls(*args, **kwargs)`` for every request."""

    def view(**url_values: Any) -> Any:
        instance = cls(*args, **kwargs)
        return current_app.ensure_sync(instance.dispatch_request)(**url_values)

    return view


def _build_shared_instance_view(instance: View) -> Callable[..., Any]:
    """A view function that sends every request to the same ``instance``."""

    def view(**url_values: Any) -> Any:
        return current_app.ensure_sync(instance.dispatch_request)(**url_values)

    return view


def _describe_view(view: Callable[..., Any], cls: type[View], name: str) -> Callable[..., Any]:
    """Copy onto ``view`` the class facts that ``add_url_rule`` and introspection read."""
    view.view_class = cls  # type: ignore[attr-defined]
    view.__name__ = name
    view.__doc__ = cls.__doc__
    view.__module__ = cls.__module__
    view.methods = cls.methods  # type: ignore[attr-defined]
    view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
    return view


class MethodView(View):
    """Dispatch each request to the method named after its HTTP method::

        class UserAPI(MethodView):
            def get(self, id): ...
            def post(self): ...

    ``UserAPI.methods`` becomes ``{"GET", "POST"}``, so other methods get 405 with ``Allow``.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # NOTE(views): an explicit ``methods`` in the class body wins; otherwise handlers found
        # on the class, its bases and mixins all count, so a subclass adds to its parent's set.
        if "methods" not in cls.__dict__:
            methods = _collect_methods(cls)
            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: Any) -> Any:
        """Call the handler for ``request.method`` with the URL values."""
        handler = _find_handler(self, request.method)
        return current_app.ensure_sync(handler)(**kwargs)


def _collect_methods(cls: type) -> set[str]:
    """The upper-case methods ``cls`` serves: its bases' ``methods`` plus its handlers."""
    methods: set[str] = set()
    for base in cls.__bases__:
        methods.update(item.upper() for item in getattr(base, "methods", None) or ())
    methods.update(name.upper() for name in http_method_funcs if hasattr(cls, name))
    return methods


def _find_handler(view: MethodView, method: str) -> Callable[..., Any]:
    """The bound handler for ``method`` (``get`` serves HEAD when there is no ``head``)."""
    handler = getattr(view, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view, "get", None)
    if handler is None:
        # NOTE(views): as in Flask this is a programmer error (the route allows a method the
        # class lacks), so it raises (a 500) rather than a 405 that would hide the mistake.
        # Raised explicitly, not with ``assert``, so ``python -O`` keeps the clear message.
        raise AssertionError(
            f"Unimplemented method {method!r}: {type(view).__name__} has no"
            f" '{method.lower()}' handler. Define it, or remove {method} from the route's methods.")
    return handler
