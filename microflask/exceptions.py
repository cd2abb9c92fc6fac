"""HTTP errors as exceptions that are also WSGI responses (the role of ``werkzeug.exceptions``).

Raising ``NotFound()`` anywhere below a view stops the request; the app turns the exception into a
response with ``get_response()``: the status line from ``code``, an HTML body built from ``name``
and ``description``, and any extra headers from ``get_headers()`` (``Allow`` for 405,
``WWW-Authenticate`` for 401, ``Retry-After`` for 429/503). ``abort(404)`` raises by code;
``abort(response)`` raises a response unchanged. Status names follow RFC 9110 section 15.

Does not: decide how errors are handled (see ``app.Flask.handle_user_exception``).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Iterable, NoReturn, Optional, Union

if TYPE_CHECKING:  # pragma: no cover
    from .wrappers import Response

# NOTE(exceptions): the five characters Flask's pages escape, with the same numeric references
# (html.escape writes &#x27; and &quot;), so error and redirect pages match Flask's byte for byte.
_HTML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape_html(text: str) -> str:
    """``text`` safe in HTML content and quoted attributes: ``<b id="x">`` -> ``&lt;b id=&#34;x&#34;&gt;``."""
    return text.translate(_HTML_ESCAPES)


class HTTPException(Exception):
    """Base of every HTTP error. Subclasses set ``code`` and ``description``."""

    code: Optional[int] = None
    description: Optional[str] = None

    def __init__(self, description: str | None = None, response: Response | None = None) -> None:
        super().__init__()
        if description is not None:
            self.description = description
        self.response = response

    @property
    def name(self) -> str:
        """The reason phrase, e.g. ``'Not Found'``."""
        from .http import HTTP_STATUS_CODES

        return HTTP_STATUS_CODES.get(self.code or 0, "Unknown Error")

    def get_description(self, environ: dict | None = None, scope: Any = None) -> str:
        """The description as HTML-escaped paragraphs."""
        text = escape_html(self.description or "").replace("\n", "<br>")
        return f"<p>{text}</p>"

    def get_body(self, environ: dict | None = None, scope: Any = None) -> str:
        """A small HTML page naming the error."""
        return (
            "<!doctype html>\n<html lang=en>\n"
            f"<title>{self.code} {escape_html(self.name)}</title>\n"
            f"<h1>{escape_html(self.name)}</h1>\n"
            f"{self.get_description(environ)}\n"
        )

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        """Headers of the error response; subclasses add to these."""
        return [("Content-Type", "text/html; charset=utf-8")]

    def get_response(self, environ: dict | None = None, scope: Any = None) -> Response:
        """The response to send: ``self.response`` if one was given, else a built HTML page."""
        from .wrappers import Response

        if self.response is not None:
            return self.response
        return Response(self.get_body(environ), self.code or 500, self.get_headers(environ))

    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        """Act as a WSGI application that sends this error."""
        return self.get_response(environ)(environ, start_response)

    def __str__(self) -> str:
        return f"{self.code or '???'} {self.name}: {self.description}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.code} {self.name}'>"


class BadRequest(HTTPException):
    code = 400
    description = "The browser (or proxy) sent a request that this server could not understand."


class BadRequestKeyError(BadRequest, KeyError):
    """A missing form or query key: a ``KeyError`` for code that catches it, a 400 otherwise."""

    #: Set by the app in debug mode so the page names the missing key.
    show_exception = False

    def __init__(self, key: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.args = () if key is None else (key,)
        self.key = key

    def get_description(self, environ: dict | None = None, scope: Any = None) -> str:
        text = super().get_description(environ)
        if self.show_exception and self.key is not None:
            text += f"<p>KeyError: {escape_html(repr(self.key))}</p>"
        return text

    def __str__(self) -> str:
        return HTTPException.__str__(self)


class SecurityError(BadRequest):
    """A request that looks like an attack (e.g. a path escaping a directory)."""


class BadHost(BadRequest):
    """The Host header is not one the app serves."""


class Unauthorized(HTTPException):
    code = 401
    description = (
        "The server could not verify that you are authorized to access the URL requested. You"
        " either supplied the wrong credentials (e.g. a bad password), or your browser doesn't"
        " understand how to supply the credentials required."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        www_authenticate: Any = None,
    ) -> None:
        super().__init__(description, response)
        if www_authenticate is not None and not isinstance(www_authenticate, (list, tuple)):
            www_authenticate = [www_authenticate]
        self.www_authenticate = www_authenticate

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ)
        for challenge in self.www_authenticate or ():
            value = challenge.to_header() if hasattr(challenge, "to_header") else str(challenge)
            headers.append(("WWW-Authenticate", value))
        return headers


