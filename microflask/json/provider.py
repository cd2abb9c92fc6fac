"""JSON providers: how the app turns values into JSON and back (Flask's ``flask.json.provider``).

``app.json`` is an instance of ``app.json_provider_class`` (``DefaultJSONProvider`` unless
replaced); assign ``app.json = MyProvider(app)`` or subclass ``JSONProvider`` to use another JSON
library. ``DefaultJSONProvider`` adds what ``json`` cannot serialise by itself and web apps need:
dates as HTTP dates (RFC 9110 section 5.6.7), ``Decimal`` and ``UUID`` as strings, dataclasses as
dicts and anything with ``__html__`` as its markup. Keys are sorted and non-ASCII is escaped;
responses are compact, and indented by two spaces when the app is in debug mode.
See https://flask.palletsprojects.com/en/stable/api/#flask.json.provider.JSONProvider.

Does not: parse requests (``Request.get_json`` calls ``app.json.loads``) or keep types across a
round trip (see ``tag``).
"""

from __future__ import annotations

import datetime
import sys
import weakref
from typing import IO, TYPE_CHECKING, Any, Optional

from ..http import http_date

if TYPE_CHECKING:  # pragma: no cover
    from ..app import Flask
    from ..wrappers import Response


class JSONProvider:
    """The interface a JSON provider implements; subclass it to use another JSON library.

    A subclass implements ``dumps`` and ``loads``; ``dump``, ``load`` and ``response`` build on
    them. The app is held through a weak proxy so a provider does not keep its app alive.
    """

    def __init__(self, app: Flask) -> None:
        self._app = weakref.proxy(app)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """``obj`` as a JSON string."""
        raise NotImplementedError

    def dump(self, obj: Any, fp: IO[str], **kwargs: Any) -> None:
        """Write ``obj`` as JSON to the text file ``fp``."""
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """The value of a JSON document; ValueError when it is invalid."""
        raise NotImplementedError

    def load(self, fp: IO[Any], **kwargs: Any) -> Any:
        """The value of the JSON document read from ``fp``."""
        return self.loads(fp.read(), **kwargs)

    def _prepare_response_obj(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """One argument as is, several as a list, keywords as a dict, nothing as None."""
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """A JSON response of one value, several values (a list) or keyword arguments (a dict)."""
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj), mimetype="application/json")


def _default(value: Any) -> Any:
    """Serialise the types ``json`` does not know; TypeError for the rest."""
    if isinstance(value, datetime.date):
        return http_date(value)
    # NOTE(json): a Decimal, UUID or dataclass can only exist once its module was imported, so
    # look them up in sys.modules instead of importing three slow modules at startup.
    decimal, uuid, dataclasses = (sys.modules.get(name) for name in ("decimal", "uuid", "dataclasses"))
    if decimal is not None and isinstance(value, decimal.Decimal):
        return str(value)
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class DefaultJSONProvider(JSONProvider):
    """JSON with the standard library, as Flask configures it."""

    #: Called for values ``json`` cannot serialise.
    default = staticmethod(_default)
    ensure_ascii = True
    sort_keys = True
    #: None: compact unless the app is in debug mode; True/False force compact/indented.
    compact: Optional[bool] = None
    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        import json  # NOTE(json): imported on first use, not with microflask (~3 ms at startup)

        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        import json

        return json.loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Like ``JSONProvider.response``, using ``mimetype``, ``compact`` and a final newline."""
        obj = self._prepare_response_obj(args, kwargs)
        if self.compact is False or (self.compact is None and self._app.debug):
            options: dict[str, Any] = {"indent": 2}
        else:
            options = {"separators": (",", ":")}
        body = f"{self.dumps(obj, **options)}\n"
        return self._app.response_class(body, mimetype=self.mimetype)
