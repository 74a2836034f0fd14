"""pytest plugin of microsoft-agents-hosting-core: the ``agent_tester`` fixture.

Registered through the ``pytest11`` entry point, so installing the package is enough::

    async def test_echo(agent_tester):
        result = await agent_tester(app).send("hi")
        assert result.texts == ["You said: hi"]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from microsoft_agents.hosting.core._agent import Agent

from ._tester import AgentTester

__all__ = ["agent_tester"]


@pytest.fixture
def agent_tester() -> Callable[..., AgentTester]:
    """Build an :class:`AgentTester` for an agent: ``agent_tester(app, channel_id="msteams")``."""

    def build(agent: Agent, **options: Any) -> AgentTester:
        return AgentTester(agent, **options)

    return build
