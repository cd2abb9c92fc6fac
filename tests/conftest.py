"""Shared fixtures. Every request made with a test client runs through ``wsgiref.validate``,
so each test also checks that the app speaks PEP 3333 correctly."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest

import microflask.test
from microflask import Flask

_run_wsgi_app = microflask.test.run_wsgi_app


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
