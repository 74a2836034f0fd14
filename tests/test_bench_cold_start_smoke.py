"""bench/cold_start.py runs every side to its first turn (figures are never asserted)."""

from __future__ import annotations

import json
from typing import Any


def test_cold_start_bench_reports_every_stage_of_every_side(run_bench: Any) -> None:
    done = run_bench("cold_start.py", "--quick", "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["unit"] == "ms"
    assert report["samples"] == 1
    assert list(report["ours"]["stages"]) == [
        "aiohttp",
        "pydantic",
        "activity",
        "hosting-core",
        "hosting-aiohttp",
        "app",
        "first turn",
    ]
    assert list(report["bare"]["stages"]) == ["aiohttp", "app", "first turn"]
    assert list(report["floor"]["stages"]) == ["aiohttp", "pydantic", "app", "first turn"]
    # The worker reached its last stage: the echo answered its first expectReplies turn.
    assert report["ours"]["total"] >= sum(report["ours"]["stages"].values()) - 0.5
    assert report["ours"]["stages"]["activity"] > 0


def test_cold_start_bench_prints_what_ours_adds(run_bench: Any) -> None:
    done = run_bench("cold_start.py", "--quick", "--no-reference")

    assert done.returncode == 0, done.stderr
    assert "first turn" in done.stdout
    assert "ours - bare" not in done.stdout  # no bare side measured
    assert "floor" not in done.stdout
