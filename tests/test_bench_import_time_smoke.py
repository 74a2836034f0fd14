"""bench/import_time.py runs and reports our import time (figures are never asserted)."""

from __future__ import annotations

import json
from typing import Any


def test_import_time_bench_reports_ours_without_a_reference(run_bench: Any) -> None:
    done = run_bench("import_time.py", "--quick", "--no-reference", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["module"] == "microsoft_agents.hosting.core"
    assert report["runs"] == 3
    assert set(report["median_ms"]) == {"ours"}
    assert "ratio" not in report
