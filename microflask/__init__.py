"""microflask: Flask's public API on the Python standard library alone.

Change ``from flask import ...`` to ``from microflask import ...``. The names below are the ones
Flask exports; each lives in the module of the same role (see ``docs/``).
"""

from __future__ import annotations

from .app import Flask
from .blueprints import Blueprint
from .config import Config
from .ctx import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .globals import current_app, g, request, session
from .helpers import (
    abort,
    flash,
    get_flashed_messages,
    get_template_attribute,
    make_response,
    redirect,
    send_file,
    send_from_directory,
    stream_with_context,
    url_for,
)
from .json import jsonify
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from .markup import Markup, escape
from .wrappers import Request, Response

# The template engine loads when first used, so ``import microflask`` stays fast for apps that
# render no templates (PEP 562 module __getattr__).
_TEMPLATING_NAMES = ("render_template", "render_template_string", "stream_template", "stream_template_string")


def __getattr__(name: str) -> object:
    if name in _TEMPLATING_NAMES:
        from . import templating

        return getattr(templating, name)
    raise AttributeError(f"module 'microflask' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Flask", "Blueprint", "Config", "Markup", "escape", "render_template", "render_template_string",
    "stream_template", "stream_template_string", "Request", "Response", "current_app", "g", "request", "session",
    "abort", "redirect", "url_for", "make_response", "jsonify", "flash", "get_flashed_messages",
    "send_file", "send_from_directory", "stream_with_context", "get_template_attribute",
    "after_this_request", "copy_current_request_context", "has_app_context", "has_request_context",
    "appcontext_popped", "appcontext_pushed", "appcontext_tearing_down", "before_render_template",
    "got_request_exception", "message_flashed", "request_finished", "request_started",
    "request_tearing_down", "template_rendered",
]
