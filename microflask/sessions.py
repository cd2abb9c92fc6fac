"""Sessions: the interface the app uses to load and save ``session`` (Flask's ``flask.sessions``).

The app asks ``app.session_interface.open_session(app, request)`` the first time a request reads
``session`` and ``save_session(app, session, response)`` after the view if it was opened. When no
session can be opened (no SECRET_KEY), the app gets a ``NullSession``: reading it works and gives
nothing, writing to it raises a RuntimeError that says how to fix it.

The default interface keeps the session in a cookie signed with the app's SECRET_KEY, in exactly
Flask's format (so a cookie made by a Flask app with the same key loads here, and back):
``URLSafeTimedSerializer`` (see ``signing``) with salt ``cookie-session``, HMAC-SHA1 and the
``hmac`` key derivation, over the tagged JSON of ``json.tag`` (which keeps tuples, bytes, Markup,
UUIDs and datetimes). The signature's timestamp enforces PERMANENT_SESSION_LIFETIME on load.
A tampered, expired, truncated or otherwise bad cookie gives an empty new session, never an error.

Does not: store anything server-side; the data is readable (signed, not encrypted) by the client.
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


def _mark_modified(session: SecureCookieSession) -> None:
    session.modified = True
    session.accessed = True


class SecureCookieSession(CallbackDict, SessionMixin):
    """A dict that records reads (``accessed``) and writes (``modified``).

    Reads call ``dict``'s methods directly, as ``CallbackDict`` does (cheaper than ``super()``).
    """

    modified = False
    accessed = False

    def __init__(self, initial: Any = None) -> None:
        CallbackDict.__init__(self, initial, _mark_modified)

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed = True
        return dict.get(self, key, default)


def _sha1(data: bytes = b"") -> Any:
    """``hashlib.sha1``, imported when a session is first signed rather than with microflask."""
    import hashlib

    return hashlib.sha1(data)


class SecureCookieSessionInterface(SessionInterface):
    """The default interface: the session is a signed cookie (Flask's format, byte for byte)."""

    #: Mixed into the signing key, so a session signature is valid for nothing else.
    salt = "cookie-session"
    digest_method = staticmethod(_sha1)
    key_derivation = "hmac"
    session_class = SecureCookieSession
    #: The payload serializer; None means ``json.tag.TaggedJSONSerializer()`` (Flask's).
    serializer: Any = None

    def get_signing_serializer(self, app: Flask) -> Any:
        """The serializer for ``app``; None without a secret key. Fallback keys verify only."""
        secret_key = app.secret_key
        if not secret_key:
            return None
        fallbacks = app.config["SECRET_KEY_FALLBACKS"]
        keys = (*fallbacks, secret_key) if fallbacks else (secret_key,)
        cache = self.__dict__.get("_serializers")
        cached = cache.get(keys) if cache is not None else None
        if cached is None:
            cached = self._make_signing_serializer(keys)
        return cached

    def _make_signing_serializer(self, keys: tuple[Any, ...]) -> Any:
        # NOTE(sessions): one serializer per key set, so its signers' keyed HMACs are reused
        # across requests; a changed SECRET_KEY or fallback list simply makes a new one.
        from .signing import URLSafeTimedSerializer

        if self.serializer is None:
            from .json.tag import TaggedJSONSerializer

            type(self).serializer = TaggedJSONSerializer()
        serializer = URLSafeTimedSerializer(keys, salt=self.salt, serializer=self.serializer,
                                            signer_kwargs={"key_derivation": self.key_derivation,
                                                           "digest_method": self.digest_method})
        cache = self.__dict__.setdefault("_serializers", {})
        if len(cache) >= 8:
            cache.clear()
        cache[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> Optional[SecureCookieSession]:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except _bad_cookie_errors() as e:
            app.logger.debug("Ignored an invalid session cookie: %s", e)
            return self.session_class()
        if not isinstance(data, dict):
            app.logger.debug("Ignored a session cookie holding a %s, not a dict", type(data).__name__)
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # NOTE(sessions): ``Vary: Cookie`` whenever the session was read or the cookie changes,
        # added once at the end (each ``response.vary`` access parses and rewrites the header).
        vary = session.accessed
        if not session:  # an emptied session deletes its cookie
            if session.modified:
                response.delete_cookie(self.get_cookie_name(app), **self._cookie_options(app))
                vary = True
        elif self.should_set_cookie(app, session):
            value = self.get_signing_serializer(app).dumps(dict(session))  # type: ignore[union-attr]
            response.set_cookie(self.get_cookie_name(app), value,
                                expires=self.get_expiration_time(app, session), **self._cookie_options(app))
            vary = True
        if vary:
            _vary_on_cookie(response)

    def _cookie_options(self, app: Flask) -> dict[str, Any]:
        return dict(domain=self.get_cookie_domain(app), path=self.get_cookie_path(app),
                    secure=self.get_cookie_secure(app), partitioned=self.get_cookie_partitioned(app),
                    samesite=self.get_cookie_samesite(app), httponly=self.get_cookie_httponly(app))


def _vary_on_cookie(response: Response) -> None:
    """``response.vary.add("Cookie")``, without parsing and rewriting a Vary header there is not."""
    # NOTE(sessions): the live HeaderSet behind ``response.vary`` (a parse, an object and a
    # write-back) costs about 9k more instructions than this, 2% of a session request; only
    # the common case, no Vary header yet, skips it: an existing one still merges through it.
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers.add("Vary", "Cookie")


_BAD_COOKIE_ERRORS: tuple[type[Exception], ...] = ()


def _bad_cookie_errors() -> tuple[type[Exception], ...]:
    """What loading a forged, expired or garbled cookie may raise (signing is imported lazily)."""
    global _BAD_COOKIE_ERRORS
    if not _BAD_COOKIE_ERRORS:
        from .signing import BadData

        _BAD_COOKIE_ERRORS = (BadData, ValueError, TypeError)
    return _BAD_COOKIE_ERRORS


#: Default lifetime of a permanent session.
DEFAULT_PERMANENT_SESSION_LIFETIME = timedelta(days=31)
