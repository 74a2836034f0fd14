"""bench/turn_cost.py runs and reports both sides (figures are never asserted)."""

from __future__ import annotations

import json
from typing import Any


def test_turn_cost_bench_reports_ours_and_the_bare_echo(run_bench: Any) -> None:
    done = run_bench("turn_cost.py", "--quick", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["unit"].startswith("CPU microseconds")
    assert report["turns"] == 200
    assert report["ours"] > 0
    assert report["bare"] > 0
    assert report["ratio"] == round(report["ours"] / report["bare"], 2)
