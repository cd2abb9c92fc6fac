"""Shared fixtures. Every request made with a test client runs through ``wsgiref.validate``,
so each test also checks that the app speaks PEP 3333 correctly."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest

import microflask.signing
import microflask.test
from microflask import Flask

_run_wsgi_app = microflask.test.run_wsgi_app

#: The second the signing and session tests (and Flask's stored vectors) were made at:
#: 2023-11-14 22:13:20 UTC, "ZVPxAA" in a signed value.
FIXED_TIME = 1700000000


def _run_validated(app, environ, buffered=True):
    return _run_wsgi_app(validator(app), environ, buffered)


@pytest.fixture(autouse=True)
def _validate_every_request(monkeypatch):
    monkeypatch.setattr(microflask.test, "run_wsgi_app", _run_validated)


@pytest.fixture
def app():
    app = Flask("test_app", root_path="/nonexistent-root")
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock(monkeypatch):
    """Set microflask's signing clock; call it with a Unix time. It starts at FIXED_TIME."""

    def set_time(value: float) -> None:
        monkeypatch.setattr(microflask.signing.time, "time", lambda: value)

    set_time(FIXED_TIME)
    return set_time
