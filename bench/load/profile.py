"""Where our echo server's CPU goes under load: ``echo_load.py --profile py-spy|cprofile``.

Ours (the quick-start echo agent, as in the benchmark) runs alone against the fake channel
at ``--profile-concurrency`` connections (default 16) on each path of ``--paths``, after
the usual warm-up, for ``--duration`` seconds (20 or more gives a few thousand samples).

* ``py-spy``: py-spy (from PyPI, in the throwaway ``bench/.ref-venv-py-spy``) attaches to
  the server for the measured step and samples its stacks (200 Hz; idle time in the event
  loop's ``epoll`` left out). py-spy pauses the server for each sample: its
  ``--nonblocking`` mode would not, but about half of its stacks come out torn then. Each
  sample goes to the *innermost* frame that one of :data:`RULES` recognises (JSON,
  pydantic, logging, a part of the SDK, aiohttp client or server, asyncio), so a pydantic
  call made by ``TurnContext`` counts as pydantic; the "called from" column names the SDK
  call sites such samples came through. A second table gives inclusive shares of SDK
  functions (the share of samples with the function anywhere on the stack). Shares times
  the CPU per request measured during the step (``/proc``) give microseconds per request;
  py-spy itself takes CPU from the 2-core machine, so the server runs slower and with less
  batching than unprofiled, and its CPU per request is higher than in the benchmark.
* ``cprofile``: the server runs under ``cProfile`` with a CPU-time clock (the probe, the
  warm-up and the step; the statistics are written when it stops). Self times are grouped
  by the same rules (a built-in function takes the category of its heaviest caller), and
  calls are printed per request, exact for plain functions; a coroutine counts one call
  per resumption, so its figure is higher than the number of times it was started. The
  profiler slows the server several times over, so its shares are relative only.
"""

from __future__ import annotations

import json
import pstats
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RULES", "categorise", "parse_raw", "run"]

SAMPLE_RATE = 200

# (category, test on the frame's file path) in order; the first that matches names the frame.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("JSON encode/decode (stdlib json)", ("/json/",)),
    ("pydantic validate/dump", ("/pydantic/", "/pydantic_core/")),
    ("logging", ("/logging/",)),
    ("activity models (our validators/serializers)", ("microsoft_agents/activity/",)),
    (
        "JWT middleware / request authorization",
        ("hosting/aiohttp/_jwt_authorization.py", "hosting/core/authorization/jwt/"),
    ),
    ("token provider / connections / claims", ("hosting/core/authorization/",)),
    ("connector client creation (factory)", ("hosting/core/_channel_service_client_factory.py",)),
    ("outbound transport / retry", ("hosting/core/connector/_transport.py",)),
    ("connector client", ("hosting/core/connector/",)),
    ("outbound host validation", ("hosting/core/_outbound.py",)),
    ("header propagation", ("hosting/core/header_propagation/",)),
    ("typing indicator", ("hosting/core/app/_typing.py",)),
    (
        "turn state load/save, storage",
        ("hosting/core/app/state/", "hosting/core/state/", "hosting/core/storage/"),
    ),
    ("AgentApplication routing / turn", ("hosting/core/app/",)),
    ("TurnContext", ("hosting/core/_turn_context.py",)),
    (
        "adapter pipeline (channel service adapter, middleware)",
        (
            "hosting/core/_channel_service_adapter.py",
            "hosting/core/_channel_adapter.py",
            "hosting/core/_middleware.py",
            "hosting/core/_turn_errors.py",
        ),
    ),
    (
        "inbound HTTP (adapter base, body, deliveries, aiohttp glue)",
        ("hosting/core/http/", "hosting/core/_http_adapter_base.py", "hosting/aiohttp/"),
    ),
    ("SDK other", ("microsoft_agents/",)),
    ("the echo handler (sample)", ("quickstart/app.py",)),
    (
        "aiohttp client",
        (
            "aiohttp/client",
            "aiohttp/connector.py",
            "aiohttp/tracing.py",
            "aiohttp/cookiejar.py",
            "aiohttp/formdata.py",
            "aiohttp/payload.py",
        ),
    ),
    (
        "aiohttp server",
        ("aiohttp/web", "aiohttp/http_", "aiohttp/_http_", "aiohttp/streams.py"),
    ),
    ("aiohttp other", ("aiohttp/",)),
    ("yarl / multidict (URLs, headers)", ("yarl/", "multidict/")),
    ("copy / deepcopy (stdlib)", ("/copy.py",)),
    ("ipaddress (stdlib)", ("/ipaddress.py",)),
    ("urllib.parse quoting (stdlib)", ("/urllib/",)),
    ("uuid (stdlib)", ("/uuid.py",)),
    ("abc isinstance checks", ("<frozen abc>",)),
    ("asyncio event loop, socket I/O", ("/asyncio/", "/selectors.py")),
)

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str
    line: int

    def short(self, *, line: bool = True) -> str:
        path = self.file
        marker = "microsoft_agents/"
        if marker in path:
            path = path[path.index(marker) + len(marker) :]
        else:
            path = "/".join(Path(path).parts[-2:])
        return f"{self.function} ({path}:{self.line})" if line else f"{self.function} ({path})"


