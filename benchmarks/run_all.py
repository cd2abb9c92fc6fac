"""Run every benchmark: ``python benchmarks/run_all.py [--quick]``."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import devserver  # noqa: E402
import hello  # noqa: E402
import multipart  # noqa: E402
import routing  # noqa: E402
import sessions  # noqa: E402
import startup  # noqa: E402
import templates  # noqa: E402

if __name__ == "__main__":
    quick = "--quick" in sys.argv
    hello.main(quick)
    routing.main(quick)
    sessions.main(quick)
    multipart.main(quick)
    devserver.main(quick)
    startup.main(quick)
    templates.main(quick)
