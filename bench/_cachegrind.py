"""Counting the instructions a command executes, with valgrind's cachegrind.

``turn_cost.py`` and ``cold_start.py`` use this where wall time is too noisy: with
``PYTHONHASHSEED`` fixed, the same Python work executes the same number of instructions to
within about 1 %, whatever else the machine is doing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["VALGRIND", "count_instructions", "instruction_total", "require_valgrind"]

VALGRIND = (
    "valgrind",
    "--tool=cachegrind",
    "--cache-sim=no",
    "--cachegrind-out-file=/dev/null",
)
_TOTAL = re.compile(r"I\s+refs:\s+([\d,]+)")


def require_valgrind() -> None:
    """Stop with how to install valgrind when it is not on ``PATH``."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt install valgrind)")


def count_instructions(
    command: Sequence[str], *, env: Mapping[str, str], what: str, cwd: Path | None = None
) -> int:
    """The instructions ``command`` executes from start to exit.

    Raises:
        SystemExit: the command failed (``what`` names it) or valgrind gave no count.
    """
    done = subprocess.run(
        [*VALGRIND, *command], capture_output=True, text=True, env=env, cwd=cwd, check=False
    )
    output = done.stderr  # valgrind reports on standard error, after the command's own
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{output[-2000:]}")
    total = instruction_total(output)
    if total is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{output[-2000:]}")
    return total


def instruction_total(output: str) -> int | None:
    """The total count in valgrind's report (``I refs``), or None when there is none."""
    found = _TOTAL.search(output)
    return None if found is None else int(found.group(1).replace(",", ""))