def _frame(text: str) -> Frame:
    found = _FRAME.match(text)
    if not found:
        return Frame(text, "", 0)
    return Frame(found["function"], found["file"], int(found["line"] or 0))


def parse_raw(text: str) -> list[tuple[tuple[Frame, ...], int]]:
    """py-spy's ``--format raw`` output: ``frame;frame;...;leaf COUNT`` per line."""
    stacks: list[tuple[tuple[Frame, ...], int]] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        stacks.append((tuple(_frame(part) for part in stack.split(";")), int(count)))
    return stacks


def categorise(path: str) -> str | None:
    """The category of a frame in file ``path``, or None when no rule knows it."""
    normal = path.replace("\\", "/")
    for name, needles in RULES:
        if any(needle in normal for needle in needles):
            return name
    return None


def _is_sdk(frame: Frame) -> bool:
    return "microsoft_agents/" in frame.file


def summarise_stacks(stacks: list[tuple[tuple[Frame, ...], int]]) -> dict[str, Any]:
    total = sum(count for _, count in stacks)
    categories: Counter[str] = Counter()
    callers: dict[str, Counter[str]] = {}
    leaves: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        category = "other"
        at = len(frames)
        for index in range(len(frames) - 1, -1, -1):
            found = categorise(frames[index].file)
            if found is not None:
                category, at = found, index
                break
        categories[category] += count
        caller = next(
            (frames[i].short() for i in range(at - 1, -1, -1) if _is_sdk(frames[i])), None
        )
        if caller is not None and not _is_sdk(frames[at] if at < len(frames) else frames[-1]):
            callers.setdefault(category, Counter())[caller] += count
        if frames:
            leaves[frames[-1].short(line=False)] += count
        for name in {frame.short(line=False) for frame in frames if _is_sdk(frame)}:
            inclusive[name] += count

    def share(value: int) -> float:
        return round(100 * value / total, 1) if total else 0.0

    return {
        "samples": total,
        "categories": [
            {
                "category": name,
                "percent": share(count),
                "called_from": [
                    {"site": site, "percent": share(n)}
                    for site, n in callers.get(name, Counter()).most_common(3)
                ],
            }
            for name, count in categories.most_common()
        ],
        "self": [{"function": f, "percent": share(n)} for f, n in leaves.most_common(25)],
        "inclusive_sdk": [
            {"function": f, "percent": share(n)} for f, n in inclusive.most_common(80)
        ],
    }


