"""The cost of one echo turn in process: ours against the bare echo's own work.

Usage::

    hatch run bench:turn-cost                   # CPU time per turn, 5 rounds
    hatch run bench:turn-cost --instructions    # instructions per turn (needs valgrind)
    hatch run bench:turn-cost --quick           # 1 short round (what the smoke test runs)
    hatch run bench:turn-cost --no-reference    # ours only
    hatch run bench:turn-cost --json

The turn is the quick-start echo sample (``test_samples/quickstart/app.py``) answering an
``expectReplies`` Teams message (``bench/load/teams_personal_message.json``, a new activity
id and one of 1000 users each time) through ``process_request`` of its adapter, with a
minimal request object: no HTTP server, no network, only the SDK's own work (parse, the
turn, the encoded answer). The reference is what the bare echo of
``bench/load/servers/bare_aiohttp.py`` does with the same body: ``json.loads``, the reply
dict, ``json.dumps``. The ratio is ours / bare.

CPU time (``time.process_time``, best of the rounds) moves 5-10 % with the machine's load.
``--instructions`` counts executed instructions instead, with valgrind's cachegrind: each
side runs twice (``--turns`` and five times as many), the difference is divided by the
extra turns, and the same count for building the request bodies alone is subtracted. The
interpreter's start-up drops out and ``PYTHONHASHSEED=0`` makes runs repeat to within
about 0.5 %: a change of 1 % shows, where a load test cannot resolve it. Instructions are
not time (under load, memory traffic adds to both sides), but a turn that executes fewer
of them costs less CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _cachegrind import count_instructions, require_valgrind

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SAMPLE = REPO_ROOT / "test_samples" / "quickstart" / "app.py"
SERVICE_URL = "http://127.0.0.1:9/"
WARMUP = 300
SIDES = ("ours", "bare")


def _bodies(count: int) -> list[bytes]:
    sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR / "load" / "servers")]
    from load import wrk_lua

    template = wrk_lua.template(SERVICE_URL, expect_replies=True)
    return [
        wrk_lua.render(template, run_tag=1, thread=0, number=n, conversations=1000).encode()
        for n in range(count)
    ]


def _bare_turn(raw: bytes, reply_to: Callable[[dict[str, Any]], dict[str, Any]]) -> bytes:
    # bare_aiohttp.py's work for an expectReplies message (with its own reply builder),
    # without aiohttp's request and response around it.
    return json.dumps({"activities": [reply_to(json.loads(raw))]}).encode()


class _Request:
    """What ``process_request`` reads of a request (the aiohttp one wraps web.Request)."""

    method = "POST"

    def __init__(self, body: bytes) -> None:
        self._body = body
        self.headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}

    async def body(self) -> bytes:
        return self._body

    def get_claims_identity(self) -> None:
        return None  # anonymous development mode, as the load test runs it


def _worker(side: str, turns: int) -> float:
    """Run ``turns`` turns of ``side`` (after a warm-up); CPU seconds per turn."""
    bodies = _bodies(WARMUP + turns)
    if side == "none":  # the bodies alone, subtracted from the instruction counts
        return 0.0
    if side == "bare":
        from bare_aiohttp import _reply_to  # (on the path _bodies set)

        for raw in bodies[:WARMUP]:
            _bare_turn(raw, _reply_to)
        gc.freeze()
        started = time.process_time()
        for raw in bodies[WARMUP:]:
            _bare_turn(raw, _reply_to)
        return (time.process_time() - started) / turns

    spec = importlib.util.spec_from_file_location("quickstart_echo_app", SAMPLE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the sample at {SAMPLE}")
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)
    adapter, agent = sample.ADAPTER, sample.AGENT_APP

    async def run() -> float:
        for raw in bodies[:WARMUP]:
            answer = await adapter.process_request(_Request(raw), agent)
        if answer.status_code != 200 or b"You said" not in answer.body_bytes():
            raise SystemExit(f"the echo did not answer as expected: {answer.status_code}")
        gc.freeze()
        started = time.process_time()
        for raw in bodies[WARMUP:]:
            await adapter.process_request(_Request(raw), agent)
        return (time.process_time() - started) / turns

    return asyncio.run(run())


def _worker_command(side: str, turns: int) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", side, "--turns", str(turns)]


def _environment() -> dict[str, str]:
    return dict(os.environ, PYTHONHASHSEED="0")


def _run_worker(side: str, turns: int) -> str:
    """Run a worker; its standard output."""
    command = _worker_command(side, turns)
    done = subprocess.run(command, capture_output=True, text=True, env=_environment(), check=False)
    if done.returncode != 0:
        raise SystemExit(f"the {side} worker failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _instructions(side: str, turns: int) -> int:
    return count_instructions(
        _worker_command(side, turns), env=_environment(), what=f"the {side} worker"
    )


def _measure_instructions(turns: int, sides: tuple[str, ...]) -> dict[str, Any]:
    require_valgrind()
    extra = 4 * turns
    per_turn: dict[str, float] = {}
    for side in ("none", *sides):
        small, large = _instructions(side, turns), _instructions(side, turns + extra)
        per_turn[side] = (large - small) / extra
    result = {side: round(per_turn[side] - per_turn["none"]) for side in sides}
    return {"unit": "instructions per turn", "turns": extra, **result}


def _measure_time(turns: int, rounds: int, sides: tuple[str, ...]) -> dict[str, Any]:
    samples: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(rounds):
        for side in sides:  # alternating: a busy moment hurts both sides alike
            output = _run_worker(side, turns)
            samples[side].append(float(output.split()[-1]))
    result = {side: round(min(values) * 1e6, 2) for side, values in samples.items()}
    return {"unit": "CPU microseconds per turn (best round)", "turns": turns, **result}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--instructions", action="store_true", help="count instructions")
    parser.add_argument("--turns", type=int, help="measured turns per run")
    parser.add_argument("--rounds", type=int, default=5, help="CPU-time rounds (best kept)")
    parser.add_argument("--quick", action="store_true", help="1 short round")
    parser.add_argument("--no-reference", action="store_true", help="measure ours only")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--worker", choices=("none", *SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(_worker(args.worker, args.turns or 1000))
        return 0
    sides = ("ours",) if args.no_reference else SIDES
    if args.instructions:
        report = _measure_instructions(args.turns or (100 if args.quick else 500), sides)
    else:
        turns = args.turns or (200 if args.quick else 5000)
        report = _measure_time(turns, 1 if args.quick else args.rounds, sides)
    if "bare" in report:
        report["ratio"] = round(report["ours"] / report["bare"], 2)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"echo turn in process ({report['unit']}, {report['turns']} turns)")
    for side in sides:
        print(f"  {side:<5} {report[side]:>12}")
    if "ratio" in report:
        print(f"  ours / bare {report['ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
