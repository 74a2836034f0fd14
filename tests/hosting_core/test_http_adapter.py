"""HttpAdapterBase.process_request and ChannelServiceRoutes: every status of protocol §4.1.

A fake HttpRequestProtocol stands in for the web framework; outbound calls go to
aioresponses. Bad input is always a clear 4xx, never a 500 with a stack trace.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aioresponses import aioresponses
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    InvokeResponse,
    ResourceResponse,
)
from microsoft_agents.hosting.core import (
    ActivityHandler,
    ChannelServiceRoutes,
    ClaimsIdentity,
    HttpAdapterBase,
    HttpResponse,
    TurnContext,
)
from microsoft_agents.hosting.core.http._body import INVALID_JSON

from .channel_fakes import (
    SERVICE_URL,
    FakeConnections,
    FakeRequest,
    channel_claims,
    incoming,
    make_factory,
)

REPLY_URL = SERVICE_URL + "v3/conversations/conv1/activities/m1"


class EchoAgent(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if turn_context.activity.text == "boom":
            raise RuntimeError("secret internals")
        if turn_context.activity.text == "deny":
            raise PermissionError("no")
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


class Raw:
    """An agent whose on_turn is a given coroutine function."""

    def __init__(self, func: Any) -> None:
        self.on_turn = func


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def adapter() -> AsyncIterator[HttpAdapterBase]:
    factory = make_factory(FakeConnections())
    yield HttpAdapterBase(channel_service_client_factory=factory)
    await factory.close()


def post(payload: Any = None, **kwargs: Any) -> FakeRequest:
    kwargs.setdefault("claims", channel_claims())
    return FakeRequest(payload if payload is not None else incoming(), **kwargs)


def body(response: HttpResponse) -> Any:
    raw = response.body_bytes()
    return json.loads(raw) if raw else None


# ---------------------------------------------------------------------------- success


async def test_a_normal_activity_is_202_with_no_body(
    adapter: HttpAdapterBase, mocked: aioresponses
) -> None:
    mocked.post(URL(REPLY_URL, encoded=True), payload={"id": "r1"})
    response = await adapter.process_request(
        post(incoming(conversation={"id": "conv1"})), EchoAgent()
    )
    assert (response.status_code, response.body, response.content_type) == (202, None, None)
    assert response.body_bytes() == b""


async def test_an_invoke_answers_with_its_status_and_body(adapter: HttpAdapterBase) -> None:
    async def turn(context: TurnContext) -> None:
        await context.send_activity(
            Activity(type="invokeResponse", value=InvokeResponse(status=209, body={"a": 1}))
        )

    response = await adapter.process_request(post(incoming(type="invoke")), Raw(turn))
    assert (response.status_code, body(response)) == (209, {"a": 1})
    assert response.content_type == "application/json"


async def test_an_invoke_answer_without_body_is_empty_json(adapter: HttpAdapterBase) -> None:
    async def turn(context: TurnContext) -> None:
        await context.send_activity(Activity(type="invokeResponse", value={"status": 200}))

    response = await adapter.process_request(post(incoming(type="invoke")), Raw(turn))
    assert (response.status_code, response.body_bytes()) == (200, b"")
    assert response.content_type == "application/json"


async def test_an_unanswered_invoke_is_501(adapter: HttpAdapterBase) -> None:
    async def turn(context: TurnContext) -> None:
        return None

    response = await adapter.process_request(post(incoming(type="invoke")), Raw(turn))
    assert (response.status_code, response.body_bytes()) == (501, b"")


async def test_expect_replies_is_200_with_the_activities(
    adapter: HttpAdapterBase, mocked: aioresponses
) -> None:
    payload = incoming(deliveryMode="expectReplies", serviceUrl=None)
    response = await adapter.process_request(
        post(payload, claims=channel_claims(None)), EchoAgent()
    )
    assert response.status_code == 200
    (reply,) = body(response)["activities"]
    assert reply["text"] == "echo: hi"
    assert reply["type"] == "message"
    assert not any(value is None for value in reply.values())


async def test_a_failing_turn_is_still_202_and_the_user_sees_no_detail(
    adapter: HttpAdapterBase, mocked: aioresponses
) -> None:
    mocked.post(URL(REPLY_URL, encoded=True), payload={"id": "r1"})
    response = await adapter.process_request(
        post(incoming(text="boom", conversation={"id": "conv1"})), EchoAgent()
    )
    assert response.status_code == 202
    ((_, _), (call,)) = next(iter(mocked.requests.items()))
    assert b"secret internals" not in bytes(call.kwargs["data"])


# ---------------------------------------------------------------------------- rejections


async def test_only_post_is_allowed(adapter: HttpAdapterBase) -> None:
    response = await adapter.process_request(post(method="GET"), EchoAgent())
    assert (response.status_code, body(response)) == (405, {"error": "Method Not Allowed"})


@pytest.mark.parametrize("raw", [b"", b"   ", b"{not json", b"\xff\xfe", b'{"type": "mess'])
async def test_empty_or_malformed_json_is_400(adapter: HttpAdapterBase, raw: bytes) -> None:
    response = await adapter.process_request(post(raw), EchoAgent())
    assert (response.status_code, body(response)) == (
        400,
        {"error": "Invalid JSON or unsupported Content-Type"},
    )


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/json", 202), ("application/vnd.x+json", 202), (None, 202)],
)
async def test_a_declared_non_json_content_type_is_415(
    adapter: HttpAdapterBase, content_type: str | None, status: int
) -> None:
    """Channels send application/json; a body declared as something else is refused (415).

    A request without a Content-Type is still parsed, as the Bot Framework does.
    """
    headers = {} if content_type is None else {"Content-Type": content_type}
    request = FakeRequest(incoming(type="event"), headers=headers)
    request._claims = channel_claims()

    async def turn(context: TurnContext) -> None:
        return None

    response = await adapter.process_request(request, Raw(turn))
    assert response.status_code == status


@pytest.mark.parametrize(
    "payload",
    [
        incoming(type=None),
        incoming(conversation=None),
        incoming(conversation={"name": "no id"}),
        incoming(conversation="conv1"),
        incoming(type=""),
    ],
)
async def test_missing_type_or_conversation_id_is_400(
    adapter: HttpAdapterBase, payload: dict[str, Any]
) -> None:
    response = await adapter.process_request(post(payload), EchoAgent())
    assert (response.status_code, body(response)) == (
        400,
        {"error": "Activity must have type and conversation.id"},
    )


@pytest.mark.parametrize(
    "payload",
    [
        incoming(channelId=None),
        incoming(**{"from": None}),
        incoming(**{"from": {"name": "no id"}}),
        incoming(**{"from": {"id": ""}}),
        incoming(deliveryMode="expectReplies", channelId=None),
        incoming(type="invoke", **{"from": None}),
    ],
)
async def test_missing_channel_id_or_sender_id_is_400_A2020_A2060(
    adapter: HttpAdapterBase, payload: dict[str, Any]
) -> None:
    """Every channel sends both; state is keyed on them, so the turn could not run."""

    async def turn(context: TurnContext) -> None:
        raise AssertionError("the turn must not run")

    response = await adapter.process_request(post(payload), Raw(turn))
    assert (response.status_code, body(response)) == (
        400,
        {"error": "Activity must have channelId and from.id"},
    )


async def test_the_js_agent_clients_private_channel_id_is_taken(
    adapter: HttpAdapterBase,
) -> None:
    """The JavaScript SDK's agent client (1.8) writes ``_channelId`` instead of ``channelId``."""
    payload = incoming(channelId=None, deliveryMode="expectReplies", serviceUrl=None)
    payload["_channelId"] = "test"
    seen: list[str | None] = []

    async def turn(context: TurnContext) -> None:
        seen.append(context.activity.channel_id)
        await context.send_activity("ok")

    response = await adapter.process_request(post(payload, claims=channel_claims(None)), Raw(turn))
    assert response.status_code == 200
    assert seen == ["test"]
    (reply,) = body(response)["activities"]
    assert reply["channelId"] == "test"