def summarise_pstats(path: Path, requests: int) -> dict[str, Any]:
    """Self times by category and the top functions of a cProfile run over ``requests``.

    Built-in functions (file ``~``) and other frames no rule knows take the category of
    their heaviest caller (up to a few levels up); "from" names the first SDK function
    up that chain of heaviest callers.
    """
    stats = pstats.Stats(str(path))
    entries: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(value[2] for value in entries.values()) or 1.0

    def heaviest_caller(key: tuple[str, int, str]) -> tuple[str, int, str] | None:
        callers = entries.get(key, (0, 0, 0, 0, {}))[4]
        candidates = [c for c in callers if c != key]
        if not candidates:
            return None
        return max(candidates, key=lambda c: callers[c][3])

    def category_of(key: tuple[str, int, str]) -> str:
        current: tuple[str, int, str] | None = key
        for _ in range(6):
            if current is None:
                break
            found = categorise(current[0])
            if found is not None:
                return found
            current = heaviest_caller(current)
        return "other"

    def sdk_caller(key: tuple[str, int, str]) -> str | None:
        seen = {key}
        current = heaviest_caller(key)
        while current is not None and current not in seen:
            frame = Frame(current[2], current[0], current[1])
            if _is_sdk(frame):
                return frame.short()
            seen.add(current)
            current = heaviest_caller(current)
        return None

    categories: Counter[str] = Counter()
    callers: dict[str, Counter[str]] = {}
    rows = []
    for key, (_, calls, tottime, cumtime, _) in entries.items():
        file, line, function = key
        category = category_of(key)
        categories[category] += tottime
        frame = Frame(function, file, line)
        if not _is_sdk(frame):
            site = sdk_caller(key)
            if site is not None:
                callers.setdefault(category, Counter())[site] += tottime
        rows.append((tottime, cumtime, calls, frame, key))
    rows.sort(key=lambda row: row[0], reverse=True)
    sdk = sorted((row for row in rows if _is_sdk(row[3])), key=lambda row: row[1], reverse=True)

    def per_request(calls: int) -> float:
        return round(calls / requests, 2) if requests else 0.0

    def share(value: float) -> float:
        return round(100 * value / total, 1)

    return {
        "total_cpu_s": round(total, 3),
        "requests": requests,
        "categories": [
            {
                "category": name,
                "percent": share(t),
                "called_from": [
                    {"site": site, "percent": share(n)}
                    for site, n in callers.get(name, Counter()).most_common(3)
                ],
            }
            for name, t in categories.most_common()
        ],
        "self": [
            {
                "function": frame.short(),
                "percent": share(tottime),
                "calls_per_request": per_request(calls),
                "from": None if _is_sdk(frame) else sdk_caller(key),
            }
            for tottime, _, calls, frame, key in rows[:30]
        ],
        "cumulative_sdk": [
            {
                "function": frame.short(),
                "percent": share(cumtime),
                "calls_per_request": per_request(calls),
            }
            for _, cumtime, calls, frame, _ in sdk[:40]
        ],
    }


def _pyspy(bench: Any, log: Any) -> Path:
    from _reference import BenchError, ensure_venv

    try:
        python = ensure_venv(bench.PYSPY_VENV, {"py-spy": bench.PYSPY_VERSION}, log=log)
    except BenchError as exc:
        raise bench.BenchError(str(exc)) from exc
    return python.parent / "py-spy"


