"""Transcript logging: the loggers, the middleware and the file transcript store."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
)
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.storage import (
    ConsoleTranscriptLogger,
    FileTranscriptLogger,
    FileTranscriptStore,
    PagedResult,
    TranscriptInfo,
    TranscriptLogger,
    TranscriptLoggerMiddleware,
    TranscriptStore,
)
from microsoft_agents.hosting.core.testing import AgentTester


class RecordingLogger(TranscriptLogger):
    def __init__(self) -> None:
        self.activities: list[Activity] = []

    async def log_activity(self, activity: Activity) -> None:
        self.activities.append(activity)


class FailingLogger(TranscriptLogger):
    async def log_activity(self, activity: Activity) -> None:
        raise OSError("disk full")


class EchoAgent:
    """Echoes; "edit" sends then updates its reply; "remove" sends then deletes it."""

    async def on_turn(self, context: TurnContext) -> None:
        text = context.activity.text or ""
        if context.activity.type != ActivityTypes.message:
            return
        receipt = await context.send_activity(f"echo: {text}")
        assert receipt is not None
        if text == "edit":
            await context.update_activity(
                Activity(type=ActivityTypes.message, id=receipt.id, text="edited")
            )
        elif text == "remove":
            assert receipt.id is not None
            await context.delete_activity(receipt.id)


def _tester(transcript_logger: TranscriptLogger, **options: object) -> AgentTester:
    tester = AgentTester(EchoAgent(), **options)  # type: ignore[arg-type]
    tester.adapter.use(TranscriptLoggerMiddleware(transcript_logger))
    return tester


def _activity(text: str, **fields: object) -> Activity:
    values: dict[str, object] = {
        "type": "message",
        "id": "a1",
        "text": text,
        "channel_id": "test",
        "conversation": ConversationAccount(id="c1"),
        "from_property": ChannelAccount(id="u1"),
    }
    values.update(fields)
    return Activity(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- loggers


async def test_console_logger_writes_one_camel_case_json_line_without_nulls() -> None:
    stream = io.StringIO()
    console = ConsoleTranscriptLogger(stream)

    await console.log_activity(_activity("hi", reply_to_id=None))
    await console.log_activity(_activity("again"))

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == {
        "type": "message",
        "id": "a1",
        "text": "hi",
        "channelId": "test",
        "conversation": {"id": "c1"},
        "from": {"id": "u1"},
    }
    assert json.loads(lines[1])["text"] == "again"


async def test_console_logger_writes_to_standard_output_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await ConsoleTranscriptLogger().log_activity(_activity("to stdout"))

    assert json.loads(capsys.readouterr().out)["text"] == "to stdout"


async def test_file_logger_appends_json_lines_creating_folders(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "nested" / "transcript.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"type":"message","text":"earlier"}\n', encoding="utf-8")
    file_logger = FileTranscriptLogger(path)

    await file_logger.log_activity(_activity("héllo"))

    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["earlier", "héllo"]


async def test_file_logger_keeps_lines_whole_under_concurrent_turns(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "transcript.jsonl"
    file_logger = FileTranscriptLogger(path)

    await asyncio.gather(*(file_logger.log_activity(_activity(f"m{i}")) for i in range(30)))

    texts = [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    assert sorted(texts) == sorted(f"m{i}" for i in range(30))


# ---------------------------------------------------------------------- middleware


async def test_middleware_logs_the_incoming_activity_and_each_reply() -> None:
    recording = RecordingLogger()
    tester = _tester(recording)

    result = await tester.send("hi")

    incoming, reply = recording.activities
    assert (incoming.type, incoming.text, incoming.id) == ("message", "hi", result.activity.id)
    assert (reply.text, reply.id) == ("echo: hi", result.replies[0].id)
    assert reply.reply_to_id == result.activity.id
    assert reply.from_property is not None
    assert reply.from_property.id == "agent-1"
    assert reply.timestamp is not None


async def test_middleware_logs_updates_as_message_update() -> None:
    recording = RecordingLogger()

    result = await _tester(recording).send("edit")

    kinds = [(a.type, a.text) for a in recording.activities]
    assert kinds == [("message", "edit"), ("message", "echo: edit"), ("messageUpdate", "edited")]
    assert recording.activities[2].id == result.replies[0].id
    assert recording.activities[2].timestamp is not None


async def test_middleware_logs_deletes_as_message_delete_with_the_deleted_id() -> None:
    recording = RecordingLogger()

    result = await _tester(recording).send("remove")

    deleted = recording.activities[-1]
    assert deleted.type == ActivityTypes.message_delete
    assert deleted.id == result.replies[0].id == result.deleted[0].activity_id
    assert deleted.conversation is not None
    assert deleted.conversation.id == "conversation-1"
    assert deleted.timestamp is not None


async def test_middleware_keeps_a_timestamp_the_agent_set() -> None:
    stamp = datetime(2024, 5, 2, 9, 15, tzinfo=timezone.utc)

    class StampingAgent:
        async def on_turn(self, context: TurnContext) -> None:
            await context.send_activity(Activity(type="message", text="x", timestamp=stamp))

    recording = RecordingLogger()
    tester = AgentTester(StampingAgent())
    tester.adapter.use(TranscriptLoggerMiddleware(logger=recording))  # the reference keyword

    await tester.send("hi")

    assert recording.activities[1].timestamp == stamp


async def test_the_logger_gets_copies_it_cannot_change_the_turn_with() -> None:
    class MeddlingLogger(TranscriptLogger):
        async def log_activity(self, activity: Activity) -> None:
            activity.text = "changed by the logger"

    result = await _tester(MeddlingLogger()).send("hi")

    assert result.activity.text == "hi"
    assert result.text == "echo: hi"


async def test_a_failing_logger_never_fails_the_turn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        result = await _tester(FailingLogger()).send("edit")

    assert result.text == "echo: edit"
    assert result.updated[0].text == "edited"
    warnings = [r for r in caplog.records if "FailingLogger failed to log" in r.getMessage()]
    assert len(warnings) == 3  # incoming, reply, update
    assert all(r.levelno == logging.WARNING and r.exc_info for r in warnings)


def test_the_middleware_rejects_something_that_is_not_a_logger() -> None:
    with pytest.raises(TypeError, match="log_activity"):
        TranscriptLoggerMiddleware(object())  # type: ignore[arg-type]


# ---------------------------------------------------------------------- FileTranscriptStore


async def test_file_store_reads_back_what_the_middleware_logged(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)
    tester = _tester(store)

    await tester.send("one")
    await tester.send("two")

    page = await store.get_transcript_activities("test", "conversation-1")
    assert [a.text for a in page.items] == ["one", "echo: one", "two", "echo: two"]
    assert page.continuation_token is None
    assert isinstance(store, TranscriptStore)


async def test_file_store_pages_activities(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path, page_size=2)
    for i in range(5):
        await store.log_activity(_activity(f"m{i}"))

    texts: list[str | None] = []
    token: str | None = None
    pages = 0
    while True:
        page = await store.get_transcript_activities("test", "c1", continuation_token=token)
        texts.extend(a.text for a in page.items)
        pages += 1
        token = page.continuation_token
        if token is None:
            break

    assert texts == [f"m{i}" for i in range(5)]
    assert pages == 3


async def test_file_store_filters_by_start_date(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for day in range(4):
        await store.log_activity(_activity(f"day{day}", timestamp=start + timedelta(days=day)))

    page = await store.get_transcript_activities(
        "test",
        "c1",
        start_date=datetime(2024, 1, 3),  # naive: taken as UTC
    )

    assert [a.text for a in page.items] == ["day2", "day3"]


async def test_file_store_lists_and_deletes_transcripts(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path, page_size=2)
    first = datetime(2024, 2, 1, tzinfo=timezone.utc)
    for name in ["c3", "c1", "c2"]:
        await store.log_activity(
            _activity("x", conversation=ConversationAccount(id=name), timestamp=first)
        )
    await store.log_activity(_activity("other channel", channel_id="msteams"))

    page_one = await store.list_transcripts("test")
    page_two = await store.list_transcripts("test", page_one.continuation_token)

    assert [info.id for info in page_one.items + page_two.items] == ["c1", "c2", "c3"]
    assert page_one.items[0] == TranscriptInfo(channel_id="test", id="c1", created=first)
    assert page_two.continuation_token is None

    await store.delete_transcript("test", "c2")
    await store.delete_transcript("test", "c2")  # already gone: not an error

    remaining = await store.list_transcripts("test")
    assert [info.id for info in remaining.items] == ["c1", "c3"]
    assert (await store.get_transcript_activities("test", "c2")).items == []
    assert await store.list_transcripts("nothing-here") == PagedResult(items=[])


@pytest.mark.parametrize(
    "conversation_id",
    ["../../escape", "..", ".", "a/b\\c", "/etc/passwd", "C:\\x", "nul", "19:abc@thread.v2"],
)
async def test_file_store_ids_cannot_leave_the_root_folder(
    tmp_path: Path, conversation_id: str
) -> None:
    root = tmp_path / "root"
    store = FileTranscriptStore(root)

    await store.log_activity(
        _activity("x", channel_id="../chan", conversation=ConversationAccount(id=conversation_id))
    )

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 1
    assert written[0].resolve().is_relative_to(root.resolve())
    assert written[0].parent.parent == root
    listed = await store.list_transcripts("../chan")
    assert [info.id for info in listed.items] == [conversation_id]


async def test_file_store_keeps_ids_that_differ_only_in_case_apart(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)
    await store.log_activity(_activity("upper", conversation=ConversationAccount(id="ABC")))
    await store.log_activity(_activity("lower", conversation=ConversationAccount(id="abc")))

    upper = await store.get_transcript_activities("test", "ABC")
    lower = await store.get_transcript_activities("test", "abc")

    assert [a.text for a in upper.items] == ["upper"]
    assert [a.text for a in lower.items] == ["lower"]


async def test_file_store_handles_very_long_conversation_ids(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)
    long_a = "a:" + "x" * 400 + "A"
    long_b = "a:" + "x" * 400 + "B"
    await store.log_activity(_activity("a", conversation=ConversationAccount(id=long_a)))
    await store.log_activity(_activity("b", conversation=ConversationAccount(id=long_b)))

    listed = await store.list_transcripts("test")

    assert sorted(info.id for info in listed.items) == sorted([long_a, long_b])
    assert all(len(p.name) < 200 for p in tmp_path.rglob("*"))
    assert [a.text for a in (await store.get_transcript_activities("test", long_b)).items] == ["b"]


async def test_file_store_rejects_activities_it_cannot_file(tmp_path: Path) -> None:
    store = FileTranscriptStore(tmp_path)

    with pytest.raises(ValueError, match=r"conversation\.id=None"):
        await store.log_activity(_activity("x", conversation=None))
    with pytest.raises(ValueError, match="continuation_token"):
        await store.get_transcript_activities("test", "c1", continuation_token="page-2")
    with pytest.raises(ValueError, match="conversation_id"):
        await store.get_transcript_activities("test", "")
    with pytest.raises(ValueError, match="page_size"):
        FileTranscriptStore(tmp_path, page_size=0)
