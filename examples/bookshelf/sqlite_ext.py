"""A small microflask extension: one SQLite connection per app context, closed at teardown.

The pattern is Flask's ("Flask Extension Development"): the extension object holds no app, so
one instance serves every app an application factory makes; ``init_app`` registers defaults, the
teardown function and itself in ``app.extensions``; the connection lives on ``g``.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Optional

from microflask import current_app, g


class SQLite:
    """``db = SQLite()`` at import time, ``db.init_app(app)`` in the factory, ``db.connection``
    in views."""

    def __init__(self, app: Any = None, schema: str = "") -> None:
        self.schema = schema
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Any) -> None:
        app.config.setdefault("SQLITE_DATABASE", ":memory:")
        app.extensions["sqlite"] = self
        app.teardown_appcontext(self.close_connection)

    @property
    def connection(self) -> sqlite3.Connection:
        """This app context's connection, opened (and the schema applied) on first use."""
        if "sqlite_connection" not in g:
            connection = sqlite3.connect(current_app.config["SQLITE_DATABASE"])
            connection.row_factory = sqlite3.Row
            connection.executescript(self.schema)
            g.sqlite_connection = connection
        return g.sqlite_connection

    def close_connection(self, error: Optional[BaseException]) -> None:
        connection = g.pop("sqlite_connection", None)
        if connection is not None:
            connection.close()
