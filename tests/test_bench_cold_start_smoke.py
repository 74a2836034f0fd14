"""bench/cold_start.py runs both sides to their first turn (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "cold_start.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCH), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cold_start_bench_reports_every_stage_of_both_sides() -> None:
    done = _run("--json")

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
    # The worker reached its last stage: the echo answered its first expectReplies turn.
    assert report["ours"]["total"] >= sum(report["ours"]["stages"].values()) - 0.5
    assert report["ours"]["stages"]["activity"] > 0


def test_cold_start_bench_prints_what_ours_adds() -> None:
    done = _run("--no-reference")

    assert done.returncode == 0, done.stderr
    assert "first turn" in done.stdout
    assert "ours - bare" not in done.stdout  # no bare side measured
