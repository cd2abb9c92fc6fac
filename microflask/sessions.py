"""Sessions: the interface the app uses to load and save ``session`` (Flask's ``flask.sessions``).

The app asks ``app.session_interface.open_session(app, request)`` the first time a request reads
``session`` and ``save_session(app, session, response)`` after the view if it was opened. When no
session can be opened (no SECRET_KEY), the app gets a ``NullSession``: reading it works and gives
nothing, writing to it raises a RuntimeError that says how to fix it.

Does not (yet): sign cookies; the signed-cookie session is a later step (issue 5).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NoReturn, Optional

from .datastructures import CallbackDict

if TYPE_CHECKING:  # pragma: no cover
    from .app import Flask
    from .wrappers import Request, Response


class SessionMixin:
    """What a session object offers besides being a mutable mapping."""

    @property
    def permanent(self) -> bool:
        return self.get("_permanent", False)  # type: ignore[attr-defined]

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)  # type: ignore[index]

    #: True when the session was just created (no valid cookie came in).
    new = False
    #: True when the session was changed; nested mutations need ``modified = True`` by hand.
    modified = True
    #: True when the session was read or written during the request.
    accessed = True


class NullSession(SessionMixin, dict):
    """The session given when sessions are unavailable: readable, never writable."""

    new = False
    modified = False
    accessed = False

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the secret_key on"
            " the application to something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore


class SessionInterface:
    """Load and save sessions; subclass and assign to ``app.session_interface`` to replace."""

    null_session_class = NullSession
    pickle_based = False

    def make_null_session(self, app: Flask) -> NullSession:
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_NAME"]

    def get_cookie_domain(self, app: Flask) -> Optional[str]:
        return app.config["SESSION_COOKIE_DOMAIN"] or None

    def get_cookie_path(self, app: Flask) -> str:
        return app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"]

    def get_cookie_httponly(self, app: Flask) -> bool:
        return app.config["SESSION_COOKIE_HTTPONLY"]

    def get_cookie_secure(self, app: Flask) -> bool:
        return app.config["SESSION_COOKIE_SECURE"]

    def get_cookie_samesite(self, app: Flask) -> Optional[str]:
        return app.config["SESSION_COOKIE_SAMESITE"]

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return app.config.get("SESSION_COOKIE_PARTITIONED", False)

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> Optional[datetime]:
        if session.permanent:
            return datetime.now(timezone.utc) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        return session.modified or (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"])

    def open_session(self, app: Flask, request: Request) -> Optional[SessionMixin]:
        raise NotImplementedError

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        raise NotImplementedError


class SecureCookieSession(CallbackDict, SessionMixin):
    """A dict that records reads (``accessed``) and writes (``modified``)."""

    modified = False
    accessed = False

    def __init__(self, initial: Any = None) -> None:
        def on_update(self: SecureCookieSession) -> None:
            self.modified = True
            self.accessed = True

        super().__init__(initial, on_update)

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return super().get(key, default)


class SecureCookieSessionInterface(SessionInterface):
    """The default interface. Signed cookies are not implemented yet: sessions are null."""

    session_class = SecureCookieSession

    def open_session(self, app: Flask, request: Request) -> Optional[SecureCookieSession]:
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


#: Default lifetime of a permanent session.
DEFAULT_PERMANENT_SESSION_LIFETIME = timedelta(days=31)
