"""One entry point for everything a contributor (and CI) does in this repository.

Needs nothing but a Python 3.10+ interpreter. On first use it creates ``.venv/`` at the
repository root with a pinned hatch inside it, then hands over to hatch, which builds the
per-purpose environments declared in the root ``pyproject.toml``.

Commands:
    start   set everything up and serve the quick-start echo agent (--reload: restart it
            when its code changes)
    test    run the whole test suite on the oldest and newest supported Pythons found
    lint    ruff check + ruff format --check
    types   mypy --strict over every library
    check   lint, then types
    bench   run the benchmarks under bench/

Extra arguments after the command go to the underlying tool, e.g.
``python3 scripts/dev.py test -k channel_id``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
HATCH_REQUIREMENT = "hatch==1.18.2"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
# What ``start`` runs: the echo agent of test_samples/quickstart on
# http://127.0.0.1:3978/api/messages (a script of the samples env in pyproject.toml).
START_SCRIPT = "samples:quickstart"


def _venv_bin(name: str) -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    suffix = ".exe" if os.name == "nt" else ""
    return VENV / scripts / f"{name}{suffix}"


def ensure_hatch() -> Path:
    """Create .venv with hatch in it unless it is already there; return hatch's path."""
    hatch = _venv_bin("hatch")
    if hatch.exists():
        return hatch
    print(f"[dev] creating {VENV.relative_to(ROOT)} with {HATCH_REQUIREMENT}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    subprocess.run(
        [str(_venv_bin("python")), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        check=True,
    )
    subprocess.run(
        [str(_venv_bin("python")), "-m", "pip", "install", "--quiet", HATCH_REQUIREMENT],
        check=True,
    )
    return hatch


def _works(executable: str) -> bool:
    try:
        result = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _candidates(minor: str) -> list[Path]:
    """Places where an interpreter of version ``minor`` may live, best first."""
    found: list[Path] = []
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    versions = pyenv_root / "versions"
    if versions.is_dir():
        pattern = re.compile(rf"^{re.escape(minor)}\.(\d+)$")
        matches = [p for p in versions.iterdir() if pattern.match(p.name)]
        matches.sort(key=lambda p: int(p.name.rsplit(".", 1)[1]), reverse=True)
        found.extend(p / "bin" / f"python{minor}" for p in matches)
    found.extend(
        Path(directory) / f"python{minor}"
        for directory in os.environ.get("PATH", "").split(os.pathsep)
        if directory and "shims" not in directory
    )
    return found


def find_interpreters() -> dict[str, Path]:
    """Map each supported minor version to a working interpreter, for those present."""
    found: dict[str, Path] = {}
    for minor in SUPPORTED:
        for candidate in _candidates(minor):
            if candidate.is_file() and _works(str(candidate)):
                found[minor] = candidate
                break
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    if current in SUPPORTED and current not in found:
        found[current] = Path(sys.executable)
    return found


def hatch_env(interpreters: dict[str, Path]) -> dict[str, str]:
    """Environment for hatch: the found interpreters first on PATH, no pyenv shim surprises."""
    env = dict(os.environ)
    dirs = []
    for path in interpreters.values():
        if str(path.parent) not in dirs:
            dirs.append(str(path.parent))
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
    env.setdefault("HATCH_ENV_TYPE_VIRTUAL_UV_PATH", str(_venv_bin("uv")))
    return env


def run(cmd: list[str], env: dict[str, str]) -> int:
    print("[dev] $ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "command", choices=["start", "test", "lint", "types", "check", "bench", "shell"]
    )
    parser.add_argument(
        "--python",
        action="append",
        metavar="X.Y",
        help="run the tests on this Python (repeatable); default: oldest and newest found",
    )
    parser.add_argument("--all-pythons", action="store_true", help="test on every Python found")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="start: restart the agent whenever a Python file of the sample changes",
    )
    args, rest = parser.parse_known_args(argv)
    if rest and rest[0] == "--":
        rest = rest[1:]

    hatch = str(ensure_hatch())
    interpreters = find_interpreters()
    if not interpreters:
        print(f"[dev] no Python among {', '.join(SUPPORTED)} was found", file=sys.stderr)
        return 2
    env = hatch_env(interpreters)

    if args.command == "test":
        if args.python:
            wanted = args.python
        elif args.all_pythons:
            wanted = list(interpreters)
        else:
            present = sorted(interpreters, key=lambda v: tuple(map(int, v.split("."))))
            wanted = sorted({present[0], present[-1]}, key=present.index)
        missing = [v for v in wanted if v not in interpreters]
        if missing:
            print(f"[dev] Python {', '.join(missing)} not found on this machine", file=sys.stderr)
            return 2
        status = 0
        for version in wanted:
            print(f"[dev] tests on Python {version} ({interpreters[version]})", flush=True)
            code = run([hatch, "run", f"+py={version}", "test:run", *rest], env)
            status = status or code
        return status
    if args.command == "lint":
        return run([hatch, "run", "lint:check", *rest], env)
    if args.command == "types":
        return run([hatch, "run", "types:check", *rest], env)
    if args.command == "check":
        return run([hatch, "run", "lint:check"], env) or run([hatch, "run", "types:check"], env)
    if args.command == "bench":
        # Every benchmark takes --quick, --no-reference and --json; echo-load needs wrk,
        # server-cost valgrind (its --cpu mode does not).
        scripts = (
            "bench:activity",
            "bench:import-time",
            "bench:turn-cost",
            "bench:cold-start",
            "bench:server-cost",
            "bench:echo-load",
        )
        for script in scripts:
            code = run([hatch, "run", script, *rest], env)
            if code:
                return code
        return 0
    if args.command == "shell":
        return run([hatch, "shell", *rest], env)
    if args.reload:
        env["MICROSOFT_AGENTS_RELOAD"] = "1"
    return run([hatch, "run", START_SCRIPT, *rest], env)


if __name__ == "__main__":
    sys.exit(main())
