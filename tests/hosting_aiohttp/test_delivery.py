"""Repeated deliveries, long-running turns, shutdown and ``deliveryMode: stream``.

A real aiohttp server on 127.0.0.1 runs the agent; aioresponses plays the channel the
replies go to (see conftest.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aioresponses import aioresponses

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.aiohttp import CloudAdapter, create_app, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AuthenticationError,
    HttpResponse,
    MemoryStorage,
    TurnContext,
    TurnState,
    _channel_service_adapter,
)
from microsoft_agents.hosting.core.http import _deliveries
from microsoft_agents.hosting.core.http._deliveries import DEFAULT_CAPACITY, RecentDeliveries

from .support import REPLY_URL, make_activity, sent_bodies

TIMEOUT = 5.0


def _app(adapter: CloudAdapter | None = None, **options: Any) -> AgentApplication[TurnState]:
    return AgentApplication[TurnState](
        storage=MemoryStorage(),
        adapter=adapter or CloudAdapter(),
        start_typing_timer=False,
        **options,
    )


def _waiting_app(
    adapter: CloudAdapter, reply: str | None = None, **options: Any
) -> tuple[AgentApplication[TurnState], asyncio.Event, asyncio.Event]:
    """An application whose message handler sets ``started``, waits for ``release``, then
    sends ``reply`` (if any): the app and the two events."""
    app = _app(adapter, **options)
    started = asyncio.Event()
    release = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        started.set()
        await release.wait()
        if reply is not None:
            await context.send_activity(reply)

    return app, started, release


def _events(raw: str) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a text/event-stream body."""
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


# ---------------------------------------------------------------------- repeated deliveries


async def test_a_repeated_message_runs_once_A2033(make_client: Any, channel: aioresponses) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    app = _app()
    runs: list[str] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        runs.append(context.activity.id or "")
        await context.send_activity("once")

    client = await make_client(create_app(app))
    first = await client.post("/api/messages", json=make_activity(id="m-1"))
    again = await client.post("/api/messages", json=make_activity(id="m-1"))
    other = await client.post(
        "/api/messages",
        json=make_activity(id="m-1", conversation={"id": "another-conversation"}),
    )
    assert (first.status, again.status, other.status) == (202, 202, 202)
    assert runs == ["m-1", "m-1"]  # the repeat was skipped; the other conversation ran
    assert len(sent_bodies(channel)) == 2


async def test_a_repeated_invoke_gets_the_first_answer_even_while_it_runs(
    make_client: Any, channel: aioresponses
) -> None:
    adapter = CloudAdapter()
    app = _app(adapter)
    started = asyncio.Event()
    release = asyncio.Event()
    runs = 0

    @app.activity("invoke")
    async def on_invoke(context: TurnContext, state: TurnState) -> None:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"n": runs}))
        )

    client = await make_client(create_app(app))
    invoke = make_activity(id="i-1", type="invoke", name="slow/thing")
    first = asyncio.ensure_future(client.post("/api/messages", json=invoke))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    second = asyncio.ensure_future(client.post("/api/messages", json=invoke))
    seen_again = asyncio.Event()
    answer_repeat = adapter._answer_repeat

    async def spy(*args: Any) -> Any:
        seen_again.set()
        return await answer_repeat(*args)

    adapter._answer_repeat = spy  # type: ignore[method-assign]
    await asyncio.wait_for(seen_again.wait(), TIMEOUT)
    release.set()
    answers = [await asyncio.wait_for(task, TIMEOUT) for task in (first, second)]
    assert [a.status for a in answers] == [200, 200]
    assert [await a.json() for a in answers] == [{"n": 1}, {"n": 1}]
    assert runs == 1


@pytest.mark.parametrize("status", [401, 500])
async def test_an_invoke_the_agent_answered_with_an_error_status_is_not_run_again(
    make_client: Any, channel: aioresponses, status: int
) -> None:
    app = _app(CloudAdapter())
    runs = 0

    @app.activity("invoke")
    async def on_invoke(context: TurnContext, state: TurnState) -> None:
        nonlocal runs
        runs += 1
        answer = InvokeResponse(status=status, body={"n": runs})
        await context.send_activity(Activity(type="invokeResponse", value=answer))

    client = await make_client(create_app(app))
    invoke = make_activity(id="i-2", type="invoke", name="payment/charge")
    answers = [await client.post("/api/messages", json=invoke) for _ in range(2)]
    assert [a.status for a in answers] == [status, status]
    assert [await a.json() for a in answers] == [{"n": 1}, {"n": 1}]
    assert runs == 1  # the agent answered: a retry must not charge twice


