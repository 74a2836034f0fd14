"""bench/import_time.py runs and reports our import time (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "import_time.py"


def test_import_time_bench_reports_ours_without_a_reference() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-reference", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["module"] == "microsoft_agents.hosting.core"
    assert report["runs"] == 3
    assert set(report["median_ms"]) == {"ours"}
    assert "ratio" not in report
