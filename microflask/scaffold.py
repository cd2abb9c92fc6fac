"""The registration API shared by ``Flask`` and ``Blueprint`` (Flask's ``sansio.scaffold``).

Decorators such as ``route``, ``before_request`` and ``errorhandler`` only record functions in
dicts keyed by blueprint name (``None`` for the app itself), so the app can find the hooks of a
request's blueprints with one dict lookup per name. Nothing here touches a request.

Does not: dispatch anything (see ``app``), nor register blueprints (see ``blueprints``).
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from functools import cached_property, update_wrapper
from typing import Any, Callable, Optional, TypeVar

from .exceptions import HTTPException, default_exceptions

F = TypeVar("F", bound=Callable[..., Any])


def setupmethod(function: F) -> F:
    """Mark a registration method: calling it after the first request raises AssertionError."""
    name = function.__name__

    def wrapper(self: Scaffold, *args: Any, **kwargs: Any) -> Any:
        self._check_setup_finished(name)
        return function(self, *args, **kwargs)

    return update_wrapper(wrapper, function)  # type: ignore[return-value]


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name`` (the cwd for an interactive session)."""
    module = sys.modules.get(import_name)
    path = getattr(module, "__file__", None)
    if path is None and import_name != "__main__":
        import importlib.util

        try:
            spec = importlib.util.find_spec(import_name)
        except (ImportError, ValueError):
            spec = None
        path = spec.origin if spec is not None and spec.origin not in (None, "namespace") else None
        if path is None and spec is not None and spec.submodule_search_locations:
            return os.path.abspath(list(spec.submodule_search_locations)[0])
    if path is None:
        return os.getcwd()
    return os.path.dirname(os.path.abspath(path))


def _endpoint_from_view_func(view_func: Callable[..., Any]) -> str:
    if view_func is None:
        raise TypeError("expected view func if endpoint is not provided.")
    return view_func.__name__


