"""The app-aware test client (Flask's ``flask.testing``).

``FlaskClient`` is ``test.Client`` plus what needs the app: base URLs from SERVER_NAME and
APPLICATION_ROOT, and ``with client:`` keeping the last request's context pushed so a test can
inspect ``request``, ``session`` and ``g`` after the response came back.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from typing import Any, Iterator, Optional

from .test import Client, EnvironBuilder as _BaseEnvironBuilder, TestResponse

__all__ = ["FlaskClient", "EnvironBuilder"]


class EnvironBuilder(_BaseEnvironBuilder):
    """An ``EnvironBuilder`` whose base URL comes from the app's config."""

    def __init__(self, app: Any, path: str = "/", base_url: Optional[str] = None,
                 subdomain: Optional[str] = None, url_scheme: Optional[str] = None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(path, base_url, *args, app=app, subdomain=subdomain, url_scheme=url_scheme, **kwargs)
        self.app = app


class FlaskClient(Client):
    """Test client for a microflask app; ``app.test_client()`` returns one."""

    def __init__(self, app: Any, response_wrapper: Optional[type] = None, use_cookies: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(app, response_wrapper, use_cookies, **kwargs)
        self.application = app
        self.preserve_context = False
        self._new_contexts: list[Any] = []
        self._context_stack = ExitStack()
        self.environ_base = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "microflask-test-client"}

    def _make_builder(self, *args: Any, **kwargs: Any) -> _BaseEnvironBuilder:
        base = dict(self.environ_base)
        base.update(kwargs.pop("environ_base", None) or {})
        kwargs["environ_base"] = base
        return _BaseEnvironBuilder(*args, app=self.application, **kwargs)

    def open(self, *args: Any, buffered: bool = True, follow_redirects: bool = False, **kwargs: Any) -> TestResponse:
        """As ``Client.open``; inside ``with client:`` the last request context stays pushed."""
        self._context_stack.close()
        response = super().open(*args, buffered=buffered, follow_redirects=follow_redirects, **kwargs)
        for context in self._new_contexts:
            self._context_stack.enter_context(context)
        self._new_contexts.clear()
        return response

    def run_wsgi_app(self, environ: dict, buffered: bool = True) -> Any:
        if self.preserve_context:
            self._new_contexts.clear()
            environ["microflask.preserve_context"] = self._new_contexts.append
        return super().run_wsgi_app(environ, buffered)

    @contextmanager
    def session_transaction(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        """``with client.session_transaction() as session:`` reads and changes the session the
        client's cookies hold, as the app would; the changes are saved back into the cookie jar.
        Arguments are those of ``app.test_request_context`` (path, base_url...)."""
        jar = self._require_jar()  # noqa: F841 - raises a TypeError when cookies are disabled
        app = self.application
        context = app.test_request_context(*args, **kwargs)
        self._add_cookies_to(context.request.environ)
        interface = app.session_interface
        with context:
            session = interface.open_session(app, context.request)
            if session is None:
                raise RuntimeError("Session backend did not open a session. Set a secret key.")
            yield session
            response = app.response_class()
            if not interface.is_null_session(session):
                interface.save_session(app, session, response)
        self._update_cookies_from(context.request.environ, response.headers)

    def __enter__(self) -> FlaskClient:
        if self.preserve_context:
            raise RuntimeError("Cannot nest client invocations")
        self.preserve_context = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.preserve_context = False
        self._context_stack.close()
