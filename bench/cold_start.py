"""Where an echo agent's cold start goes: ours against the bare echo, stage by stage.

Usage::

    hatch run bench:cold-start                   # wall time per stage, 7 fresh processes
    hatch run bench:cold-start --instructions    # instructions per stage (needs valgrind)
    hatch run bench:cold-start --quick           # 1 process per side (what the smoke test runs)
    hatch run bench:cold-start --json

``echo_load.py`` times the whole cold start (spawn to the first 2xx over HTTP); this splits
it. Each sample is a fresh interpreter (``python -I``) that does what a server does before
it can answer, in order, and notes the time after each stage:

* ours: ``aiohttp`` (``from aiohttp import web``), ``pydantic``, ``activity``,
  ``hosting-core``, ``hosting-aiohttp`` (the imports), ``app`` (the quick-start sample
  loaded and ``create_app`` called), ``first turn`` (one ``expectReplies`` message through
  the adapter's ``process_request``: the validators are built here);
* bare: ``aiohttp``, ``app`` (``bench/load/servers/bare_aiohttp.py`` imported, its
  ``web.Application`` built), ``first turn`` (its reply work on the same body);
* floor: the bare echo that parses its body with a one-field pydantic model: ``aiohttp``,
  ``pydantic`` (``from pydantic import BaseModel``), ``app`` (the model class defined, which
  loads pydantic's field machinery), ``first turn`` (the model's validator built, with
  pydantic's search for plugins, and the body parsed). The API makes ``Activity`` a
  pydantic model, so no implementation of it starts faster than this.

aiohttp's server start and the HTTP exchange are the same for both and are not counted
(nor is the interpreter's own start-up). Wall time moves with the machine; with
``--instructions`` each stage is instead counted with valgrind's cachegrind (one run per
stage, stopped after it, ``PYTHONHASHSEED=0``; a stage is the difference between two
runs), which repeats to within about 1 %. Instructions are not time, but a stage that
executes fewer of them starts faster.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from _cachegrind import count_instructions, require_valgrind

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SAMPLE = REPO_ROOT / "test_samples" / "quickstart" / "app.py"
SERVERS = BENCH_DIR / "load" / "servers"
STAGES = {
    "ours": (
        "aiohttp",
        "pydantic",
        "activity",
        "hosting-core",
        "hosting-aiohttp",
        "app",
        "first turn",
    ),
    "bare": ("aiohttp", "app", "first turn"),
    "floor": ("aiohttp", "pydantic", "app", "first turn"),
}

# The worker runs as ``python -I -c WORKER SIDE STOP``: it imports nothing before its
# first stage but ``sys`` and ``time``, prints one JSON line of cumulative seconds per
# stage, and exits after the stage named STOP (or after the last).
WORKER = r"""
import sys, time
started = time.perf_counter()
side, stop, sample, servers = sys.argv[1:5]
marks = {}

def mark(stage):
    marks[stage] = time.perf_counter() - started
    if stage == stop:
        print(__import__("json").dumps(marks))
        sys.exit(0)

BODY = (
    b'{"type": "message", "id": "1765000000001", "channelId": "msteams",'
    b' "deliveryMode": "expectReplies", "serviceUrl": "http://127.0.0.1:9/",'
    b' "from": {"id": "29:user", "name": "A User"},'
    b' "recipient": {"id": "28:agent", "name": "Echo"},'
    b' "conversation": {"id": "a:conversation", "conversationType": "personal"},'
    b' "text": "hello", "locale": "en-US"}'
)
mark("start")
from aiohttp import web
mark("aiohttp")
if side == "bare":
    sys.path.insert(0, servers)
    import json
    import bare_aiohttp
    app = web.Application()
    app.router.add_post("/api/messages", bare_aiohttp.messages)
    mark("app")
    answer = json.dumps({"activities": [bare_aiohttp._reply_to(json.loads(BODY))]})
    assert "You said" in answer
    mark("first turn")
if side == "floor":
    sys.path.insert(0, servers)
    import json
    from pydantic import BaseModel, ConfigDict
    mark("pydantic")
    import bare_aiohttp

    class Activity(BaseModel):
        model_config = ConfigDict(extra="allow")
        type: str

    app = web.Application()
    app.router.add_post("/api/messages", bare_aiohttp.messages)
    mark("app")
    activity = Activity.model_validate_json(BODY).model_dump()
    answer = json.dumps({"activities": [bare_aiohttp._reply_to(activity)]})
    assert "You said" in answer
    mark("first turn")