class Scaffold:
    """State and decorators common to apps and blueprints."""

    name: str
    _static_folder: Optional[str] = None
    _static_url_path: Optional[str] = None

    def __init__(
        self,
        import_name: str,
        static_folder: Optional[str | os.PathLike] = None,
        static_url_path: Optional[str] = None,
        template_folder: Optional[str | os.PathLike] = None,
        root_path: Optional[str] = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder  # type: ignore[assignment]
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        self.root_path = root_path if root_path is not None else get_root_path(import_name)
        self.view_functions: dict[str, Callable[..., Any]] = {}
        #: blueprint name -> status code or None -> exception class -> handler
        self.error_handler_spec: dict = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[Optional[str], list] = defaultdict(list)
        self.after_request_funcs: dict[Optional[str], list] = defaultdict(list)
        self.teardown_request_funcs: dict[Optional[str], list] = defaultdict(list)
        self.template_context_processors: dict[Optional[str], list] = defaultdict(list)
        self.url_value_preprocessors: dict[Optional[str], list] = defaultdict(list)
        self.url_default_functions: dict[Optional[str], list] = defaultdict(list)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @cached_property
    def cli(self) -> Any:
        """The commands of the ``microflask`` command line: ``@app.cli.command()`` (an ``AppGroup``).

        Made on first use, so an app without commands never imports the CLI machinery.
        """
        from .cli import AppGroup

        return AppGroup(self.name)

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- Folders ---------------------------------------------------------------------------------

    @property
    def static_folder(self) -> Optional[str]:
        """Absolute path of the static folder, or None."""
        if self._static_folder is None:
            return None
        return os.path.join(self.root_path, self._static_folder)

    @static_folder.setter
    def static_folder(self, value: Optional[str | os.PathLike]) -> None:
        self._static_folder = os.fspath(value).rstrip(r"\/") if value is not None else None

    @property
    def has_static_folder(self) -> bool:
        return self.static_folder is not None

    @property
    def jinja_loader(self) -> Any:
        """A loader for ``template_folder`` (None without one); made once, on first use."""
        if "jinja_loader" not in self.__dict__:
            loader = None
            if self.template_folder is not None:
                from .templating.loaders import FileSystemLoader

                loader = FileSystemLoader(os.path.join(self.root_path, self.template_folder))
            self.__dict__["jinja_loader"] = loader
        return self.__dict__["jinja_loader"]

    @property
    def static_url_path(self) -> Optional[str]:
        """URL prefix of the static route: given, or ``/`` + the folder's base name."""
        if self._static_url_path is not None:
            return self._static_url_path
        if self._static_folder is not None:
            return "/" + os.path.basename(self._static_folder).rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: Optional[str]) -> None:
        self._static_url_path = value.rstrip("/") if value is not None else None

    # -- Routes ----------------------------------------------------------------------------------

    def _method_route(self, method: str, rule: str, options: dict) -> Callable[[F], F]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    @setupmethod
    def get(self, rule: str, **options: Any) -> Callable[[F], F]:
        """``route(rule, methods=["GET"])``."""
        return self._method_route("GET", rule, options)

    @setupmethod
    def post(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self._method_route("POST", rule, options)

    @setupmethod
    def put(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self._method_route("PUT", rule, options)

    @setupmethod
    def delete(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self._method_route("DELETE", rule, options)

    @setupmethod
    def patch(self, rule: str, **options: Any) -> Callable[[F], F]:
        return self._method_route("PATCH", rule, options)

    @setupmethod
    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        """Register the decorated function as the view for URL ``rule``.

        ``methods``, ``endpoint``, ``defaults``, ``strict_slashes``, ``redirect_to``, ``subdomain``
        and ``host`` are passed on to the URL rule.
        """

        def decorator(function: F) -> F:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, function, **options)
            return function

        return decorator

    @setupmethod
    def add_url_rule(self, rule: str, endpoint: Optional[str] = None,
                     view_func: Optional[Callable[..., Any]] = None,
                     provide_automatic_options: Optional[bool] = None, **options: Any) -> None:
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> Callable[[F], F]:
        """Register the decorated function as the view for ``endpoint`` (rule added elsewhere)."""

        def decorator(function: F) -> F:
            self.view_functions[endpoint] = function
            return function

        return decorator

    # -- Hooks -----------------------------------------------------------------------------------

    @setupmethod
    def before_request(self, function: F) -> F:
        """Run before each view; a non-None return value is used as the response."""
        self.before_request_funcs[None].append(function)
        return function

    @setupmethod
    def after_request(self, function: F) -> F:
        """Run ``function(response)`` after each view; it returns the response to send."""
        self.after_request_funcs[None].append(function)
        return function

    @setupmethod
    def teardown_request(self, function: F) -> F:
        """Run ``function(error_or_None)`` when the request context is popped, always."""
        self.teardown_request_funcs[None].append(function)
        return function

    @setupmethod
    def context_processor(self, function: F) -> F:
        """Add the dict ``function()`` returns to every template's context."""
        self.template_context_processors[None].append(function)
        return function

    @setupmethod
    def url_value_preprocessor(self, function: F) -> F:
        """Run ``function(endpoint, view_args)`` before the view; it may change ``view_args``."""
        self.url_value_preprocessors[None].append(function)
        return function

    @setupmethod
    def url_defaults(self, function: F) -> F:
        """Run ``function(endpoint, values)`` in ``url_for`` to fill in values."""
        self.url_default_functions[None].append(function)
        return function

    # -- Error handlers --------------------------------------------------------------------------

    @setupmethod
    def errorhandler(self, code_or_exception: type[BaseException] | int) -> Callable[[F], F]:
        """Handle an HTTP status code or exception class with the decorated function."""

        def decorator(function: F) -> F:
            self.register_error_handler(code_or_exception, function)
            return function

        return decorator

    @setupmethod
    def register_error_handler(self, code_or_exception: type[BaseException] | int,
                               function: Callable[..., Any]) -> None:
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = function

    @staticmethod
    def _get_exc_class_and_code(exc_class_or_code: type[BaseException] | int) -> tuple[type, Optional[int]]:
        """``404`` -> ``(NotFound, 404)``; ``ValueError`` -> ``(ValueError, None)``."""
        if isinstance(exc_class_or_code, int):
            try:
                exc_class: Any = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"'{exc_class_or_code}' is not a recognized HTTP error code. Use a subclass of"
                    " HTTPException with that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, BaseException):
            raise TypeError(f"{exc_class!r} is an instance, not a class. Handlers can only be registered for Exception classes or HTTP error codes.")
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(f"'{getattr(exc_class, '__name__', exc_class)}' is not a subclass of Exception. Handlers can only be registered for Exception classes or HTTP error codes.")
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None