async def test_a_refused_turn_is_not_remembered(make_client: Any, channel: aioresponses) -> None:
    app = _app(CloudAdapter(on_turn_error=None))
    attempts = 0

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        nonlocal attempts
        attempts += 1
        raise AuthenticationError("the user's token was revoked")

    client = await make_client(create_app(app))
    for _ in range(2):
        response = await client.post("/api/messages", json=make_activity(id="m-2"))
        assert response.status == 401
    assert attempts == 2


async def test_duplicate_detection_can_be_turned_off(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    app = _app(CloudAdapter(duplicate_window=None))

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("again")

    client = await make_client(create_app(app))
    for _ in range(2):
        await client.post("/api/messages", json=make_activity(id="m-3"))
    assert len(sent_bodies(channel)) == 2


async def test_recent_deliveries_forget_after_the_window_and_beyond_capacity() -> None:
    now = 0.0
    recent = RecentDeliveries(10, capacity=2, clock=lambda: now)
    for n in "123":
        recent.settle(recent.add(("c", "a", n), keep_answer=False), HttpResponse(202))
    assert recent.get(("c", "a", "1")) is None  # over capacity: the oldest went
    assert recent.get(("c", "a", "3")) is not None
    now = 11.0
    assert recent.get(("c", "a", "3")) is None
    assert len(recent) == 0


def test_a_retry_of_a_turn_still_running_is_recognised_under_load() -> None:
    """The channel retries after 15 s without an answer; 200 activities a second (3000,
    each answered at once) came in meanwhile, far more than the table's capacity."""
    now = 0.0
    recent = RecentDeliveries(300, clock=lambda: now)
    slow = ("msteams", "a:conversation-0", "1001")
    running = recent.add(slow, keep_answer=True)
    for n in range(3000):
        now += 0.005
        key = ("msteams", f"a:conversation-{n % 500}", f"id-{n}")
        recent.settle(recent.add(key, keep_answer=False), HttpResponse(202))

    assert recent.get(slow) is running
    assert recent.get(("msteams", "a:conversation-0", "id-0")) is None  # finished, made room
    assert len(recent) <= DEFAULT_CAPACITY + 1
    recent.settle(running, HttpResponse(200, b"{}"))
    for n in range(DEFAULT_CAPACITY + 1):
        key = ("msteams", "a:conversation-1", f"later-{n}")
        recent.settle(recent.add(key, keep_answer=False), HttpResponse(202))
    assert recent.get(slow) is None  # finished now: it goes like the others


async def test_a_delivery_answered_but_still_running_in_the_background_is_kept() -> None:
    recent = RecentDeliveries(300, capacity=2)
    slow = ("msteams", "a:conversation", "long-running")
    delivery = recent.add(slow, keep_answer=False)
    release = asyncio.Event()
    background = asyncio.ensure_future(release.wait())
    delivery.hold_while(background)  # type: ignore[arg-type]
    recent.settle(delivery, HttpResponse(202))  # answered at once

    for n in range(10):
        recent.settle(
            recent.add(("msteams", "a:other", str(n)), keep_answer=False), HttpResponse(202)
        )
    assert recent.get(slow) is delivery

    release.set()
    await background
    for n in range(10, 13):
        recent.settle(
            recent.add(("msteams", "a:other", str(n)), keep_answer=False), HttpResponse(202)
        )
    assert recent.get(slow) is None  # over now: it makes room like the others


def test_arrive_tells_a_first_delivery_from_a_repeat_in_one_lookup() -> None:
    recent = RecentDeliveries(300)
    key = ("msteams", "a:conversation", "1")
    first, repeat = recent.arrive(key, keep_answer=True)
    assert repeat is False
    assert recent.arrive(key, keep_answer=True) == (first, True)
    recent.settle(first, HttpResponse(200, b"{}"))
    assert recent.arrive(key, keep_answer=True) == (first, True)  # answered: still a repeat
    other, repeat = recent.arrive(("msteams", "a:conversation", "2"), keep_answer=False)
    assert repeat is False
    assert other is not first


def test_a_turn_that_did_not_run_is_forgotten_when_settled() -> None:
    recent = RecentDeliveries(300)
    key = ("msteams", "a:conversation", "1")
    delivery, _ = recent.arrive(key, keep_answer=False)
    recent.settle(delivery, HttpResponse(500), ran=False)
    assert recent.get(key) is None
    again, repeat = recent.arrive(key, keep_answer=False)  # the retry runs
    assert repeat is False
    assert again is not delivery


def test_keys_that_share_a_slot_are_never_taken_for_each_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_deliveries, "_slot", lambda key: 7)  # every key collides
    recent = RecentDeliveries(300)
    first, second = ("c", "conversation", "1"), ("c", "conversation", "2")
    recent.add(first, keep_answer=False)

    assert recent.get(second) is None  # same slot, another activity: not a repeat
    recent.forget(second)  # does not drop the first one
    assert recent.get(first) is not None
    recent.add(second, keep_answer=False)  # takes the slot over
    assert recent.get(second) is not None
    assert recent.get(first) is None


