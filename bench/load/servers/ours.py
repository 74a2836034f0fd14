"""Ours: the quick-start echo agent of this repository, served on 127.0.0.1.

Usage::

    python -I ours.py --port PORT --sample test_samples/quickstart/app.py

The sample builds ``AGENT_APP`` and ``ADAPTER`` when imported (it is loaded by path, so
its ``__main__`` block does not run); this script serves them with
``microsoft_agents.hosting.aiohttp.create_app`` and ``aiohttp.web.run_app`` (no access
log, like the two other servers of the benchmark). It runs in anonymous development mode:
no token in, none out, replies only to loopback service URLs.

With ``BENCH_ECHO_CPROFILE=PATH`` in the environment, the process runs under
``cProfile`` (CPU-time clock) from the moment the application is built, and writes the
statistics to ``PATH`` when it stops (SIGTERM or SIGINT).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path


def _load_sample(path: Path) -> object:
    spec = importlib.util.spec_from_file_location("quickstart_echo_app", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the sample at {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sample", type=Path, required=True)
    args = parser.parse_args()

    from aiohttp import web

    from microsoft_agents.hosting.aiohttp import create_app

    sample = _load_sample(args.sample)
    app = create_app(sample.AGENT_APP, adapter=sample.ADAPTER)  # type: ignore[attr-defined]

    profile_path = os.environ.get("BENCH_ECHO_CPROFILE")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    try:
        web.run_app(app, host="127.0.0.1", port=args.port, access_log=None, print=None)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
