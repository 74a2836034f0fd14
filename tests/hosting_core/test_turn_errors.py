"""default_on_turn_error: a neutral message for the user, details only in the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

import pytest

from microsoft_agents.activity import Activity, ConversationAccount, ResourceResponse
from microsoft_agents.hosting.core import ActivityHandler, TurnContext, default_on_turn_error
from microsoft_agents.hosting.core.testing import AgentTester, TestAdapter

NEUTRAL = "The agent encountered an error or bug."
LOGGER = "microsoft_agents.hosting.core._turn_errors"


class Failing(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        raise ValueError("secret detail: db password wrong")


def _tester(channel_id: str, adapter: TestAdapter | None = None) -> AgentTester:
    adapter = adapter or TestAdapter(on_turn_error=default_on_turn_error)
    return AgentTester(Failing(), adapter=adapter, channel_id=channel_id)


def _everything_sent(replies: Sequence[Activity]) -> str:
    return json.dumps([reply.to_wire() for reply in replies])


async def test_on_msteams_the_user_sees_only_the_neutral_message() -> None:
    """§18 row 20: no exception text, no traceback, no trace activity off the Emulator."""
    result = await _tester("msteams").send("hi")

    assert [reply.type for reply in result.replies] == ["message"]
    assert result.text == NEUTRAL
    sent = _everything_sent(result.replies)
    assert "secret detail" not in sent
    assert "Traceback" not in sent


@pytest.mark.parametrize("channel_id", ["emulator", "test"])
async def test_on_the_emulator_a_trace_names_the_error_without_the_stack(channel_id: str) -> None:
    """§18 row 20: the trace carries the type and message of the error, never the stack."""
    result = await _tester(channel_id).send("hi")

    assert result.text == NEUTRAL
    (trace,) = result.of_type("trace")
    wire = trace.to_wire(exclude_none=True)
    assert {key: wire.get(key) for key in ("type", "name", "valueType", "label", "value")} == {
        "type": "trace",
        "name": "OnTurnError Trace",
        "valueType": "https://www.botframework.com/schemas/error",
        "label": "TurnError",
        "value": "ValueError: secret detail: db password wrong",
    }
    assert "Traceback" not in _everything_sent(result.replies)
    assert [reply.type for reply in result.replies] == ["message", "trace"]


async def test_a_sub_channel_of_the_emulator_still_gets_the_trace() -> None:
    result = await _tester("emulator:local").send("hi")
    assert len(result.of_type("trace")) == 1


async def test_the_error_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        result = await _tester("msteams").send("hi")

    (record,) = [r for r in caplog.records if r.name == LOGGER]
    assert record.levelno == logging.ERROR
    assert "ValueError" in record.getMessage()
    assert result.activity.id is not None
    assert result.activity.id in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    assert record.exc_info[2] is not None  # the traceback is in the log
    assert "secret detail" in caplog.text


async def test_values_from_the_request_cannot_forge_log_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    forged = "c1\r\nERROR forged line"
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        await _tester("msteams").send("hi", conversation=ConversationAccount(id=forged), id="a\nb")

    (record,) = [r for r in caplog.records if r.name == LOGGER]
    message = record.getMessage()
    assert "\n" not in message
    assert "\r" not in message
    assert repr(forged) in message  # still readable, escaped


class BrokenAdapter(TestAdapter):
    """An adapter whose channel refuses every post."""

    async def send_activities(
        self, context: TurnContext, activities: Sequence[Activity]
    ) -> list[ResourceResponse]:
        raise ConnectionError("channel unreachable")


@pytest.mark.parametrize("channel_id", ["msteams", "emulator"])
async def test_a_failure_to_send_is_logged_not_raised(
    channel_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = BrokenAdapter(on_turn_error=default_on_turn_error)
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        result = await _tester(channel_id, adapter).send("hi")

    assert result.replies == []
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert "could not tell the user that the turn failed" in messages
    if channel_id == "emulator":
        assert "could not send the OnTurnError Trace activity" in messages
    failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is ConnectionError]
    assert failures


async def test_it_can_be_called_from_a_custom_handler() -> None:
    cleaned: list[str] = []

    async def on_error(context: TurnContext, error: Exception) -> None:
        cleaned.append(type(error).__name__)
        await default_on_turn_error(context, error)

    result = await AgentTester(
        Failing(), adapter=TestAdapter(on_turn_error=on_error), channel_id="msteams"
    ).send("hi")
    assert cleaned == ["ValueError"]
    assert result.texts == [NEUTRAL]
