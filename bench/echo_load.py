"""The echo agent under load: ours against bare aiohttp and the original release.

Usage::

    hatch run bench:echo-load                  # full run (about 5 minutes)
    hatch run bench:echo-load --quick          # 1 round of 1 s steps, 2 cold starts
    hatch run bench:echo-load --duration 10    # seconds per measured step (default 4)
    hatch run bench:echo-load --rounds 5       # sweeps of every step (default 3, median kept)
    hatch run bench:echo-load --no-reference   # ours and bare aiohttp only
    hatch run bench:echo-load --servers ours --paths normal --concurrency 16
    hatch run bench:echo-load --json           # one JSON document on stdout
    hatch run bench:echo-load --self-check     # checks the Lua script and /proc parsing only
    hatch run bench:echo-load --profile py-spy --duration 20   # where our server's CPU goes

Everything listens on 127.0.0.1. A fake channel (``load/servers/fake_channel.py``, its own
process) answers replies like the Bot Connector service and counts TCP connections and
replies. Three echo agents, each in its own process, started afresh for each path:

* ours: ``test_samples/quickstart/app.py`` served with ``create_app`` (``load/servers/ours.py``,
  this interpreter: the ``bench`` hatch environment, where the repository is installed);
* bare aiohttp: the least a correct echo does, with one keep-alive client session (the
  ceiling, ``load/servers/bare_aiohttp.py``);
* original: the same agent on ``microsoft-agents-hosting-aiohttp`` 1.9.0 from PyPI, in the
  throwaway ``bench/.ref-venv-hosting-aiohttp`` (``load/servers/original.py``), with the
  same aiohttp and pydantic versions as ours.

``wrk`` (Debian's package) drives each one with a generated Lua script (``load/wrk_lua.py``)
that posts Teams personal-chat messages over many conversations, each request with its own
activity id, at 1, 16 and 64 connections, each step after a warm-up at the same
concurrency. Two paths: ``normal`` (HTTP 202, the reply POSTed to the fake channel) and
``expectReplies`` (HTTP 200 with the reply in the body, nothing sent to the channel). Every
answer's status (and, for ``expectReplies``, body) is checked by the script and every
reply by the fake channel; a step with a wrong answer is reported as failed and left out of
the ratios. The servers of one path run side by side and take turns at each concurrency;
the whole sweep is repeated ``--rounds`` times and the round with the median CPU per turn
is shown.

Per step: requests/s, p50 and p99 latency, the server's CPU milliseconds per request (utime +
stime from ``/proc/<pid>/stat`` before and after the step, once the server is idle again)
and new channel connections per reply. Per server: the cold start (from spawning the process
to its first 2xx on ``/api/messages``) and the peak RSS (``VmHWM``) after the load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
SERVERS_DIR = BENCH_DIR / "load" / "servers"
QUICKSTART = REPO_ROOT / "test_samples" / "quickstart" / "app.py"
REF_VENV = BENCH_DIR / ".ref-venv-hosting-aiohttp"
REF_VERSION = "1.9.0"
REF_PINS = {
    "microsoft-agents-hosting-aiohttp": REF_VERSION,
    "microsoft-agents-hosting-core": REF_VERSION,
    "microsoft-agents-authentication-msal": REF_VERSION,
    "microsoft-agents-activity": REF_VERSION,
}
PYSPY_VENV = BENCH_DIR / ".ref-venv-py-spy"
PYSPY_VERSION = "0.4.3"

PATHS = ("normal", "expectReplies")
CONCURRENCIES = (1, 16, 64)
ECHO_PREFIX = "You said: "

TARGET_CPU_VS_BARE = 2.0
TARGET_CONNECTIONS_PER_REPLY = 0.01
TARGET_COLD_START_MS = 350.0
TARGET_RSS_MIB = 60.0

WRK_INSTALL_HINT = (
    "wrk (the HTTP load generator) is not installed. On Debian or Ubuntu install it with\n"
    "    sudo apt-get install -y wrk\n"
    "(as root: apt-get update && apt-get install -y wrk), or put a wrk 4.x on PATH."
)


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


sys.path.insert(0, str(BENCH_DIR))  # the load/ helpers beside this script
from load import procfs, wrk_lua  # noqa: E402


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(extra or {})
    return env


@dataclass
class Process:
    """A child process with its output in a log file."""

    popen: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log_tail(self, limit: int = 3000) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text[-limit:]

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def spawn(command: list[str], log_path: Path, cwd: Path, env: dict[str, str]) -> Process:
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
        )
    return Process(popen, log_path)


def post(port: int, path: str, body: bytes, timeout: float = 10.0) -> tuple[int, bytes]:
    """One HTTP POST to 127.0.0.1 on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST", path, body=body, headers={"Content-Type": "application/json; charset=utf-8"}
        )
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def get_json(port: int, path: str, timeout: float = 10.0) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return json.loads(answer.read())
    finally:
        connection.close()


