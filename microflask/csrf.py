"""CSRF protection: every unsafe request must send back a secret token kept in the session.

Cross-site request forgery: a page on another site makes the victim's browser send a request that
changes state here (a hidden form auto-submitting ``POST /transfer``). The browser attaches the
session cookie, so without more checks the request looks exactly like one the user meant to send.
The defence is OWASP's *synchronizer token pattern* (CSRF Prevention Cheat Sheet,
https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html):

1. ``generate_csrf()`` (``{{ csrf_token() }}`` in templates) stores a random secret in the session
   once per session and returns it signed and timestamped, for a hidden form field or a header.
2. Before every POST/PUT/PATCH/DELETE the token sent is verified (signature, then age against
   ``CSRF_TIME_LIMIT``) and compared in constant time with the session's secret.
3. On https (``CSRF_SSL_STRICT``) the ``Origin`` header, or else the ``Referer``, must name this
   scheme, host and port too, as the cheat sheet's "verifying origin" defence in depth.

It works because the same-origin policy lets another site make the browser *send* our cookie but
not *read* our pages, so it cannot learn the token. ``SESSION_COOKIE_SAMESITE = "Lax"`` (RFC 6265bis
section 8.8) keeps most cross-site requests from carrying the cookie at all; the token still covers
older browsers, top-level POSTs Lax lets through and requests from sibling subdomains.
A failed check raises ``CSRFError`` (400), which ``app.errorhandler(CSRFError)`` can render.

Does not: check safe methods (they must not change state, RFC 9110 section 9.2.1); issue
per-request tokens; read the token from JSON bodies (AJAX sends the ``X-CSRFToken`` header).
"""

from __future__ import annotations

import hmac
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, TypeVar, Union
from urllib.parse import urlsplit

from .blueprints import Blueprint
from .exceptions import BadRequest
from .globals import current_app, request, session

if TYPE_CHECKING:  # pragma: no cover
    from .app import Flask

F = TypeVar("F", bound=Union[Callable[..., Any], Blueprint, str])

#: The session key holding the raw secret, and the signer salt that keeps CSRF tokens apart from
#: other values signed with the same secret key.
SESSION_KEY = "_csrf_token"
SALT = "microflask-csrf-token"

#: Config keys set by ``init_app`` unless the app already has them.
DEFAULT_CONFIG: dict = {
    "CSRF_ENABLED": True,
    "CSRF_FIELD_NAME": "csrf_token",
    "CSRF_HEADERS": ["X-CSRFToken", "X-CSRF-Token"],
    "CSRF_METHODS": {"POST", "PUT", "PATCH", "DELETE"},
    "CSRF_TIME_LIMIT": 3600,  # seconds a token stays valid; None for as long as the session
    "CSRF_SSL_STRICT": True,
}

_DEFAULT_PORTS = {"http": 80, "https": 443}


class CSRFError(BadRequest):
    """A request failed the CSRF check; ``description`` says which part failed."""

    description = "The CSRF token is missing or invalid."


def generate_csrf() -> str:
    """A signed, timestamped token for this session (creates the session's secret if needed)."""
    serializer = _make_serializer()
    if not isinstance(session.get(SESSION_KEY), str):
        session[SESSION_KEY] = secrets.token_hex(32)
    return serializer.dumps(session[SESSION_KEY])


def validate_csrf(data: Optional[str]) -> None:
    """Raise ``CSRFError`` unless ``data`` is a current token for this session."""
    serializer = _make_serializer()
    if not data:
        raise CSRFError("The CSRF token is missing.")
    expected = session.get(SESSION_KEY)
    if not isinstance(expected, str):
        raise CSRFError("The CSRF session token is missing.")
    sent = _load_token(serializer, data)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CSRFError("The CSRF tokens do not match.")


def _make_serializer() -> Any:
    """The token signer for the current app; a missing secret key is a setup error."""
    secret_key = current_app.secret_key
    if not secret_key:
        raise RuntimeError(
            "CSRF protection needs a secret key to sign its tokens and keep them in the session."
            " Set app.secret_key (the SECRET_KEY config) to a long random value, for example"
            " the output of 'python -c \"import secrets; print(secrets.token_hex())\"'."
        )
    # NOTE(csrf): fallbacks verify but never sign, so rotating SECRET_KEY keeps open forms valid.
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or ()
    return _serializer_for((*fallbacks, secret_key))


