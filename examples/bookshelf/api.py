"""The JSON API: ``/api/`` (the ``api`` blueprint) and ``/api/books/`` (``books``, nested in it).

``books`` serves two MethodViews: the collection (GET lists, POST creates) and one book (GET,
PUT, DELETE). Errors under ``/api`` are answered as JSON by the ``api`` blueprint's handler,
which also covers the nested ``books`` blueprint.
"""

from __future__ import annotations

from typing import Any

from microflask import Blueprint, abort, current_app, request, url_for
from microflask.exceptions import HTTPException
from microflask.views import MethodView

from . import db

bp = Blueprint("api", __name__, url_prefix="/api")
books = Blueprint("books", __name__, url_prefix="/books")


@bp.route("/")
def index() -> dict[str, Any]:
    return {"name": current_app.config["SHELF_NAME"], "books": url_for("api.books.list")}


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[dict[str, Any], int]:
    return {"error": error.name, "description": error.description}, error.code or 500


def read_book() -> tuple[str, str]:
    """``(title, author)`` from a JSON body; 400 when either is missing or not a string."""
    data = request.get_json()
    if not isinstance(data, dict):
        abort(400, description="Send a JSON object with 'title' and 'author'.")
    title, author = data.get("title"), data.get("author")
    if not (isinstance(title, str) and title.strip() and isinstance(author, str) and author.strip()):
        abort(400, description="'title' and 'author' must be non-empty strings.")
    return title.strip(), author.strip()


def find_book(book_id: int) -> dict[str, Any]:
    row = db.connection.execute("SELECT id, title, author FROM book WHERE id = ?", (book_id,)).fetchone()
    if row is None:
        abort(404, description=f"There is no book {book_id}.")
    return dict(row)


class BookList(MethodView):
    def get(self) -> list[dict[str, Any]]:
        rows = db.connection.execute("SELECT id, title, author FROM book ORDER BY id").fetchall()
        limit = current_app.config["BOOKS_PER_PAGE"]
        return [dict(row) for row in rows[:limit]]

    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        title, author = read_book()
        cursor = db.connection.execute("INSERT INTO book (title, author) VALUES (?, ?)", (title, author))
        db.connection.commit()
        book = find_book(cursor.lastrowid)
        return book, 201, {"Location": url_for(".item", book_id=book["id"])}


class BookItem(MethodView):
    def get(self, book_id: int) -> dict[str, Any]:
        return find_book(book_id)

    def put(self, book_id: int) -> dict[str, Any]:
        find_book(book_id)
        title, author = read_book()
        db.connection.execute("UPDATE book SET title = ?, author = ? WHERE id = ?", (title, author, book_id))
        db.connection.commit()
        return find_book(book_id)

    def delete(self, book_id: int) -> tuple[str, int]:
        find_book(book_id)
        db.connection.execute("DELETE FROM book WHERE id = ?", (book_id,))
        db.connection.commit()
        return "", 204


books.add_url_rule("/", view_func=BookList.as_view("list"))
books.add_url_rule("/<int:book_id>", view_func=BookItem.as_view("item"))
bp.register_blueprint(books)
