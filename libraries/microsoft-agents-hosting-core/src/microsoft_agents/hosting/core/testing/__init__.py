"""Test an agent in-process: send it activities, look at what it answered.

No HTTP server, no channel, no sleeps: :class:`AgentTester` runs each turn through an
in-memory :class:`TestAdapter`, and awaiting a turn awaits everything the agent sent in
it. A unit test of an agent takes three lines::

    async def test_echo():
        result = await AgentTester(app).send("hi")
        assert result.texts == ["You said: hi"]

With pytest, the ``agent_tester`` fixture (registered by this package's pytest plugin)
builds a tester for an agent: ``tester = agent_tester(app)``.

Every turn returns a :class:`TurnResult`: the activities the agent sent (``replies``, all
types; ``messages``; ``texts``), the answer to an invoke (``invoke_response``), and the
activities it updated or deleted. The tester keeps one conversation across turns, so
conversation and user state carry over from one ``send`` to the next.
"""

from ._adapter import TestAdapter
from ._tester import AgentTester, TurnResult

__all__ = ["AgentTester", "TestAdapter", "TurnResult"]
