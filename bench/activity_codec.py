"""Parse and dump throughput of ``Activity``, ours against the original release.

Usage::

    hatch run bench:activity               # full run, with the reference release
    hatch run bench:activity --quick       # a few iterations (what the smoke test runs)
    hatch run bench:activity --no-reference
    hatch run bench:activity --json        # machine-readable output

For every payload in ``bench/payloads/`` four operations are timed:

* parse (JSON): ``Activity.model_validate_json(raw_bytes)``
* dump (JSON): ``activity.model_dump_json(by_alias=True, exclude_unset=True)``
* parse (dict): ``Activity.model_validate(payload_dict)``
* dump (dict): ``activity.model_dump(mode="json", by_alias=True, exclude_unset=True)``

The timing runs in worker processes (this script with ``--worker``): one under the current
interpreter, which imports this repository's package, and one under a throwaway virtual
environment at ``bench/.ref-venv`` holding the original ``microsoft-agents-activity`` release
from PyPI. The script creates that environment on first use and reuses it afterwards; it is
never a dependency of ours. Both workers run isolated (``python -I``, working directory
outside the repository) and report where they imported the package from, so a reference
run can never silently measure our own code.

The workers alternate for ``--rounds`` rounds; each reported figure is taken over the
samples of all rounds, so a noisy moment on the machine hurts both sides alike. The ratio is
reference time / our time: above 1 means ours is faster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PAYLOAD_DIR = BENCH_DIR / "payloads"
OUR_SOURCE = REPO_ROOT / "libraries" / "microsoft-agents-activity" / "src"
REF_VENV = BENCH_DIR / ".ref-venv"
REF_DIST = "microsoft-agents-activity"
REF_VERSION = "1.9.0"
# 1.9.0 imports ``jwt`` without declaring the dependency.
REF_EXTRA_REQUIREMENTS = ("pyjwt",)

HEADLINE_PAYLOAD = "teams_channel_message"
TARGET_RATIO = 2.0

# Payloads in the order they are reported; any other file in payloads/ follows, sorted.
PAYLOAD_ORDER = ("teams_channel_message", "teams_conversation_update", "copilot_ai_citations")
OPERATIONS = ("parse_json", "dump_json", "parse_dict", "dump_dict")
# The rows of the table: a single operation, or the sum of a parse and a dump.
ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("parse (json)", ("parse_json",)),
    ("dump (json)", ("dump_json",)),
    ("parse+dump (json)", ("parse_json", "dump_json")),
    ("parse (dict)", ("parse_dict",)),
    ("dump (dict)", ("dump_dict",)),
    ("parse+dump (dict)", ("parse_dict", "dump_dict")),
)


class BenchError(Exception):
    """The benchmark could not run (a worker failed, the reference could not be built)."""


# ---------------------------------------------------------------------------------------
# Worker: runs in a separate, isolated interpreter and prints one JSON document.
# ---------------------------------------------------------------------------------------


def _time_operation(
    func: Callable[[], object], *, repeat: int, min_sample_ns: int, fixed_loops: int | None
) -> dict[str, Any]:
    """Time ``func``: calibrate a loop count, warm up, then take ``repeat`` samples.

    Each sample runs ``func`` ``loops`` times back to back with the garbage collector
    paused (as :mod:`timeit` does) and records the mean time per call, in nanoseconds.
    """
    clock = time.perf_counter_ns
    if fixed_loops is not None:
        loops = fixed_loops
    else:
        loops = 1
        while True:
            start = clock()
            for _ in range(loops):
                func()
            elapsed = clock() - start
            if elapsed >= min_sample_ns // 4:
                loops = max(1, int(loops * min_sample_ns / max(elapsed, 1)))
                break
            loops *= 4
    for _ in range(loops):  # warm-up
        func()
    samples: list[float] = []
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(repeat):
            gc.collect()
            gc.disable()
            start = clock()
            for _ in range(loops):
                func()
            elapsed = clock() - start
            gc.enable()
            samples.append(elapsed / loops)
    finally:
        if gc_was_enabled:
            gc.enable()
        else:
            gc.disable()
    return {"loops": loops, "samples_ns": samples}


def _worker(args: argparse.Namespace) -> int:
    from importlib import metadata

    import pydantic

    import microsoft_agents.activity as package
    from microsoft_agents.activity import Activity

    fixed_loops = args.loops if args.loops > 0 else None
    payloads: dict[str, Any] = {}
    for path_text in args.payload:
        path = Path(path_text)
        raw = path.read_bytes()
        data = json.loads(raw)
        result: dict[str, Any] = {}
        try:
            parsed = Activity.model_validate_json(raw)
            dumped = parsed.model_dump_json(by_alias=True, exclude_unset=True)
            result["lossless_json"] = json.loads(dumped) == data
            result["lossless_dict"] = (
                Activity.model_validate(data).model_dump(
                    mode="json", by_alias=True, exclude_unset=True
                )
                == data
            )
            operations: dict[str, Callable[[], object]] = {
                "parse_json": lambda raw=raw: Activity.model_validate_json(raw),
                "dump_json": lambda parsed=parsed: parsed.model_dump_json(
                    by_alias=True, exclude_unset=True
                ),
                "parse_dict": lambda data=data: Activity.model_validate(data),
                "dump_dict": lambda parsed=parsed: parsed.model_dump(
                    mode="json", by_alias=True, exclude_unset=True
                ),
            }
            result["operations"] = {
                name: _time_operation(
                    func,
                    repeat=args.repeat,
                    min_sample_ns=args.min_sample_ms * 1_000_000,
                    fixed_loops=fixed_loops,
                )
                for name, func in operations.items()
            }
        except Exception as exc:  # noqa: BLE001 - reported per payload, not fatal
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            result["error"] = f"{type(exc).__name__}: {first_line}"
        payloads[path.stem] = result

    report = {
        "module_file": str(Path(package.__file__ or "").resolve()),
        "version": metadata.version(REF_DIST),
        "pydantic": pydantic.VERSION,
        "python": platform.python_version(),
        "executable": sys.executable,
        "payloads": payloads,
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


# ---------------------------------------------------------------------------------------
# Parent: builds the reference environment, runs the workers, prints the results.
# ---------------------------------------------------------------------------------------


def ensure_reference_venv(*, log: Callable[[str], None]) -> Path:
    """Return the reference interpreter, creating ``bench/.ref-venv`` when needed.

    The reference gets the pydantic version we run on, so the comparison measures the two
    packages rather than two pydantic releases.
    """
    import pydantic
    from _reference import BenchError as ReferenceError_
    from _reference import ensure_venv

    pins = {REF_DIST: REF_VERSION, "pydantic": pydantic.VERSION}
    try:
        return ensure_venv(REF_VENV, pins, extra=REF_EXTRA_REQUIREMENTS, log=log)
    except ReferenceError_ as exc:
        raise BenchError(str(exc)) from exc


def _payload_paths() -> list[Path]:
    found = {p.stem: p for p in PAYLOAD_DIR.glob("*.json")}
    ordered = [found.pop(name) for name in PAYLOAD_ORDER if name in found]
    return ordered + [found[name] for name in sorted(found)]


def _run_worker(python: Path, args: argparse.Namespace, payloads: list[Path]) -> dict[str, Any]:
    command = [
        str(python),
        "-I",  # no script directory, PYTHON* variables or user site on sys.path
        str(Path(__file__).resolve()),
        "--worker",
        "--repeat",
        str(args.repeat),
        "--min-sample-ms",
        str(args.min_sample_ms),
        "--loops",
        str(args.loops),
    ]
    for path in payloads:
        command += ["--payload", str(path)]
    with tempfile.TemporaryDirectory(prefix="activity-bench-") as cwd:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"worker {python} failed:\n{done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _check_origin(report: dict[str, Any], expected_root: Path, side: str) -> None:
    module_file = Path(report["module_file"])
    if not module_file.is_relative_to(expected_root.resolve()):
        raise BenchError(
            f"the {side} worker imported microsoft_agents.activity from {module_file}, "
            f"expected a file under {expected_root}"
        )


def _check_ours(report: dict[str, Any], log: Callable[[str], None]) -> None:
    """Ours is this repository's source tree, or a wheel built from it; never the reference."""
    module_file = Path(report["module_file"])
    if module_file.is_relative_to(REF_VENV.resolve()):
        raise BenchError(f"the ours worker imported the reference package from {module_file}")
    if not module_file.is_relative_to(OUR_SOURCE.resolve()):
        log(f"ours is an installed copy ({module_file}), not {OUR_SOURCE}")


