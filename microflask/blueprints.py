"""Blueprints: a group of routes, hooks and handlers registered on an app later, maybe twice.

A blueprint records what its decorators ask for and replays it when registered:
1. ``route``/``add_url_rule`` and every ``app_*`` decorator append a *deferred function* that
   takes a ``BlueprintSetupState`` (the app, the options, the composed name and URL prefix).
2. Blueprint-scoped hooks and error handlers live in the same dicts as an app's, keyed ``None``;
   ``register`` copies them into the app under the registered name (``"parent.child"`` for a
   nested one), which is how the app finds them per request (``request.blueprints``).
3. Nested blueprints register after their parent, with the parent's name, URL prefix and
   subdomain composed into their options.

Endpoints become ``"<name>.<endpoint>"``, so ``url_for(".index")`` inside a blueprint view means
"this blueprint's index". Flask docs: https://flask.palletsprojects.com/en/stable/blueprints/.

Does not: dispatch (see ``app``); it only writes into the app's registries once, at setup.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any, Callable, Optional, TypeVar

from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod

F = TypeVar("F", bound=Callable[..., Any])
DeferredSetupFunction = Callable[["BlueprintSetupState"], Any]
#: ``cli_group`` when not given: the blueprint's commands form a group named after it.
_CLI_GROUP_IS_NAME: Any = object()


def _check_blueprint_name(name: str) -> None:
    """Reject a name that would break endpoint names: ``"<name>.<endpoint>"`` splits on dots."""
    if not name:
        raise ValueError("'name' may not be empty.")
    if "." in name:
        raise ValueError("'name' may not contain a dot '.' character.")


def _check_endpoint(endpoint: Optional[str]) -> None:
    if endpoint and "." in endpoint:
        raise ValueError("'endpoint' may not contain a dot '.' character.")


def _join_prefix(prefix: Optional[str], rule: str) -> str:
    """``/api`` + ``/users`` -> ``/api/users``; an empty rule is the prefix itself."""
    if prefix is None:
        return rule
    return "/".join((prefix.rstrip("/"), rule.lstrip("/"))) if rule else prefix


def _option_or(options: dict[str, Any], key: str, default: Optional[str]) -> Optional[str]:
    """A registration option, where ``None`` (given or not) means "the blueprint's own"."""
    value = options.get(key)
    return default if value is None else value


class BlueprintSetupState:
    """What one registration of a blueprint knows: passed to every deferred function."""

    def __init__(self, blueprint: Blueprint, app: Any, options: dict[str, Any],
                 first_registration: bool) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = options.get("subdomain")
        self.subdomain: Optional[str] = blueprint.subdomain if subdomain is None else subdomain
        url_prefix = options.get("url_prefix")
        self.url_prefix: Optional[str] = blueprint.url_prefix if url_prefix is None else url_prefix
        self.name: str = options.get("name", blueprint.name)
        self.name_prefix: str = options.get("name_prefix", "")
        self.url_defaults: dict[str, Any] = dict(blueprint.url_values_defaults)
        self.url_defaults.update(options.get("url_defaults") or {})

    def add_url_rule(self, rule: str, endpoint: Optional[str] = None,
                     view_func: Optional[Callable[..., Any]] = None, **options: Any) -> None:
        """Add a rule to the app with the prefix, subdomain, defaults and name applied."""
        rule = _join_prefix(self.url_prefix, rule)
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)  # type: ignore[arg-type]
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(rule, f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
                              view_func, defaults=defaults or None, **options)


class Blueprint(Scaffold):
    """A set of views and hooks to register on an app: ``app.register_blueprint(bp)``.

    ``url_prefix`` and ``subdomain`` apply to every route; ``url_defaults`` are default view
    arguments for them all. ``static_folder`` adds a ``<name>.static`` route under the prefix.
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: Optional[str | os.PathLike] = None,
        static_url_path: Optional[str] = None,
        template_folder: Optional[str | os.PathLike] = None,
        url_prefix: Optional[str] = None,
        subdomain: Optional[str] = None,
        url_defaults: Optional[dict[str, Any]] = None,
        root_path: Optional[str] = None,
        cli_group: Optional[str] = _CLI_GROUP_IS_NAME,
    ) -> None:
        _check_blueprint_name(name)
        super().__init__(import_name, static_folder, static_url_path, template_folder, root_path)
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.url_values_defaults = url_defaults or {}
        self.cli_group = cli_group
        self.deferred_functions: list[DeferredSetupFunction] = []
        self._blueprints: list[tuple[Blueprint, dict[str, Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}'. It has already been registered at least once, any changes will"
                " not be applied consistently. Make sure all imports, decorators, functions, etc."
                " needed to set up the blueprint are done before registering it."
            )

    # -- Recording -------------------------------------------------------------------------------

    @setupmethod
    def record(self, function: DeferredSetupFunction) -> None:
        """Call ``function(state)`` each time the blueprint is registered."""
        self.deferred_functions.append(function)

    @setupmethod
    def record_once(self, function: DeferredSetupFunction) -> None:
        """Call ``function(state)`` on the blueprint's first registration with an app only."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                function(state)

        self.record(wrapper)

    def make_setup_state(self, app: Any, options: dict[str, Any],
                         first_registration: bool = False) -> BlueprintSetupState:
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: Any) -> None:
        """Nest ``blueprint`` in this one: names become ``parent.child``, prefixes compose."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._blueprints.append((blueprint, options))

    # -- Routes --------------------------------------------------------------------------------

    @setupmethod
    def add_url_rule(self, rule: str, endpoint: Optional[str] = None,
                     view_func: Optional[Callable[..., Any]] = None,
                     provide_automatic_options: Optional[bool] = None, **options: Any) -> None:
        """Record a route; it is added to the app, prefixed and named, at registration."""
        _check_endpoint(endpoint)
        if view_func is not None and "." in getattr(view_func, "__name__", ""):
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        self.record(lambda state: state.add_url_rule(
            rule, endpoint, view_func, provide_automatic_options=provide_automatic_options, **options))

    @setupmethod
    def endpoint(self, endpoint: str) -> Callable[[F], F]:
        """Register the decorated function as the view of ``<blueprint>.<endpoint>``."""
        # NOTE(blueprints): Flask 3.1 stores it under the bare ``endpoint`` (pallets/flask#4472),
        # so a rule added with ``bp.add_url_rule(rule, endpoint)`` never finds its view; we prefix.
        _check_endpoint(endpoint)

        def decorator(function: F) -> F:
            self.record(lambda state: state.app.view_functions.__setitem__(
                f"{state.name_prefix}.{state.name}.{endpoint}".lstrip("."), function))
            return function

        return decorator

    # -- Registration ----------------------------------------------------------------------------

    def register(self, app: Any, options: dict[str, Any]) -> None:
        """Called by ``app.register_blueprint``: replay the recorded setup on ``app``."""
        self_name = options.get("name", self.name)
        # NOTE(blueprints): Flask accepts ``name="a.b"`` or ``name=""`` here; both break endpoint
        # names (``url_for(".index")`` would be relative), so they fail as in the constructor.
        _check_blueprint_name(self_name)
        name = f"{options.get('name_prefix', '')}.{self_name}".lstrip(".")
        self._check_name_is_free(app, name, self_name)
        first_registration = not any(registered is self for registered in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_registration)
        if self.has_static_folder:
            state.add_url_rule(f"{self.static_url_path}/<path:filename>", "static", self.send_static_file)
        self._merge_blueprint_funcs(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli_commands(app, name, options)
        for blueprint, blueprint_options in self._blueprints:
            blueprint.register(app, self._nested_options(state, name, blueprint, blueprint_options))

    def _register_cli_commands(self, app: Any, name: str, options: dict[str, Any]) -> None:
        """Add ``bp.cli``'s commands to ``app.cli``: as a group named ``name`` by default, as a
        group named ``cli_group`` if given, or among the top-level commands with ``cli_group=None``."""
        if "cli" not in self.__dict__ or not self.cli.commands:
            return
        group_name = options.get("cli_group", self.cli_group)
        if group_name is None:
            app.cli.commands.update(self.cli.commands)
            return
        self.cli.name = name if group_name is _CLI_GROUP_IS_NAME else group_name
        app.cli.add_command(self.cli)

    def _check_name_is_free(self, app: Any, name: str, self_name: str) -> None:
        """``name`` is the full dotted name, ``self_name`` the last part (they differ if nested)."""
        registered = app.blueprints.get(name)
        if registered is None:
            return
        which = "this" if registered is self else "a different"
        full_name = f" '{name}'" if name != self_name else ""
        raise ValueError(
            f"The name '{self_name}' is already registered for {which} blueprint{full_name}. Use"
            " 'name=' to provide a unique name."
        )

    @staticmethod
    def _nested_options(state: BlueprintSetupState, name: str, blueprint: Blueprint,
                        options: dict[str, Any]) -> dict[str, Any]:
        """A child's options: the parent's name as prefix, URL prefix and subdomain composed."""
        options = dict(options)
        url_prefix = _option_or(options, "url_prefix", blueprint.url_prefix)
        if state.url_prefix is not None and url_prefix is not None:
            options["url_prefix"] = state.url_prefix.rstrip("/") + "/" + url_prefix.lstrip("/")
        elif url_prefix is not None:
            options["url_prefix"] = url_prefix
        elif state.url_prefix is not None:
            options["url_prefix"] = state.url_prefix
        subdomain = _option_or(options, "subdomain", blueprint.subdomain)
        if state.subdomain is not None and subdomain is not None:
            options["subdomain"] = f"{subdomain}.{state.subdomain}"
        elif subdomain is not None or state.subdomain is not None:
            options["subdomain"] = subdomain if subdomain is not None else state.subdomain
        options["name_prefix"] = name
        return options

    def _merge_blueprint_funcs(self, app: Any, name: str) -> None:
        """Copy hooks and error handlers into the app, keyed by the registered name."""

        def key_of(key: Optional[str]) -> str:
            return name if key is None else f"{name}.{key}"

        for key, by_code in self.error_handler_spec.items():
            merged = defaultdict(dict, {code: dict(handlers) for code, handlers in by_code.items()})
            app.error_handler_spec[key_of(key)] = merged
        for endpoint, function in self.view_functions.items():
            app.view_functions[f"{name}.{endpoint}"] = function
        for attribute in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
                          "url_default_functions", "url_value_preprocessors",
                          "template_context_processors"):
            target = getattr(app, attribute)
            for key, functions in getattr(self, attribute).items():
                target[key_of(key)].extend(functions)

    # -- App-wide hooks ----------------------------------------------------------------------------

    def _record_app_hook(self, attribute: str, function: F) -> F:
        self.record_once(lambda state: getattr(state.app, attribute)[None].append(function))
        return function

    @setupmethod
    def before_app_request(self, function: F) -> F:
        """Like ``app.before_request``: runs before every request, not only this blueprint's."""
        return self._record_app_hook("before_request_funcs", function)

    @setupmethod
    def after_app_request(self, function: F) -> F:
        return self._record_app_hook("after_request_funcs", function)

    @setupmethod
    def teardown_app_request(self, function: F) -> F:
        return self._record_app_hook("teardown_request_funcs", function)

    @setupmethod
    def app_context_processor(self, function: F) -> F:
        return self._record_app_hook("template_context_processors", function)

    @setupmethod
    def app_url_value_preprocessor(self, function: F) -> F:
        return self._record_app_hook("url_value_preprocessors", function)

    @setupmethod
    def app_url_defaults(self, function: F) -> F:
        return self._record_app_hook("url_default_functions", function)

    @setupmethod
    def app_errorhandler(self, code_or_exception: type[BaseException] | int) -> Callable[[F], F]:
        """Like ``app.errorhandler``: handles the error for every request."""

        def decorator(function: F) -> F:
            self.record_once(lambda state: state.app.errorhandler(code_or_exception)(function))
            return function

        return decorator

    # -- App-wide template helpers -------------------------------------------------------------------

    @setupmethod
    def app_template_filter(self, name: Optional[str] = None) -> Callable[[F], F]:
        """Register a template filter for the whole app (``name`` defaults to the function's)."""
        return self._template_decorator("add_template_filter", name)

    @setupmethod
    def add_app_template_filter(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.record_once(lambda state: state.app.add_template_filter(function, name=name))

    @setupmethod
    def app_template_test(self, name: Optional[str] = None) -> Callable[[F], F]:
        return self._template_decorator("add_template_test", name)

    @setupmethod
    def add_app_template_test(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.record_once(lambda state: state.app.add_template_test(function, name=name))

    @setupmethod
    def app_template_global(self, name: Optional[str] = None) -> Callable[[F], F]:
        return self._template_decorator("add_template_global", name)

    @setupmethod
    def add_app_template_global(self, function: Callable[..., Any], name: Optional[str] = None) -> None:
        self.record_once(lambda state: state.app.add_template_global(function, name=name))

    def _template_decorator(self, method: str, name: Optional[str]) -> Callable[[F], F]:
        def decorator(function: F) -> F:
            self.record_once(lambda state: getattr(state.app, method)(function, name=name))
            return function

        return decorator

    # -- Static files ----------------------------------------------------------------------------

    def get_send_file_max_age(self, filename: Optional[str]) -> Optional[int]:
        """The app's ``SEND_FILE_MAX_AGE_DEFAULT``, as for the app's own static files."""
        from .globals import current_app

        return current_app.get_send_file_max_age(filename)

    def send_static_file(self, filename: str) -> Any:
        """The view of ``<name>.static``: a file from this blueprint's ``static_folder``."""
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        from .helpers import send_from_directory

        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(self.static_folder, filename, max_age=max_age)  # type: ignore[arg-type]


__all__ = ["Blueprint", "BlueprintSetupState"]