def run(
    tool: str,
    paths: Iterable[str],
    connections: int,
    settings: Any,
    wrk: str,
    workdir: Path,
    *,
    as_json: bool,
    bench: Any,
    keep: Path | None = None,
) -> int:
    """Profile ours on each path; print the tables (or one JSON document).

    ``bench`` is the running ``echo_load`` module (its servers, fake channel and runner).
    With ``keep``, the raw profiles (py-spy's collapsed stacks, cProfile's statistics) are
    copied into that folder, for flame graphs or ``pstats``.
    """

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    spy = _pyspy(bench, log) if tool == "py-spy" else None
    spec = bench.server_specs(None)[0]
    channel = bench.FakeChannel(workdir)
    runner = bench.Runner(wrk, workdir, channel, settings.conversations, settings.threads)
    reports = []
    try:
        for number, path in enumerate(paths):
            profile_file = workdir / f"ours-{path}.pstats"
            env = {"BENCH_ECHO_CPROFILE": str(profile_file)} if tool == "cprofile" else None
            server = bench.start_server(spec, workdir, channel, path, 10_000 + number, env)
            try:
                warmed = 0
                if settings.warmup:
                    warm = runner.wrk_run(server.port, path, connections, settings.warmup)
                    warmed = warm.requests
                cpu_before = bench.settled_cpu(server.process.pid)
                recorder = None
                raw_file = workdir / f"ours-{path}.raw"
                if spy is not None:
                    recorder = threading.Thread(
                        target=subprocess.run,
                        args=(
                            [
                                str(spy),
                                "record",
                                "--pid",
                                str(server.process.pid),
                                "--duration",
                                str(settings.seconds),
                                "--rate",
                                str(SAMPLE_RATE),
                                "--format",
                                "raw",
                                "--full-filenames",
                                "--output",
                                str(raw_file),
                            ],
                        ),
                        kwargs={"capture_output": True, "check": False},
                    )
                    recorder.start()
                result = runner.wrk_run(server.port, path, connections, settings.seconds)
                if recorder is not None:
                    recorder.join()
                cpu = bench.settled_cpu(server.process.pid) - cpu_before
            finally:
                server.process.stop()
            cpu_per_request_ms = cpu * 1000 / result.requests if result.requests else 0.0
            report: dict[str, Any] = {
                "path": path,
                "tool": tool,
                "concurrency": connections,
                "seconds": settings.seconds,
                "requests": result.requests,
                "requests_per_second": round(result.requests_per_second, 1),
                "cpu_ms_per_request": round(cpu_per_request_ms, 4),
            }
            if spy is not None:
                if not raw_file.exists():
                    raise bench.BenchError("py-spy wrote no profile (is ptrace allowed here?)")
                report["profile"] = summarise_stacks(parse_raw(raw_file.read_text("utf-8")))
            else:
                # The profile covers the probe, the warm-up and the step.
                report["profile"] = summarise_pstats(profile_file, 1 + warmed + result.requests)
            reports.append(report)
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                source = raw_file if spy is not None else profile_file
                shutil.copy(source, keep / source.name)
                report["kept"] = str(keep / source.name)
    finally:
        channel.stop()
    if as_json:
        print(json.dumps({"profiles": reports}, indent=2))
    else:
        print("\n\n".join(_format(report) for report in reports))
    return 0


def _format(report: dict[str, Any]) -> str:
    profile = report["profile"]
    cpu = report["cpu_ms_per_request"]
    lines = [
        f"ours, path {report['path']}, c={report['concurrency']}, {report['seconds']} s, "
        f"{report['tool']}: {report['requests']} requests, {report['requests_per_second']:.0f}"
        f" req/s, {cpu:.3f} CPU ms per request"
        + (f", {profile['samples']} samples" if "samples" in profile else ""),
        "",
        f"  {'share':>6} {'us/req':>7}  category (called from)",
    ]
    for row in profile["categories"]:
        sites = ", ".join(f"{s['site']} {s['percent']}%" for s in row.get("called_from", []))
        lines.append(
            f"  {row['percent']:>5.1f}% {row['percent'] * cpu * 10:>7.0f}  {row['category']}"
            + (f"  <- {sites}" if sites else "")
        )
    lines += ["", "  self time (leaf frames):"]
    for row in profile["self"][:20]:
        calls = f"  {row['calls_per_request']} calls/req" if "calls_per_request" in row else ""
        origin = f"  <- {row['from']}" if row.get("from") else ""
        lines.append(f"  {row['percent']:>5.1f}%  {row['function']}{calls}{origin}")
    key = "inclusive_sdk" if "inclusive_sdk" in profile else "cumulative_sdk"
    lines += ["", "  SDK functions, inclusive (share of samples with the function on the stack):"]
    for row in profile[key][:40]:
        calls = f"  {row['calls_per_request']} calls/req" if "calls_per_request" in row else ""
        lines.append(f"  {row['percent']:>5.1f}%  {row['function']}{calls}")
    return "\n".join(lines)