def _merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Pool the samples of several rounds of one side."""
    merged: dict[str, Any] = {key: reports[0][key] for key in reports[0] if key != "payloads"}
    payloads: dict[str, Any] = {}
    for report in reports:
        for name, result in report["payloads"].items():
            into = payloads.setdefault(name, {})
            if "error" in result:
                into["error"] = result["error"]
                continue
            into.setdefault("lossless_json", result["lossless_json"])
            into.setdefault("lossless_dict", result["lossless_dict"])
            ops = into.setdefault("operations", {})
            for op, timing in result["operations"].items():
                ops.setdefault(op, []).extend(timing["samples_ns"])
    merged["payloads"] = payloads
    return merged


def _row_figures(result: dict[str, Any], ops: tuple[str, ...]) -> dict[str, float] | None:
    if "error" in result:
        return None
    samples = [result["operations"][op] for op in ops]
    best_us = sum(min(s) for s in samples) / 1000
    median_us = sum(statistics.median(s) for s in samples) / 1000
    return {"best_us": best_us, "median_us": median_us, "ops_per_s": 1e6 / median_us}


def summarise(ours: dict[str, Any], ref: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One record per payload and row: our figures, the reference's and the ratio."""
    records: list[dict[str, Any]] = []
    for name, result in ours["payloads"].items():
        ref_result = ref["payloads"].get(name) if ref is not None else None
        for label, ops in ROWS:
            record: dict[str, Any] = {
                "payload": name,
                "row": label,
                "ours": _row_figures(result, ops),
                "ours_error": result.get("error"),
                "reference": None,
                "reference_error": None,
                "ratio_best": None,
                "ratio_median": None,
            }
            if ref_result is not None:
                record["reference"] = _row_figures(ref_result, ops)
                record["reference_error"] = ref_result.get("error")
            mine, theirs = record["ours"], record["reference"]
            if mine is not None and theirs is not None:
                record["ratio_best"] = theirs["best_us"] / mine["best_us"]
                record["ratio_median"] = theirs["median_us"] / mine["median_us"]
            records.append(record)
    return records


