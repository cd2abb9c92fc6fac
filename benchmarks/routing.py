"""Routing: the GitHub API route table (203 routes) and synthetic tables of 20/200/2000 routes.

    python benchmarks/routing.py [--quick]

Measures, side by side in one run:
  * full WSGI call per match over the GitHub table (microflask, Flask, Bottle, Falcon, raw WSGI);
  * bare router match over the GitHub table (microflask's MapAdapter.match, Werkzeug's,
    Bottle's Router.match, Falcon's CompiledRouter.find);
  * microflask's per-match time with 20, 200 and 2000 routes (the trie must not slow down).
Targets: bare match <= 0.2x Werkzeug's; 2000 routes <= 1.3x the per-match time of 20 routes.
"""

from __future__ import annotations

import os
import random
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from common import available, call_wsgi, interleave, make_environ, print_table  # noqa: E402

# A copy of ../shared/data/routes_github.txt, so the benchmark and tests run from a clean clone.
ROUTES_FILE = os.path.join(HERE, "routes_github.txt")
_PARAM = re.compile(r":(\w+)")


def load_routes(path: str = ROUTES_FILE) -> list[tuple[str, str]]:
    """(method, path with :params) pairs from the route table file."""
    routes = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.strip()
            if line and not line.startswith("#"):
                method, route = line.split()
                routes.append((method, route))
    return routes


def as_angle(route: str) -> str:
    return _PARAM.sub(r"<\1>", route)


def as_concrete(route: str) -> str:
    return _PARAM.sub(lambda m: f"v{m.group(1)}", route)


def ok_view(**kwargs):
    return "ok"


def build_microflask(routes):
    from microflask import Flask

    app = Flask("routing_microflask", static_folder=None)
    for index, (method, route) in enumerate(routes):
        app.add_url_rule(as_angle(route), f"e{index}", ok_view, methods=[method])
    return app


def build_flask(routes):
    from flask import Flask

    app = Flask("routing_flask", static_folder=None)
    for index, (method, route) in enumerate(routes):
        app.add_url_rule(as_angle(route), f"e{index}", ok_view, methods=[method])
    return app


def build_bottle(routes):
    import bottle

    app = bottle.Bottle()
    for method, route in routes:
        app.route(as_angle(route), method=method, callback=ok_view)
    return app


def build_falcon(routes):
    import falcon

    class Resource:
        def __getattr__(self, name):
            if name.startswith("on_"):
                def responder(req, resp, **params):
                    resp.text = "ok"
                return responder
            raise AttributeError(name)

    by_path: dict[str, object] = {}
    app = falcon.App()
    for _method, route in routes:
        template = _PARAM.sub(r"{\1}", route)
        if template not in by_path:
            by_path[template] = Resource()
            app.add_route(template, by_path[template])
    return app


def raw_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def run_full_calls(routes, quick):
    requests = [(method, as_concrete(route)) for method, route in routes]
    apps = {"microflask": build_microflask(routes), "raw WSGI": raw_app}
    for name, builder in (("flask", build_flask), ("bottle", build_bottle), ("falcon", build_falcon)):
        if available(name):
            apps[name] = builder(routes)

    def caller(app):
        def run():
            for method, path in requests:
                environ = make_environ(path, method)
                result = app(environ, _start)
                b"".join(result)
                close = getattr(result, "close", None)
                if close:
                    close()
        return run

    for name, app in apps.items():
        assert call_wsgi(app, requests[1][1]) == b"ok", name
    times = interleave({name: caller(app) for name, app in apps.items()}, 5 if quick else 30, 3 if quick else 7)
    times = {name: value / len(requests) for name, value in times.items()}
    print_table(f"GitHub table, full WSGI call per match ({len(requests)} routes)", times)


def _start(status, headers, exc_info=None):
    return None


def run_bare_match(routes, quick):
    requests = [(method, as_concrete(route)) for method, route in routes]
    adapter = build_microflask(routes).url_map.bind("localhost")
    candidates = {"microflask": lambda: [adapter.match(p, m) for m, p in requests]}
    if available("werkzeug"):
        from werkzeug.routing import Map, Rule

        wz_map = Map([Rule(as_angle(r), endpoint=f"e{i}", methods=[m]) for i, (m, r) in enumerate(routes)])
        wz_adapter = wz_map.bind("localhost")
        candidates["werkzeug"] = lambda: [wz_adapter.match(p, m) for m, p in requests]
    if available("bottle"):
        router = build_bottle(routes).router
        environs = [{"PATH_INFO": p, "REQUEST_METHOD": m} for m, p in requests]
        candidates["bottle"] = lambda: [router.match(e) for e in environs]
    if available("falcon"):
        falcon_router = build_falcon(routes)._router
        paths = [p for _, p in requests]
        candidates["falcon"] = lambda: [falcon_router.find(p) for p in paths]
    for method, path in requests:  # every route matches itself
        adapter.match(path, method)
    times = interleave(candidates, 20 if quick else 200, 3 if quick else 7)
    times = {name: value / len(requests) for name, value in times.items()}
    print_table("GitHub table, bare router match", times, target="microflask/werkzeug <= 0.2")


def synthetic_routes(count: int) -> list[tuple[str, str]]:
    """``count`` rules, half static, half with converters, spread over a two-level prefix."""
    routes = []
    for i in range(count // 2):
        routes.append(("GET", f"/api/group{i % 10}/resource{i}/:id"))
        routes.append(("GET", f"/api/group{i % 10}/resource{i}/list"))
    return routes


def run_scaling(quick):
    from microflask.routing import Map, Rule

    times = {}
    for count in (20, 200, 2000):
        routes = synthetic_routes(count)
        url_map = Map([Rule(as_angle(r), endpoint=f"e{i}", methods=[m]) for i, (m, r) in enumerate(routes)])
        adapter = url_map.bind("localhost")
        # the same probe paths (present in every size) so only the table size differs
        probe = [as_concrete(route) for _, route in synthetic_routes(20)]
        random.Random(1).shuffle(probe)
        times[f"{count} routes"] = lambda adapter=adapter, probe=probe: [adapter.match(p) for p in probe]
    times = interleave(times, 50 if quick else 500, 3 if quick else 7)
    print("\n== microflask per-match time by table size (same 20 probe paths)")
    base = times["20 routes"]
    for name, seconds in times.items():
        print(f"  {name:<12} {seconds / 20 * 1e6:7.3f} us/match   {seconds / base:.2f}x of 20 routes")
    print("  target: 2000 routes <= 1.3x of 20 routes")


def main(quick: bool = False) -> None:
    routes = load_routes()
    run_full_calls(routes, quick)
    run_bare_match(routes, quick)
    run_scaling(quick)


if __name__ == "__main__":
    main("--quick" in sys.argv)