class Forbidden(HTTPException):
    code = 403
    description = (
        "You don't have the permission to access the requested resource. It is either"
        " read-protected or not readable by the server."
    )


class NotFound(HTTPException):
    code = 404
    description = (
        "The requested URL was not found on the server. If you entered the URL manually please"
        " check your spelling and try again."
    )


class MethodNotAllowed(HTTPException):
    code = 405
    description = "The method is not allowed for the requested URL."

    def __init__(
        self,
        valid_methods: Iterable[str] | None = None,
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.valid_methods = sorted(valid_methods) if valid_methods is not None else None

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ)
        if self.valid_methods:
            headers.append(("Allow", ", ".join(self.valid_methods)))
        return headers


class NotAcceptable(HTTPException):
    code = 406
    description = (
        "The resource identified by the request is only capable of generating response entities"
        " which have content characteristics not acceptable according to the accept headers sent"
        " in the request."
    )


class RequestTimeout(HTTPException):
    code = 408
    description = (
        "The server closed the network connection because the browser didn't finish the request"
        " within the specified time."
    )


class Conflict(HTTPException):
    code = 409
    description = (
        "A conflict happened while processing the request. The resource might have been modified"
        " while the request was being processed."
    )


class Gone(HTTPException):
    code = 410
    description = (
        "The requested URL is no longer available on this server and there is no forwarding"
        " address. If you followed a link from a foreign page, please contact the author of this"
        " page."
    )


class LengthRequired(HTTPException):
    code = 411
    description = "A request with this method requires a valid <code>Content-Length</code> header."


class PreconditionFailed(HTTPException):
    code = 412
    description = "The precondition on the request for the URL failed positive evaluation."


class RequestEntityTooLarge(HTTPException):
    code = 413
    description = "The data value transmitted exceeds the capacity limit."


class RequestURITooLarge(HTTPException):
    code = 414
    description = (
        "The length of the requested URL exceeds the capacity limit for this server. The request"
        " cannot be processed."
    )


class UnsupportedMediaType(HTTPException):
    code = 415
    description = (
        "The server does not support the media type transmitted in the request."
    )


class RequestedRangeNotSatisfiable(HTTPException):
    code = 416
    description = "The server cannot provide the requested range."

    def __init__(
        self,
        length: int | None = None,
        units: str = "bytes",
        description: str | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(description, response)
        self.length = length
        self.units = units

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        headers = super().get_headers(environ)
        if self.length is not None:
            headers.append(("Content-Range", f"{self.units} */{self.length}"))
        return headers


class ExpectationFailed(HTTPException):
    code = 417
    description = "The server could not meet the requirements of the Expect header"


class ImATeapot(HTTPException):
    code = 418
    description = "This server is a teapot, not a coffee machine"


class MisdirectedRequest(HTTPException):
    code = 421
    description = "The server is not able to produce a response for this request."


class UnprocessableEntity(HTTPException):
    code = 422
    description = (
        "The request was well-formed but was unable to be followed due to semantic errors."
    )


class Locked(HTTPException):
    code = 423
    description = "The resource that is being accessed is locked."


class FailedDependency(HTTPException):
    code = 424
    description = (
        "The method could not be performed on the resource because the requested action depended"
        " on another action and that action failed."
    )


class PreconditionRequired(HTTPException):
    code = 428
    description = (
        "This request is required to be conditional; try using \"If-Match\" or"
        " \"If-Unmodified-Since\"."
    )


RetryAfter = Union[datetime.datetime, int, None]


def _retry_after_headers(retry_after: RetryAfter) -> list[tuple[str, str]]:
    if retry_after is None:
        return []
    if isinstance(retry_after, datetime.datetime):
        from .http import http_date

        return [("Retry-After", http_date(retry_after))]
    return [("Retry-After", str(int(retry_after)))]


class _RetryAfter(HTTPException):
    """Adds ``Retry-After`` (seconds or a date) to the response when given."""

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        retry_after: RetryAfter = None,
    ) -> None:
        super().__init__(description, response)
        self.retry_after = retry_after

    def get_headers(self, environ: dict | None = None, scope: Any = None) -> list[tuple[str, str]]:
        return super().get_headers(environ) + _retry_after_headers(self.retry_after)