async def test_a_utf8_byte_order_mark_before_the_json_is_ignored(adapter: HttpAdapterBase) -> None:
    """RFC 8259 8.1 lets a parser ignore it; .NET and PowerShell writers send one."""
    payload = incoming(deliveryMode="expectReplies", serviceUrl=None)
    raw = b"\xef\xbb\xbf" + json.dumps(payload).encode()
    response = await adapter.process_request(post(raw, claims=channel_claims(None)), EchoAgent())
    assert response.status_code == 200
    assert [a["text"] for a in body(response)["activities"]] == ["echo: hi"]


async def test_half_a_surrogate_pair_is_read_as_a_replacement_character(
    adapter: HttpAdapterBase,
) -> None:
    """A sender that cut its text inside an emoji: the message is read, not refused."""
    payload = incoming(deliveryMode="expectReplies", serviceUrl=None)
    raw = json.dumps(payload).replace('"hi"', '"hi \\ud83d"').encode()
    assert b'"hi \\ud83d"' in raw
    response = await adapter.process_request(post(raw, claims=channel_claims(None)), EchoAgent())
    assert response.status_code == 200
    assert [a["text"] for a in body(response)["activities"]] == ["echo: hi \ufffd"]


async def test_a_body_not_json_for_another_reason_is_still_400(adapter: HttpAdapterBase) -> None:
    raw = b'{"type": "message", "text": "\\ud83d", }'
    response = await adapter.process_request(post(raw, claims=channel_claims(None)), EchoAgent())
    assert (response.status_code, body(response)["error"]) == (400, INVALID_JSON)


