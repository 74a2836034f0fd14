"""The echo sample agents of spec/samples.md, written the way a user writes them.

Each ``create_*`` function builds one sample with the public API only, exactly as its
module would at import time (the tests need a fresh application, and so a fresh storage,
per test). What the samples do, and what a user sees, is checked in
``test_sample_scenarios.py``.

The state counter and cards agents are not here: they are the runnable samples
``test_samples/state_counter/app.py`` and ``test_samples/cards/app.py``, which
:func:`load_sample` imports by path, so there is one copy of each.
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from microsoft_agents.hosting.core import (
    AgentApplication,
    ChannelAdapter,
    MemoryStorage,
    TurnContext,
    TurnState,
)

SAMPLES = Path(__file__).resolve().parents[2] / "test_samples"
_loaded = itertools.count(1)


def load_sample(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of ``test_samples/<name>/app.py``, without running its server.

    Each call builds a new ``AGENT_APP`` (so a new storage); the module is registered in
    ``sys.modules`` for the test only.
    """
    module_name = f"_hosting_core_sample_{name}_{next(_loaded)}"
    spec = importlib.util.spec_from_file_location(module_name, SAMPLES / name / "app.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- S1: echo

ECHO_WELCOME = (
    "Welcome to the Echo Agent sample 🚀. Type /help for help or send a message to see the "
    "echo feature in action."
)
QUICKSTART_WELCOME = (
    "Welcome to the empty agent! This agent is designed to be a starting point for your own "
    "agent development."
)


def create_echo_agent(adapter: ChannelAdapter) -> AgentApplication[TurnState]:
    """S1, ``app_style/empty_agent.py``: welcome, ``/help`` and echo."""
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    async def _help(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(ECHO_WELCOME)

    app.conversation_update("membersAdded")(_help)
    app.message("/help")(_help)

    @app.activity("message")
    async def on_message(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(f"you said: {context.activity.text}")

    return app


def create_quickstart_agent(adapter: ChannelAdapter) -> AgentApplication[TurnState]:
    """The dev/integration "quickstart": the echo agent plus a ``hello`` route."""
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    async def _help(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(QUICKSTART_WELCOME)

    app.conversation_update("membersAdded")(_help)
    app.message("/help")(_help)

    @app.message(re.compile(r"^hello$"))
    async def on_hello(context: TurnContext, _: TurnState) -> None:
        await context.send_activity("Hello!")

    @app.activity("message")
    async def on_message(context: TurnContext, _: TurnState) -> None:
        await context.send_activity(f"you said: {context.activity.text}")

    return app
