"""How long ``import microsoft_agents.hosting.core`` takes, ours against the original release.

Usage::

    hatch run bench:import-time                 # ours and the reference, 15 fresh imports each
    hatch run bench:import-time --quick         # 3 imports each (what the smoke test runs)
    hatch run bench:import-time --no-reference  # ours only
    hatch run bench:import-time --json          # machine-readable output

Each sample is a fresh interpreter (``python -I``, started from a temporary folder) that
times the import of the package with ``time.perf_counter`` around the import statement, so
interpreter start-up is not counted but everything the package pulls in is. Ours runs in
the current environment; the reference (``microsoft-agents-hosting-core`` 1.9.0 from PyPI
with its own dependencies) lives in the throwaway ``bench/.ref-venv-hosting-core``, created
on first use. The two alternate sample by sample, so a busy moment hurts both alike. The
figure is the median; the ratio is reference / ours (above 1: ours imports faster).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
REF_VENV = BENCH_DIR / ".ref-venv-hosting-core"
REF_DIST = "microsoft-agents-hosting-core"
REF_VERSION = "1.9.0"
MODULE = "microsoft_agents.hosting.core"

_PROBE = (
    "import time, json\n"
    "started = time.perf_counter()\n"
    f"import {MODULE} as package\n"
    "elapsed = time.perf_counter() - started\n"
    "print(json.dumps({'seconds': elapsed, 'file': package.__file__}))\n"
)


def _sample(python: str, cwd: str) -> tuple[float, str]:
    done = subprocess.run(
        [python, "-I", "-c", _PROBE], capture_output=True, text=True, cwd=cwd, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{python} could not import {MODULE}:\n{done.stderr.strip()}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return float(report["seconds"]), str(report["file"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15, help="fresh imports per side")
    parser.add_argument("--quick", action="store_true", help="3 imports per side")
    parser.add_argument("--no-reference", action="store_true", help="measure ours only")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    runs = 3 if args.quick else args.runs

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    sides: dict[str, str] = {"ours": sys.executable}
    if not args.no_reference:
        from _reference import BenchError, ensure_venv

        try:
            sides["reference"] = str(ensure_venv(REF_VENV, {REF_DIST: REF_VERSION}, log=log))
        except BenchError as exc:
            log(f"error: {exc}")
            return 1

    samples: dict[str, list[float]] = {name: [] for name in sides}
    origins: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="import-time-") as cwd:
        try:
            for _ in range(runs):
                for name, python in sides.items():
                    seconds, origins[name] = _sample(python, cwd)
                    samples[name].append(seconds)
        except RuntimeError as exc:
            log(f"error: {exc}")
            return 1
    if "reference" in origins and not Path(origins["reference"]).is_relative_to(REF_VENV):
        log(f"error: the reference imported {MODULE} from {origins['reference']}")
        return 1
    if Path(origins["ours"]).is_relative_to(REF_VENV):
        log(f"error: ours imported the reference package from {origins['ours']}")
        return 1

    medians = {name: statistics.median(values) for name, values in samples.items()}
    result = {
        "module": MODULE,
        "runs": runs,
        "python": platform.python_version(),
        "median_ms": {name: round(value * 1000, 2) for name, value in medians.items()},
        "min_ms": {name: round(min(values) * 1000, 2) for name, values in samples.items()},
        "origin": origins,
    }
    if "reference" in medians:
        result["ratio"] = round(medians["reference"] / medians["ours"], 2)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"import {MODULE}: {runs} fresh interpreters per side, Python {result['python']}")
    for name in sides:
        print(
            f"  {name:<9} median {result['median_ms'][name]:8.2f} ms   "
            f"min {result['min_ms'][name]:8.2f} ms   ({origins[name]})"
        )
    if "ratio" in result:
        print(f"  ratio reference / ours: {result['ratio']:.2f}x (above 1: ours is faster)")
    else:
        print("  no reference measured (--no-reference): no ratio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
