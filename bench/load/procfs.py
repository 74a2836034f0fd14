"""What the benchmark reads about a server process from ``/proc`` (Linux only).

* CPU time: fields 14 and 15 of ``/proc/<pid>/stat`` (``utime`` and ``stime``, in clock
  ticks, all threads of the process included), turned into seconds with ``SC_CLK_TCK``.
* Memory: ``VmHWM`` (the peak resident set size) and ``VmRSS`` of ``/proc/<pid>/status``,
  in kB as the kernel writes them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Memory", "cpu_seconds", "memory", "parse_stat_cpu_ticks", "parse_status_kb"]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_stat_cpu_ticks(text: str) -> tuple[int, int]:
    """``(utime, stime)`` in clock ticks from the text of ``/proc/<pid>/stat``.

    The second field (the command name, in parentheses) may hold spaces and parentheses
    itself, so the fields are counted from the last ``)``: the one after it is field 3
    (the state), which puts ``utime`` (field 14) at index 11 and ``stime`` at 12.

    Raises:
        ValueError: the text is not a stat line.
    """
    end = text.rfind(")")
    if end < 0:
        raise ValueError(f"not a /proc/<pid>/stat line: {text[:80]!r}")
    fields = text[end + 1 :].split()
    if len(fields) < 13:
        raise ValueError(f"a /proc/<pid>/stat line has at least 15 fields: {text[:80]!r}")
    return int(fields[11]), int(fields[12])


def parse_status_kb(text: str, *names: str) -> dict[str, int]:
    """The ``name:  value kB`` lines of ``/proc/<pid>/status`` asked for, in kB."""
    wanted = set(names)
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in wanted:
            value = rest.split()
            if len(value) == 2 and value[1] == "kB":
                found[name] = int(value[0])
    missing = wanted - found.keys()
    if missing:
        raise ValueError(f"/proc/<pid>/status has no {', '.join(sorted(missing))}")
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds that process ``pid`` used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
        utime, stime = parse_stat_cpu_ticks(stat.read())
    return (utime + stime) / CLOCK_TICKS


@dataclass(frozen=True)
class Memory:
    """Resident memory of a process, in bytes."""

    peak_rss: int  # VmHWM
    rss: int  # VmRSS


def memory(pid: int) -> Memory:
    """The peak and current resident set size of process ``pid``."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        kb = parse_status_kb(status.read(), "VmHWM", "VmRSS")
    return Memory(peak_rss=kb["VmHWM"] * 1024, rss=kb["VmRSS"] * 1024)