@lru_cache(maxsize=8)
def _serializer_for(keys: Tuple[Any, ...]) -> Any:
    """One serializer per key set, reused so its signer derives the HMAC keys only once."""
    from .signing import URLSafeTimedSerializer

    return URLSafeTimedSerializer(keys, salt=SALT)


def _load_token(serializer: Any, data: Any) -> Any:
    """The raw secret inside a signed token; CSRFError if it is forged, garbled or too old."""
    from .signing import BadData, SignatureExpired

    if not isinstance(data, str):
        raise CSRFError("The CSRF token is invalid.")
    max_age = current_app.config.get("CSRF_TIME_LIMIT", DEFAULT_CONFIG["CSRF_TIME_LIMIT"])
    try:
        return serializer.loads(data, max_age=max_age)
    except SignatureExpired as e:
        raise CSRFError("The CSRF token has expired.") from e
    except BadData as e:  # a bad signature, timestamp or payload
        raise CSRFError("The CSRF token is invalid.") from e


def _check_same_origin(sent: Optional[str], host_url: str) -> None:
    """Raise ``CSRFError`` unless the ``Origin``/``Referer`` value ``sent`` is ``host_url``'s origin."""
    if not sent:
        raise CSRFError("The referrer header is missing.")
    if _parse_origin(sent) != _parse_origin(host_url):
        raise CSRFError("The referrer does not match the host.")


def _parse_origin(url: str) -> Optional[Tuple[str, str, int]]:
    """``(scheme, host, port)`` of an absolute URL, or None for ``null`` and malformed values."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bad port or an unclosed IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


class CSRFProtect:
    """Check the CSRF token of every unsafe request to the app; ``init_app`` for factories."""

    def __init__(self, app: Optional[Flask] = None) -> None:
        self._exempt_names: set = set()
        self._exempt_objects: list = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Set config defaults, the ``csrf_token`` template global and the before-request check."""
        for key, value in DEFAULT_CONFIG.items():
            app.config.setdefault(key, value.copy() if isinstance(value, (list, set)) else value)
        app.extensions["csrf"] = self
        app.add_template_global(generate_csrf, "csrf_token")
        app.before_request(self._check_request)

    def exempt(self, view: F) -> F:
        """Skip the check for a view function, a blueprint, or an endpoint/blueprint name.

        A blueprint also exempts the blueprints nested in it. Usable as a decorator.
        """
        if isinstance(view, str):
            self._exempt_names.add(view)
        else:
            self._exempt_objects.append(view)
        return view

    def protect(self) -> None:
        """Check the current request now (for example from an exempt view); raises CSRFError."""
        config = current_app.config
        validate_csrf(_find_token(config))
        if request.is_secure and config.get("CSRF_SSL_STRICT", True):
            _check_same_origin(request.origin or request.referrer, request.host_url)

    def _check_request(self) -> None:
        config = current_app.config
        if not config["CSRF_ENABLED"] or request.method not in config["CSRF_METHODS"]:
            return
        # NOTE(csrf): no endpoint means routing failed; the 404/405 is the truer answer.
        if request.endpoint is None or self._is_exempt():
            return
        self.protect()

    def _is_exempt(self) -> bool:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        names = [request.endpoint, *request.blueprints]
        if any(name in self._exempt_names for name in names):
            return True
        candidates = [app.view_functions.get(request.endpoint)]
        candidates += [app.blueprints.get(name) for name in request.blueprints]
        return any(obj is exempt for obj in candidates for exempt in self._exempt_objects)


def _find_token(config: Any) -> Optional[str]:
    """The token from the form field, else from the first configured header that has one."""
    token = request.form.get(config.get("CSRF_FIELD_NAME", "csrf_token"))
    if token:
        return token
    for header in config.get("CSRF_HEADERS", DEFAULT_CONFIG["CSRF_HEADERS"]):
        token = request.headers.get(header)
        if token:
            return token
    return None
