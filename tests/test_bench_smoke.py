"""The activity codec benchmark runs and reports every payload.

Only that it works is checked here: the figures themselves are read from the benchmark's
output, never asserted on (timings depend on the machine).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = sorted(p.stem for p in (REPO_ROOT / "bench" / "payloads").glob("*.json"))
QUICK = ("--quick", "--no-reference")


def test_the_payloads_are_there() -> None:
    assert {"teams_channel_message", "teams_conversation_update", "copilot_ai_citations"} <= set(
        PAYLOADS
    )


def test_the_table_has_a_row_per_payload_and_says_there_is_no_ratio(run_bench: Any) -> None:
    done = run_bench("activity_codec.py", *QUICK)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for name in PAYLOADS:
        for operation in ("parse (json)", "dump (json)", "parse+dump (json)"):
            assert any(line.startswith(name) and operation in line for line in lines), (
                name,
                operation,
            )
    assert "no ratio" in done.stdout


def test_json_output_has_figures_for_every_payload(run_bench: Any) -> None:
    done = run_bench("activity_codec.py", *QUICK, "--json")

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["meta"]["reference"] is None
    assert {row["payload"] for row in report["rows"]} == set(PAYLOADS)
    for row in report["rows"]:
        assert row["ours_error"] is None
        assert row["ours"]["best_us"] > 0
        assert row["ratio_best"] is None
    assert all(flags["ours"] for flags in report["meta"]["lossless"].values())
