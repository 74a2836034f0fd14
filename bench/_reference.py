"""Throwaway virtual environments holding the original releases we measure against.

A benchmark compares our package with the original one *in the same run*. The original is
installed from PyPI into a folder under ``bench/`` (ignored by git), never into any of our
environments, and is reused while it holds the wanted versions.

Only the parent process of a benchmark imports this module: workers run with ``python -I``,
which leaves the script's folder off ``sys.path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

__all__ = ["BenchError", "ensure_venv", "installed_version", "venv_python"]


class BenchError(RuntimeError):
    """A benchmark cannot run as asked; the message says why and what to do."""


def venv_python(venv: Path) -> Path:
    """The interpreter of the virtual environment at ``venv``."""
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def installed_version(python: Path, dist: str) -> str | None:
    """The version of ``dist`` installed for ``python``, or None."""
    if not python.exists():
        return None
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    done = subprocess.run(
        [str(python), "-I", "-c", code], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_venv(
    venv: Path,
    pins: Mapping[str, str],
    *,
    extra: Sequence[str] = (),
    log: Callable[[str], None],
) -> Path:
    """Return the interpreter of ``venv``, (re)building it so it holds ``pins``.

    Args:
        venv: where the environment lives.
        pins: distribution -> exact version; the first one names the environment's purpose
            (a wrong version of it rebuilds the environment, of the others re-pins them).
        extra: further requirements installed at creation (unpinned).
        log: where progress messages go.

    Raises:
        BenchError: the packages could not be installed (no network access to PyPI).
    """
    python = venv_python(venv)
    install = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    (main_dist, main_version), *others = pins.items()
    if installed_version(python, main_dist) == main_version:
        wrong = [f"{d}=={v}" for d, v in others if installed_version(python, d) != v]
        if wrong:
            log(f"aligning {', '.join(wrong)} in {venv}")
            subprocess.run([*install, *wrong], check=True)
        return python
    if venv.exists():
        log(f"rebuilding {venv} (it does not hold {main_dist}=={main_version})")
        shutil.rmtree(venv)
    else:
        log(f"creating {venv} with {main_dist}=={main_version} from PyPI")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    requirements = [f"{d}=={v}" for d, v in pins.items()] + list(extra)
    if subprocess.run([*install, *requirements], check=False).returncode != 0:
        raise BenchError(
            f"could not install {requirements} into {venv}; check network access to PyPI, "
            "or run with --no-reference"
        )
    if installed_version(python, main_dist) != main_version:
        raise BenchError(f"{venv} does not hold {main_dist}=={main_version} after install")
    return python
