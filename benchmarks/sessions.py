"""Sessions: a request that reads the signed session cookie, changes it and writes it back.

    python benchmarks/sessions.py [--quick]

Each app answers a first request that sets the session; its cookie is then sent with every
timed request, so each call verifies a signature, decodes tagged JSON, counts up, and signs a new
cookie. Both apps use the same SECRET_KEY, so they exchange the same cookie format.

Target: microflask ≤ 0.3× Flask per request.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import available, call_wsgi, interleave, make_environ, print_table  # noqa: E402

SECRET_KEY = "benchmark-secret"


def add_routes(app, session) -> None:
    app.secret_key = SECRET_KEY

    @app.route("/")
    def index():
        session["visits"] = session.get("visits", 0) + 1
        session["user"] = {"id": 42, "name": "ada", "roles": ("admin", "editor")}
        return f"visit {session['visits']}"


def make_microflask():
    from microflask import Flask, session

    app = Flask("sessions_microflask")
    add_routes(app, session)
    return app


def make_flask():
    from flask import Flask, session

    app = Flask("sessions_flask")
    add_routes(app, session)
    return app


def first_cookie(app) -> str:
    """The ``name=value`` pair of the session cookie a first request sets."""
    headers = []
    result = app(make_environ("/"), lambda status, response_headers, exc_info=None: headers.extend(response_headers))
    b"".join(result)
    getattr(result, "close", lambda: None)()
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    raise RuntimeError("the first response set no session cookie")


def make_call(app):
    """One timed request: fresh environ carrying the first response's cookie."""
    cookie = first_cookie(app)
    return lambda: call_wsgi(app, "/", cookie)


def main(quick: bool = False) -> dict:
    apps = {"microflask": make_microflask()}
    if available("flask"):
        apps["flask"] = make_flask()
    calls = {name: make_call(app) for name, app in apps.items()}
    for name, call in calls.items():
        assert call() == b"visit 2", name
    times = interleave(calls, number=300 if quick else 3000, rounds=3 if quick else 9)
    print_table("sessions: GET / reading and writing a signed cookie session", times,
                target="microflask/flask <= 0.3")
    return times


if __name__ == "__main__":
    main("--quick" in sys.argv)
