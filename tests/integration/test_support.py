"""The fake channel of ``support.py`` answers like a channel, and fails when told to.

Later tests rely on it to check what an agent sends; these tests pin what it does, talking
to it with a plain aiohttp client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from .support import (
    DELETE_ACTIVITY,
    REPLY_TO_ACTIVITY,
    SEND_TO_CONVERSATION,
    TIMEOUT,
    UPDATE_ACTIVITY,
    FakeChannel,
    Received,
    Served,
    serve,
)


@pytest.fixture
async def channel() -> AsyncIterator[tuple[FakeChannel, Served]]:
    fake = FakeChannel()
    served = await serve(fake.application())
    try:
        yield fake, served
    finally:
        await served.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as client:
        yield client


async def call(
    session: aiohttp.ClientSession, method: str, url: str, body: object = None
) -> tuple[int, object]:
    async with session.request(method, url, json=body) as response:
        text = await response.text()
        return response.status, (await response.json() if text else None)


async def test_each_route_answers_like_a_channel_and_is_recorded_in_order(
    channel: tuple[FakeChannel, Served], session: aiohttp.ClientSession
) -> None:
    fake, served = channel
    base = f"{served.url}/v3/conversations/c%3A1/activities"

    answers = [
        await call(session, "POST", base, {"type": "message", "text": "new"}),
        await call(session, "POST", f"{base}/a1", {"type": "message", "text": "reply"}),
        await call(session, "PUT", f"{base}/a1", {"type": "message", "text": "edited"}),
        await call(session, "DELETE", f"{base}/a1"),
    ]

    assert answers == [
        (200, {"id": "channel-activity-1"}),
        (200, {"id": "channel-activity-2"}),
        (200, {"id": "a1"}),
        (200, None),
    ]
    assert [(r.route, r.method, r.match_info, r.status) for r in fake.requests] == [
        (SEND_TO_CONVERSATION, "POST", {"conversationId": "c:1"}, 200),
        (REPLY_TO_ACTIVITY, "POST", {"conversationId": "c:1", "activityId": "a1"}, 200),
        (UPDATE_ACTIVITY, "PUT", {"conversationId": "c:1", "activityId": "a1"}, 200),
        (DELETE_ACTIVITY, "DELETE", {"conversationId": "c:1", "activityId": "a1"}, 200),
    ]
    assert [r.body for r in fake.requests] == [
        {"type": "message", "text": "new"},
        {"type": "message", "text": "reply"},
        {"type": "message", "text": "edited"},
        None,
    ]
    assert fake.requests[0].path == "/v3/conversations/c:1/activities"
    assert fake.requests[0].headers["Content-Type"] == "application/json"
    assert fake.unread == 4
    assert [await fake.next_request() for _ in range(4)] == fake.requests
    assert fake.unread == 0


async def test_fail_next_answers_one_request_with_a_bot_framework_error(
    channel: tuple[FakeChannel, Served], session: aiohttp.ClientSession
) -> None:
    fake, served = channel
    url = f"{served.url}/v3/conversations/c1/activities"
    fake.fail_next(
        status=403,
        code="ContentStreamNotAllowed",
        message="Streaming is not allowed here.",
        headers={"Retry-After": "3"},
    )

    async with session.post(url, json={"type": "message"}) as response:
        failed = (response.status, await response.json(), response.headers.get("Retry-After"))
    succeeded = await call(session, "POST", url, {"type": "message"})

    assert failed == (
        403,
        {"error": {"code": "ContentStreamNotAllowed", "message": "Streaming is not allowed here."}},
        "3",
    )
    assert succeeded == (200, {"id": "channel-activity-1"})
    assert [r.status for r in fake.requests] == [403, 200]


async def test_fail_next_of_a_route_waits_for_that_route(
    channel: tuple[FakeChannel, Served], session: aiohttp.ClientSession
) -> None:
    fake, served = channel
    base = f"{served.url}/v3/conversations/c1/activities"
    fake.fail_next(status=404, code="ActivityNotFound", route=UPDATE_ACTIVITY)

    statuses = [
        (await call(session, "POST", base, {"type": "message"}))[0],
        (await call(session, "PUT", f"{base}/a1", {"type": "message"}))[0],
        (await call(session, "PUT", f"{base}/a1", {"type": "message"}))[0],
    ]

    assert statuses == [200, 404, 200]


async def test_fail_when_fails_the_requests_its_predicate_picks(
    channel: tuple[FakeChannel, Served], session: aiohttp.ClientSession
) -> None:
    fake, served = channel
    url = f"{served.url}/v3/conversations/c1/activities"

    def is_typing(received: Received) -> bool:
        return isinstance(received.body, dict) and received.body.get("type") == "typing"

    fake.fail_when(is_typing, status=429, code="TooManyRequests", message="Slow down", times=2)

    statuses = [
        (await call(session, "POST", url, {"type": kind}))[0]
        for kind in ("typing", "message", "typing", "typing")
    ]

    assert statuses == [429, 200, 429, 200]
    message = await fake.next_message()
    assert message.body == {"type": "message"}


async def test_serve_counts_the_connections_it_accepts(
    channel: tuple[FakeChannel, Served],
) -> None:
    _, served = channel
    url = f"{served.url}/v3/conversations/c1/activities"

    async with aiohttp.ClientSession() as one:
        for _ in range(3):
            await call(one, "POST", url, {"type": "message"})
    assert served.accepted == 1  # keep-alive: one connection for three requests

    async with aiohttp.ClientSession() as another:
        await call(another, "POST", url, {"type": "message"})
    assert served.accepted == 2
