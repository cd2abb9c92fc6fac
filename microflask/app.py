"""The application object: ``Flask`` (Flask's ``flask.app``).

``Flask.wsgi_app`` is the whole request path. It builds a ``RequestContext`` (which wraps the
environ in a ``Request`` and matches the URL), pushes it, runs ``full_dispatch_request`` --
url value preprocessors, before-request hooks, the view, ``make_response``, after-request hooks,
saving the session -- and returns the response to the server. Any exception becomes a response
through the registered error handlers; the context is popped (teardown functions run) whatever
happens. Hooks and handlers are looked up per blueprint name, innermost blueprint first.

Does not: parse HTTP (``wrappers``, ``http``), match URLs (``routing``) or render templates.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator as _IteratorABC
from datetime import timedelta
from itertools import chain
from typing import Any, Callable, Iterable, Optional
from urllib.parse import quote

from . import signals
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .exceptions import (
    Aborter,
    BadRequest,
    BadRequestKeyError,
    HTTPException,
    InternalServerError,
)
from .globals import _cv_app, _cv_request
from .json.provider import DefaultJSONProvider
from .routing import BuildError, Map, MapAdapter, RequestRedirect, Rule
from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod
from .sessions import SecureCookieSessionInterface
from .wrappers import Request, Response

#: Flag set on a coroutine function's code object (``inspect.CO_COROUTINE``; asyncio and inspect
#: are imported only when an async view exists, which keeps ``import microflask`` fast).
_CO_COROUTINE = 0x0080


def _make_timedelta(value: Any) -> Optional[timedelta]:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


def _environ_debug_flag() -> bool:
    value = os.environ.get("MICROFLASK_DEBUG") or os.environ.get("FLASK_DEBUG")
    return bool(value) and value.lower() not in ("0", "false", "no")


class Flask(Scaffold):
    """The WSGI application: holds config, URL map, views, hooks and error handlers.

    ``Flask(__name__)`` in a module; the name locates the app's folders (``static``,
    ``templates``) and names its logger.
    """

    request_class = Request
    response_class = Response
    url_rule_class = Rule
    url_map_class = Map
    app_ctx_globals_class = _AppCtxGlobals
    json_provider_class = DefaultJSONProvider
    session_interface = SecureCookieSessionInterface()
    aborter_class = Aborter
    test_client_class: Optional[type] = None
    test_cli_runner_class: Optional[type] = None
    config_class = Config

    @property
    def debug(self) -> bool:
        """Debug mode (the DEBUG key); turning it on also reloads changed templates."""
        return self.config["DEBUG"]

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = self.templates_auto_reload
    testing = ConfigAttribute("TESTING")
    secret_key = ConfigAttribute("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute("PERMANENT_SESSION_LIFETIME", _make_timedelta)

    default_config = {
        "DEBUG": None,
        "TESTING": False,
        "PROPAGATE_EXCEPTIONS": None,
        "SECRET_KEY": None,
        "SECRET_KEY_FALLBACKS": None,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
        "USE_X_SENDFILE": False,
        "TRUSTED_HOSTS": None,
        "SERVER_NAME": None,
        "APPLICATION_ROOT": "/",
        "SESSION_COOKIE_NAME": "session",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": False,
        "SESSION_COOKIE_PARTITIONED": False,
        "SESSION_COOKIE_SAMESITE": None,
        "SESSION_REFRESH_EACH_REQUEST": True,
        "MAX_CONTENT_LENGTH": None,
        "MAX_FORM_MEMORY_SIZE": 500_000,
        "MAX_FORM_PARTS": 1_000,
        "SEND_FILE_MAX_AGE_DEFAULT": None,
        "TRAP_BAD_REQUEST_ERRORS": None,
        "TRAP_HTTP_EXCEPTIONS": False,
        "EXPLAIN_TEMPLATE_LOADING": False,
        "PREFERRED_URL_SCHEME": "http",
        "TEMPLATES_AUTO_RELOAD": None,
        "MAX_COOKIE_SIZE": 4093,
        "PROVIDE_AUTOMATIC_OPTIONS": True,
    }

    def __init__(
        self,
        import_name: str,
        static_url_path: Optional[str] = None,
        static_folder: Optional[str | os.PathLike] = "static",
        static_host: Optional[str] = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: Optional[str | os.PathLike] = "templates",
        instance_path: Optional[str] = None,
        instance_relative_config: bool = False,
        root_path: Optional[str] = None,
    ) -> None:
        super().__init__(import_name, static_folder, static_url_path, template_folder, root_path)
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError("If an instance path is provided it must be absolute. A relative path was given instead.")
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.aborter_class()
        self.json = self.json_provider_class(self)
        self.url_build_error_handlers: list[Callable[..., Any]] = []
        self.teardown_appcontext_funcs: list[Callable[..., Any]] = []
        self.shell_context_processors: list[Callable[..., Any]] = []
        self.blueprints: dict[str, Any] = {}
        self.extensions: dict[str, Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self.subdomain_matching = subdomain_matching
        self._got_first_request = False
        if self.has_static_folder:
            if bool(static_host) != host_matching:
                raise AssertionError("Invalid static_host/host_matching combination")
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self.send_static_file(**kw),
            )

    # -- Names, folders, config --------------------------------------------------------------------

    @property
    def name(self) -> str:  # type: ignore[override]
        """The import name, or the script's file name when it is ``__main__``."""
        if self.import_name == "__main__":
            path = getattr(sys.modules["__main__"], "__file__", None)
            return os.path.splitext(os.path.basename(path))[0] if path else "__main__"
        return self.import_name

    def auto_find_instance_path(self) -> str:
        """Where instance config and data live, by Flask's rule: ``instance`` beside the module
        (or beside the package's folder); ``<prefix>/var/<name>-instance`` when installed."""
        folder = self.root_path
        if hasattr(sys.modules.get(self.import_name), "__path__"):  # a package: beside its folder
            folder = os.path.dirname(folder)
        if "site-packages" in folder.split(os.sep):
            return os.path.join(sys.prefix, "var", f"{self.name}-instance")
        return os.path.join(folder, "instance")

    def make_config(self, instance_relative: bool = False) -> Config:
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = _environ_debug_flag()
        return self.config_class(root_path, defaults)

    @property
    def logger(self) -> Any:
        """A ``logging.Logger`` named after the app (see ``microflask.logging``); assignable."""
        logger = self.__dict__.get("logger")
        if logger is None:
            from .logging import create_logger  # logging is imported only when an app logs

            logger = self.__dict__["logger"] = create_logger(self)
        return logger

    @logger.setter
    def logger(self, value: Any) -> None:
        self.__dict__["logger"] = value

    @property
    def propagate_exceptions(self) -> bool:
        value = self.config["PROPAGATE_EXCEPTIONS"]
        return value if value is not None else bool(self.testing or self.debug)

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the application. It has"
                " already handled its first request, any changes will not be applied consistently."
                " Make sure all imports, decorators, functions, etc. needed to set up the application"
                " are done before running it."
            )

    # -- Registration ------------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(self, rule: str, endpoint: Optional[str] = None,
                     view_func: Optional[Callable[..., Any]] = None,
                     provide_automatic_options: Optional[bool] = None, **options: Any) -> None:
        """Connect URL ``rule`` to ``view_func`` under ``endpoint`` (the view's name by default)."""
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError('Allowed methods must be a list of strings, for example: @app.route(..., methods=["POST"])')
        methods = {item.upper() for item in methods}
        required = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            provide_automatic_options = "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]
            if provide_automatic_options:
                required.add("OPTIONS")
        rule_obj = self.url_rule_class(rule, methods=methods | required, **options)
        rule_obj.provide_automatic_options = provide_automatic_options
        self.url_map.add(rule_obj)
        if view_func is not None:
            existing = self.view_functions.get(endpoint)
            if existing is not None and existing != view_func:
                raise AssertionError(f"View function mapping is overwriting an existing endpoint function: {endpoint}")
            self.view_functions[endpoint] = view_func

    @setupmethod
    def teardown_appcontext(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Run ``function(error_or_None)`` when the app context is popped."""
        self.teardown_appcontext_funcs.append(function)
        return function

    @setupmethod
    def shell_context_processor(self, function: Callable[..., Any]) -> Callable[..., Any]:
        self.shell_context_processors.append(function)
        return function

    @setupmethod
    def register_blueprint(self, blueprint: Any, **options: Any) -> None:
        """Register a blueprint's routes, hooks and handlers under its name."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> Iterable[Any]:
        return self.blueprints.values()

    # -- Templates -------------------------------------------------------------------------------

    #: Options for the template environment (``trim_blocks``, ``undefined``...), read when
    #: ``jinja_env`` is first used.
    jinja_options: dict[str, Any] = {}
    #: The environment class; None means ``microflask.templating.Environment``.
    jinja_environment: Optional[type] = None

    @property
    def jinja_env(self) -> Any:
        """The template environment, made on first use (so apps without templates never load
        the engine)."""
        env = self.__dict__.get("jinja_env")
        if env is None:
            env = self.__dict__["jinja_env"] = self.create_jinja_environment()
        return env

    def create_jinja_environment(self) -> Any:
        from .helpers import get_flashed_messages
        from .templating import Environment

        options = dict(self.jinja_options)
        options.setdefault("autoescape", self.select_jinja_autoescape)
        options.setdefault("auto_reload", self.templates_auto_reload)
        env = (self.jinja_environment or Environment)(self, **options)
        from .globals import g, request, session

        env.globals.update(url_for=self.url_for, get_flashed_messages=get_flashed_messages, config=self.config,
                           request=request, session=session, g=g)
        env.policies["json.dumps_function"] = self.json.dumps
        return env

    @property
    def templates_auto_reload(self) -> bool:
        """Reload changed templates: TEMPLATES_AUTO_RELOAD, or debug mode when that is None."""
        value = self.config["TEMPLATES_AUTO_RELOAD"]
        return value if value is not None else bool(self.debug)

    @templates_auto_reload.setter
    def templates_auto_reload(self, value: bool) -> None:
        self.config["TEMPLATES_AUTO_RELOAD"] = value

    def create_global_jinja_loader(self) -> Any:
        from .templating import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: Optional[str]) -> bool:
        """Autoescape template strings and .html, .htm, .xml, .xhtml and .svg files."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, Any]) -> None:
        """Add ``g``, ``request``, ``session`` and the context processors' values; values the
        caller passed win."""
        original = dict(context)
        req_ctx = _cv_request.get(None)
        app_ctx = _cv_app.get(None)
        if app_ctx is not None:
            context["g"] = app_ctx.g
        names: tuple = (None,)
        if req_ctx is not None:
            context["request"] = req_ctx.request
            context["session"] = req_ctx.session
            names = (None, *reversed(req_ctx.request.blueprints))
        for name in names:
            for processor in self.template_context_processors.get(name, ()):
                context.update(self.ensure_sync(processor)())
        context.update(original)

    @property
    def template_filters(self) -> dict[str, Callable[..., Any]]:
        """``jinja_env.filters``: every filter templates can use."""
        return self.jinja_env.filters

    @property
    def template_tests(self) -> dict[str, Callable[..., Any]]:
        return self.jinja_env.tests

    @property
    def template_globals(self) -> dict[str, Any]:
        return self.jinja_env.globals

    @setupmethod
    def template_filter(self, name: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function as the template filter ``name`` (default: its name)."""
        return self._template_helper_decorator(self.add_template_filter, name)

    @setupmethod
    def add_template_filter(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.jinja_env.filters[name or function.__name__] = function

    @setupmethod
    def template_test(self, name: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register the decorated function as the template test ``name`` (``{% if x is name %}``)."""
        return self._template_helper_decorator(self.add_template_test, name)

    @setupmethod
    def add_template_test(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.jinja_env.tests[name or function.__name__] = function

    @setupmethod
    def template_global(self, name: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Make the decorated function callable by ``name`` in every template."""
        return self._template_helper_decorator(self.add_template_global, name)

    @setupmethod
    def add_template_global(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.jinja_env.globals[name or function.__name__] = function

    @staticmethod
    def _template_helper_decorator(add: Callable[..., None], name: Optional[str]) -> Callable[..., Any]:
        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            add(function, name=name)
            return function

        return decorator

    def make_shell_context(self) -> dict[str, Any]:
        context = {"app": self, "g": self.app_ctx_globals_class()}
        from .globals import g

        context["g"] = g
        for processor in self.shell_context_processors:
            context.update(processor())
        return context

    # -- Contexts ----------------------------------------------------------------------------------

    def app_context(self) -> AppContext:
        """``with app.app_context():`` makes ``current_app`` and ``g`` available."""
        return AppContext(self)

    def request_context(self, environ: dict) -> RequestContext:
        return RequestContext(self, environ)

    def test_request_context(self, *args: Any, **kwargs: Any) -> RequestContext:
        """A request context for a made-up request; takes ``EnvironBuilder``'s arguments."""
        from .test import EnvironBuilder

        builder = EnvironBuilder(*args, app=self, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def _configure_request(self, request: Request) -> None:
        """Hand the app's limits and JSON provider to a new request."""
        config = self.config
        request.max_content_length = config["MAX_CONTENT_LENGTH"]
        request.max_form_memory_size = config["MAX_FORM_MEMORY_SIZE"]
        request.max_form_parts = config["MAX_FORM_PARTS"]
        request.json_module = self.json
        if self.debug:
            request.debug_form_errors = True

    def create_url_adapter(self, request: Optional[Request]) -> Optional[MapAdapter]:
        """A URL adapter for a request, or (with SERVER_NAME) for building URLs outside one."""
        config = self.config
        if request is not None:
            subdomain = None
            server_name = config["SERVER_NAME"]
            if self.url_map.host_matching:
                server_name = None
            elif not self.subdomain_matching:
                subdomain = self.url_map.default_subdomain or ""
            return self.url_map.bind_to_environ(request.environ, server_name=server_name, subdomain=subdomain)
        if config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                config["SERVER_NAME"],
                script_name=config["APPLICATION_ROOT"],
                url_scheme=config["PREFERRED_URL_SCHEME"],
            )
        return None

    # -- The request path ----------------------------------------------------------------------

    def wsgi_app(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI application proper; ``app.wsgi_app = Middleware(app.wsgi_app)`` wraps it."""
        ctx = RequestContext(self, environ)
        error: Optional[BaseException] = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request()
            except Exception as e:  # noqa: BLE001 - every error becomes a 500 response
                error = e
                response = self.handle_exception(e)
            except BaseException as e:
                error = e
                raise
            return response(environ, start_response)
        finally:
            if "microflask.preserve_context" in environ:
                # ``with client:`` re-enters both, so ``g`` survives along with ``request``.
                environ["microflask.preserve_context"](_cv_app.get())
                environ["microflask.preserve_context"](ctx)
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def __call__(self, environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def full_dispatch_request(self) -> Response:
        """Hooks, view, response conversion and after-request processing, with error handling."""
        self._got_first_request = True
        if signals.request_started.receivers:
            signals.request_started.send(self, _async_wrapper=self.ensure_sync)
        try:
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:  # noqa: BLE001 - handled by registered handlers or re-raised
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def preprocess_request(self) -> Any:
        """URL value preprocessors, then before-request functions; a non-None result wins."""
        if not self.url_value_preprocessors and not self.before_request_funcs:
            return None  # NOTE(app): the common case; skips computing the blueprint chain
        request = _cv_request.get().request
        names: tuple = (None, *reversed(request.blueprints))
        for name in names:
            for function in self.url_value_preprocessors.get(name, ()):
                function(request.endpoint, request.view_args)
        for name in names:
            for function in self.before_request_funcs.get(name, ()):
                rv = self.ensure_sync(function)()
                if rv is not None:
                    return rv
        return None

    def dispatch_request(self) -> Any:
        """Call the view matched for this request and return what it returned."""
        request = _cv_request.get().request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule = request.url_rule
        if rule.provide_automatic_options and request.method == "OPTIONS":
            return self.make_default_options_response()
        view = self.view_functions[rule.endpoint]
        return self.ensure_sync(view)(**request.view_args)

    def raise_routing_exception(self, request: Request) -> Any:
        """Raise the 404/405/redirect the URL match produced."""
        raise request.routing_exception  # type: ignore[misc]

    def make_default_options_response(self) -> Response:
        """The automatic answer to OPTIONS: empty, with ``Allow`` listing the URL's methods."""
        adapter = _cv_request.get().url_adapter
        response = self.response_class()
        response.allow = sorted(adapter.allowed_methods())
        return response

    def finalize_request(self, rv: Any, from_error_handler: bool = False) -> Response:
        """Turn ``rv`` into a response and run the after-request processing."""
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if signals.request_finished.receivers:
                signals.request_finished.send(self, _async_wrapper=self.ensure_sync, response=response)
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def process_response(self, response: Response) -> Response:
        """``after_this_request`` functions, after-request hooks (innermost first), session save."""
        ctx = _cv_request.get()
        for function in ctx._after_request_functions:
            response = self.ensure_sync(function)(response)
        if self.after_request_funcs:
            for name in chain(ctx.request.blueprints, (None,)):
                for function in reversed(self.after_request_funcs.get(name, ())):
                    response = self.ensure_sync(function)(response)
        if "session" in ctx.__dict__:  # the session was opened (ctx.session_opened)
            session = ctx.session
            if not self.session_interface.is_null_session(session):
                self.session_interface.save_session(self, session, response)
        return response

    def do_teardown_request(self, exc: Optional[BaseException] = None) -> None:
        """Run teardown_request functions (innermost blueprint first, last registered first)."""
        if self.teardown_request_funcs:
            request = _cv_request.get().request
            for name in chain(request.blueprints, (None,)):
                for function in reversed(self.teardown_request_funcs.get(name, ())):
                    self.ensure_sync(function)(exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: Optional[BaseException] = None) -> None:
        for function in reversed(self.teardown_appcontext_funcs):
            self.ensure_sync(function)(exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    # -- Async -----------------------------------------------------------------------------------

    def ensure_sync(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``function``, or a sync wrapper that runs it on asyncio if it is ``async def``."""
        code = getattr(function, "__code__", None)
        if code is not None:
            is_async = code.co_flags & _CO_COROUTINE
        else:
            import inspect

            is_async = inspect.iscoroutinefunction(function)
        return self.async_to_sync(function) if is_async else function

    def async_to_sync(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Run a coroutine function to completion on a new event loop (stdlib asyncio only)."""
        import asyncio

        def run(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(function(*args, **kwargs))

        return run

    # -- Responses -------------------------------------------------------------------------------

    def make_response(self, rv: Any) -> Response:
        """Convert a view's return value into a ``response_class`` instance.

        Accepts a Response, str, bytes, dict or list (JSON), an iterator/generator (streamed), a
        WSGI callable, or a tuple ``(body, status)``, ``(body, headers)``, ``(body, status,
        headers)``.
        """
        if type(rv) is str:  # the most common view result, so it is converted first
            return self.response_class(rv)
        status = headers = None
        if isinstance(rv, tuple):
            rv, status, headers = _unpack_response_tuple(rv)
        if rv is None:
            endpoint = _cv_request.get().request.endpoint
            raise TypeError(
                f"The view function for {endpoint!r} did not return a valid response. The function"
                " either returned None or ended without a return statement."
            )
        if not isinstance(rv, self.response_class):
            if isinstance(rv, (str, bytes, bytearray)) or isinstance(rv, _IteratorABC):
                # NOTE(app): the body types the response class takes directly; status and
                # headers go to its constructor, which is cheaper than setting them afterwards.
                rv = self.response_class(rv, status=status, headers=headers)
                status = headers = None
            else:
                rv = self._convert_response(rv)
        if status is not None:
            rv.status = status
        if headers:
            rv.headers.update(headers)
        return rv

    def _convert_response(self, rv: Any) -> Response:
        """A Response from a dict/list (JSON), another Response class, or a WSGI callable."""
        if isinstance(rv, (dict, list)):
            return self.json.response(rv)
        if isinstance(rv, HTTPException):
            return rv.get_response(_cv_request.get().request.environ)
        if isinstance(rv, Response):
            return self.response_class.force_type(rv)
        if callable(rv):
            return self.response_class.force_type(rv, _cv_request.get().request.environ)
        raise TypeError(
            "The view function did not return a valid response. The return type must be a string,"
            " dict, list, tuple with headers or status, Response instance, or WSGI callable, but it"
            f" was a {type(rv).__name__}."
        )

    def redirect(self, location: str, code: int = 302) -> Response:
        from .utils import redirect

        return redirect(location, code, Response=self.response_class)

    # -- Errors ----------------------------------------------------------------------------------

    def handle_user_exception(self, e: Exception) -> Any:
        """Find a handler for an error raised in a hook or view; re-raise if there is none."""
        if isinstance(e, BadRequestKeyError) and (self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            raise e
        return self.ensure_sync(handler)(e)

    def handle_http_exception(self, e: HTTPException) -> Any:
        """An HTTP error becomes its handler's result, or the error itself as the response."""
        if e.code is None or isinstance(e, RequestRedirect):
            return e
        handler = self._find_error_handler(e, _cv_request.get().request.blueprints)
        if handler is None:
            return e
        return self.ensure_sync(handler)(e)

    def trap_http_exception(self, e: Exception) -> bool:
        """True when an HTTP error should be raised like any other (TRAP_* config keys)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        return bool(trap_bad_request) and isinstance(e, BadRequest)

    def handle_exception(self, e: Exception) -> Response:
        """An unhandled error: propagate it (testing/debug) or log it and answer 500."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        if self.propagate_exceptions:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: Any = InternalServerError(original_exception=e)
        handler = self._find_error_handler(server_error, _cv_request.get().request.blueprints)
        if handler is not None:
            server_error = self.ensure_sync(handler)(server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(self, exc_info: Any) -> None:
        request = _cv_request.get().request
        self.logger.error(f"Exception on {request.path} [{request.method}]", exc_info=exc_info)

    def should_ignore_error(self, error: Optional[BaseException]) -> bool:
        """Return True to hide ``error`` from teardown functions."""
        return False

    def _find_error_handler(self, e: Exception, blueprints: list[str]) -> Optional[Callable[..., Any]]:
        """The handler for ``e``: by code then by class, innermost blueprint first, MRO order."""
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        for c in (code, None) if code is not None else (None,):
            for name in names:
                by_code = self.error_handler_spec.get(name)
                handler_map = by_code.get(c) if by_code else None
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return handler
        return None

    # -- URLs ------------------------------------------------------------------------------------

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: Optional[str] = None,
        _method: Optional[str] = None,
        _scheme: Optional[str] = None,
        _external: Optional[bool] = None,
        **values: Any,
    ) -> str:
        """Build the URL of ``endpoint``; see ``helpers.url_for``."""
        req_ctx = _cv_request.get(None)
        if req_ctx is not None:
            url_adapter = req_ctx.url_adapter
            blueprint = req_ctx.request.blueprint
            if endpoint[:1] == ".":
                endpoint = f"{blueprint}{endpoint}" if blueprint is not None else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            url_adapter = app_ctx.url_adapter if app_ctx is not None else self.create_url_adapter(None)
            if url_adapter is None:
                raise RuntimeError(
                    "Unable to build URLs outside an active request without 'SERVER_NAME'"
                    " configured. Also configure 'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as"
                    " needed."
                )
            if _external is None:
                _external = True
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")
        self.inject_url_defaults(endpoint, values)
        try:
            rv = url_adapter.build(endpoint, values, method=_method, url_scheme=_scheme,
                                   force_external=_external)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            rv = f"{rv}#{quote(_anchor, safe='%!#$&()*+,/:;=?@')}"
        return rv

    def inject_url_defaults(self, endpoint: str, values: dict[str, Any]) -> None:
        """Let ``url_defaults`` functions of the app and the endpoint's blueprints fill values."""
        names: list[Optional[str]] = [None]
        if "." in endpoint:
            parts = endpoint.rpartition(".")[0].split(".")
            names.extend(".".join(parts[: i + 1]) for i in range(len(parts)))
        for name in names:
            for function in self.url_default_functions.get(name, ()):
                function(endpoint, values)

    def handle_url_build_error(self, error: BuildError, endpoint: str, values: dict[str, Any]) -> str:
        """Try ``url_build_error_handlers``; re-raise the BuildError if none returns a URL."""
        for handler in self.url_build_error_handlers:
            try:
                rv = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if rv is not None:
                    return rv
        if error is sys.exc_info()[1]:
            raise
        raise error

    # -- Static files ----------------------------------------------------------------------------

    def get_send_file_max_age(self, filename: Optional[str]) -> Optional[int]:
        value = self.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if isinstance(value, timedelta):
            return int(value.total_seconds())
        return value

    def send_static_file(self, filename: str) -> Response:
        """The view of the ``static`` endpoint: a file from ``static_folder``."""
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        from .helpers import send_from_directory

        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(self.static_folder, filename, max_age=max_age)  # type: ignore[arg-type]

    # -- Running and testing -------------------------------------------------------------------

    def test_client(self, use_cookies: bool = True, **kwargs: Any) -> Any:
        """A client that calls the app without a server; see ``microflask.testing.FlaskClient``."""
        cls = self.test_client_class
        if cls is None:
            from .testing import FlaskClient as cls  # noqa: N813
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: Any) -> Any:
        """A runner that invokes the app's CLI commands in-process; see ``testing.FlaskCliRunner``."""
        cls = self.test_cli_runner_class
        if cls is None:
            from .testing import FlaskCliRunner as cls  # noqa: N813
        return cls(self, **kwargs)

    def reloader_template_folders(self) -> list[str]:
        """The existing template folders of the app and its blueprints (the reloader watches them)."""
        folders = [os.path.join(scaffold.root_path, scaffold.template_folder)
                   for scaffold in (self, *self.iter_blueprints()) if scaffold.template_folder]
        return [folder for folder in dict.fromkeys(folders) if os.path.isdir(folder)]

    def run(self, host: Optional[str] = None, port: Optional[int] = None,
            debug: Optional[bool] = None, load_dotenv: bool = True, **options: Any) -> None:
        """Serve the app on the development server (not for production), as Flask's ``run``.

        Host and port default to SERVER_NAME's, then 127.0.0.1:5000. Debug mode (``debug``, or
        FLASK_DEBUG once .env/.flaskenv are loaded) turns on the reloader and the debugger unless
        ``options`` say otherwise; the reloader also watches the template folders. Under the
        ``flask run`` command (FLASK_RUN_FROM_CLI=true) it does nothing: the command serves.
        """
        from .helpers import get_debug_flag, get_load_dotenv
        from .serving import is_running_from_reloader, run_simple

        if "true" in (os.environ.get("FLASK_RUN_FROM_CLI"), os.environ.get("MICROFLASK_RUN_FROM_CLI")):
            if not is_running_from_reloader():
                print(" * Ignoring a call to 'app.run()' that would block the current 'flask' CLI"
                      " command.\n   Only call 'app.run()' in an 'if __name__ == \"__main__\"' guard.")
            return
        if get_load_dotenv(load_dotenv):
            from . import cli

            cli.load_dotenv()
            if "FLASK_DEBUG" in os.environ or "MICROFLASK_DEBUG" in os.environ:
                self.debug = get_debug_flag()
        if debug is not None:
            self.debug = bool(debug)
        server_host, _, server_port = (self.config.get("SERVER_NAME") or "").partition(":")
        host = host or server_host or "127.0.0.1"
        port = int(port) if port or port == 0 else int(server_port or 5000)
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        if options["use_reloader"]:
            options["extra_files"] = [*(options.get("extra_files") or ()), *self.reloader_template_folders()]
        if not is_running_from_reloader():
            print(f" * Serving Flask app '{self.name}'\n * Debug mode: {'on' if self.debug else 'off'}")
        try:
            run_simple(host, port, self, **options)
        finally:
            self._got_first_request = False


def _unpack_response_tuple(rv: tuple) -> tuple[Any, Any, Any]:
    """``(body, status, headers)``, ``(body, status)`` or ``(body, headers)``."""
    length = len(rv)
    if length == 3:
        return rv
    if length == 2:
        body, second = rv
        if isinstance(second, (dict, list, tuple)) or hasattr(second, "to_wsgi_list"):
            return body, None, second
        return body, second, None
    raise TypeError(
        "The view function did not return a valid response tuple. The tuple must have the form"
        " (body, status, headers), (body, status), or (body, headers)."
    )
