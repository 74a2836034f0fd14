"""ConnectorClient and MCSConnectorClient: every operation on the wire (aioresponses, no network).

Each operation is checked for its method, its exact URL (the serviceUrl's path kept, ids
percent-encoded, conversation ids truncated), its query string, its headers and its exact
JSON body, and for the model it parses the answer into.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from io import BytesIO
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses
from aioresponses.core import RequestCall
from yarl import URL

from microsoft_agents.activity import (
    Activity,
    AttachmentData,
    AttachmentInfo,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ConversationsResult,
    PagedMembersResult,
    ResourceResponse,
    Transcript,
)
from microsoft_agents.hosting.core import (
    AdapterError,
    ConnectorClient,
    ConnectorClientBase,
    OutboundHostValidator,
    OutboundRequestRefusedError,
    ServiceError,
    get_product_info,
)
from microsoft_agents.hosting.core.connector import MCSConnectorClient, RetryPolicy

SERVICE_URL = "https://smba.trafficmanager.net/amer"
BASE = SERVICE_URL + "/"
TOKEN = "SECRET-TOKEN-abc123"
TEAMS_ID = "19:abc@thread.skype;messageid=1"
TEAMS_SEGMENT = "19%3Aabc%40thread.skype%3Bmessageid%3D1"
NO_RETRY = RetryPolicy(max_attempts=1)


def url(path: str, query: dict[str, str] | None = None, base: str = BASE) -> URL:
    """The exact (already encoded) URL a request must go to."""
    result = URL(base + path, encoded=True)
    return result.with_query(query) if query else result


def only_request(m: aioresponses) -> tuple[str, URL, RequestCall]:
    """The single request sent; fails when there were none or several."""
    assert len(m.requests) == 1, list(m.requests)
    (method, sent_url), calls = next(iter(m.requests.items()))
    assert len(calls) == 1
    return method, sent_url, calls[0]


def sent_json(call: RequestCall) -> Any:
    data = call.kwargs.get("data")
    return None if data is None else json.loads(data)


def message(**values: Any) -> Activity:
    values.setdefault("type", "message")
    values.setdefault("text", "hi")
    return Activity(**values)


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as m:
        yield m


@pytest.fixture
async def client() -> AsyncIterator[ConnectorClient]:
    connector = ConnectorClient(SERVICE_URL, TOKEN, retry=NO_RETRY)
    yield connector
    await connector.close()


# ---------------------------------------------------------------------------- every operation

Call = Callable[[ConnectorClient], Awaitable[Any]]

ACTIVITY = message(
    from_property=ChannelAccount(id="28:app", name="Agent"),
    recipient=ChannelAccount(id="29:user"),
    conversation=ConversationAccount(id="c1"),
)
ACTIVITY_WIRE = {
    "type": "message",
    "text": "hi",
    "from": {"id": "28:app", "name": "Agent"},
    "recipient": {"id": "29:user"},
    "conversation": {"id": "c1"},
}
MEMBERS = [{"id": "29:1", "name": "Ann"}, {"id": "29:2", "name": "Bob", "aadObjectId": "o2"}]
MEMBERS_PARSED = [
    ChannelAccount(id="29:1", name="Ann"),
    ChannelAccount(id="29:2", name="Bob", aad_object_id="o2"),
]

OPERATIONS: list[tuple[str, Call, str, str, dict[str, str], Any, int, Any, Any]] = [
    # id, call, method, path, query, expected body, status, answer payload, expected result
    (
        "get_conversations",
        lambda c: c.conversations.get_conversations(),
        "GET",
        "v3/conversations",
        {},
        None,
        200,
        {"conversations": [{"id": "c1", "members": MEMBERS}], "continuationToken": "n"},
        ConversationsResult(
            conversations=[{"id": "c1", "members": MEMBERS}],  # type: ignore[list-item]
            continuation_token="n",
        ),
    ),
    (
        "get_conversations_continued",
        lambda c: c.conversations.get_conversations("tok 2"),
        "GET",
        "v3/conversations",
        {"continuationToken": "tok 2"},
        None,
        200,
        {"conversations": []},
        ConversationsResult(conversations=[]),
    ),
    (
        "create_conversation",
        lambda c: c.conversations.create_conversation(
            ConversationParameters(
                is_group=False,
                agent=ChannelAccount(id="28:app"),
                members=[ChannelAccount(id="29:1")],
                tenant_id="t1",
                activity=message(text="hello"),
                topic_name=None,
            )
        ),
        "POST",
        "v3/conversations",
        {},
        {
            "isGroup": False,
            "bot": {"id": "28:app"},
            "members": [{"id": "29:1"}],
            "tenantId": "t1",
            "activity": {"type": "message", "text": "hello"},
        },
        201,
        {"id": "new-conv", "activityId": "a1", "serviceUrl": BASE},
        ConversationResourceResponse(id="new-conv", activity_id="a1", service_url=BASE),
    ),
    (
        "send_to_conversation",
        lambda c: c.conversations.send_to_conversation("c1", ACTIVITY),
        "POST",
        "v3/conversations/c1/activities",
        {},
        ACTIVITY_WIRE,
        200,
        {"id": "m1"},
        ResourceResponse(id="m1"),
    ),
    (
        "reply_to_activity",
        lambda c: c.conversations.reply_to_activity(TEAMS_ID, "1712345", ACTIVITY),
        "POST",
        f"v3/conversations/{TEAMS_SEGMENT}/activities/1712345",
        {},
        ACTIVITY_WIRE,
        202,
        {"id": "m2"},
        ResourceResponse(id="m2"),
    ),
    (
        "update_activity",
        lambda c: c.conversations.update_activity("c1", "m1", ACTIVITY),
        "PUT",
        "v3/conversations/c1/activities/m1",
        {},
        ACTIVITY_WIRE,
        200,
        {"id": "m1"},
        ResourceResponse(id="m1"),
    ),
    (
        "delete_activity",
        lambda c: c.conversations.delete_activity("c1", "m1"),
        "DELETE",
        "v3/conversations/c1/activities/m1",
        {},
        None,
        202,
        None,
        None,
    ),
    (
        "get_conversation_members",
        lambda c: c.conversations.get_conversation_members("c1"),
        "GET",
        "v3/conversations/c1/members",
        {},
        None,
        200,
        MEMBERS,
        MEMBERS_PARSED,
    ),
    (
        "get_conversation_member",
        lambda c: c.conversations.get_conversation_member("c1", "29:1"),
        "GET",
        "v3/conversations/c1/members/29%3A1",
        {},
        None,
        200,
        MEMBERS[0],
        MEMBERS_PARSED[0],
    ),
    (
        "delete_conversation_member",
        lambda c: c.conversations.delete_conversation_member("c1", "29:1"),
        "DELETE",
        "v3/conversations/c1/members/29%3A1",
        {},
        None,
        204,
        None,
        None,
    ),
    (
        "get_activity_members",
        lambda c: c.conversations.get_activity_members("c1", "m1"),
        "GET",
        "v3/conversations/c1/activities/m1/members",
        {},
        None,
        200,
        MEMBERS,
        MEMBERS_PARSED,
    ),
    (
        "get_conversation_paged_members_defaults",
        lambda c: c.conversations.get_conversation_paged_members("c1"),
        "GET",
        "v3/conversations/c1/pagedmembers",
        {},
        None,
        200,
        {"members": MEMBERS, "continuationToken": "p2"},
        PagedMembersResult(members=MEMBERS_PARSED, continuation_token="p2"),
    ),
    (
        "get_conversation_paged_members_page_size_only",
        lambda c: c.conversations.get_conversation_paged_members("c1", page_size=50),
        "GET",
        "v3/conversations/c1/pagedmembers",
        {"pageSize": "50"},
        None,
        200,
        {"members": []},
        PagedMembersResult(members=[]),
    ),
    (
        "get_conversation_paged_members_both",
        lambda c: c.conversations.get_conversation_paged_members(
            "c1", page_size=2, continuation_token="p2"
        ),
        "GET",
        "v3/conversations/c1/pagedmembers",
        {"pageSize": "2", "continuationToken": "p2"},
        None,
        200,
        {"members": []},
        PagedMembersResult(members=[]),
    ),
    (
        "send_conversation_history",
        lambda c: c.conversations.send_conversation_history(
            "c1", Transcript(activities=[message(id="h1", text="old")])
        ),
        "POST",
        "v3/conversations/c1/activities/history",
        {},
        {"activities": [{"type": "message", "text": "old", "id": "h1"}]},
        201,
        {"id": "hist"},
        ResourceResponse(id="hist"),
    ),
    (
        "upload_attachment",
        lambda c: c.conversations.upload_attachment(
            "c1",
            AttachmentData(type="image/png", name="a.png", original_base64="QUJD"),
        ),
        "POST",
        "v3/conversations/c1/attachments",
        {},
        {"type": "image/png", "name": "a.png", "originalBase64": "QUJD"},
        200,
        {"id": "att1"},
        ResourceResponse(id="att1"),
    ),
    (
        "get_attachment_info",
        lambda c: c.attachments.get_attachment_info("att 1/x"),
        "GET",
        "v3/attachments/att%201%2Fx",
        {},
        None,
        200,
        {"name": "a.png", "type": "image/png", "views": [{"viewId": "original", "size": 3}]},
        AttachmentInfo(
            name="a.png",
            type="image/png",
            views=[{"view_id": "original", "size": 3}],  # type: ignore[list-item]
        ),
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "body", "status", "answer", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in OPERATIONS],
)
async def test_operation_wire_format_and_result(
    mocked: aioresponses,
    client: ConnectorClient,
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    answer: Any,
    expected: Any,
) -> None:
    mocked.add(url(path, query), method, status=status, payload=answer)

    result = await call(client)

    sent_method, sent_url, request = only_request(mocked)
    assert sent_method == method
    # aioresponses records the query sorted; compare the path exactly and the query as a dict
    assert str(sent_url.with_query(None)) == str(url(path))
    assert dict(sent_url.query) == query
    assert sent_json(request) == body
    headers = request.kwargs["headers"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == get_product_info()
    assert result == expected


async def test_attachment_view_is_returned_as_bytes(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    mocked.get(url("v3/attachments/att1/views/original"), status=200, body=b"\x89PNG\x00data")

    stream = await client.attachments.get_attachment("att1", "original")

    assert isinstance(stream, BytesIO)
    assert stream.read() == b"\x89PNG\x00data"
    _, _, request = only_request(mocked)
    assert request.kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_attachment_redirect_without_location_gives_empty_stream(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    mocked.get(url("v3/attachments/att1/views/thumbnail"), status=302)

    stream = await client.attachments.get_attachment("att1", "thumbnail")

    assert stream.read() == b""


async def test_attachment_redirect_to_another_host_drops_the_token(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    target = "https://files.blob.core.windows.net/a/b.png"
    mocked.get(
        url("v3/attachments/att1/views/original"),
        status=302,
        headers={"Location": target},
    )
    mocked.get(target, status=200, body=b"content")

    stream = await client.attachments.get_attachment("att1", "original")

    assert stream.read() == b"content"
    redirected = mocked.requests[("GET", URL(target))][0]
    assert "Authorization" not in redirected.kwargs["headers"]


# ---------------------------------------------------------------------------- paths


async def test_teams_id_round_trips_as_one_path_segment(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    mocked.post(url(f"v3/conversations/{TEAMS_SEGMENT}/activities"), payload={"id": "x"})

    await client.conversations.send_to_conversation(TEAMS_ID, message())

    _, sent_url, _ = only_request(mocked)
    assert sent_url.raw_parts == ("/", "amer", "v3", "conversations", TEAMS_SEGMENT, "activities")
    assert sent_url.parts[4] == TEAMS_ID
    assert sent_url.query_string == ""
    assert sent_url.fragment == ""


@pytest.mark.parametrize(
    ("conversation_id", "segment"),
    [
        ("a/b", "a%2Fb"),
        ("a?b=1", "a%3Fb%3D1"),
        ("a#frag", "a%23frag"),
        ("a b%", "a%20b%25"),
        ("..", ".."),
    ],
)
async def test_reserved_characters_in_ids_are_percent_encoded(
    mocked: aioresponses, client: ConnectorClient, conversation_id: str, segment: str
) -> None:
    mocked.get(url(f"v3/conversations/{segment}/members"), payload=[])

    await client.conversations.get_conversation_members(conversation_id)

    _, sent_url, _ = only_request(mocked)
    assert sent_url.raw_parts[4] == segment
    assert sent_url.query_string == ""


async def test_conversation_ids_are_truncated_to_150_characters(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    long_id = "a:" + "x" * 200
    segment = "a%3A" + "x" * 148  # 150 characters, then encoded
    mocked.post(url(f"v3/conversations/{segment}/activities/m1"), payload={"id": "r"})

    await client.conversations.reply_to_activity(long_id, "m1", message())

    _, sent_url, _ = only_request(mocked)
    assert sent_url.raw_parts[4] == segment
    assert sent_url.parts[4] == long_id[:150]


@pytest.mark.parametrize("role", ["agenticAppInstance", "agenticUser"])
async def test_agentic_sender_on_agents_channel_replaces_unsafe_characters(
    mocked: aioresponses, client: ConnectorClient, role: str
) -> None:
    activity = message(channel_id="agents", from_property=ChannelAccount(id="a", role=role))
    mocked.post(url("v3/conversations/a_b_c_d_e/activities"), payload={"id": "r"})

    await client.conversations.send_to_conversation("a/b\\c#d?e", activity)

    _, sent_url, _ = only_request(mocked)
    assert sent_url.raw_parts[4] == "a_b_c_d_e"


@pytest.mark.parametrize(
    "activity",
    [
        message(channel_id="msteams", from_property=ChannelAccount(id="a", role="agenticUser")),
        message(channel_id="agents", from_property=ChannelAccount(id="a", role="bot")),
        message(channel_id="agents"),
    ],
    ids=["other-channel", "not-agentic", "no-sender"],
)
async def test_non_agentic_sends_keep_the_id_and_encode_it(
    mocked: aioresponses, client: ConnectorClient, activity: Activity
) -> None:
    mocked.post(url("v3/conversations/a%2Fb%3Fc/activities"), payload={"id": "r"})

    await client.conversations.send_to_conversation("a/b?c", activity)

    _, sent_url, _ = only_request(mocked)
    assert sent_url.raw_parts[4] == "a%2Fb%3Fc"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.conversations.send_to_conversation("", message()),
        lambda c: c.conversations.reply_to_activity("c1", "", message()),
        lambda c: c.conversations.get_conversation_member("c1", ""),
        lambda c: c.attachments.get_attachment("att1", ""),
    ],
    ids=["conversation", "activity", "member", "view"],
)
async def test_empty_ids_raise_before_sending(
    mocked: aioresponses, client: ConnectorClient, call: Call
) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        await call(client)
    assert mocked.requests == {}


# ---------------------------------------------------------------------------- bodies and answers


async def test_activity_is_serialised_in_json_mode_without_none(
    mocked: aioresponses, client: ConnectorClient
) -> None:
    stamp = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    activity = message(timestamp=stamp, local_timezone=None, reply_to_id="m0")
    mocked.put(url("v3/conversations/c1/activities/m1"), payload={"id": "m1"})

    await client.conversations.update_activity("c1", "m1", activity)

    _, _, request = only_request(mocked)
    body = sent_json(request)
    assert body["timestamp"].startswith("2024-05-01T12:30:00")
    assert "localTimezone" not in body
    assert body["replyToId"] == "m0"
    assert None not in body.values()


@pytest.mark.parametrize("status", [200, 201, 202])
async def test_empty_answer_gives_empty_resource_response(
    mocked: aioresponses, client: ConnectorClient, status: int
) -> None:
    mocked.post(url("v3/conversations/c1/activities/m1"), status=status, body=b"")

    result = await client.conversations.reply_to_activity("c1", "m1", message())

    assert result == ResourceResponse()
    assert result.id is None


async def test_unknown_answer_keys_are_kept(mocked: aioresponses, client: ConnectorClient) -> None:
    mocked.post(url("v3/conversations/c1/activities"), payload={"id": "m1", "extra": 1})

    result = await client.conversations.send_to_conversation("c1", message())

    assert result.id == "m1"
    assert result.model_dump(by_alias=True)["extra"] == 1


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "call", "method", "path"),
    [
        (
            400,
            lambda c: c.conversations.send_to_conversation("c1", message()),
            "POST",
            "v3/conversations/c1/activities",
        ),
        (
            403,
            lambda c: c.conversations.delete_activity("c1", "m1"),
            "DELETE",
            "v3/conversations/c1/activities/m1",
        ),
        (
            404,
            lambda c: c.conversations.get_conversation_members("c1"),
            "GET",
            "v3/conversations/c1/members",
        ),
        (
            204,
            lambda c: c.conversations.get_conversation_members("c1"),
            "GET",
            "v3/conversations/c1/members",
        ),
    ],
    ids=["400-send", "403-delete", "404-members", "204-not-ok-for-get"],
)
async def test_error_status_raises_service_error_with_code_and_body(
    mocked: aioresponses,
    client: ConnectorClient,
    status: int,
    call: Call,
    method: str,
    path: str,
) -> None:
    error_body = {"error": {"code": "BadSyntax", "message": "nope"}}
    mocked.add(url(path), method, status=status, payload=error_body)

    with pytest.raises(ServiceError) as caught:
        await call(client)

    assert caught.value.status == status
    assert caught.value.code == "BadSyntax"
    assert json.loads(caught.value.body) == error_body
    assert caught.value.method == method
    assert caught.value.url == str(url(path))


@pytest.mark.parametrize(
    ("body", "call", "path"),
    [
        (b"not json", lambda c: c.conversations.get_conversation_members("c1"), "members"),
        (b'{"id": "x"}', lambda c: c.conversations.get_conversation_members("c1"), "members"),
        (b"[1, 2]", lambda c: c.conversations.get_conversation_member("c1", "u"), "members/u"),
    ],
    ids=["not-json", "object-for-list", "list-for-object"],
)
async def test_answer_of_the_wrong_shape_raises_service_error(
    mocked: aioresponses, client: ConnectorClient, body: bytes, call: Call, path: str
) -> None:
    mocked.get(url(f"v3/conversations/c1/{path}"), status=200, body=body)

    with pytest.raises(ServiceError, match="not") as caught:
        await call(client)

    assert caught.value.status == 200
    assert caught.value.body == body.decode()


async def test_host_not_allowed_is_refused_before_anything_is_sent(mocked: aioresponses) -> None:
    validator = OutboundHostValidator(enabled=True)
    async with ConnectorClient("https://evil.example/", TOKEN, host_validator=validator) as c:
        with pytest.raises(OutboundRequestRefusedError):
            await c.conversations.send_to_conversation("c1", message())
    assert mocked.requests == {}


# ---------------------------------------------------------------------------- client


async def test_anonymous_client_sends_no_authorization(mocked: aioresponses) -> None:
    mocked.post(url("v3/conversations/c1/activities"), payload={"id": "m1"})

    async with ConnectorClient(SERVICE_URL, "") as anonymous:
        await anonymous.conversations.send_to_conversation("c1", message())

    _, _, request = only_request(mocked)
    assert "Authorization" not in request.kwargs["headers"]


async def test_base_uri_keeps_the_path_and_ends_with_slash(client: ConnectorClient) -> None:
    assert client.base_uri == BASE
    assert isinstance(client, ConnectorClientBase)


def test_empty_endpoint_is_rejected() -> None:
    with pytest.raises(ValueError, match="service URL"):
        ConnectorClient("", TOKEN)


async def test_injected_session_is_reused_and_left_open(mocked: aioresponses) -> None:
    mocked.post(url("v3/conversations/c1/activities"), payload={"id": "1"}, repeat=True)
    mocked.get(url("v3/conversations/c1/members"), payload=[])
    async with aiohttp.ClientSession() as session:
        async with ConnectorClient(SERVICE_URL, TOKEN, session=session) as c:
            await c.conversations.send_to_conversation("c1", message())
            await c.conversations.send_to_conversation("c1", message())
            await c.conversations.get_conversation_members("c1")
            assert c._transport._session is session
        assert not session.closed


async def test_owned_session_is_created_once_and_closed(mocked: aioresponses) -> None:
    mocked.post(url("v3/conversations/c1/activities"), payload={"id": "1"}, repeat=True)
    c = ConnectorClient(SERVICE_URL, TOKEN)
    await c.conversations.send_to_conversation("c1", message())
    session = c._transport._session
    assert session is not None
    await c.conversations.send_to_conversation("c1", message())
    assert c._transport._session is session

    await c.close()

    assert session.closed


# ---------------------------------------------------------------------------- MCS

MCS_URL = "https://mcs.botframework.com/callback/abc?sig=1"


async def test_mcs_send_posts_the_activity_to_the_service_url_without_token(
    mocked: aioresponses, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.post(URL(MCS_URL, encoded=True), payload={"id": "r1"}, repeat=True)
    with caplog.at_level(logging.DEBUG, logger="microsoft_agents"):
        async with MCSConnectorClient(MCS_URL) as mcs:
            sent = await mcs.conversations.send_to_conversation("ignored", ACTIVITY)
            replied = await mcs.conversations.reply_to_activity("ignored", "m0", ACTIVITY)
    assert "sig=1" not in caplog.text  # the query of a service URL may carry a signature

    assert sent == ResourceResponse(id="r1")
    assert replied == ResourceResponse(id="r1")
    calls = mocked.requests[("POST", URL(MCS_URL, encoded=True))]
    assert len(calls) == 2
    for call in calls:
        assert sent_json(call) == ACTIVITY_WIRE
        assert "Authorization" not in call.kwargs["headers"]
        assert call.kwargs["headers"]["Content-Type"] == "application/json"


async def test_mcs_empty_answer_gives_empty_resource_response(mocked: aioresponses) -> None:
    mocked.post("https://mcs.botframework.com/cb", status=204)
    async with MCSConnectorClient("https://mcs.botframework.com/cb") as mcs:
        assert await mcs.conversations.send_to_conversation("c", message()) == ResourceResponse()
        assert isinstance(mcs, ConnectorClientBase)
        assert mcs.base_uri == "https://mcs.botframework.com/cb/"


async def test_mcs_error_status_raises_service_error(mocked: aioresponses) -> None:
    mocked.post("https://mcs.botframework.com/cb", status=400, body="bad")
    async with MCSConnectorClient("https://mcs.botframework.com/cb", retry=NO_RETRY) as mcs:
        with pytest.raises(ServiceError) as caught:
            await mcs.conversations.send_to_conversation("c", message())
    assert caught.value.status == 400
    assert caught.value.body == "bad"


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("update_activity", lambda m: m.conversations.update_activity("c", "a", message())),
        ("delete_activity", lambda m: m.conversations.delete_activity("c", "a")),
        ("get_conversation_members", lambda m: m.conversations.get_conversation_members("c")),
        ("get_conversation_member", lambda m: m.conversations.get_conversation_member("c", "u")),
        (
            "delete_conversation_member",
            lambda m: m.conversations.delete_conversation_member("c", "u"),
        ),
        ("get_activity_members", lambda m: m.conversations.get_activity_members("c", "a")),
        (
            "get_conversation_paged_members",
            lambda m: m.conversations.get_conversation_paged_members("c"),
        ),
        ("get_conversations", lambda m: m.conversations.get_conversations()),
        (
            "create_conversation",
            lambda m: m.conversations.create_conversation(ConversationParameters()),
        ),
        (
            "send_conversation_history",
            lambda m: m.conversations.send_conversation_history("c", Transcript()),
        ),
        ("upload_attachment", lambda m: m.conversations.upload_attachment("c", AttachmentData())),
        ("get_attachment_info", lambda m: m.attachments.get_attachment_info("a")),
        ("get_attachment", lambda m: m.attachments.get_attachment("a", "v")),
    ],
)
async def test_mcs_other_operations_are_refused_clearly(
    mocked: aioresponses, name: str, call: Callable[[MCSConnectorClient], Awaitable[Any]]
) -> None:
    async with MCSConnectorClient("https://mcs.botframework.com/cb") as mcs:
        with pytest.raises(AdapterError, match=name):
            await call(mcs)
    assert mocked.requests == {}
