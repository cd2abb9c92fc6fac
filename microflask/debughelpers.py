"""Errors and logs that explain common mistakes in debug mode (Flask's ``flask.debughelpers``).

Each helper turns a puzzling failure into a message that names the cause and the fix:

- ``DebugFilesKeyError``: ``request.files["photo"]`` on a form sent without
  ``enctype="multipart/form-data"`` -- the browser sent the file *name* as a text field.
  ``attach_enctype_error_multidict(request)`` makes ``request.files`` raise it.
- ``FormDataRoutingRedirect``: a POST answered by a 301/302 routing redirect, which browsers
  follow with GET, dropping the form (microflask's routing redirects are 308, which keeps both).
- ``explain_template_loading_attempts``: with ``EXPLAIN_TEMPLATE_LOADING``, log every loader that
  was asked for a template and what it answered.
- ``UnexpectedUnicodeError``: for text where bytes were expected, or the other way round.

Does not: decide when they apply (the app checks ``debug``) or render anything.
Flask's docs: https://flask.palletsprojects.com/en/stable/config/#EXPLAIN_TEMPLATE_LOADING
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

#: One loader asked for a template: (loader, the app or blueprint that owns it, what
#: ``get_source`` returned -- ``(source, filename, uptodate)`` -- or None if it had no match).
LoadingAttempt = Tuple[Any, Any, Optional[Tuple[str, Optional[str], Optional[Callable[[], bool]]]]]


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Text or bytes arrived where the other was expected; the message says where."""


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[key]`` missed because the form was not sent as ``multipart/form-data``.

    Still a ``KeyError``, so code that catches the plain error keeps working in debug mode.
    """

    def __init__(self, request: Any, key: str) -> None:
        super().__init__(request, key)
        submitted = request.form.getlist(key)
        self.msg = (
            f"request.files has no file named {key!r}: the request's mimetype is"
            f" {request.mimetype!r}, not 'multipart/form-data', so the browser sent no file"
            " contents. Add enctype=\"multipart/form-data\" to the <form> tag that uploads it."
        )
        if submitted:
            names = ", ".join(repr(value) for value in submitted)
            self.msg += f"\n\nThe browser sent only the file name, as the form field {key!r}: {names}"

    def __str__(self) -> str:
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """A routing redirect that is not 307/308 would make the browser drop the request body.

    Raised in debug mode instead of redirecting a request whose method is not GET, HEAD or
    OPTIONS; ``request.routing_exception`` is the redirect.
    """

    def __init__(self, request: Any) -> None:
        new_url = request.routing_exception.new_url
        message = (
            f"A {request.method} request to {request.url!r} was answered with a redirect to its"
            f" canonical URL {new_url!r}."
        )
        if new_url.partition("?")[0] == f"{request.base_url}/":
            message += " The rule ends with a slash, and the request left it out."
        message += (
            " Browsers follow a 301 or 302 redirect with GET and drop the form data: send the"
            " request to the canonical URL, or use a 307 or 308 redirect, which keeps the method"
            " and body.\n\nThis exception is raised only in debug mode."
        )
        super().__init__(message)


def attach_enctype_error_multidict(request: Any) -> None:
    """Make ``request.files[key]`` raise ``DebugFilesKeyError`` when ``key`` arrived as a form
    field instead (the form lacked ``enctype="multipart/form-data"``)."""
    files = request.files
    base = type(files)

    class DebugFiles(base):  # type: ignore[valid-type, misc]
        def __getitem__(self, key: str) -> Any:
            try:
                return super().__getitem__(key)
            except KeyError as error:
                if key not in request.form:
                    raise
                raise DebugFilesKeyError(request, key).with_traceback(error.__traceback__) from None

    DebugFiles.__name__ = DebugFiles.__qualname__ = base.__name__
    DebugFiles.__module__ = base.__module__
    files.__class__ = DebugFiles


def explain_template_loading_attempts(app: Any, template: str, attempts: Sequence[LoadingAttempt]) -> None:
    """Log at INFO on ``app.logger`` which loaders were tried for ``template`` and what each found."""
    lines = [f"Locating template {template!r}:"]
    found = 0
    for number, (loader, owner, result) in enumerate(attempts, 1):
        lines.append(f"{number:5}: trying loader of {_describe_owner(app, owner)}")
        lines.extend(_describe_loader(loader))
        if result is None:
            lines.append("       -> no match")
        else:
            found += 1
            lines.append(f"       -> found ({result[1] or '<string>'!r})")
    lines.extend(_explain_outcome(found, _request_blueprint()))
    app.logger.info("\n".join(lines))


def _describe_owner(app: Any, owner: Any) -> str:
    if owner is None or owner is app:
        return f"application {app.import_name!r}"
    return f"blueprint {owner.name!r} ({owner.import_name})"


def _describe_loader(loader: Any) -> list:
    lines = [f"       class: {type(loader).__module__}.{type(loader).__name__}"]
    for name in ("encoding", "followlinks"):
        if hasattr(loader, name):
            lines.append(f"       {name}: {getattr(loader, name)!r}")
    searchpath = getattr(loader, "searchpath", None)
    if searchpath:
        lines.append("       searchpath:")
        lines.extend(f"         - {folder}" for folder in searchpath)
    return lines


def _explain_outcome(found: int, blueprint: Optional[str]) -> list:
    if found == 1:
        return []
    if found > 1:
        return ["Warning: more than one loader found the template; the first one wins."]
    lines = ["Error: no loader found the template."]
    if blueprint is not None:
        lines.append(
            f"  The request was handled by blueprint {blueprint!r}. A blueprint's templates live"
            " in its template_folder, and the app's folder is searched first; see"
            " https://flask.palletsprojects.com/en/stable/blueprints/#templates"
        )
    return lines


def _request_blueprint() -> Optional[str]:
    from .globals import _cv_request

    context = _cv_request.get(None)
    return context.request.blueprint if context is not None else None


__all__ = [
    "UnexpectedUnicodeError", "DebugFilesKeyError", "FormDataRoutingRedirect",
    "attach_enctype_error_multidict", "explain_template_loading_attempts",
]
