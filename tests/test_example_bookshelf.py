"""The bookshelf example (``examples/bookshelf``): factory, nested blueprints, config, MethodView
API and the SQLite extension, used as its README says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "examples"))

import bookshelf  # noqa: E402


@pytest.fixture()
def shelf(tmp_path):
    return bookshelf.create_app({"TESTING": True, "SQLITE_DATABASE": str(tmp_path / "shelf.sqlite")})


@pytest.fixture()
def shelf_client(shelf):
    return shelf.test_client()


def add_book(client, title="Dune", author="Frank Herbert"):
    return client.post("/api/books/", json={"title": title, "author": author})


def run_cli(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "microflask", *args], cwd=REPO_ROOT, env=full_env,
                          capture_output=True, text=True, timeout=30)


def test_factory_reads_settings_file_and_test_config_wins(shelf):
    assert shelf.config["SHELF_NAME"] == "My bookshelf"
    assert shelf.config["BOOKS_PER_PAGE"] == 20
    assert shelf.config["TESTING"] is True


def test_factory_reads_prefixed_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("BOOKSHELF_SHELF_NAME", "Ada's books")
    monkeypatch.setenv("BOOKSHELF_BOOKS_PER_PAGE", "2")
    app = bookshelf.create_app()
    assert app.config["SHELF_NAME"] == "Ada's books"
    assert app.config["BOOKS_PER_PAGE"] == 2


def test_each_factory_call_makes_an_independent_app(tmp_path):
    first = bookshelf.create_app({"SQLITE_DATABASE": str(tmp_path / "a.sqlite")})
    second = bookshelf.create_app({"SQLITE_DATABASE": str(tmp_path / "b.sqlite")})
    add_book(first.test_client())
    assert first.test_client().get("/api/books/").json != []
    assert second.test_client().get("/api/books/").json == []
    assert first.extensions["sqlite"] is second.extensions["sqlite"] is bookshelf.db


def test_creating_a_book_answers_201_with_its_location(shelf_client):
    response = add_book(shelf_client)
    assert response.status_code == 201
    assert response.json == {"id": 1, "title": "Dune", "author": "Frank Herbert"}
    assert response.headers["Location"] == "/api/books/1"


def test_books_are_listed_read_updated_and_deleted(shelf_client):
    add_book(shelf_client)
    assert shelf_client.get("/api/books/").json == [{"id": 1, "title": "Dune", "author": "Frank Herbert"}]
    updated = shelf_client.put("/api/books/1", json={"title": "Dune Messiah", "author": "Frank Herbert"})
    assert updated.json["title"] == "Dune Messiah"
    assert shelf_client.delete("/api/books/1").status_code == 204
    assert shelf_client.get("/api/books/1").status_code == 404


def test_book_list_is_limited_by_config(shelf, shelf_client):
    shelf.config["BOOKS_PER_PAGE"] = 2
    for number in range(3):
        add_book(shelf_client, title=f"Book {number}")
    assert len(shelf_client.get("/api/books/").json) == 2


def test_api_errors_are_json_from_the_parent_blueprint_handler(shelf_client):
    response = shelf_client.get("/api/books/42")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "description": "There is no book 42."}


def test_invalid_book_is_a_json_400(shelf_client):
    response = shelf_client.post("/api/books/", json={"title": " ", "author": "x"})
    assert response.status_code == 400
    assert "non-empty strings" in response.json["description"]
    assert shelf_client.post("/api/books/", data="not json", content_type="application/json").status_code == 400


def test_method_view_answers_405_with_allow(shelf_client):
    response = shelf_client.delete("/api/books/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_nested_blueprints_compose_names_and_prefixes(shelf):
    endpoints = {rule.endpoint: rule.rule for rule in shelf.url_map.iter_rules()}
    assert endpoints["api.books.item"] == "/api/books/<int:book_id>"
    assert endpoints["api.index"] == "/api/"
    assert endpoints["pages.index"] == "/"


def test_api_index_links_to_the_books(shelf_client):
    assert shelf_client.get("/api/").json == {"name": "My bookshelf", "books": "/api/books/"}


def test_home_page_lists_books_escaped_with_links(shelf_client):
    add_book(shelf_client, title="<Dune>")
    page = shelf_client.get("/").text
    assert '<a href="/api/books/1">&lt;Dune&gt;</a> by Frank Herbert' in page


def test_connection_is_closed_when_the_app_context_ends(shelf):
    with shelf.app_context():
        connection = bookshelf.db.connection
        assert bookshelf.db.connection is connection
    with pytest.raises(Exception, match="closed"):
        connection.execute("SELECT 1")


@pytest.mark.parametrize("app_option", [
    "examples/bookshelf", "bookshelf", "bookshelf:create_app", "bookshelf:create_app()",
    "examples/bookshelf/__init__.py",
])
def test_cli_finds_the_factory(app_option, tmp_path):
    env = {"PYTHONPATH": str(REPO_ROOT / "examples"), "BOOKSHELF_SQLITE_DATABASE": f'"{tmp_path / "x.sqlite"}"'}
    result = run_cli("--app", app_option, "routes", env=env)
    assert result.returncode == 0, result.stderr
    assert "api.books.item" in result.stdout