# ---------------------------------------------------------------------- long-running turns


async def test_a_long_running_turn_is_acknowledged_before_it_ends(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    app = _app(adapter, long_running_messages=True)
    release = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await release.wait()
        await context.send_activity(f"finally: {context.activity.text}")

    client = await make_client(create_app(app))
    response = await client.post("/api/messages", json=make_activity(id="m-4", text="report"))
    assert response.status == 202
    assert sent_bodies(channel) == []
    assert adapter.background_turns == 1

    release.set()
    assert await adapter.drain(TIMEOUT) is True
    [(url, body)] = sent_bodies(channel)
    assert url.endswith("/activities/m-4")
    assert body["text"] == "finally: report"
    assert body["replyToId"] == "m-4"
    assert adapter.background_turns == 0


async def test_a_retry_of_a_long_running_turn_is_recognised_after_a_thousand_others(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    app = _app(adapter, long_running_messages=True)
    release = asyncio.Event()
    runs: list[str | None] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        runs.append(context.activity.id)
        await release.wait()
        await context.send_activity("done")

    client = await make_client(create_app(app))
    slow = make_activity(id="slow-1", text="report")
    assert (await client.post("/api/messages", json=slow)).status == 202
    # More activities than the table keeps finished ones, while the turn goes on.
    for n in range(DEFAULT_CAPACITY + 50):
        event = make_activity(id=f"e-{n}", type="event", name="ping")
        assert (await client.post("/api/messages", json=event)).status == 202
    assert (await client.post("/api/messages", json=slow)).status == 202  # the retry

    release.set()
    assert await adapter.drain(TIMEOUT) is True
    assert runs == ["slow-1"]
    assert len(sent_bodies(channel)) == 1


async def test_a_long_running_app_still_answers_invokes_in_the_response(
    make_client: Any, channel: aioresponses
) -> None:
    app = _app(long_running_messages=True)

    @app.activity("invoke")
    async def on_invoke(context: TurnContext, state: TurnState) -> None:
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"ok": 1}))
        )

    client = await make_client(create_app(app))
    response = await client.post("/api/messages", json=make_activity(type="invoke", name="x"))
    assert response.status == 200
    assert await response.json() == {"ok": 1}


async def test_a_long_running_app_still_answers_expect_replies_in_the_response(
    make_client: Any, channel: aioresponses
) -> None:
    """A3112, A3113: the replies an expectReplies request asks for are always buffered.

    Even where messages run in the background, such a request runs before its answer, so no
    receiver built on the SDK has to refuse it.
    """
    app = _app(long_running_messages=True)

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await asyncio.sleep(0)
        await context.send_activity(f"one: {context.activity.text}")
        await context.send_activity("two")

    client = await make_client(create_app(app))
    response = await client.post(
        "/api/messages", json=make_activity(text="hi", deliveryMode="expectReplies")
    )
    assert response.status == 200
    body = await response.json()
    assert [a["text"] for a in body["activities"]] == ["one: hi", "two"]
    assert sent_bodies(channel) == []


