"""The echo load benchmark's own checks pass, without wrk, servers or PyPI.

``bench/echo_load.py --self-check`` builds the request bodies and the wrk Lua script of both
paths and reads them back, and parses ``/proc`` lines; it starts no process and opens no
socket. The load run itself needs wrk and takes minutes, so it is not run here (and its
figures are never asserted on).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def test_self_check_passes(run_bench: Any) -> None:
    done = run_bench("echo_load.py", "--self-check", timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("Lua script (normal)" in line for line in lines)
    assert any("Lua script (expectReplies)" in line for line in lines)
    assert any("/proc parsing" in line for line in lines)
    assert all(line.startswith("self-check ok") for line in lines)


def test_self_check_json(run_bench: Any) -> None:
    done = run_bench("echo_load.py", "--self-check", "--json", timeout=60)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert len(report["self_check"]) >= 5


def test_without_wrk_it_says_how_to_install_it(run_bench: Any, tmp_path: Path) -> None:
    env = dict(os.environ, PATH=str(tmp_path))  # an empty folder: no wrk on PATH

    done = run_bench("echo_load.py", "--quick", "--no-reference", env=env, timeout=60)

    assert done.returncode == 2
    assert "apt-get install -y wrk" in done.stderr
