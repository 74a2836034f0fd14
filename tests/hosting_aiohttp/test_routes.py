"""channel_service_route_table: the agent-to-agent callback routes reach the handler."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from microsoft_agents.activity import (
    Activity,
    AttachmentData,
    AttachmentInfo,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ConversationsResult,
    PagedMembersResult,
    ResourceResponse,
    Transcript,
)
from microsoft_agents.hosting.aiohttp import (
    channel_service_route_table,
    jwt_authorization_middleware,
)
from microsoft_agents.hosting.aiohttp._app_keys import AGENT_CONFIGURATION_KEY
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.http import ChannelApiHandlerProtocol

BASE = "/api/botresponse"
CONV = f"{BASE}/v3/conversations/c1"


class FakeHandler:
    """Records every call and answers with recognisable models."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    async def on_get_conversations(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str | None,
        continuation_token: str | None = None,
    ) -> ConversationsResult:
        self._record("get_conversations", conversation_id, continuation_token)
        return ConversationsResult(continuation_token="next")

    async def on_create_conversation(
        self, claims_identity: ClaimsIdentity, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        self._record("create_conversation")
        return ConversationResourceResponse(id="new-conv")

    async def on_send_to_conversation(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse | None:
        self._record("send_to_conversation", conversation_id, activity.text)
        return ResourceResponse(id="sent")

    async def on_send_conversation_history(
        self, claims_identity: ClaimsIdentity, conversation_id: str, transcript: Transcript
    ) -> ResourceResponse | None:
        self._record("send_conversation_history", conversation_id)
        return ResourceResponse(id="history")

    async def on_update_activity(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
    ) -> ResourceResponse | None:
        self._record("update_activity", conversation_id, activity_id)
        return ResourceResponse(id="updated")

    async def on_reply_to_activity(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        activity_id: str,
        activity: Activity,
    ) -> ResourceResponse | None:
        self._record("reply_to_activity", conversation_id, activity_id)
        return ResourceResponse(id="replied")

    async def on_delete_activity(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> None:
        self._record("delete_activity", conversation_id, activity_id)

    async def on_get_conversation_members(
        self, claims_identity: ClaimsIdentity, conversation_id: str
    ) -> list[ChannelAccount]:
        self._record("get_conversation_members", conversation_id)
        return [ChannelAccount(id="u1")]

    async def on_get_conversation_member(
        self, claims_identity: ClaimsIdentity, user_id: str, conversation_id: str
    ) -> ChannelAccount:
        self._record("get_conversation_member", user_id, conversation_id)
        return ChannelAccount(id=user_id)

    async def on_get_conversation_paged_members(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        self._record(
            "get_conversation_paged_members", conversation_id, page_size, continuation_token
        )
        return PagedMembersResult(members=[ChannelAccount(id="u1")])

    async def on_delete_conversation_member(
        self, claims_identity: ClaimsIdentity, conversation_id: str, member_id: str
    ) -> None:
        self._record("delete_conversation_member", conversation_id, member_id)

    async def on_get_activity_members(
        self, claims_identity: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        self._record("get_activity_members", conversation_id, activity_id)
        return [ChannelAccount(id="u2")]

    async def on_upload_attachment(
        self,
        claims_identity: ClaimsIdentity,
        conversation_id: str,
        attachment_upload: AttachmentData,
    ) -> ResourceResponse:
        self._record("upload_attachment", conversation_id)
        return ResourceResponse(id="attachment")


def _app(handler: Any, *, middleware: bool = True) -> web.Application:
    app = web.Application(middlewares=[jwt_authorization_middleware] if middleware else [])
    app[AGENT_CONFIGURATION_KEY] = AgentAuthConfiguration()  # development: anonymous
    app.router.add_routes(channel_service_route_table(handler, BASE))
    return app


ACTIVITY = {"type": "message", "text": "hello", "conversation": {"id": "c1"}}

CASES = [
    (
        "POST",
        f"{CONV}/activities/history",
        {"activities": [ACTIVITY]},
        "send_conversation_history",
        {"id": "history"},
    ),
    ("POST", f"{CONV}/activities", ACTIVITY, "send_to_conversation", {"id": "sent"}),
    ("POST", f"{CONV}/activities/a1", ACTIVITY, "reply_to_activity", {"id": "replied"}),
    ("PUT", f"{CONV}/activities/a1", ACTIVITY, "update_activity", {"id": "updated"}),
    ("GET", f"{CONV}/activities/a1/members", None, "get_activity_members", [{"id": "u2"}]),
    ("GET", f"{CONV}/members", None, "get_conversation_members", [{"id": "u1"}]),
    ("GET", f"{CONV}/members/u9", None, "get_conversation_member", {"id": "u9"}),
    ("DELETE", f"{CONV}/members/u9", None, "delete_conversation_member", {}),
    (
        "GET",
        f"{CONV}/pagedmembers",
        None,
        "get_conversation_paged_members",
        {"members": [{"id": "u1"}]},
    ),
    (
        "POST",
        f"{CONV}/attachments",
        {"name": "a.txt", "type": "text/plain"},
        "upload_attachment",
        {"id": "attachment"},
    ),
    (
        "POST",
        f"{BASE}/v3/conversations",
        {"isGroup": False},
        "create_conversation",
        {"id": "new-conv"},
    ),
    ("GET", f"{BASE}/v3/conversations", None, "get_conversations", {"continuationToken": "next"}),
    ("POST", f"{BASE}/", {"isGroup": False}, "create_conversation", {"id": "new-conv"}),
    ("GET", f"{BASE}/", None, "get_conversations", {"continuationToken": "next"}),
]


@pytest.mark.parametrize(("method", "path", "body", "call", "answer"), CASES)
async def test_every_route_reaches_the_handler(
    make_client: Any, method: str, path: str, body: Any, call: str, answer: Any
) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    response = await client.request(method, path, json=body)
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == answer
    assert [name for name, _ in handler.calls] == [call]


async def test_history_is_not_taken_for_an_activity_id(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    response = await client.post(f"{CONV}/activities/history", json={"activities": []})
    assert response.status == 200
    assert handler.calls == [("send_conversation_history", ("c1",))]


async def test_delete_activity_is_an_empty_200(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    response = await client.delete(f"{CONV}/activities/a1")
    assert response.status == 200
    assert handler.calls == [("delete_activity", ("c1", "a1"))]


async def test_path_parameters_are_passed_through(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    await client.post(f"{CONV}/activities/a7", json=ACTIVITY)
    assert handler.calls == [("reply_to_activity", ("c1", "a7"))]


async def test_without_the_middleware_the_routes_refuse(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler, middleware=False))
    response = await client.post(f"{CONV}/activities", json=ACTIVITY)
    assert response.status == 401
    assert handler.calls == []


async def test_bad_bodies_are_4xx(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    not_json = await client.post(
        f"{CONV}/activities", data=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert not_json.status == 415
    broken = await client.post(
        f"{CONV}/activities", data=b"{", headers={"Content-Type": "application/json"}
    )
    assert broken.status == 400
    marked_twice = await client.post(
        f"{CONV}/activities",
        data=b"\xef\xbb\xbf" * 2 + b'{"type": "message"}',
        headers={"Content-Type": "application/json"},
    )
    assert marked_twice.status == 400
    assert handler.calls == []


async def test_one_byte_order_mark_before_the_json_is_ignored(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    response = await client.post(
        f"{CONV}/activities",
        data=b"\xef\xbb\xbf" + b'{"type": "message", "text": "hi"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200
    assert handler.calls == [("send_to_conversation", ("c1", "hi"))]


async def test_what_a_protocol_subclass_leaves_out_is_501(make_client: Any) -> None:
    """Not a 200 saying a delete or an update worked when nothing happened."""

    class OnlySends(ChannelApiHandlerProtocol):
        async def on_send_to_conversation(
            self, claims_identity: ClaimsIdentity, conversation_id: str, activity: Activity
        ) -> ResourceResponse | None:
            return ResourceResponse(id="sent")

    client = await make_client(_app(OnlySends()))
    sent = await client.post(f"{CONV}/activities", json=ACTIVITY)
    deleted = await client.delete(f"{CONV}/activities/a1")
    updated = await client.put(f"{CONV}/activities/a1", json=ACTIVITY)
    member = await client.get(f"{CONV}/members/u1")
    assert (sent.status, await sent.json()) == (200, {"id": "sent"})
    assert [deleted.status, updated.status, member.status] == [501, 501, 501]
    assert await deleted.json() == {"error": "Not Implemented"}


async def test_half_a_surrogate_pair_reaches_the_handler_as_a_replacement_character(
    make_client: Any,
) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    response = await client.post(
        f"{CONV}/activities",
        data=b'{"type": "message", "text": "hi \\ud83d"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200
    assert handler.calls == [("send_to_conversation", ("c1", "hi \ufffd"))]


async def test_query_parameters_reach_the_handler(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    listed = await client.get(f"{BASE}/v3/conversations", params={"continuationToken": "t1"})
    paged = await client.get(
        f"{CONV}/pagedmembers", params={"pageSize": "5", "continuationToken": "c0"}
    )
    bad = await client.get(f"{CONV}/pagedmembers", params={"pageSize": "many"})
    assert (listed.status, paged.status, bad.status) == (200, 200, 400)
    # Digits to str.isdigit that int() refuses or reads otherwise, and more than an int32.
    for odd in ("\u00b2", "\u2460", "\u0663", "9" * 5000, str(2**31)):
        refused = await client.get(f"{CONV}/pagedmembers", params={"pageSize": odd})
        assert refused.status == 400, odd
        assert "pageSize must be a whole number" in (await refused.json())["error"]
    assert handler.calls == [
        ("get_conversations", (None, "t1")),
        ("get_conversation_paged_members", ("c1", 5, "c0")),
    ]


async def test_json_nested_deeper_than_the_stack_is_400(make_client: Any) -> None:
    handler = FakeHandler()
    client = await make_client(_app(handler))
    for body in (b"[" * 100_000, b'{"type": "message", "value": ' + b"[" * 100_000):
        response = await client.post(
            f"{CONV}/activities", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400
    assert handler.calls == []


async def test_the_attachment_reads_of_the_connector_api_are_served(make_client: Any) -> None:
    class WithAttachments(FakeHandler):
        async def on_get_attachment_info(
            self, claims_identity: ClaimsIdentity, attachment_id: str
        ) -> AttachmentInfo:
            self._record("get_attachment_info", attachment_id)
            return AttachmentInfo(name="a.png", type="image/png")

        async def on_get_attachment(
            self, claims_identity: ClaimsIdentity, attachment_id: str, view_id: str
        ) -> bytes:
            self._record("get_attachment", attachment_id, view_id)
            return b"\x89PNG"

    handler = WithAttachments()
    client = await make_client(_app(handler))
    info = await client.get(f"{BASE}/v3/attachments/att-1")
    view = await client.get(f"{BASE}/v3/attachments/att-1/views/original")
    assert (info.status, await info.json()) == (200, {"name": "a.png", "type": "image/png"})
    assert (view.status, view.content_type, await view.read()) == (
        200,
        "application/octet-stream",
        b"\x89PNG",
    )
    assert handler.calls == [
        ("get_attachment_info", ("att-1",)),
        ("get_attachment", ("att-1", "original")),
    ]
    # A handler without them: the operation is not implemented, not an unknown route.
    plain = await make_client(_app(FakeHandler()))
    missing = await plain.get(f"{BASE}/v3/attachments/att-1/views/original")
    assert (missing.status, await missing.json()) == (501, {"error": "Not Implemented"})


async def test_unsupported_and_unknown_give_501_and_404(make_client: Any) -> None:
    class Refusing(FakeHandler):
        async def on_update_activity(self, *args: Any) -> ResourceResponse:
            raise NotImplementedError("updates are not relayed")

        async def on_get_conversation_member(self, *args: Any) -> ChannelAccount:
            raise KeyError("no such member")

        async def on_delete_activity(self, *args: Any) -> None:
            raise RuntimeError("a bug in the handler")

    client = await make_client(_app(Refusing()))
    update = await client.put(f"{CONV}/activities/a1", json=ACTIVITY)
    assert (update.status, await update.json()) == (501, {"error": "Not Implemented"})
    member = await client.get(f"{CONV}/members/u9")
    assert (member.status, await member.json()) == (404, {"error": "Not Found"})
    broken = await client.delete(f"{CONV}/activities/a1")
    assert (broken.status, await broken.json()) == (500, {"error": "Internal Server Error"})


def test_the_table_is_a_route_table_with_the_base_url() -> None:
    table = channel_service_route_table(FakeHandler(), BASE)
    assert isinstance(table, web.RouteTableDef)
    paths = [route.path for route in table if isinstance(route, web.RouteDef)]
    assert paths.index(
        f"{BASE}/v3/conversations/{{conversation_id}}/activities/history"
    ) < paths.index(f"{BASE}/v3/conversations/{{conversation_id}}/activities/{{activity_id}}")
