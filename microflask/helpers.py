"""Helpers that use the current app and request (Flask's ``flask.helpers``).

``url_for``, ``redirect``, ``abort``, ``make_response``, ``flash``/``get_flashed_messages``,
``send_file``/``send_from_directory`` and ``stream_with_context``: thin functions that look up
``current_app`` or the request context and delegate to the app or to the context-free code in
``utils`` and ``security``.
"""

from __future__ import annotations

import os
from functools import update_wrapper
from typing import Any, Callable, Iterator, Optional

from .globals import _cv_app, _cv_request, current_app, request, request_ctx, session
from .scaffold import get_root_path  # noqa: F401 - Flask exports it from helpers
from .signals import message_flashed


def get_debug_flag() -> bool:
    """Whether MICROFLASK_DEBUG (or FLASK_DEBUG) asks for debug mode."""
    value = os.environ.get("MICROFLASK_DEBUG") or os.environ.get("FLASK_DEBUG")
    return bool(value) and value.lower() not in ("0", "false", "no")


def get_load_dotenv(default: bool = True) -> bool:
    """False when MICROFLASK_SKIP_DOTENV (or FLASK_SKIP_DOTENV) is set to a true value."""
    value = os.environ.get("MICROFLASK_SKIP_DOTENV") or os.environ.get("FLASK_SKIP_DOTENV")
    if not value:
        return default
    return value.lower() in ("0", "false", "no")


def url_for(
    endpoint: str,
    *,
    _anchor: Optional[str] = None,
    _method: Optional[str] = None,
    _scheme: Optional[str] = None,
    _external: Optional[bool] = None,
    **values: Any,
) -> str:
    """The URL of ``endpoint`` filled with ``values``; unknown values become the query string.

    ``url_for('user', id=3, tab='posts')`` -> ``/user/3?tab=posts``. ``_external`` makes it
    absolute, ``_scheme`` picks the scheme, ``_anchor`` adds ``#...``, ``_method`` picks among
    rules for the same endpoint. ``'.name'`` is relative to the current blueprint.
    """
    return current_app.url_for(
        endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
    )


def redirect(location: str, code: int = 302, Response: Optional[type] = None) -> Any:  # noqa: N803
    """A redirect response (uses the current app's response class when there is an app)."""
    context = _cv_app.get(None)
    if context is not None:
        return context.app.redirect(location, code)
    from .utils import redirect as _redirect

    return _redirect(location, code, Response)


def abort(code: Any, *args: Any, **kwargs: Any) -> Any:
    """Raise the HTTP error for ``code`` (with the app's aborter when there is an app)."""
    context = _cv_app.get(None)
    if context is not None:
        context.app.aborter(code, *args, **kwargs)
    from .exceptions import abort as _abort

    _abort(code, *args, **kwargs)


def make_response(*args: Any) -> Any:
    """The response a view returning ``args`` would produce, to add headers to before returning."""
    if not args:
        return current_app.response_class()
    if len(args) == 1:
        args = args[0]
    return current_app.make_response(args)


def stream_with_context(generator_or_function: Any) -> Any:
    """Keep the request context alive while a streamed response's generator runs."""
    if callable(generator_or_function) and not hasattr(generator_or_function, "__next__"):
        function = generator_or_function

        def decorator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return stream_with_context(function(*args, **kwargs))

        return update_wrapper(decorator, function)
    context = _cv_request.get(None)
    if context is None:
        raise RuntimeError(
            "'stream_with_context' can only be used when a request context is active, such as"
            " in a view function."
        )
    return _stream_in_context(context, iter(generator_or_function))


def _stream_in_context(context: Any, generator: Iterator[Any]) -> Iterator[Any]:
    with context:
        try:
            yield from generator
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                close()


def flash(message: str, category: str = "message") -> None:
    """Store a message for the next request (kept in the session)."""
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = current_app._get_current_object()
    if message_flashed.receivers:
        message_flashed.send(app, _async_wrapper=app.ensure_sync, message=message, category=category)


def get_flashed_messages(with_categories: bool = False, category_filter: Any = ()) -> list[Any]:
    """Messages flashed by earlier requests, removed from the session on first read."""
    context = request_ctx._get_current_object()
    flashes = context.flashes
    if flashes is None:
        flashes = context.flashes = session.pop("_flashes") if "_flashes" in session else []
    if category_filter:
        flashes = [item for item in flashes if item[0] in category_filter]
    if not with_categories:
        return [item[1] for item in flashes]
    return flashes


def send_file(
    path_or_file: Any,
    mimetype: Optional[str] = None,
    as_attachment: bool = False,
    download_name: Optional[str] = None,
    conditional: bool = True,
    etag: Any = True,
    last_modified: Any = None,
    max_age: Any = None,
) -> Any:
    """Answer the current request with a file; see ``utils.send_file`` for the arguments.

    A relative path is taken from the app's ``root_path``; ``max_age`` defaults to
    ``app.get_send_file_max_age`` (SEND_FILE_MAX_AGE_DEFAULT, None: ``Cache-Control: no-cache``)
    and USE_X_SENDFILE leaves sending the file to the front server.
    """
    from .utils import send_file as _send_file

    return _send_file(path_or_file, request.environ, **_prepare_send_file_kwargs(
        mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
        conditional=conditional, etag=etag, last_modified=last_modified, max_age=max_age,
    ))


def send_from_directory(directory: str | os.PathLike, path: str | os.PathLike, **kwargs: Any) -> Any:
    """Send ``path`` (untrusted, e.g. from the URL) from inside ``directory``.

    Anything that could leave the folder (``..``, absolute paths, backslashes, NUL bytes), a
    missing file and a directory all give 404. A relative ``directory`` is taken from the app's
    ``root_path``. Other arguments are those of ``send_file``.
    """
    from .utils import send_from_directory as _send_from_directory

    return _send_from_directory(directory, path, request.environ, **_prepare_send_file_kwargs(**kwargs))


def _prepare_send_file_kwargs(**kwargs: Any) -> dict[str, Any]:
    """The app's settings for ``utils.send_file``: max_age, X-Sendfile, response class, root."""
    app = current_app._get_current_object()
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age
    kwargs.update(
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )
    return kwargs


def get_template_attribute(template_name: str, attribute: str) -> Any:
    """A macro or variable of a template, e.g. to call a macro from Python."""
    return getattr(current_app.jinja_env.get_template(template_name).module, attribute)


__all__ = [
    "url_for", "redirect", "abort", "make_response", "stream_with_context", "flash",
    "get_flashed_messages", "send_file", "send_from_directory", "get_template_attribute",
]
