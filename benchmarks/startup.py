"""Startup: import time, and a fresh process that builds a 10-route app.

    python benchmarks/startup.py [--quick]

Each measurement is a new interpreter (so nothing is cached in memory), repeated and
interleaved; the median is reported. Target: ``import microflask`` <= 0.1x Flask's import time.

Installed packages import from compiled ``.pyc`` files, so microflask is compiled first and the
children run with bytecode caching on (even if ``PYTHONDONTWRITEBYTECODE`` is set here);
otherwise microflask would be timed compiling its source while its peers are not.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

IMPORT_SNIPPET = """
import time
start = time.perf_counter()
import {module}
print(time.perf_counter() - start)
"""

APP_SNIPPET = """
import time
start = time.perf_counter()
from {module} import Flask
app = Flask("startup")
for i in range(10):
    app.add_url_rule(f"/page{{i}}/<int:id>", f"page{{i}}", lambda id: "ok")
with app.test_request_context("/page3/7"):
    pass
print(time.perf_counter() - start)
"""


CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def compile_microflask() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "microflask")],
                   check=True, env=CHILD_ENV, stdout=subprocess.DEVNULL)


def measure(snippet: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=True, cwd=ROOT,
        env=CHILD_ENV,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main(quick: bool = False) -> None:
    modules = ["microflask"]
    for name in ("flask", "bottle", "falcon"):
        try:
            __import__(name)
            modules.append(name)
        except ImportError:
            pass
    compile_microflask()
    repeats = 5 if quick else 15
    for title, snippet in (("import time", IMPORT_SNIPPET), ("process building a 10-route app", APP_SNIPPET)):
        samples: dict[str, list[float]] = {m: [] for m in modules}
        for _ in range(repeats):
            for module in modules:
                if title != "import time" and module not in ("microflask", "flask"):
                    continue
                samples[module].append(measure(snippet.format(module=module)))
        print(f"\n== {title} (fresh interpreter, median of {repeats})")
        mine = statistics.median(samples["microflask"])
        for module, values in samples.items():
            if not values:
                continue
            seconds = statistics.median(values)
            ratio = "" if module == "microflask" else f"   microflask/{module} = {mine / seconds:.2f}x"
            print(f"  {module:<12} {seconds * 1e3:8.2f} ms{ratio}")
    print("  target: import microflask <= 0.1x flask")


if __name__ == "__main__":
    main("--quick" in sys.argv)
