"""Bookshelf: a microflask app laid out the way Flask projects grow.

An application factory, config from a file and from the environment, a tiny extension (one
SQLite connection per app context), a ``pages`` blueprint and an ``api`` blueprint with a nested
``books`` blueprint serving a MethodView API. Run it from the repository root with::

    python3 -m microflask --app examples/bookshelf run

Settings come from ``settings.json``, then ``instance/config.py`` if present, then environment
variables such as ``BOOKSHELF_SHELF_NAME="Ada's books"`` (values parsed as JSON when they can be).
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional

from microflask import Flask

from .sqlite_ext import SQLite

SCHEMA = """
CREATE TABLE IF NOT EXISTS book (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    author TEXT NOT NULL
);
"""

db = SQLite(schema=SCHEMA)


def create_app(test_config: Optional[Mapping[str, Any]] = None) -> Flask:
    """Make a new app; ``test_config`` overrides every other setting (tests pass one)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SQLITE_DATABASE=os.path.join(app.instance_path, "bookshelf.sqlite"))
    app.config.from_file(os.path.join(app.root_path, "settings.json"), load=json.load)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("BOOKSHELF")
        os.makedirs(app.instance_path, exist_ok=True)
    else:
        app.config.from_mapping(test_config)

    db.init_app(app)

    from . import api, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app
