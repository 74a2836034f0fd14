"""bench/server_cost.py drives both servers on both paths (figures are never asserted)."""

from __future__ import annotations

import json
from typing import Any


def test_server_cost_bench_checks_every_answer_of_both_servers(run_bench: Any) -> None:
    # --cpu: the same procedure without valgrind (what the instruction count runs under).
    done = run_bench("server_cost.py", "--cpu", "--quick", "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["unit"] == "CPU microseconds per request"
    assert report["requests"] == 200
    assert list(report["paths"]) == ["normal", "expectReplies"]
    for figures in report["paths"].values():
        assert set(figures) == {"ours", "bare", "ratio"}