import pydantic.main
mark("pydantic")
import microsoft_agents.activity
mark("activity")
import microsoft_agents.hosting.core
mark("hosting-core")
from microsoft_agents.hosting.aiohttp import create_app
mark("hosting-aiohttp")
import asyncio, importlib.util
spec = importlib.util.spec_from_file_location("quickstart_echo_app", sample)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
app = create_app(module.AGENT_APP, adapter=module.ADAPTER)
mark("app")

class Request:
    method = "POST"
    headers = {"Content-Type": "application/json", "Content-Length": str(len(BODY))}

    async def body(self):
        return BODY

    def get_claims_identity(self):
        return None

async def turn():
    answer = await module.ADAPTER.process_request(Request(), module.AGENT_APP)
    assert answer.status_code == 200 and b"You said" in answer.body_bytes(), answer
    await module.ADAPTER.close()

asyncio.run(turn())
mark("first turn")
"""


def _command(side: str, stop: str) -> list[str]:
    return [sys.executable, "-I", "-c", WORKER, side, stop, str(SAMPLE), str(SERVERS)]


def _environment() -> dict[str, str]:
    # No CLIENTID: the sample runs in anonymous development mode, as the load test runs it.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["PYTHONHASHSEED"] = "0"
    return env


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command, capture_output=True, text=True, env=_environment(), cwd=BENCH_DIR, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the cold-start worker failed:\n{done.stderr[-2000:]}")
    return done


def _measure_time(samples: int, sides: tuple[str, ...]) -> dict[str, Any]:
    """Median milliseconds per stage (not cumulative) over ``samples`` processes per side."""
    collected: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for _ in range(samples):  # the sides alternate, so a busy moment hurts both alike
        for side in sides:
            done = _run(_command(side, STAGES[side][-1]))
            collected[side].append(json.loads(done.stdout.strip().splitlines()[-1]))
    result: dict[str, Any] = {"unit": "ms", "samples": samples}
    for side in sides:
        stages: dict[str, float] = {}
        previous = [0.0] * samples
        for stage in STAGES[side]:
            cumulative = [marks[stage] for marks in collected[side]]
            pairs = zip(cumulative, previous, strict=True)
            spent = [(now - before) * 1000 for now, before in pairs]
            stages[stage] = round(statistics.median(spent), 1)
            previous = cumulative
        totals = [marks[STAGES[side][-1]] * 1000 for marks in collected[side]]
        result[side] = {"stages": stages, "total": round(statistics.median(totals), 1)}
    return result


def _instructions(side: str, stop: str) -> int:
    return count_instructions(
        _command(side, stop), env=_environment(), cwd=BENCH_DIR, what="the cold-start worker"
    )


def _measure_instructions(sides: tuple[str, ...]) -> dict[str, Any]:
    """Millions of instructions per stage; a stage is the difference of two stopped runs."""
    require_valgrind()
    result: dict[str, Any] = {"unit": "million instructions"}
    start = _instructions("ours", "start")  # the interpreter and the worker's own lines
    for side in sides:
        stages: dict[str, float] = {}
        previous = start
        for stage in STAGES[side]:
            count = _instructions(side, stage)
            stages[stage] = round((count - previous) / 1e6, 1)
            previous = count
        result[side] = {"stages": stages, "total": round((previous - start) / 1e6, 1)}
    return result


def _report(result: dict[str, Any]) -> str:
    unit = result["unit"]
    lines = [f"echo agent's cold start by stage ({unit}; interpreter start-up not counted)"]
    for side in ("ours", "bare", "floor"):
        if side not in result:
            continue
        entry = result[side]
        lines.append(f"  {side}")
        lines += [f"    {stage:<16} {value:>9.1f}" for stage, value in entry["stages"].items()]
        lines.append(f"    {'total':<16} {entry['total']:>9.1f}")
    if "ours" in result and "bare" in result:
        extra = result["ours"]["total"] - result["bare"]["total"]
        lines.append(f"  ours - bare      {extra:>9.1f}")
    if "floor" in result and "bare" in result:
        extra = result["floor"]["total"] - result["bare"]["total"]
        share = "(pydantic's share, in any implementation)"
        lines.append(f"  floor - bare     {extra:>9.1f}   {share}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--samples", type=int, default=7, help="fresh processes per side")
    parser.add_argument("--quick", action="store_true", help="1 process per side")
    parser.add_argument("--instructions", action="store_true", help="count with valgrind")
    parser.add_argument("--no-reference", action="store_true", help="measure ours only")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    sides = ("ours",) if args.no_reference else ("ours", "bare", "floor")
    if args.instructions:
        result = _measure_instructions(sides)
    else:
        result = _measure_time(1 if args.quick else max(1, args.samples), sides)
    print(json.dumps(result, indent=2) if args.json else _report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
