"""JSON helpers bound to the current app (Flask's ``flask.json``).

``jsonify(...)`` builds a JSON response with ``current_app.json``; ``dumps``/``loads`` use the app's
provider inside an app context and the standard library's defaults outside one.
"""

from __future__ import annotations

from typing import Any

from ..globals import _cv_app
from .provider import DefaultJSONProvider, JSONProvider, _default

__all__ = ["jsonify", "dumps", "dump", "loads", "load", "JSONProvider", "DefaultJSONProvider"]


def _provider() -> Any:
    context = _cv_app.get(None)
    return context.app.json if context is not None else None


def dumps(obj: Any, **kwargs: Any) -> str:
    """Serialise ``obj`` to a JSON string with the app's provider when there is an app."""
    provider = _provider()
    if provider is not None:
        return provider.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    import json  # imported on first use, not with microflask

    return json.dumps(obj, **kwargs)


def dump(obj: Any, fp: Any, **kwargs: Any) -> None:
    fp.write(dumps(obj, **kwargs))


def loads(s: str | bytes, **kwargs: Any) -> Any:
    provider = _provider()
    if provider is not None:
        return provider.loads(s, **kwargs)
    import json

    return json.loads(s, **kwargs)


def load(fp: Any, **kwargs: Any) -> Any:
    return loads(fp.read(), **kwargs)


def jsonify(*args: Any, **kwargs: Any) -> Any:
    """A JSON response: ``jsonify(a=1)`` is ``{"a": 1}``, ``jsonify(1, 2)`` is ``[1, 2]``."""
    context = _cv_app.get(None)
    if context is None:
        raise RuntimeError("jsonify() needs an application context (it uses current_app.json).")
    return context.app.json.response(*args, **kwargs)