class FakeChannel:
    """The fake channel process and its counters."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.control_port = free_port()
        script = SERVERS_DIR / "fake_channel.py"
        command = [sys.executable, "-I", str(script), "--port", str(self.port)]
        command += ["--control-port", str(self.control_port)]
        self.process = spawn(command, workdir / "fake_channel.log", workdir, _clean_environment())
        deadline = time.monotonic() + 30
        while True:
            try:
                self.stats()
                break
            except OSError:
                if self.process.popen.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(
                        f"the fake channel did not start:\n{self.process.log_tail()}"
                    ) from None
                time.sleep(0.01)

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = get_json(self.control_port, "/stats")
        return result

    def stop(self) -> None:
        self.process.stop()


# ---------------------------------------------------------------------------------------
# The servers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    key: str
    label: str
    python: str
    script: Path
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def server_specs(reference_python: str | None) -> list[ServerSpec]:
    specs = [
        ServerSpec(
            "ours",
            "ours",
            sys.executable,
            SERVERS_DIR / "ours.py",
            ("--sample", str(QUICKSTART)),
        ),
        ServerSpec("bare", "bare aiohttp", sys.executable, SERVERS_DIR / "bare_aiohttp.py"),
    ]
    if reference_python is not None:
        specs.append(
            ServerSpec(
                "original", f"original {REF_VERSION}", reference_python, SERVERS_DIR / "original.py"
            )
        )
    return specs


class ServerFailedError(BenchError):
    """A server did not start or did not echo as it must on a path."""


@dataclass
class RunningServer:
    spec: ServerSpec
    port: int
    process: Process
    cold_start_ms: float


def start_server(
    spec: ServerSpec,
    workdir: Path,
    channel: FakeChannel,
    path: str,
    probe_number: int,
    extra_env: dict[str, str] | None = None,
) -> RunningServer:
    """Spawn ``spec``, time its first 2xx on /api/messages, check that answer is an echo.

    The probe is the path's own request (a normal message, or one with ``expectReplies``);
    polling starts right after the spawn, one connection attempt per millisecond.

    Raises:
        ServerFailedError: the process died, never answered 2xx, or did not echo correctly.
    """
    port = free_port()
    env = _clean_environment(dict(spec.env))
    env.update(extra_env or {})
    command = [spec.python, "-I", str(spec.script), "--port", str(port), *spec.args]
    body = wrk_lua.template(channel.service_url, expect_replies=path == "expectReplies")
    probe = wrk_lua.render(body, run_tag=999, thread=9, number=probe_number, conversations=1000)
    probe_id = json.loads(probe)["id"]
    before = channel.stats()
    log_path = workdir / f"{spec.key}-{path}-{probe_number}.log"
    started = time.perf_counter()
    process = spawn(command, log_path, workdir, env)
    deadline = time.monotonic() + 60
    while True:
        if process.popen.poll() is not None:
            raise ServerFailedError(f"{spec.label} exited at start-up:\n{process.log_tail()}")
        try:
            status, answer = post(port, "/api/messages", probe.encode("utf-8"))
            break
        except (ConnectionRefusedError, ConnectionResetError):
            if time.monotonic() > deadline:
                process.stop()
                raise ServerFailedError(f"{spec.label} did not listen within 60 s") from None
            time.sleep(0.001)
    cold_start_ms = (time.perf_counter() - started) * 1000
    server = RunningServer(spec, port, process, cold_start_ms)
    try:
        _check_probe(spec, path, status, answer, probe_id, before, channel)
    except ServerFailedError:
        process.stop()
        raise
    return server


def _check_probe(
    spec: ServerSpec,
    path: str,
    status: int,
    answer: bytes,
    probe_id: str,
    before: dict[str, Any],
    channel: FakeChannel,
) -> None:
    shown = answer[:300].decode("utf-8", "replace")
    if path == "normal":
        if status != 202:
            raise ServerFailedError(f"{spec.label} answered {status} instead of 202: {shown}")
        deadline = time.monotonic() + 5
        while True:
            after = channel.stats()
            if after["replies"] > before["replies"] or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        if after["other"] > before["other"]:
            raise ServerFailedError(
                f"{spec.label} sent the channel a wrong reply: {after['samples'][-1:]}"
            )
        if after["replies"] != before["replies"] + 1:
            raise ServerFailedError(f"{spec.label} answered 202 but no echo reached the channel")
        return
    if status != 200:
        raise ServerFailedError(f"{spec.label} answered {status} instead of 200: {shown}")
    try:
        activities = json.loads(answer)["activities"]
    except (ValueError, KeyError, TypeError):
        raise ServerFailedError(f"{spec.label}: no activities in the answer: {shown}") from None
    echoes = [
        a
        for a in activities
        if isinstance(a, dict)
        and a.get("type") == "message"
        and str(a.get("text", "")).startswith(ECHO_PREFIX)
        and a.get("replyToId") == probe_id
    ]
    if len(echoes) != 1:
        raise ServerFailedError(f"{spec.label}: no echo of the message in the answer: {shown}")
    if channel.stats()["requests"] != before["requests"]:
        raise ServerFailedError(f"{spec.label} posted to the channel on an expectReplies turn")


def settled_cpu(pid: int, limit: float = 5.0) -> float:
    """The process's CPU seconds, once they stop growing (the server is idle again)."""
    previous = procfs.cpu_seconds(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = procfs.cpu_seconds(pid)
        if now == previous:
            return now
        previous = now
    return previous


# ---------------------------------------------------------------------------------------
# One load step
# ---------------------------------------------------------------------------------------


@dataclass
class Runner:
    wrk: str
    workdir: Path
    channel: FakeChannel
    conversations: int
    threads: int
    _tags: Iterator[int] = field(default_factory=lambda: iter(range(1, 999)))

    def wrk_run(self, port: int, path: str, connections: int, seconds: int) -> wrk_lua.WrkResult:
        tag = next(self._tags)
        expect_replies = path == "expectReplies"
        body = wrk_lua.template(self.channel.service_url, expect_replies=expect_replies)
        script = wrk_lua.lua_script(
            body,
            conversations=self.conversations,
            run_tag=tag,
            expected_status=200 if expect_replies else 202,
            expected_body=('"activities"', ECHO_PREFIX) if expect_replies else (),
        )
        script_path = self.workdir / f"run-{tag:03d}.lua"
        script_path.write_text(script, encoding="utf-8")
        threads = max(1, min(self.threads, connections))
        command = [
            self.wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script_path),
            f"http://127.0.0.1:{port}/api/messages",
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        if done.returncode != 0:
            raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return wrk_lua.parse_result(done.stdout)

    def step(
        self,
        server: RunningServer,
        path: str,
        connections: int,
        seconds: int,
        warmup: int,
    ) -> dict[str, Any]:
        pid = server.process.pid
        if warmup > 0:
            self.wrk_run(server.port, path, connections, warmup)
        cpu_before = settled_cpu(pid)
        channel_before = self.channel.stats()
        log_before = server.process.log_size()
        result = self.wrk_run(server.port, path, connections, seconds)
        cpu_after = settled_cpu(pid)
        channel_after = self.channel.stats()
        log_after = server.process.log_size()
        return _step_record(
            server,
            path,
            connections,
            result,
            cpu_after - cpu_before,
            {k: channel_after[k] - channel_before[k] for k in _COUNTERS},
            channel_after["samples"],
            log_after - log_before,
        )


_COUNTERS = ("connections", "requests", "replies", "typing", "other")


def _step_record(
    server: RunningServer,
    path: str,
    connections: int,
    result: wrk_lua.WrkResult,
    cpu_seconds: float,
    channel: dict[str, int],
    samples: list[dict[str, Any]],
    log_bytes: int,
) -> dict[str, Any]:
    problems: list[str] = []
    if result.requests == 0:
        problems.append("no request completed")
    if result.socket_errors:
        problems.append(f"{result.socket_errors} socket errors {result.errors}")
    if result.bad_status:
        problems.append(
            f"{result.bad_status} answers with status {result.first_bad_status} "
            f"(first body: {result.bad_sample[:120]!r})"
        )
    if result.bad_body:
        problems.append(f"{result.bad_body} answers without the echo ({result.bad_sample[:120]!r})")
    if channel["other"]:
        problems.append(f"{channel['other']} wrong requests at the channel: {samples[-1:]}")
    if path == "normal":
        if channel["replies"] < result.requests:
            problems.append(
                f"only {channel['replies']} replies reached the channel for "
                f"{result.requests} answered requests"
            )
    elif channel["requests"]:
        problems.append(f"{channel['requests']} requests reached the channel on expectReplies")
    requests = result.requests
    replies = channel["replies"]
    return {
        "server": server.spec.key,
        "label": server.spec.label,
        "path": path,
        "concurrency": connections,
        "requests": requests,
        "seconds": round(result.duration_us / 1e6, 3),
        "requests_per_second": round(result.requests_per_second, 1),
        "latency_ms": {
            "p50": round(result.latency_us["p50"] / 1000, 3),
            "p90": round(result.latency_us["p90"] / 1000, 3),
            "p99": round(result.latency_us["p99"] / 1000, 3),
            "max": round(result.latency_us["max"] / 1000, 3),
        },
        "cpu_ms": round(cpu_seconds * 1000, 1),
        "cpu_ms_per_request": round(cpu_seconds * 1000 / requests, 4) if requests else None,
        "channel": channel,
        "new_connections_per_reply": (
            round(channel["connections"] / replies, 4) if path == "normal" and replies else None
        ),
        "server_log_bytes_per_request": round(log_bytes / requests, 1) if requests else None,
        "problems": problems,
        "ok": not problems,
    }


# ---------------------------------------------------------------------------------------
# The whole run
# ---------------------------------------------------------------------------------------


@dataclass
class Settings:
    seconds: int
    warmup: int
    concurrencies: tuple[int, ...]
    cold_starts: int
    conversations: int
    threads: int
    paths: tuple[str, ...] = PATHS
    rounds: int = 1


def _pick(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round reported for one (server, path, concurrency): the median by CPU per turn.

    A failed round makes the whole cell failed (its record is the first failed round).
    """
    failed = [r for r in rounds if not r["ok"]]
    if failed:
        return dict(failed[0], rounds=len(rounds))
    ordered = sorted(rounds, key=lambda r: r["cpu_ms_per_request"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["rounds"] = len(rounds)
    chosen["cpu_ms_per_request_all_rounds"] = [r["cpu_ms_per_request"] for r in rounds]
    return chosen


def run_benchmark(
    specs: list[ServerSpec], settings: Settings, wrk: str, workdir: Path
) -> dict[str, Any]:
    """Measure every server on every path; the servers of one path run side by side.

    For each path all servers are started (one after the other, each cold start timed),
    then each round goes through the concurrencies, and at each concurrency through the
    servers, so a busy moment of the machine falls on all of them alike. An idle server
    uses no CPU, so the others do not disturb it.
    """
    channel = FakeChannel(workdir)
    runner = Runner(wrk, workdir, channel, settings.conversations, settings.threads)
    all_rounds: list[dict[str, Any]] = []
    servers: dict[str, dict[str, Any]] = {
        s.key: {"label": s.label, "cold_start_ms": [], "memory": {}, "unsupported": {}}
        for s in specs
    }
    probes = iter(range(1_000_000))
    try:
        for path in settings.paths:
            running: dict[str, RunningServer] = {}
            try:
                for spec in specs:
                    try:
                        server = start_server(spec, workdir, channel, path, next(probes))
                    except ServerFailedError as exc:
                        servers[spec.key]["unsupported"][path] = str(exc)
                        _log(f"[echo-load] {spec.label} cannot serve {path}: {exc}")
                        continue
                    running[spec.key] = server
                    servers[spec.key]["cold_start_ms"].append(round(server.cold_start_ms, 1))
                for number in range(settings.rounds):
                    for connections in settings.concurrencies:
                        for server in running.values():
                            record = runner.step(
                                server, path, connections, settings.seconds, settings.warmup
                            )
                            record["round"] = number + 1
                            all_rounds.append(record)
                            _log(
                                f"[echo-load] {path:<13} round {number + 1} c={connections:<3} "
                                f"{server.spec.label:<15} {record['requests_per_second']:>7.0f}"
                                f" req/s {record['cpu_ms_per_request'] or 0:.3f} CPU ms/turn"
                                + ("" if record["ok"] else f"  FAILED: {record['problems']}")
                            )
                for key, server in running.items():
                    mem = procfs.memory(server.process.pid)
                    servers[key]["memory"][path] = {
                        "peak_rss_mib": round(mem.peak_rss / 2**20, 1),
                        "rss_mib": round(mem.rss / 2**20, 1),
                    }
            finally:
                for server in running.values():
                    server.process.stop()
        extra = max(0, settings.cold_starts - len(settings.paths))
        for _ in range(extra):
            for spec in specs:
                usable = [p for p in settings.paths if p not in servers[spec.key]["unsupported"]]
                if not usable:
                    continue
                try:
                    server = start_server(spec, workdir, channel, usable[0], next(probes))
                except ServerFailedError as exc:
                    _log(f"[echo-load] {spec.label}: a cold start failed: {exc}")
                    continue
                servers[spec.key]["cold_start_ms"].append(round(server.cold_start_ms, 1))
                server.process.stop()
    finally:
        channel.stop()
    for entry in servers.values():
        samples = entry["cold_start_ms"]
        entry["cold_start_median_ms"] = round(statistics.median(samples), 1) if samples else None
        entry["cold_start_min_ms"] = min(samples) if samples else None
    cells: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for record in all_rounds:
        key = (record["server"], record["path"], record["concurrency"])
        cells.setdefault(key, []).append(record)
    steps = [_pick(rounds) for rounds in cells.values()]
    return {"steps": steps, "all_rounds": all_rounds, "servers": servers}


# ---------------------------------------------------------------------------------------
# Summary and targets
# ---------------------------------------------------------------------------------------


def _find(steps: list[dict[str, Any]], server: str, path: str, c: int) -> dict[str, Any] | None:
    for step in steps:
        if (step["server"], step["path"], step["concurrency"]) == (server, path, c) and step["ok"]:
            return step
    return None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def summarise(
    report: dict[str, Any],
    concurrencies: tuple[int, ...],
    with_reference: bool,
    paths: tuple[str, ...] = PATHS,
) -> dict[str, Any]:
    steps = report["steps"]
    ratios: dict[str, dict[str, dict[str, float | None]]] = {}
    for path in paths:
        ratios[path] = {}
        for c in concurrencies:
            ours = _find(steps, "ours", path, c)
            bare = _find(steps, "bare", path, c)
            original = _find(steps, "original", path, c)
            cpu = "cpu_ms_per_request"
            ratios[path][str(c)] = {
                "ours_vs_bare_cpu": _ratio(ours and ours[cpu], bare and bare[cpu]),
                "original_vs_ours_cpu": _ratio(original and original[cpu], ours and ours[cpu]),
                "ours_vs_bare_rps": _ratio(
                    ours and ours["requests_per_second"], bare and bare["requests_per_second"]
                ),
                "original_vs_ours_rps": _ratio(
                    original and original["requests_per_second"],
                    ours and ours["requests_per_second"],
                ),
            }
    targets: list[dict[str, Any]] = []
    for path in paths:
        values = [ratios[path][str(c)]["ours_vs_bare_cpu"] for c in concurrencies]
        worst = None if any(v is None for v in values) else max(v for v in values if v is not None)
        targets.append(
            {
                "name": f"CPU per turn, ours / bare aiohttp, {path} (worst concurrency)",
                "target": f"<= {TARGET_CPU_VS_BARE:g}x",
                "value": worst,
                "display": "n/a" if worst is None else f"{worst:.2f}x",
                "met": worst is not None and worst <= TARGET_CPU_VS_BARE,
            }
        )
    per_reply = [
        s["new_connections_per_reply"]
        for s in steps
        if s["server"] == "ours" and s["path"] == "normal" and s["ok"]
    ]
    worst_reply = max(per_reply) if len(per_reply) == len(concurrencies) else None
    targets.append(
        {
            "name": "new channel connections per reply, ours (worst concurrency, after warm-up)",
            "target": f"<= {TARGET_CONNECTIONS_PER_REPLY:g} (connections reused)",
            "value": worst_reply,
            "display": "n/a" if worst_reply is None else f"{worst_reply:.4f}",
            "met": worst_reply is not None and worst_reply <= TARGET_CONNECTIONS_PER_REPLY,
        }
    )
    ours_entry = report["servers"].get("ours", {"cold_start_median_ms": None, "memory": {}})
    cold = ours_entry["cold_start_median_ms"]
    cold_target: dict[str, Any] = {
        "name": "cold start, ours (median, spawn to first 2xx)",
        "target": f"< {TARGET_COLD_START_MS:g} ms",
        "value": cold,
        "display": "n/a" if cold is None else f"{cold:.0f} ms",
        "met": cold is not None and cold < TARGET_COLD_START_MS,
    }
    bare_cold = report["servers"].get("bare", {}).get("cold_start_median_ms")
    if cold is not None and bare_cold is not None:
        cold_target["note"] = f"ours starts {cold - bare_cold:.0f} ms after the bare echo"
        if bare_cold >= TARGET_COLD_START_MS:
            cold_target["note"] += (
                f"; the bare echo itself needs {bare_cold:.0f} ms here, so no aiohttp "
                "server meets this target on this machine"
            )
    targets.append(cold_target)
    memory = ours_entry["memory"]
    rss = max((m["peak_rss_mib"] for m in memory.values()), default=None)
    targets.append(
        {
            "name": "peak RSS after load, ours (VmHWM, worst path)",
            "target": f"< {TARGET_RSS_MIB:g} MiB",
            "value": rss,
            "display": "n/a" if rss is None else f"{rss:.1f} MiB",
            "met": rss is not None and len(memory) == len(paths) and rss < TARGET_RSS_MIB,
        }
    )
    return {"ratios": ratios, "targets": targets, "with_reference": with_reference}


def _fmt(value: float | None, spec: str, missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


_PATH_TITLES = {
    "normal": "path normal: HTTP 202, the echo POSTed to the fake channel",
    "expectReplies": 'path expectReplies: HTTP 200 {"activities": [echo]}, nothing sent',
}


def format_report(result: dict[str, Any]) -> str:
    meta = result["meta"]
    lines = [
        f"Echo agent under load ({meta['date']}, {meta['machine']}, {meta['cpus']} cores, "
        f"Python {meta['python']}, {meta['wrk']})",
        f"  {meta['seconds']} s per step after {meta['warmup']} s of warm-up at the same "
        f"concurrency, {meta['rounds']} round(s) (median CPU per turn shown); "
        f"{meta['conversations']} conversations; wrk -t{meta['wrk_threads']}",
        f"  commit {meta['commit']} ({meta['uncommitted_library_files']} uncommitted files "
        f"under libraries/); load average before the run "
        f"{' '.join(str(x) for x in meta['load_average_before'])}",
    ]
    for key, entry in result["servers"].items():
        lines.append(f"  {entry['label']:<15} {meta['server_descriptions'][key]}")
    steps = result["steps"]
    header = (
        f"  {'conc':>4}  {'server':<15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'CPU ms/turn':>11} {'new conn/reply':>14}  note"
    )
    for path in meta["paths"]:
        lines += ["", _PATH_TITLES[path], header]
        for c in meta["concurrencies"]:
            first = True
            for key, entry in result["servers"].items():
                step = next(
                    (
                        s
                        for s in steps
                        if (s["server"], s["path"], s["concurrency"]) == (key, path, c)
                    ),
                    None,
                )
                conc = f"{c:>4}" if first else "    "
                first = False
                if step is None:
                    why = entry["unsupported"].get(path, "not measured")
                    lines.append(
                        f"  {conc}  {entry['label']:<15} cannot serve this path: "
                        f"{why.splitlines()[0][:90]}"
                    )
                    continue
                note = "" if step["ok"] else "FAILED: " + "; ".join(step["problems"])[:120]
                lines.append(
                    f"  {conc}  {entry['label']:<15} {step['requests_per_second']:>8.0f} "
                    f"{step['latency_ms']['p50']:>8.2f} {step['latency_ms']['p99']:>8.2f} "
                    f"{_fmt(step['cpu_ms_per_request'], '.3f'):>11} "
                    f"{_fmt(step['new_connections_per_reply'], '.4f', 'n/a'):>14}  {note}"
                )
    lines += [
        "",
        "per server",
        f"  {'server':<15} {'cold start ms':>22} {'peak RSS MiB normal':>20} {'expectReplies':>14}",
    ]
    for entry in result["servers"].values():
        cold = entry["cold_start_ms"]
        cold_text = (
            f"{entry['cold_start_median_ms']:.0f} "
            f"(min {entry['cold_start_min_ms']:.0f}, n={len(cold)})"
            if cold
            else "-"
        )
        mem = entry["memory"]
        lines.append(
            f"  {entry['label']:<15} {cold_text:>22} "
            f"{_fmt(mem.get('normal', {}).get('peak_rss_mib'), '.1f'):>20} "
            f"{_fmt(mem.get('expectReplies', {}).get('peak_rss_mib'), '.1f'):>14}"
        )
    summary = result["summary"]
    lines += ["", "ratios (CPU per turn; below 1 means the first one uses less CPU)"]
    for path in meta["paths"]:
        for c in meta["concurrencies"]:
            r = summary["ratios"][path][str(c)]
            text = (
                f"  {path:<13} c={c:<3} ours / bare aiohttp {_fmt(r['ours_vs_bare_cpu'], '.2f')}x"
            )
            if summary["with_reference"]:
                text += f"   original / ours {_fmt(r['original_vs_ours_cpu'], '.2f')}x"
                rps = _fmt(_inverse(r["original_vs_ours_rps"]), ".2f")
                text += f"   (req/s ours / original {rps}x)"
            lines.append(text)
    if not summary["with_reference"]:
        lines.append("  no original measured (--no-reference): no original / ours ratio")
    lines += ["", "targets"]
    for target in summary["targets"]:
        mark = "met" if target["met"] else "NOT MET"
        lines.append(
            f"  [{mark:^7}] {target['name']}: {target['display']} (target {target['target']})"
        )
        if target.get("note"):
            lines.append(f"            {target['note']}")
    noisy = [s for s in steps if (s["server_log_bytes_per_request"] or 0) > 1]
    for step in noisy:
        lines.append(
            f"  note: {step['label']} wrote {step['server_log_bytes_per_request']:.0f} bytes of "
            f"log per request ({step['path']}, c={step['concurrency']})"
        )
    return "\n".join(lines)


def _inverse(value: float | None) -> float | None:
    return None if not value else round(1 / value, 2)


# ---------------------------------------------------------------------------------------
# Self-check (no wrk, no network): what the smoke test runs
# ---------------------------------------------------------------------------------------


def self_check() -> list[str]:
    """Check the request bodies, the Lua script and the /proc parsing; return what passed.

    Raises:
        AssertionError: a check failed.
    """
    passed: list[str] = []
    service_url = "http://127.0.0.1:45678/"
    for expect_replies in (False, True):
        body = wrk_lua.template(service_url, expect_replies=expect_replies)
        assert set(body.markers) == set(wrk_lua.MARKERS), body.markers
        first = json.loads(wrk_lua.render(body, run_tag=1, thread=0, number=0, conversations=100))
        second = json.loads(wrk_lua.render(body, run_tag=1, thread=0, number=1, conversations=100))
        assert first["serviceUrl"] == service_url
        assert (first.get("deliveryMode") == "expectReplies") is expect_replies
        assert first["type"] == "message"
        assert first["channelId"] == "msteams"
        assert first["conversation"]["conversationType"] == "personal"
        assert first["id"] != second["id"]
        assert first["conversation"]["id"] != second["conversation"]["id"]
        assert first["from"]["id"] != second["from"]["id"]
        assert len(first["id"]) == 15, first["id"]
        assert first["id"].isdigit(), first["id"]
        assert "@" not in json.dumps(first).replace("@thread", ""), first
        later = json.loads(wrk_lua.render(body, run_tag=2, thread=0, number=0, conversations=100))
        assert later["id"] != first["id"], "two runs must never repeat an activity id"
        ids = {
            json.loads(wrk_lua.render(body, run_tag=1, thread=0, number=n, conversations=100))[
                "conversation"
            ]["id"]
            for n in range(300)
        }
        assert len(ids) == 100, len(ids)
        script = wrk_lua.lua_script(
            body,
            conversations=100,
            run_tag=7,
            expected_status=200 if expect_replies else 202,
            expected_body=('"activities"', ECHO_PREFIX) if expect_replies else (),
        )
        for hook in (
            "function setup(",
            "function init(",
            "function request(",
            "function response(",
            "function done(",
        ):
            assert hook in script, hook
        head, rest = script.split("local PIECES = {", 1)
        table, code = rest.split("\n}", 1)
        code = head + code
        assert code.count("(") == code.count(")"), "unbalanced parentheses"
        assert code.count("{") == code.count("}"), "unbalanced braces"
        literals = [line.strip().rstrip(",") for line in table.splitlines() if line.strip()]
        decoded = [wrk_lua.decode_lua_string(literal) for literal in literals]
        assert tuple(decoded) == body.pieces, "the Lua literals do not decode to the pieces"
        assert all(ord(ch) < 127 for ch in "".join(literals)), "non-ASCII in the Lua literals"
        name = "expectReplies" if expect_replies else "normal"
        passed.append(f"request body and Lua script ({name})")
    tricky = 'x"\\\n\t é\u2019'
    assert wrk_lua.decode_lua_string(wrk_lua.lua_string(tricky)) == tricky
    passed.append("Lua string literals")
    sample_line = (
        'BENCH_RESULT {"requests":10,"duration_us":1000000,"bytes":5,"errors":{"connect":0,'
        '"read":0,"write":0,"status":1,"timeout":2},"latency_us":{"min":1,"mean":2.0,"max":3,'
        '"stdev":0.5,"p50":2,"p90":3,"p99":3,"p999":3},"bad_status":1,"bad_body":0,'
        '"first_bad_status":500,"bad_sample":"boom"}'
    )
    parsed = wrk_lua.parse_result("Running 1s test\n" + sample_line + "\n")
    assert parsed.requests == 10
    assert parsed.socket_errors == 2
    assert parsed.requests_per_second == 10
    passed.append("wrk result line")

    utime, stime = procfs.parse_stat_cpu_ticks(
        "1234 (odd) name (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 77 33 0 0 20 0 1 0 5"
    )
    assert (utime, stime) == (77, 33), (utime, stime)
    status = "Name:\tpython\nVmHWM:\t   40960 kB\nVmRSS:\t   30720 kB\n"
    assert procfs.parse_status_kb(status, "VmHWM", "VmRSS") == {"VmHWM": 40960, "VmRSS": 30720}
    if Path("/proc/self/stat").exists():
        spent = procfs.cpu_seconds(os.getpid())
        mem = procfs.memory(os.getpid())
        assert spent >= 0
        assert mem.peak_rss >= mem.rss > 0
        passed.append("/proc parsing (synthetic and this process)")
    else:
        passed.append("/proc parsing (synthetic only: no /proc here)")
    for script_path in sorted(SERVERS_DIR.glob("*.py")):
        compile(script_path.read_text(encoding="utf-8"), str(script_path), "exec")
    passed.append("server scripts compile")
    return passed


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s steps, 2 cold starts")
    parser.add_argument("--duration", type=int, help="seconds per measured step (default 4)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds before each step (default 1)")
    parser.add_argument(
        "--concurrency",
        type=lambda text: tuple(int(p) for p in text.split(",")),
        default=CONCURRENCIES,
        help="comma-separated connection counts (default 1,16,64)",
    )
    parser.add_argument("--cold-starts", type=int, help="cold starts per server (default 5)")
    parser.add_argument(
        "--rounds", type=int, help="sweeps of all steps (default 3; the median is reported)"
    )
    parser.add_argument("--conversations", type=int, default=1000, help="personal chats (1000)")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--no-reference", action="store_true", help="skip the original 1.9.0")
    parser.add_argument(
        "--servers",
        type=lambda text: tuple(p.strip() for p in text.split(",")),
        help="only these servers, comma-separated keys: ours,bare,original",
    )
    parser.add_argument(
        "--paths",
        type=lambda text: tuple(p.strip() for p in text.split(",")),
        help="only these paths: normal,expectReplies (both by default)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check the Lua script and /proc parsing, then stop",
    )
    parser.add_argument(
        "--profile",
        choices=("py-spy", "cprofile"),
        help="profile our server under load instead of the comparison (see load/profile.py)",
    )
    parser.add_argument(
        "--profile-concurrency",
        type=int,
        default=16,
        help="connections while profiling (default 16)",
    )
    parser.add_argument(
        "--profile-output",
        type=Path,
        help="folder to keep the raw profiles in (py-spy collapsed stacks, cProfile stats)",
    )
    return parser.parse_args(argv)


def _settings(args: argparse.Namespace) -> Settings:
    seconds = args.duration if args.duration is not None else (1 if args.quick else 4)
    warmup = args.warmup if args.warmup is not None else 1
    cold = args.cold_starts if args.cold_starts is not None else (2 if args.quick else 5)
    if seconds < 1:
        raise BenchError("--duration is whole seconds, at least 1 (wrk's unit)")
    if any(c < 1 for c in args.concurrency):
        raise BenchError("--concurrency takes connection counts of at least 1")
    paths = args.paths or PATHS
    if not set(paths) <= set(PATHS):
        raise BenchError(f"--paths takes {', '.join(PATHS)}, got {', '.join(paths)}")
    rounds = args.rounds if args.rounds is not None else (1 if args.quick else 3)
    if rounds < 1:
        raise BenchError("--rounds must be at least 1")
    return Settings(
        seconds,
        warmup,
        args.concurrency,
        cold,
        args.conversations,
        args.wrk_threads,
        paths,
        rounds,
    )


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _wrk_version(wrk: str) -> str:
    done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).strip().splitlines()
    return " ".join(first[0].split()[:2]) if first else "wrk"


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="echo-load-") as folder:
        yield Path(folder)


def reference_pins() -> dict[str, str]:
    """The 1.9.0 distributions, and ours's aiohttp and pydantic versions.

    Both sides run the same aiohttp and pydantic, so the comparison measures the two SDKs,
    not two releases of their dependencies.
    """
    from importlib import metadata

    pins = dict(REF_PINS)
    for dist in ("aiohttp", "pydantic"):
        pins[dist] = metadata.version(dist)
    return pins


def _reference_python(log: Callable[[str], None]) -> str:
    from _reference import BenchError as ReferenceError
    from _reference import ensure_venv

    try:
        return str(ensure_venv(REF_VENV, reference_pins(), log=log))
    except ReferenceError as exc:
        raise BenchError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.self_check:
        try:
            passed = self_check()
        except AssertionError as exc:
            print(f"self-check FAILED: {exc}")
            return 1
        if args.json:
            print(json.dumps({"self_check": passed, "ok": True}))
        else:
            for name in passed:
                print(f"self-check ok: {name}")
        return 0
    wrk = shutil.which("wrk")
    if wrk is None:
        _log(f"error: {WRK_INSTALL_HINT}")
        return 2
    if not sys.platform.startswith("linux"):
        _log("error: the benchmark reads /proc and needs Linux")
        return 2
    try:
        settings = _settings(args)
        if args.profile:
            from load import profile

            with _workdir() as workdir:
                return profile.run(
                    args.profile,
                    settings.paths,
                    args.profile_concurrency,
                    settings,
                    wrk,
                    workdir,
                    as_json=args.json,
                    bench=sys.modules[__name__],
                    keep=args.profile_output,
                )
        wanted = set(args.servers or ("ours", "bare", "original"))
        unknown = wanted - {"ours", "bare", "original"}
        if unknown:
            raise BenchError(f"--servers knows ours, bare and original, not {sorted(unknown)}")
        use_reference = not args.no_reference and "original" in wanted
        reference = _reference_python(_log) if use_reference else None
        specs = [s for s in server_specs(reference) if s.key in wanted]
        load_before = os.getloadavg()
        with _workdir() as workdir:
            report = run_benchmark(specs, settings, wrk, workdir)
    except BenchError as exc:
        _log(f"error: {exc}")
        return 1
    descriptions = {
        "ours": f"{QUICKSTART.relative_to(REPO_ROOT)} via create_app ({sys.executable})",
        "bare": "bare aiohttp echo, one keep-alive ClientSession (the ceiling)",
        "original": (
            f"microsoft-agents-hosting-aiohttp {REF_VERSION} ({REF_VENV.relative_to(REPO_ROOT)})"
        ),
    }
    result = {
        "meta": {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.system()} {platform.machine()}",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "wrk": _wrk_version(wrk),
            "wrk_threads": settings.threads,
            "seconds": settings.seconds,
            "warmup": settings.warmup,
            "rounds": settings.rounds,
            "load_average_before": [round(x, 2) for x in load_before],
            "commit": _git("rev-parse", "--short", "HEAD"),
            "uncommitted_library_files": len(
                [line for line in _git("status", "--porcelain", "libraries").splitlines() if line]
            ),
            "concurrencies": list(settings.concurrencies),
            "paths": list(settings.paths),
            "conversations": settings.conversations,
            "server_descriptions": {k: descriptions[k] for k in report["servers"]},
        },
        **report,
    }
    result["summary"] = summarise(
        report, settings.concurrencies, reference is not None, settings.paths
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