@pytest.mark.parametrize("marks", [2, 5000])
async def test_only_one_byte_order_mark_is_ignored(adapter: HttpAdapterBase, marks: int) -> None:
    """More than one is not JSON: 400 at once, however many (each used to cost a recursion)."""
    raw = b"\xef\xbb\xbf" * marks + json.dumps(incoming()).encode()
    response = await adapter.process_request(post(raw, claims=channel_claims(None)), EchoAgent())
    assert response.status_code == 400
    assert body(response)["error"] == INVALID_JSON


async def test_the_field_path_names_only_the_callers_keys_and_indexes(
    adapter: HttpAdapterBase,
) -> None:
    response = await adapter.process_request(post(incoming(entities=[5])), EchoAgent())
    assert response.status_code == 400
    message = body(response)["error"]
    assert message.startswith("Invalid activity: field 'entities.0': ")
    assert "tagged-union" not in message


async def test_a_body_of_countless_bad_values_is_400_without_the_details(
    adapter: HttpAdapterBase,
) -> None:
    """Listing every problem took seconds and gigabytes for a body of a million bad items."""
    payload = incoming(entities=[0] * 5_000)
    response = await adapter.process_request(post(payload), EchoAgent())
    assert response.status_code == 400
    message = body(response)["error"]
    assert message.startswith("Invalid activity: ")
    assert message.endswith(" values are invalid")
    assert int(message.split()[2]) >= 5_000


async def test_a_body_that_is_not_an_object_is_400(adapter: HttpAdapterBase) -> None:
    response = await adapter.process_request(post(b"[1, 2]"), EchoAgent())
    assert response.status_code == 400


async def test_a_validation_error_is_400_naming_the_field(adapter: HttpAdapterBase) -> None:
    payload = incoming(recipient={"id": "28:agent", "name": ["not", "a", "string"]})
    response = await adapter.process_request(post(payload), EchoAgent())
    assert response.status_code == 400
    message = body(response)["error"]
    assert "recipient.name" in message
    assert "not" not in message.replace("not a valid", "")  # the value is not echoed


async def test_a_normal_activity_without_service_url_is_400(adapter: HttpAdapterBase) -> None:
    response = await adapter.process_request(post(incoming(serviceUrl=None)), EchoAgent())
    assert (response.status_code, body(response)) == (
        400,
        {"error": "Activity must have a serviceUrl"},
    )


async def test_an_oversized_body_is_413() -> None:
    factory = make_factory(FakeConnections())
    adapter = HttpAdapterBase(channel_service_client_factory=factory, max_body_bytes=100)
    big = incoming(text="x" * 200)
    response = await adapter.process_request(post(big), EchoAgent())
    assert response.status_code == 413
    declared = post(incoming(), headers={"Content-Length": "5000"})
    assert (await adapter.process_request(declared, EchoAgent())).status_code == 413
    await factory.close()


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("GET", {"Content-Type": "application/json"}, 405),
        ("POST", {"Content-Type": "text/plain"}, 415),
        ("POST", {"Content-Type": "application/json", "Content-Length": "101"}, 413),
        ("POST", {"Content-Type": "application/json", "Content-Length": "100"}, None),
        ("POST", {}, None),
    ],
)
async def test_the_headers_alone_decide_some_refusals_before_the_body_is_read(
    method: str, headers: dict[str, str], status: int | None
) -> None:
    factory = make_factory(FakeConnections())
    adapter = HttpAdapterBase(channel_service_client_factory=factory, max_body_bytes=100)

    class HeadersOnly(FakeRequest):
        async def body(self) -> bytes:
            raise AssertionError("the body must not be read")

    refusal = adapter.refusal_before_body(HeadersOnly(method=method, headers=headers))

    assert (None if refusal is None else refusal.status_code) == status
    await factory.close()


