"""Automatic reload on code change (``start_server(..., reload=True)``).

The end-to-end test starts a real agent script in a subprocess with reload on, talks to
it on 127.0.0.1, edits the script, and talks to the restarted agent. Readiness and
restarts are read from the log lines the processes write, never guessed with sleeps.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import textwrap
from pathlib import Path
from typing import Any

import aiohttp

from microsoft_agents.hosting.aiohttp import _reload

TIMEOUT = 60.0

SCRIPT = """
import logging
import sys

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")

from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

APP = AgentApplication[TurnState](
    storage=MemoryStorage(), adapter=CloudAdapter(), start_typing_timer=False
)
REPLY = "{reply}"


@APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await context.send_activity(REPLY)


start_server(APP, reload=True)
"""


def test_reload_is_read_from_the_environment() -> None:
    assert _reload.reload_requested({"MICROSOFT_AGENTS_RELOAD": "1"})
    assert _reload.reload_requested({"MICROSOFT_AGENTS_RELOAD": "True"})
    assert not _reload.reload_requested({"MICROSOFT_AGENTS_RELOAD": "0"})
    assert not _reload.reload_requested({})
    assert _reload.is_reload_child({"MICROSOFT_AGENTS_RELOAD_CHILD": "1"})


def test_changes_are_found_in_source_files_only(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("A = 1\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "cached.py").write_text("")
    before = _reload._snapshot([tmp_path])
    assert set(before) == {tmp_path / "app.py"}
    (tmp_path / "notes.txt").write_text("still not code\n")
    assert _reload._changed(before, _reload._snapshot([tmp_path])) is None
    (tmp_path / "app.py").write_text("A = 22\n")
    assert _reload._changed(before, _reload._snapshot([tmp_path])) == tmp_path / "app.py"
    (tmp_path / "app.py").unlink()
    assert _reload._changed(before, _reload._snapshot([tmp_path])) == tmp_path / "app.py"


# An agent whose turns take a while: what a Ctrl+C must let finish.
SLOW_SCRIPT = """
import asyncio
import logging
import sys

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")

from microsoft_agents.hosting.aiohttp import CloudAdapter, start_server
from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnContext, TurnState

APP = AgentApplication[TurnState](
    storage=MemoryStorage(),
    adapter=CloudAdapter(),
    start_typing_timer=False,
    long_running_messages=True,
)


@APP.activity("message")
async def on_message(context: TurnContext, state: TurnState) -> None:
    await asyncio.sleep(3)  # the work itself
    logging.getLogger("agent").info("work done")


start_server(APP, reload=True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _start(script: Path, port: int, **options: Any) -> asyncio.subprocess.Process:
    """Run ``script`` (which starts an agent with reload on) on ``port``, stderr piped."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        cwd=script.parent,
        env={**os.environ, "PORT": str(port)},
        stderr=asyncio.subprocess.PIPE,
        **options,
    )
    assert process.stderr is not None
    return process


async def _wait_for_line(stream: asyncio.StreamReader, needle: str) -> str:
    while True:
        line = (await asyncio.wait_for(stream.readline(), TIMEOUT)).decode()
        if not line:
            raise AssertionError(f"the agent exited before logging {needle!r}")
        if needle in line:
            return line


async def _ask(session: aiohttp.ClientSession, port: int) -> list[str]:
    activity = {
        "type": "message",
        "id": f"m-{os.urandom(4).hex()}",
        "channelId": "test",
        "deliveryMode": "expectReplies",
        "from": {"id": "user"},
        "recipient": {"id": "agent"},
        "conversation": {"id": "c"},
        "text": "which version?",
    }
    async with session.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as answer:
        assert answer.status == 200
        return [a["text"] for a in (await answer.json())["activities"]]


async def test_the_agent_restarts_when_its_code_changes(tmp_path: Path) -> None:
    script = tmp_path / "agent.py"
    script.write_text(textwrap.dedent(SCRIPT.format(reply="first version")))
    port = _free_port()
    process = await _start(script, port)
    assert process.stderr is not None
    try:
        await _wait_for_line(process.stderr, "reload on")
        await _wait_for_line(process.stderr, "listening on")
        async with aiohttp.ClientSession() as session:
            assert await _ask(session, port) == ["first version"]

            script.write_text(textwrap.dedent(SCRIPT.format(reply="second version")))
            await _wait_for_line(process.stderr, "reloading")
            await _wait_for_line(process.stderr, "listening on")
            assert await _ask(session, port) == ["second version"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), TIMEOUT)
    assert status == 0


async def test_ctrl_c_in_the_terminal_shuts_the_agent_down_gracefully(tmp_path: Path) -> None:
    """The terminal sends SIGINT to the whole foreground group; the serving child must get
    one stop signal (the supervisor's), not two (a second one makes aiohttp abort)."""
    script = tmp_path / "agent.py"
    script.write_text(textwrap.dedent(SLOW_SCRIPT))
    port = _free_port()
    # A process group of its own, as a terminal gives the command it runs.
    process = await _start(script, port, start_new_session=True)
    assert process.stderr is not None
    interrupted = False
    try:
        await _wait_for_line(process.stderr, "listening on")
        activity = {
            "type": "message",
            "id": "slow-1",
            "channelId": "test",
            "serviceUrl": "http://127.0.0.1:9/",
            "from": {"id": "user"},
            "recipient": {"id": "agent"},
            "conversation": {"id": "c"},
            "text": "a long job",
        }
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/api/messages"
            async with session.post(url, json=activity) as answer:
                assert answer.status == 202  # the turn goes on in the background
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C
        interrupted = True
        await _wait_for_line(process.stderr, "work done")
        await _wait_for_line(process.stderr, "1 background turn(s) finished before shutdown")
    finally:
        if process.returncode is None and not interrupted:
            process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), TIMEOUT)
    assert status == 0
