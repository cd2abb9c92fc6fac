"""The human-facing pages: the shelf as an HTML list (templates arrive in a later version)."""

from __future__ import annotations

from html import escape

from microflask import Blueprint, current_app, url_for

from . import db

bp = Blueprint("pages", __name__)


@bp.route("/")
def index() -> str:
    rows = db.connection.execute("SELECT id, title, author FROM book ORDER BY title").fetchall()
    items = "".join(
        f'<li><a href="{url_for("api.books.item", book_id=row["id"])}">{escape(row["title"])}</a>'
        f" by {escape(row['author'])}</li>"
        for row in rows
    )
    title = escape(current_app.config["SHELF_NAME"])
    return f"<!doctype html><title>{title}</title><h1>{title}</h1><ul>{items}</ul>"
