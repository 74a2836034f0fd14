"""Automatic restart on code change, for development (``start_server(..., reload=True)``).

With reload on, the process that calls ``start_server`` does not serve: it becomes a small
supervisor that starts the same command again as a child process (which serves), watches
the Python files under the program's folder, and restarts the child when one of them
changes::

    MICROSOFT_AGENTS_RELOAD=1 python app.py     # or start_server(app, reload=True)

The child is stopped with SIGTERM, so it shuts down gracefully (requests in flight finish,
background turns are awaited); it is killed only if it is still running a few seconds after
its ``shutdown_timeout``. A child that fails to start (a syntax error, say) is
started again at the next change. Ctrl+C (or SIGTERM or SIGHUP to the supervisor) stops
both: the child runs in a session of its own, so that it gets one SIGTERM from the
supervisor rather than the terminal's SIGINT too.

Files are found by polling their modification times twice a second; folders that hold no
source of yours (``.venv``, ``__pycache__``, hidden folders, ``node_modules``) are skipped.
This is meant for a developer's machine, never for a deployment.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = ["CHILD_ENV", "RELOAD_ENV", "is_reload_child", "reload_requested", "run_with_reload"]

logger = logging.getLogger(__name__)

RELOAD_ENV = "MICROSOFT_AGENTS_RELOAD"
"""Set to ``1`` (or ``true``) to turn reload on without changing the code."""

CHILD_ENV = "MICROSOFT_AGENTS_RELOAD_CHILD"
"""Set by the supervisor in the environment of the process that serves."""

_POLL_SECONDS = 0.5
_STOP_TIMEOUT = 15.0
_SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "env"})

Snapshot = dict[Path, tuple[int, int]]


def reload_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``MICROSOFT_AGENTS_RELOAD`` asks for reload."""
    return environ.get(RELOAD_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def is_reload_child(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process is the one a reload supervisor started to serve."""
    return environ.get(CHILD_ENV) == "1"


def _source_files(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [
                name
                for name in subfolders
                if not name.startswith(".") and name not in _SKIPPED_FOLDERS
            ]
            for name in files:
                if name.endswith(".py"):
                    yield Path(folder, name)


def _snapshot(roots: list[Path]) -> Snapshot:
    found: Snapshot = {}
    for path in _source_files(roots):
        try:
            status = path.stat()
        except OSError:
            continue
        found[path] = (status.st_mtime_ns, status.st_size)
    return found


def _changed(before: Snapshot, after: Snapshot) -> Path | None:
    for path, stamp in after.items():
        if before.get(path) != stamp:
            return path
    for path in before:
        if path not in after:
            return path
    return None


def _watched_roots() -> list[Path]:
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    if main_file:
        return [Path(main_file).resolve().parent]
    return [Path.cwd()]


def _child_command() -> list[str]:
    # sys.orig_argv keeps interpreter options (-m module, -X ...) as they were given.
    original = list(getattr(sys, "orig_argv", []))
    if original:
        return [sys.executable, *original[1:]]
    return [sys.executable, *sys.argv]


def _stop(child: subprocess.Popen[bytes], timeout: float) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        logger.warning("the agent did not stop within %s s; killing it", timeout)
        child.kill()
        child.wait()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_with_reload(roots: list[Path] | None = None, *, stop_timeout: float = _STOP_TIMEOUT) -> int:
    """Serve in a child process and restart it whenever a watched file changes.

    Args:
        roots: the folders to watch (default: the folder of the ``__main__`` script).
        stop_timeout: seconds the child has to shut down gracefully (after SIGTERM)
            before it is killed.

    Returns:
        The exit status to leave with (0 after Ctrl+C).
    """
    watched = roots or _watched_roots()
    environment = {**os.environ, CHILD_ENV: "1"}
    command = _child_command()
    logger.info(
        "reload on: watching the Python files under %s",
        ", ".join(str(root) for root in watched),
    )
    snapshot = _snapshot(watched)
    child: subprocess.Popen[bytes] | None = None
    signal.signal(signal.SIGTERM, _interrupt)
    if hasattr(signal, "SIGHUP"):
        # The terminal closing: the child, in a session of its own, would not hear of it.
        signal.signal(signal.SIGHUP, _interrupt)
    try:
        while True:
            if child is None:
                # A session of its own: Ctrl+C in the terminal signals the supervisor's
                # group only, and the child gets one SIGTERM from _stop. Both signals at
                # once would make aiohttp abort instead of shutting down gracefully.
                child = subprocess.Popen(  # noqa: S603 - our own argv
                    command, env=environment, start_new_session=os.name == "posix"
                )
            time.sleep(_POLL_SECONDS)
            current = _snapshot(watched)
            changed = _changed(snapshot, current)
            if changed is None:
                status = child.poll()
                if status is not None and status != 0:
                    # Crashed or failed to start: wait for the fix, then try again.
                    logger.error(
                        "the agent exited with status %s; fix the code, it restarts on save",
                        status,
                    )
                    while _changed(snapshot, current) is None:
                        time.sleep(_POLL_SECONDS)
                        current = _snapshot(watched)
                    snapshot = current
                    child = None
                elif status == 0:
                    return 0
                continue
            logger.info("reloading: %s changed", changed)
            snapshot = current
            _stop(child, stop_timeout)
            child = None
    except KeyboardInterrupt:
        return 0
    finally:
        if child is not None:
            _stop(child, stop_timeout)
