"""Hello world: in-process WSGI calls of one route, a fresh environ per call.

    python benchmarks/hello.py [--quick]

Target: microflask below Bottle's time per request.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import available, call_wsgi, interleave, print_table  # noqa: E402


def raw_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "12")])
    return [b"Hello World!"]


def make_microflask():
    from microflask import Flask

    app = Flask("hello_microflask")

    @app.route("/")
    def index():
        return "Hello World!"

    return app


def make_flask():
    from flask import Flask

    app = Flask("hello_flask")

    @app.route("/")
    def index():
        return "Hello World!"

    return app


def make_bottle():
    import bottle

    app = bottle.Bottle()

    @app.route("/")
    def index():
        return "Hello World!"

    return app


def make_falcon():
    import falcon

    class Hello:
        def on_get(self, req, resp):
            resp.content_type = "text/html"
            resp.text = "Hello World!"

    app = falcon.App()
    app.add_route("/", Hello())
    return app


def main(quick: bool = False) -> dict:
    apps = {"microflask": make_microflask(), "raw WSGI": raw_app}
    for name, factory in (("flask", make_flask), ("bottle", make_bottle), ("falcon", make_falcon)):
        if available(name):
            apps[name] = factory()
    for name, app in apps.items():
        assert call_wsgi(app) == b"Hello World!", name
    candidates = {name: (lambda app=app: call_wsgi(app)) for name, app in apps.items()}
    times = interleave(candidates, number=500 if quick else 5000, rounds=3 if quick else 9)
    print_table("hello: one GET / per call, fresh environ", times, target="microflask/bottle < 1.0")
    return times


if __name__ == "__main__":
    main("--quick" in sys.argv)
