"""Templates: microflask's own Jinja-compatible engine, and Flask's glue around it.

The engine (Jinja's role) lives in the submodules: ``lexer`` -> ``parser`` -> ``compiler`` ->
``environment`` (Environment, Template), with ``runtime``, ``filters``, ``tests``, ``loaders``
and ``exceptions``. This module re-exports their public names, so ``from
microflask.templating import Environment, FileSystemLoader, TemplateNotFound`` works like the
same import from ``jinja2``, and adds what ``flask.templating`` has: ``render_template`` and
friends, the app's template environment and the loader that searches the app's and the
blueprints' template folders.

Flask's docs: https://flask.palletsprojects.com/en/stable/templating/
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

from ..markup import Markup, escape
from .environment import Environment as BaseEnvironment
from .environment import Template, TemplateModule, TemplateStream
from .exceptions import (
    SecurityError,
    TemplateAssertionError,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    TemplatesNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from .loaders import (
    BaseLoader,
    ChoiceLoader,
    DictLoader,
    FileSystemLoader,
    FunctionLoader,
    PackageLoader,
    PrefixLoader,
)
from .runtime import (
    ChainableUndefined,
    DebugUndefined,
    StrictUndefined,
    Undefined,
    pass_context,
    pass_environment,
    pass_eval_context,
)


def select_autoescape(enabled_extensions: Iterable[str] = ("html", "htm", "xml"),
                      disabled_extensions: Iterable[str] = (), default_for_string: bool = True,
                      default: bool = False) -> Any:
    """An ``autoescape`` function choosing by the template's file extension."""
    enabled = tuple(f".{extension.lstrip('.').lower()}" for extension in enabled_extensions)
    disabled = tuple(f".{extension.lstrip('.').lower()}" for extension in disabled_extensions)

    def autoescape(template_name: Optional[str]) -> bool:
        if template_name is None:
            return default_for_string
        name = template_name.lower()
        if name.endswith(enabled):
            return True
        if name.endswith(disabled):
            return False
        return default

    return autoescape


# -- Flask's glue ------------------------------------------------------------------------------


class Environment(BaseEnvironment):
    """The app's environment (``app.jinja_env``): its loader searches the app's and the
    blueprints' template folders."""

    def __init__(self, app: Any = None, **options: Any) -> None:
        if app is not None and "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


class DispatchingJinjaLoader(BaseLoader):
    """Looks in the app's template folder first, then in each blueprint's, in registration
    order (Flask's rule: the first match wins, so an app can override a blueprint template)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def _loaders(self) -> Iterator[tuple[Any, Any]]:
        """``(owner, loader)``: the app's loader, then each blueprint's."""
        if self.app.jinja_loader is not None:
            yield self.app, self.app.jinja_loader
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def get_source(self, environment: Any, template: str) -> Any:
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        tried: list[str] = []
        for _owner, loader in self._loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound as error:
                tried.extend(place for place in error.tried if place not in tried)
        raise TemplateNotFound(template, tried=tried)

    def _get_source_explained(self, environment: Any, template: str) -> Any:
        """Ask every loader (EXPLAIN_TEMPLATE_LOADING), log what each found, use the first match."""
        from ..debughelpers import explain_template_loading_attempts

        attempts: list[tuple[Any, Any, Any]] = []
        tried: list[str] = []
        found = None
        for owner, loader in self._loaders():
            try:
                result = loader.get_source(environment, template)
            except TemplateNotFound as error:
                result = None
                tried.extend(place for place in error.tried if place not in tried)
            attempts.append((loader, owner, result))
            found = found or result
        explain_template_loading_attempts(self.app, template, attempts)
        if found is None:
            raise TemplateNotFound(template, tried=tried)
        return found

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for _owner, loader in self._loaders():
            names.update(loader.list_templates())
        return sorted(names)


def _app() -> Any:
    from ..globals import _cv_app

    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError(
            "Working outside of application context. Rendering a template needs the app: push"
            " a context with 'with app.app_context():' or render inside a view."
        )
    return context.app


def _render(app: Any, template: Template, context: dict[str, Any]) -> str:
    from .. import signals

    app.update_template_context(context)
    if signals.before_render_template.receivers:
        signals.before_render_template.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    rendered = template.render(context)
    if signals.template_rendered.receivers:
        signals.template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return rendered


def render_template(template_name_or_list: Any, **context: Any) -> str:
    """Render a template from the app's template folders with ``context``; a list picks the
    first that exists."""
    app = _app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: Any) -> str:
    """Render a template given as a string (autoescaped, as in Flask)."""
    app = _app()
    return _render(app, app.jinja_env.from_string(source), context)


def _stream(app: Any, template: Template, context: dict[str, Any]) -> Iterator[str]:
    from .. import signals
    from ..globals import _cv_request
    from ..helpers import stream_with_context

    app.update_template_context(context)
    if signals.before_render_template.receivers:
        signals.before_render_template.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)

    def generate() -> Iterator[str]:
        yield from template.generate(context)
        if signals.template_rendered.receivers:
            signals.template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)

    output = generate()
    if _cv_request.get(None) is not None:
        output = stream_with_context(output)
    return output


def stream_template(template_name_or_list: Any, **context: Any) -> Iterator[str]:
    """Render piece by piece (return it from a view to stream the page); the request context
    stays available while it renders."""
    app = _app()
    return _stream(app, app.jinja_env.get_or_select_template(template_name_or_list), context)


def stream_template_string(source: str, **context: Any) -> Iterator[str]:
    app = _app()
    return _stream(app, app.jinja_env.from_string(source), context)


__all__ = [
    "Environment", "BaseEnvironment", "Template", "TemplateModule", "TemplateStream", "Markup", "escape",
    "TemplateError", "TemplateNotFound", "TemplatesNotFound", "TemplateSyntaxError",
    "TemplateAssertionError", "TemplateRuntimeError", "UndefinedError", "SecurityError",
    "BaseLoader", "FileSystemLoader", "PackageLoader", "DictLoader", "FunctionLoader",
    "PrefixLoader", "ChoiceLoader", "DispatchingJinjaLoader", "Undefined", "StrictUndefined",
    "ChainableUndefined", "DebugUndefined", "pass_context", "pass_environment",
    "pass_eval_context", "select_autoescape", "render_template", "render_template_string",
    "stream_template", "stream_template_string",
]