async def test_a_failing_long_running_turn_tells_the_user(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    app = _app(adapter, long_running_messages=True)

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        raise RuntimeError("the report generator crashed")

    client = await make_client(create_app(app))
    response = await client.post("/api/messages", json=make_activity(id="m-5"))
    assert response.status == 202
    await adapter.drain(TIMEOUT)
    [(_, body)] = sent_bodies(channel)
    assert body["text"] == "The agent encountered an error or bug."
    assert "crashed" not in json.dumps(body)


async def test_middleware_of_a_long_running_turn_runs_once_and_its_send_hooks_see_the_reply(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    log: list[str] = []

    class Transcript:
        async def on_turn(self, context: TurnContext, logic: Any) -> None:
            async def record(ctx: TurnContext, activities: list[Activity], send: Any) -> Any:
                log.extend(f"sent: {a.text}" for a in activities)
                return await send()

            context.on_send_activities(record)
            log.append("before")
            await logic()
            log.append("after")

    adapter.use(Transcript())
    app = _app(adapter, long_running_messages=True)
    release = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await release.wait()
        await context.send_activity("the report")

    client = await make_client(create_app(app))
    assert (await client.post("/api/messages", json=make_activity(id="m-11"))).status == 202
    assert log == ["before", "after"]  # around the part before the answer
    release.set()
    assert await adapter.drain(TIMEOUT) is True
    assert log == ["before", "after", "sent: the report"]


async def test_drain_cancels_what_outlives_its_timeout(
    make_client: Any, channel: aioresponses
) -> None:
    adapter = CloudAdapter()
    app = _app(adapter, long_running_messages=True)
    cancelled = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    client = await make_client(create_app(app))
    await client.post("/api/messages", json=make_activity(id="m-6"))
    assert await adapter.drain(0.05) is False
    assert cancelled.is_set()
    assert adapter.background_turns == 0


async def test_a_cancelled_turn_that_does_not_end_does_not_hold_the_drain(
    make_client: Any,
    channel: aioresponses,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(_channel_service_adapter, "CANCELLED_TURN_GRACE", 0.05)
    adapter = CloudAdapter()
    app = _app(adapter, long_running_messages=True)
    started = asyncio.Event()
    never = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            # Saying goodbye to a channel that never answers.
            await never.wait()

    client = await make_client(create_app(app))
    await client.post("/api/messages", json=make_activity(id="m-9"))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    assert await asyncio.wait_for(adapter.drain(0.01), TIMEOUT) is False
    assert "did not end within 0.05 s" in caplog.text
    never.set()


async def test_the_shutdown_handlers_do_not_wait_for_the_drain(
    make_client: Any, channel: aioresponses
) -> None:
    """aiohttp waits for requests in flight only after its shutdown handlers: a drain
    there would add its own timeout to that wait instead of sharing it."""
    adapter = CloudAdapter()
    app, started, release = _waiting_app(adapter, long_running_messages=True)
    web_app = create_app(app, shutdown_timeout=60)
    client = await make_client(web_app)
    await client.post("/api/messages", json=make_activity(id="m-10"))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    await asyncio.wait_for(web_app.shutdown(), TIMEOUT)
    assert adapter.background_turns == 1  # still draining, in the background
    release.set()
    await asyncio.wait_for(web_app.cleanup(), TIMEOUT)  # awaits the drain, then closes
    assert adapter.background_turns == 0


async def test_shutdown_waits_for_long_running_turns(
    make_client: Any, channel: aioresponses
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    app, started, release = _waiting_app(
        adapter, "made it before shutdown", long_running_messages=True
    )
    client = await make_client(create_app(app, shutdown_timeout=TIMEOUT))
    await client.post("/api/messages", json=make_activity(id="m-7"))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    draining = asyncio.Event()
    drain = adapter.drain

    async def spy(timeout: float | None = None) -> bool:
        draining.set()
        return await drain(timeout)

    adapter.drain = spy  # type: ignore[method-assign]
    shutdown = asyncio.ensure_future(client.close())
    await asyncio.wait_for(draining.wait(), TIMEOUT)
    assert not shutdown.done()
    assert adapter.background_turns == 1
    release.set()
    await asyncio.wait_for(shutdown, TIMEOUT)
    [(_, body)] = sent_bodies(channel)
    assert body["text"] == "made it before shutdown"


async def test_settling_waits_for_request_turns_and_says_when_one_is_left(
    make_client: Any, channel: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    channel.post(REPLY_URL, payload={"id": "r"}, repeat=True)
    adapter = CloudAdapter()
    app, started, release = _waiting_app(adapter, "done")
    client = await make_client(create_app(app))
    request = asyncio.ensure_future(client.post("/api/messages", json=make_activity(id="m-8")))
    await asyncio.wait_for(started.wait(), TIMEOUT)
    assert await adapter.settle_request_turns(0.01) is False
    assert "1 request turn(s) still run" in caplog.text
    release.set()
    assert await adapter.settle_request_turns(TIMEOUT) is True
    assert (await request).status == 202
    assert await adapter.settle_request_turns(0) is True  # none left: no wait


async def test_a_turn_detached_during_shutdown_gets_what_is_left_of_its_timeout(
    make_client: Any,
) -> None:
    adapter = CloudAdapter()
    client = await make_client(create_app(_app(adapter), shutdown_timeout=0.2))
    drain = adapter.drain
    never_ends = asyncio.Event()

    async def then_detach(timeout: float | None = None) -> bool:
        drained = await drain(timeout)
        if adapter.drain is then_detach:  # the first drain, at shutdown
            adapter.drain = drain  # type: ignore[method-assign]
            # A request still in flight at shutdown detaches its turn only now.
            adapter.run_in_background(never_ends.wait())  # type: ignore[arg-type]
        return drained

    adapter.drain = then_detach  # type: ignore[method-assign]
    # Bounded well below the adapter's own default close timeout (10 s).
    await asyncio.wait_for(client.close(), TIMEOUT)
    assert adapter.background_turns == 0


# ---------------------------------------------------------------------- deliveryMode: stream


def _hello_world_streamer(informative: str | None = None) -> AgentApplication[TurnState]:
    """An application that streams "Hello world" in two chunks (after ``informative``)."""
    app = _app()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        stream = context.streaming_response
        if informative is not None:
            stream.queue_informative_update(informative)
        stream.queue_text_chunk("Hello ")
        await stream.wait_for_queue()
        stream.queue_text_chunk("world")
        await stream.end_stream()

    return app


def _stream_request(activity_id: str) -> dict[str, Any]:
    """A ``deliveryMode: stream`` message without serviceUrl: replies come back in the body."""
    activity = make_activity(id=activity_id, channelId="webchat", deliveryMode="stream")
    del activity["serviceUrl"]
    return activity


async def test_stream_delivery_writes_each_reply_as_a_server_sent_event(
    make_client: Any, channel: aioresponses
) -> None:
    client = await make_client(create_app(_hello_world_streamer(informative="Working on it")))
    response = await client.post("/api/messages", json=_stream_request("s-1"))
    assert response.status == 200
    assert response.content_type == "text/event-stream"
    events = _events(await response.text())
    assert {name for name, _ in events} == {"activity"}
    sent = [data for _, data in events]
    assert [(a["type"], a["text"]) for a in sent] == [
        ("typing", "Working on it"),
        ("typing", "Hello "),
        ("message", "Hello world"),
    ]
    infos = [next(e for e in a["entities"] if e["type"] == "streaminfo") for a in sent]
    assert [i["streamType"] for i in infos] == ["informative", "streaming", "final"]
    assert [i["streamSequence"] for i in infos] == [1, 2, 3]
    assert len({i["streamId"] for i in infos}) == 1
    assert all(a["replyToId"] == "s-1" for a in sent)
    assert sent_bodies(channel) == []


async def test_stream_delivery_to_an_http_1_0_client_comes_as_one_body(
    make_client: Any, channel: aioresponses
) -> None:
    """HTTP/1.0 has no chunked encoding: the events arrive whole, once the turn is done."""
    client = await make_client(create_app(_hello_world_streamer()))
    url, activity = client.make_url("/api/messages"), _stream_request("s-10")
    async with (
        aiohttp.ClientSession(version=aiohttp.HttpVersion10) as session,
        session.post(url, json=activity) as response,
    ):
        assert response.status == 200
        assert response.content_type == "text/event-stream"
        assert "chunked" not in response.headers.get("Transfer-Encoding", "")
        events = _events(await response.text())
    assert [(a["type"], a["text"]) for _, a in events] == [
        ("typing", "Hello "),
        ("message", "Hello world"),
    ]


async def test_stream_delivery_is_an_aiohttp_response_sent_in_chunks(
    make_client: Any, channel: aioresponses
) -> None:
    """start_agent_process answers a ``web.Response``, streamed as the replies come."""
    app = _app()
    adapter = app.adapter
    assert isinstance(adapter, CloudAdapter)
    answers: list[web.StreamResponse | None] = []

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("streamed")

    async def messages(request: web.Request) -> web.Response:
        answer = await start_agent_process(request, app, adapter)
        answers.append(answer)
        return answer

    server = web.Application()
    server.router.add_post("/api/messages", messages)
    client = await make_client(server)
    response = await client.post("/api/messages", json=_stream_request("s-11"))
    assert response.status == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert [a["text"] for _, a in _events(await response.text())] == ["streamed"]
    assert [type(answer) for answer in answers] == [web.Response]


async def test_stream_delivery_of_an_invoke_ends_with_its_invoke_response(
    make_client: Any, channel: aioresponses
) -> None:
    app = _app()

    @app.activity("invoke")
    async def on_invoke(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("thinking about it")
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=200, body={"done": 1}))
        )

    client = await make_client(create_app(app))
    activity = make_activity(id="s-2", type="invoke", name="do/it", deliveryMode="stream")
    response = await client.post("/api/messages", json=activity)
    events = _events(await response.text())
    assert [name for name, _ in events] == ["activity", "invokeResponse"]
    assert events[0][1]["text"] == "thinking about it"
    assert events[1][1] == {"status": 200, "body": {"done": 1}}


async def test_a_client_that_stops_reading_a_stream_stops_the_turn(
    make_client: Any, channel: aioresponses
) -> None:
    adapter = CloudAdapter()
    app = _app(adapter)
    stopped = asyncio.Event()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        await context.send_activity("first line")
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    client = await make_client(create_app(app))
    response = await client.post(
        "/api/messages", json=make_activity(id="s-3", deliveryMode="stream")
    )
    assert response.status == 200
    first = await asyncio.wait_for(response.content.readuntil(b"\r\n\r\n"), TIMEOUT)
    assert b"first line" in first
    response.close()
    await asyncio.wait_for(stopped.wait(), TIMEOUT)
    assert await adapter.drain(TIMEOUT) is True


async def test_kept_answers_are_bounded_in_bytes_too() -> None:
    """200 kB expectReplies answers: far fewer than MAX_KEPT_ANSWERS stay in memory."""
    from microsoft_agents.hosting.core import HttpResponseFactory
    from microsoft_agents.hosting.core.http._deliveries import MAX_KEPT_ANSWER_BYTES

    recent = RecentDeliveries(300)
    big = "x" * 200_000
    keys = [("test", "c", f"e{n}") for n in range(100)]
    for key in keys:
        delivery = recent.add(key, keep_answer=True)
        recent.settle(delivery, HttpResponseFactory.json({"activities": [big]}))
    kept = [key for key in keys if recent.get(key) is not None]
    assert kept == keys[-len(kept) :]  # the most recent ones
    assert 0 < len(kept) * 200_000 <= MAX_KEPT_ANSWER_BYTES
    assert len(kept) >= MAX_KEPT_ANSWER_BYTES // 200_100


async def test_only_the_most_recent_answers_are_kept() -> None:
    """A repeat of an answered delivery whose answer was dropped to save memory runs again."""
    from microsoft_agents.hosting.core import HttpResponseFactory
    from microsoft_agents.hosting.core.http._deliveries import MAX_KEPT_ANSWERS

    recent = RecentDeliveries(300)
    keys = [("test", "c", f"i{n}") for n in range(MAX_KEPT_ANSWERS + 1)]
    for key in keys:
        delivery = recent.add(key, keep_answer=True)
        recent.settle(delivery, HttpResponseFactory.json({"n": key[2]}))
    assert recent.get(keys[0]) is None
    latest = recent.get(keys[-1])
    assert latest is not None
    assert (await latest.wait_for_answer()).body == b'{"n":"i256"}'