def _short_error(error: str | None, limit: int = 40) -> str:
    text = f"error: {error}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _format_table(records: list[dict[str, Any]], with_reference: bool) -> str:
    header = ["payload", "operation", "ours best", "ours median", "ours ops/s"]
    if with_reference:
        header += ["ref best", "ref median", "ratio best", "ratio median"]
    lines = [header]
    for record in records:
        mine = record["ours"]
        cells = [record["payload"], record["row"]]
        if mine is None:
            cells += [_short_error(record["ours_error"]), "", ""]
        else:
            cells += [
                f"{mine['best_us']:.2f} us",
                f"{mine['median_us']:.2f} us",
                f"{mine['ops_per_s']:,.0f}",
            ]
        if with_reference:
            theirs = record["reference"]
            if theirs is None:
                cells += [_short_error(record["reference_error"]), "", "", ""]
            else:
                cells += [f"{theirs['best_us']:.2f} us", f"{theirs['median_us']:.2f} us"]
                for key in ("ratio_best", "ratio_median"):
                    cells.append("-" if record[key] is None else f"{record[key]:.2f}x")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out: list[str] = []
    for index, line in enumerate(lines):
        left = [cell.ljust(width) for cell, width in zip(line[:2], widths[:2], strict=True)]
        right = [cell.rjust(width) for cell, width in zip(line[2:], widths[2:], strict=True)]
        out.append("  ".join(left + right).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def _headline(records: list[dict[str, Any]]) -> str | None:
    for record in records:
        if record["payload"] == HEADLINE_PAYLOAD and record["row"] == "parse+dump (json)":
            ratio = record["ratio_best"]
            if ratio is None:
                return None
            verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
            return (
                f"{HEADLINE_PAYLOAD}, parse + dump (json): ours "
                f"{record['ours']['best_us']:.2f} us, reference "
                f"{record['reference']['best_us']:.2f} us -> {ratio:.2f}x "
                f"(target >= {TARGET_RATIO:.0f}x: {verdict})"
            )
    return None


def _yes_no(flag: bool | None) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")


def _describe(side: str, report: dict[str, Any]) -> str:
    return (
        f"{side}: microsoft-agents-activity {report['version']} from {report['module_file']} "
        f"(Python {report['python']}, pydantic {report['pydantic']})"
    )


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="few iterations (smoke test)")
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="measure ours only (no reference environment, no ratio)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per side")
    parser.add_argument("--repeat", type=int, default=9, help="samples per operation")
    parser.add_argument("--min-sample-ms", type=int, default=25, help="length of one sample")
    parser.add_argument("--loops", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--payload", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick and not args.worker:
        args.rounds, args.repeat, args.loops = 1, 3, 20
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the process exit status."""
    args = _parse_args(argv)
    if args.worker:
        return _worker(args)

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    payloads = _payload_paths()
    try:
        ref_python = None if args.no_reference else ensure_reference_venv(log=log)
        ours_reports: list[dict[str, Any]] = []
        ref_reports: list[dict[str, Any]] = []
        for _ in range(args.rounds):
            ours_reports.append(_run_worker(Path(sys.executable), args, payloads))
            _check_ours(ours_reports[-1], log)
            if ref_python is not None:
                ref_reports.append(_run_worker(ref_python, args, payloads))
                _check_origin(ref_reports[-1], REF_VENV, "reference")
    except BenchError as exc:
        log(f"error: {exc}")
        return 1

    ours = _merge(ours_reports)
    ref = _merge(ref_reports) if ref_reports else None
    records = summarise(ours, ref)
    meta = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "rounds": args.rounds,
        "repeat": args.repeat,
        "quick": args.quick,
        "ours": {k: v for k, v in ours.items() if k != "payloads"},
        "reference": None if ref is None else {k: v for k, v in ref.items() if k != "payloads"},
        "lossless": {
            name: {
                "ours": result.get("lossless_json"),
                "reference": None if ref is None else ref["payloads"][name].get("lossless_json"),
            }
            for name, result in ours["payloads"].items()
        },
    }
    if args.json:
        print(json.dumps({"meta": meta, "rows": records}, indent=2))
        return 0

    print(f"Activity codec benchmark, {meta['date']}, {meta['machine']}")
    print(_describe("ours", ours))
    if ref is not None:
        print(_describe("reference", ref))
    mode = "quick mode, " if args.quick else ""
    print(
        f"({mode}{args.rounds} round(s) x {args.repeat} samples; per-operation time in "
        "microseconds; ops/s from the median; ratio = reference / ours, >1 is faster)"
    )
    print()
    print(_format_table(records, with_reference=ref is not None))
    print()
    for name, flags in meta["lossless"].items():
        sides = [f"ours {_yes_no(flags['ours'])}"]
        if ref is not None:
            sides.append(f"reference {_yes_no(flags['reference'])}")
        print(f"{name}: dump(parse(payload)) == payload: {', '.join(sides)}")
    for name, result in (ref or {"payloads": {}})["payloads"].items():
        if "error" in result:
            print(f"{name}: the reference failed: {result['error']}")
    print()
    if ref is None:
        print("no reference measured (--no-reference): no ratio")
    else:
        headline = _headline(records)
        print(headline or f"no ratio for {HEADLINE_PAYLOAD}: one side failed to process it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
