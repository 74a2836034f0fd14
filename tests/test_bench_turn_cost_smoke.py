"""bench/turn_cost.py runs and reports both sides (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "turn_cost.py"


def test_turn_cost_bench_reports_ours_and_the_bare_echo() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["unit"].startswith("CPU microseconds")
    assert report["turns"] == 200
    assert report["ours"] > 0
    assert report["bare"] > 0
    assert report["ratio"] == round(report["ours"] / report["bare"], 2)
