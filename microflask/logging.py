"""The app's logger (Flask's ``flask.logging``).

``app.logger`` is ``logging.getLogger(app.name)``, configured once, on first access:

1. in debug mode, a logger with no level of its own gets level DEBUG;
2. if no handler on the logger or the loggers it propagates to would take its records,
   ``default_handler`` is added. It writes to ``environ["wsgi.errors"]`` (the WSGI server's error
   stream, PEP 3333) while a request is active, and to ``sys.stderr`` otherwise.

Configure ``logging`` before the app first logs to replace this; or remove the handler with
``app.logger.removeHandler(microflask.logging.default_handler)``.
Flask docs: https://flask.palletsprojects.com/en/stable/logging/ .

Does not: log requests (the server does), or format tracebacks itself (``logging`` does).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any, TextIO

from .globals import _cv_request

if TYPE_CHECKING:  # pragma: no cover
    from .app import Flask


class _WSGIErrorsStream:
    """A stream that forwards to ``environ['wsgi.errors']`` of the current request.

    The target is looked up on every write, so one handler serves every request and thread.
    """

    @staticmethod
    def _target() -> TextIO:
        context = _cv_request.get(None)
        if context is not None:
            return context.request.environ.get("wsgi.errors", sys.stderr)
        return sys.stderr

    def write(self, text: str) -> Any:
        return self._target().write(text)

    def flush(self) -> None:
        target = self._target()
        if hasattr(target, "flush"):
            target.flush()


wsgi_errors_stream = _WSGIErrorsStream()

default_handler = logging.StreamHandler(wsgi_errors_stream)  # type: ignore[arg-type]
default_handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s"))


def has_level_handler(logger: logging.Logger) -> bool:
    """True if ``logger`` or an ancestor it propagates to has a handler for its level."""
    level = logger.getEffectiveLevel()
    current: Any = logger
    while current:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


def create_logger(app: Flask) -> logging.Logger:
    """The logger for ``app``: named ``app.name``, DEBUG in debug mode, with a default handler."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