async def test_no_identity_while_auth_is_configured_is_401(adapter: HttpAdapterBase) -> None:
    request = FakeRequest(incoming())  # no claims: the JWT middleware did not run
    response = await adapter.process_request(request, EchoAgent())
    assert (response.status_code, body(response)) == (401, {"error": "Unauthorized"})


async def test_a_permission_error_escaping_the_turn_is_401(mocked: aioresponses) -> None:
    factory = make_factory(FakeConnections())
    adapter = HttpAdapterBase(channel_service_client_factory=factory, on_turn_error=None)
    response = await adapter.process_request(post(incoming(text="deny")), EchoAgent())
    assert (response.status_code, body(response)) == (401, {"error": "Unauthorized"})
    await factory.close()


async def test_an_unexpected_error_is_a_generic_500_with_the_traceback_in_the_log(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    factory = make_factory(FakeConnections())
    adapter = HttpAdapterBase(channel_service_client_factory=factory, on_turn_error=None)
    with caplog.at_level(logging.ERROR):
        response = await adapter.process_request(post(incoming(text="boom")), EchoAgent())
    assert (response.status_code, body(response)) == (500, {"error": "Internal Server Error"})
    assert "secret internals" not in response.body_bytes().decode()
    assert any(record.exc_info for record in caplog.records)
    await factory.close()


def test_a_connection_manager_or_a_factory_is_required() -> None:
    with pytest.raises(ValueError, match="connection_manager"):
        HttpAdapterBase()


async def test_it_builds_the_rest_factory_from_the_connection_manager() -> None:
    adapter = HttpAdapterBase(
        connection_manager=FakeConnections(),
        channel_service_client_factory_options={
            "token_service_endpoint": "https://token.botframework.com"
        },
    )
    factory = adapter.channel_service_client_factory
    assert factory.auth_configured
    assert adapter.host_validator is not None
    assert adapter.host_validator.enabled
    await factory.close()


# ---------------------------------------------------------------------------- callback routes


class Handler:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    async def on_send_to_conversation(
        self, claims: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        self.calls.append(("send", conversation_id, activity.text))
        return ResourceResponse(id="sent-1")

    async def on_reply_to_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        self.calls.append(("reply", conversation_id, activity_id))
        return ResourceResponse(id="reply-1")

    async def on_send_conversation_history(
        self, claims: ClaimsIdentity, conversation_id: str, transcript: Any
    ) -> ResourceResponse:
        self.calls.append(("history", conversation_id, len(transcript.activities or [])))
        return ResourceResponse(id="history-1")

    async def on_delete_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> None:
        self.calls.append(("delete", conversation_id, activity_id))

    async def on_get_conversation_members(
        self, claims: ClaimsIdentity, conversation_id: str
    ) -> list[ChannelAccount]:
        return [ChannelAccount(id="29:1", name="Ann")]

    async def on_get_conversation_member(
        self, claims: ClaimsIdentity, user_id: str, conversation_id: str
    ) -> ChannelAccount:
        self.calls.append(("member", user_id, conversation_id))
        return ChannelAccount(id=user_id)


async def test_the_history_route_is_reachable_before_the_reply_route() -> None:
    """§18 row 7: POST …/activities/history is matched before …/activities/{activity_id}."""
    routes = ChannelServiceRoutes(Handler(), base_url="/api/botresponse")
    found = routes.find("POST", "/api/botresponse/v3/conversations/c1/activities/history")
    assert found is not None
    route, params = found
    assert route.handler == routes.send_conversation_history
    assert params == {"conversation_id": "c1"}
    paths = [(r.method, r.path) for r in routes.routes]
    history = paths.index(
        ("POST", "/api/botresponse/v3/conversations/{conversation_id}/activities/history")
    )
    reply = paths.index(
        ("POST", "/api/botresponse/v3/conversations/{conversation_id}/activities/{activity_id}")
    )
    assert history < reply
    assert ("POST", "/api/botresponse/") in paths  # upstream's root mount, kept


async def test_routes_call_the_handler_and_answer_json() -> None:
    handler = Handler()
    routes = ChannelServiceRoutes(handler)
    claims = channel_claims()

    async def call(method: str, path: str, payload: Any = None) -> HttpResponse:
        found = routes.find(method, path)
        assert found is not None
        route, params = found
        request = FakeRequest(payload, method=method, claims=claims, path_params=params)
        return await route.handler(request)

    sent = await call("POST", "/v3/conversations/c1/activities", {"type": "message", "text": "x"})
    assert (sent.status_code, body(sent)) == (200, {"id": "sent-1"})
    history = await call(
        "POST", "/v3/conversations/c1/activities/history", {"activities": [{"type": "message"}]}
    )
    assert body(history) == {"id": "history-1"}
    deleted = await call("DELETE", "/v3/conversations/c1/activities/a9")
    assert (deleted.status_code, deleted.body_bytes()) == (200, b"")
    members = await call("GET", "/v3/conversations/c1/members")
    assert body(members) == [{"id": "29:1", "name": "Ann"}]
    member = await call("GET", "/v3/conversations/c1/members/29:7")
    assert body(member) == {"id": "29:7"}
    assert handler.calls == [
        ("send", "c1", "x"),
        ("history", "c1", 1),
        ("delete", "c1", "a9"),
        ("member", "29:7", "c1"),
    ]


async def test_routes_reject_bad_input_with_4xx() -> None:
    routes = ChannelServiceRoutes(Handler())
    params = {"conversation_id": "c1"}
    no_claims = FakeRequest({"type": "message"}, path_params=params)
    assert (await routes.send_to_conversation(no_claims)).status_code == 401
    not_json = FakeRequest(
        b"type=message",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        claims=channel_claims(),
        path_params=params,
    )
    assert (await routes.send_to_conversation(not_json)).status_code == 415
    malformed = FakeRequest(b"{", claims=channel_claims(), path_params=params)
    assert (await routes.send_to_conversation(malformed)).status_code == 400
    invalid = FakeRequest({"text": "no type"}, claims=channel_claims(), path_params=params)
    response = await routes.send_to_conversation(invalid)
    assert response.status_code == 400
    assert "type" in body(response)["error"]


async def test_a_turn_leaves_no_reference_cycles(
    adapter: HttpAdapterBase, mocked: aioresponses
) -> None:
    """A turn's objects are freed when it ends, not left to the garbage collector."""
    import gc

    from microsoft_agents.hosting.core import AgentApplication, MemoryStorage, TurnState

    mocked.post(
        re.compile(re.escape(SERVICE_URL) + r"v3/conversations/conv1/activities/.*"),
        payload={"id": "r1"},
        repeat=True,
    )
    app = AgentApplication[TurnState](storage=MemoryStorage(), adapter=adapter)

    @app.message("stream")
    async def on_stream(context: TurnContext, state: TurnState) -> None:
        context.streaming_response.queue_text_chunk("streamed")
        await context.streaming_response.end_stream()

    @app.activity("message")
    async def on_message(context: TurnContext, state: TurnState) -> None:
        state.conversation.set_value("seen", True)
        await context.send_activity("hi")

    def turns(n: int) -> list[Any]:
        return [
            incoming(id=f"x{n}", conversation={"id": "conv1"}),
            incoming(id=f"y{n}", conversation={"id": "conv1"}, deliveryMode="expectReplies"),
            incoming(id=f"z{n}", conversation={"id": "conv1"}, text="stream"),
        ]

    for n in range(2):  # warm-up: models build their validators, caches fill
        for payload in turns(n):
            await adapter.process_request(post(payload), app)
    gc.collect()
    gc.disable()
    try:
        for n in range(2, 7):
            for payload in turns(n):
                response = await adapter.process_request(post(payload), app)
                assert response.status_code in (200, 202)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        leftovers = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert leftovers == []