class TooManyRequests(_RetryAfter):
    code = 429
    description = "This user has exceeded an allotted request count. Try again later."


class RequestHeaderFieldsTooLarge(HTTPException):
    code = 431
    description = "One or more header fields exceeds the maximum size."


class UnavailableForLegalReasons(HTTPException):
    code = 451
    description = "Unavailable for legal reasons."


class InternalServerError(HTTPException):
    code = 500
    description = (
        "The server encountered an internal error and was unable to complete your request. Either"
        " the server is overloaded or there is an error in the application."
    )

    def __init__(
        self,
        description: str | None = None,
        response: Response | None = None,
        original_exception: BaseException | None = None,
    ) -> None:
        super().__init__(description, response)
        #: The exception that caused this 500, when it came from an unhandled error.
        self.original_exception = original_exception


class NotImplemented(HTTPException):  # noqa: A001 - Werkzeug's public name
    code = 501
    description = "The server does not support the action requested by the browser."


class BadGateway(HTTPException):
    code = 502
    description = (
        "The proxy server received an invalid response from an upstream server."
    )


class ServiceUnavailable(_RetryAfter):
    code = 503
    description = (
        "The server is temporarily unable to service your request due to maintenance downtime or"
        " capacity problems. Please try again later."
    )


class GatewayTimeout(HTTPException):
    code = 504
    description = "The connection to an upstream server timed out."


class HTTPVersionNotSupported(HTTPException):
    code = 505
    description = "The server does not support the HTTP protocol version used in the request."


def _collect_codes() -> dict[int, type[HTTPException]]:
    found: dict[int, type[HTTPException]] = {}
    pending = list(HTTPException.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.code is not None and not cls.__name__.startswith("_"):
            # NOTE(exceptions): the first class declared for a code wins (BadRequest, not BadHost).
            current = found.get(cls.code)
            if current is None or issubclass(current, cls):
                found[cls.code] = cls
    return found


#: Status code -> exception class, for ``abort(code)`` and error handler registration.
default_exceptions: dict[int, type[HTTPException]] = _collect_codes()


class Aborter:
    """Raise the exception for a status code: ``Aborter()(404)``; ``abort`` is one of these."""

    def __init__(self, mapping: dict[int, type[HTTPException]] | None = None, extra: dict | None = None):
        self.mapping = dict(default_exceptions if mapping is None else mapping)
        if extra:
            self.mapping.update(extra)

    def __call__(self, code: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
        if not isinstance(code, int):
            raise HTTPException(response=code)
        if code not in self.mapping:
            raise LookupError(f"no exception for {code!r}")
        raise self.mapping[code](*args, **kwargs)


_aborter = Aborter()


def abort(status: int | Response, *args: Any, **kwargs: Any) -> NoReturn:
    """Raise the HTTP error for ``status`` (a code), or raise a prepared response as is.

    ``abort(404)``, ``abort(403, description="Members only")``, ``abort(make_response(...))``.
    """
    _aborter(status, *args, **kwargs)
