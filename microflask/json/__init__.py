"""JSON helpers bound to the current app (Flask's ``flask.json``).

Each function asks for the active application context first: inside one, it delegates to
``current_app.json`` (the app's ``JSONProvider``), so settings such as ``sort_keys`` and custom
providers apply everywhere; outside one, it falls back to the standard library ``json`` with the
same ``default`` as ``DefaultJSONProvider`` (dates, ``Decimal``, ``UUID``, dataclasses,
``__html__``) and no other changes. See https://flask.palletsprojects.com/en/stable/api/#json-support.

``jsonify(...)`` is ``current_app.json.response(...)`` and always needs an app context.

Does not: choose how values are serialised (see ``provider``) or keep types across a round trip
(see ``tag``).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Optional

from ..globals import _cv_app, _no_app_msg
from .provider import DefaultJSONProvider, JSONProvider, _default

if TYPE_CHECKING:  # pragma: no cover
    from ..wrappers import Response

__all__ = ["jsonify", "dumps", "dump", "loads", "load", "JSONProvider", "DefaultJSONProvider"]


def _find_provider() -> Optional[JSONProvider]:
    """The current app's JSON provider, or None outside an application context."""
    context = _cv_app.get(None)
    return context.app.json if context is not None else None


def dumps(obj: Any, **kwargs: Any) -> str:
    """``obj`` as a JSON string; ``kwargs`` go to the provider or to ``json.dumps``."""
    provider = _find_provider()
    if provider is not None:
        return provider.dumps(obj, **kwargs)
    kwargs.setdefault("default", _default)
    import json  # NOTE(json): imported on first use, not with microflask (~3 ms at startup)

    return json.dumps(obj, **kwargs)


def dump(obj: Any, fp: IO[str], **kwargs: Any) -> None:
    """Write ``obj`` as JSON to the text file ``fp``."""
    provider = _find_provider()
    if provider is not None:
        provider.dump(obj, fp, **kwargs)
        return
    fp.write(dumps(obj, **kwargs))


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """Parse a JSON document (``str`` or UTF-8/16/32 ``bytes``); ValueError when it is invalid."""
    provider = _find_provider()
    if provider is not None:
        return provider.loads(s, **kwargs)
    import json

    return json.loads(s, **kwargs)


def load(fp: IO[Any], **kwargs: Any) -> Any:
    """Parse the JSON document read from the text or binary file ``fp``."""
    provider = _find_provider()
    if provider is not None:
        return provider.load(fp, **kwargs)
    return loads(fp.read(), **kwargs)


def jsonify(*args: Any, **kwargs: Any) -> Response:
    """A JSON response: ``jsonify(a=1)`` is ``{"a": 1}``, ``jsonify(1, 2)`` is ``[1, 2]``.

    One positional argument is serialised as is, none gives ``null``; positional and keyword
    arguments together raise TypeError.
    """
    provider = _find_provider()
    if provider is None:
        raise RuntimeError(_no_app_msg)
    return provider.response(*args, **kwargs)
