"""The agent-to-agent client: HttpAgentChannel, ConversationIdFactory, ConfigurationChannelHost."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest
from aioresponses import aioresponses

from microsoft_agents.activity import Activity, AgentsModel, InvokeResponse
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ClaimsIdentity,
    ConfigurationChannelHost,
    ConversationIdFactory,
    HttpAgentChannelFactory,
    MemoryStorage,
    ServiceError,
)
from microsoft_agents.hosting.core.client import (
    AgentConversationReference,
    ChannelHostConfiguration,
    ChannelInfo,
    ConversationIdFactoryOptions,
)

from .channel_fakes import TOKEN, FakeConnections, FakeTokenProvider

SKILL = "https://skill.example/api/messages"
CALLBACK = "https://root.example/api/botresponse/"
SKILL_APP_ID = "11111111-2222-4333-8444-555555555555"


def user_message() -> Activity:
    return Activity.model_validate(
        {
            "type": "message",
            "id": "u1",
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/amer/",
            "from": {"id": "29:user", "name": "Ann"},
            "recipient": {"id": "28:root", "name": "Root"},
            "conversation": {"id": "a:user-conversation", "tenantId": "t1"},
            "locale": "en-GB",
            "text": "agent, please",
        }
    )


def _body(mocked: aioresponses) -> tuple[dict[str, str], dict[str, Any]]:
    [call] = next(iter(mocked.requests.values()))
    return call.kwargs["headers"], json.loads(call.kwargs["data"])


async def test_post_activity_sends_a_copy_addressed_to_the_callee() -> None:
    factory = HttpAgentChannelFactory()
    provider = FakeTokenProvider()
    channel = factory.create_channel(provider)
    original = user_message()
    with aioresponses() as mocked:
        mocked.post(SKILL, status=202)
        answer = await channel.post_activity(
            SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "skill-conversation-1", original
        )
        headers, body = _body(mocked)
    await factory.close()

    assert answer == InvokeResponse(status=202, body=None)
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["x-ms-conversation-id"] == "skill-conversation-1"
    assert provider.requests == [(SKILL_APP_ID, [f"{SKILL_APP_ID}/.default"])]
    assert body["conversation"]["id"] == "skill-conversation-1"
    assert body["serviceUrl"] == CALLBACK
    assert body["recipient"]["role"] == "skill"
    assert body["text"] == "agent, please"
    relates = body["relatesTo"]
    assert relates["conversation"]["id"] == "a:user-conversation"
    assert relates["serviceUrl"] == "https://smba.trafficmanager.net/amer/"
    assert relates["activityId"] == "u1"
    assert original.conversation is not None
    assert original.conversation.id == "a:user-conversation"  # the original is untouched


async def test_relates_to_is_only_the_original_address() -> None:
    """§12.1: relatesTo is {serviceUrl, activityId, channelId, locale, conversation}."""
    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(FakeTokenProvider())
    with aioresponses() as mocked:
        mocked.post(SKILL, status=202)
        await channel.post_activity(
            SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "skill-conversation-1", user_message()
        )
        _, body = _body(mocked)
    await factory.close()
    assert body["relatesTo"] == {
        "serviceUrl": "https://smba.trafficmanager.net/amer/",
        "activityId": "u1",
        "channelId": "msteams",
        "locale": "en-GB",
        "conversation": {"id": "a:user-conversation", "tenantId": "t1"},
    }


class _Answer(AgentsModel):
    answer: str


async def test_error_answers_keep_their_status_and_body_whatever_the_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """§12.1: the caller sees the status; only a fitting 2xx body becomes the model."""
    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(FakeTokenProvider())
    with aioresponses() as mocked:
        mocked.post(SKILL, status=401, payload={"error": {"code": "Unauthorized"}})
        mocked.post(SKILL, status=200, payload={"unexpected": True})
        mocked.post(SKILL, status=200, payload={"answer": "42"})
        mocked.post(SKILL, status=500, body="boom")
        with caplog.at_level(logging.INFO, logger="microsoft_agents.hosting.core.client"):
            answers = [
                await channel.post_activity(
                    SKILL_APP_ID,
                    SKILL_APP_ID,
                    SKILL,
                    CALLBACK,
                    "c1",
                    user_message(),
                    response_body_type=_Answer,
                )
                for _ in range(4)
            ]
    await factory.close()
    assert answers == [
        InvokeResponse(status=401, body={"error": {"code": "Unauthorized"}}),
        InvokeResponse(status=200, body={"unexpected": True}),
        InvokeResponse(status=200, body=_Answer(answer="42")),
        InvokeResponse(status=500, body="boom"),
    ]
    misfits = [r for r in caplog.records if "is not a _Answer" in r.getMessage()]
    assert [r.levelno for r in misfits] == [logging.INFO]


async def test_an_invoke_is_forwarded_without_expect_replies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A3114: an invoke is not marked expectReplies; its invoke response is the answer."""
    invoke = Activity.model_validate(
        {
            **user_message().to_wire(exclude_none=True),
            "type": "invoke",
            "name": "composeExtension/query",
            "deliveryMode": "expectReplies",
        }
    )
    message = user_message()
    message.delivery_mode = "expectReplies"
    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(FakeTokenProvider(), supports_expect_replies=True)
    with aioresponses() as mocked:
        mocked.post(SKILL, status=200, payload={"status": 200})
        mocked.post(SKILL, status=200, payload={"activities": []})
        with caplog.at_level(logging.INFO, logger="microsoft_agents.hosting.core.client"):
            await channel.post_activity(SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c1", invoke)
            await channel.post_activity(SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c1", message)
        [invoke_call, message_call] = next(iter(mocked.requests.values()))
    await factory.close()
    assert "deliveryMode" not in json.loads(invoke_call.kwargs["data"])
    assert invoke.delivery_mode == "expectReplies"  # the caller's activity is untouched
    # Only an invoke loses it, on a channel to a callee that takes it.
    assert json.loads(message_call.kwargs["data"])["deliveryMode"] == "expectReplies"
    [dropped] = [r for r in caplog.records if "expectReplies" in r.getMessage()]
    assert dropped.levelno == logging.INFO
    assert "composeExtension/query" in dropped.getMessage()


async def test_expect_replies_goes_only_to_callees_known_to_take_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A3115: a callee not configured as answering expectReplies gets a normal activity."""
    message = user_message()
    message.delivery_mode = "expectReplies"
    factory = HttpAgentChannelFactory()
    unknown = factory.create_channel(FakeTokenProvider())
    known = factory.create_channel(FakeTokenProvider(), supports_expect_replies=True)
    with aioresponses() as mocked:
        mocked.post(SKILL, status=202)
        mocked.post(SKILL, status=200, payload={"activities": []})
        with caplog.at_level(logging.INFO, logger="microsoft_agents.hosting.core.client"):
            await unknown.post_activity(SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c1", message)
            await known.post_activity(SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c1", message)
        [unknown_call, known_call] = next(iter(mocked.requests.values()))
    await factory.close()
    assert "deliveryMode" not in json.loads(unknown_call.kwargs["data"])
    assert json.loads(known_call.kwargs["data"])["deliveryMode"] == "expectReplies"
    assert message.delivery_mode == "expectReplies"  # the caller's activity is untouched
    [dropped] = [r for r in caplog.records if "expectReplies" in r.getMessage()]
    assert "supports_expect_replies" in dropped.getMessage()


async def test_anonymous_callers_send_no_token_and_read_json_or_text_answers() -> None:
    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(AnonymousTokenProvider(AgentAuthConfiguration()))
    with aioresponses() as mocked:
        mocked.post(SKILL, status=200, payload={"status": "ok"})
        mocked.post(SKILL, status=400, body="not json")
        first = await channel.post_activity("", "", SKILL, CALLBACK, "c1", user_message())
        second = await channel.post_activity("", "", SKILL, CALLBACK, "c1", user_message())
        headers = next(iter(mocked.requests.values()))[0].kwargs["headers"]
    await factory.close()
    assert "Authorization" not in headers
    assert first == InvokeResponse(status=200, body={"status": "ok"})
    assert second == InvokeResponse(status=400, body="not json")


async def test_an_unreachable_callee_is_a_service_error() -> None:
    factory = HttpAgentChannelFactory()
    channel = factory.create_channel(FakeTokenProvider())
    with aioresponses() as mocked:
        mocked.post(SKILL, exception=aiohttp.ClientConnectionError("refused"))
        with pytest.raises(ServiceError, match="could not reach") as raised:
            await channel.post_activity(
                SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c", user_message()
            )
    await factory.close()
    assert raised.value.status == 0


async def test_post_activity_needs_an_endpoint_and_a_conversation_id() -> None:
    channel = HttpAgentChannelFactory().create_channel(FakeTokenProvider())
    with pytest.raises(ValueError, match="endpoint"):
        await channel.post_activity("a", "a", "", CALLBACK, "c", user_message())
    with pytest.raises(ValueError, match="conversation id"):
        await channel.post_activity("a", "a", SKILL, CALLBACK, "", user_message())


async def test_conversation_ids_keep_the_original_reference_as_a_store_item() -> None:
    """§18 row 8: the stored reference is a real StoreItem, readable before any write."""
    storage = MemoryStorage()
    ids = ConversationIdFactory(storage)
    assert await ids.get_agent_conversation_reference("never-made") is None
    conversation_id = await ids.create_conversation_id(
        ConversationIdFactoryOptions(
            from_oauth_scope="https://api.botframework.com",
            from_agent_id="root-app",
            activity=user_message(),
        )
    )
    found = await ids.get_agent_conversation_reference(conversation_id)
    assert isinstance(found, AgentConversationReference)
    assert found.oauth_scope == "https://api.botframework.com"
    assert found.conversation_reference.conversation is not None
    assert found.conversation_reference.conversation.id == "a:user-conversation"

    stored = (await storage.read([conversation_id], target_cls=AgentConversationReference))[
        conversation_id
    ].store_item_to_json()
    reference = stored["conversation_reference"]
    assert reference["agent"]["id"] == "28:root"  # snake_case names, "agent" not "bot"
    assert reference["service_url"] == "https://smba.trafficmanager.net/amer/"
    assert None not in reference.values()

    # A pydantic model, as in the reference API.
    assert AgentConversationReference.model_validate(found.model_dump()) == found
    assert found.model_dump()["oauth_scope"] == "https://api.botframework.com"

    await ids.delete_conversation_reference(conversation_id)
    assert await ids.get_agent_conversation_reference(conversation_id) is None


async def test_a_conversation_id_given_to_a_known_skill_is_only_that_skills() -> None:
    """A callback route takes any token for this agent: the id is tied to its skill."""
    storage = MemoryStorage()
    ids = ConversationIdFactory(storage)
    conversation_id = await ids.create_conversation_id(
        ConversationIdFactoryOptions(
            from_oauth_scope="https://api.botframework.com",
            from_agent_id="root-app",
            activity=user_message(),
            agent=ChannelInfo(id="EchoAgent", app_id=SKILL_APP_ID, endpoint=SKILL),
        )
    )
    raw = await storage.read([conversation_id], target_cls=AgentConversationReference)
    assert raw[conversation_id].store_item_to_json()["agent_app_id"] == SKILL_APP_ID
    found = await ids.get_agent_conversation_reference(conversation_id)
    assert found is not None
    assert found.agent_app_id == SKILL_APP_ID

    def caller(app_id: str) -> ClaimsIdentity:
        claims = {"ver": "1.0", "aud": "root-app", "appid": app_id, "iss": "https://x/"}
        return ClaimsIdentity(claims, True)

    assert found.is_from(caller(SKILL_APP_ID))
    assert not found.is_from(caller("another-app-of-the-tenant"))
    assert found.is_from(ClaimsIdentity({}, False))  # development mode: no token to check

    unbound = await ids.create_conversation_id(
        ConversationIdFactoryOptions(
            from_oauth_scope="", from_agent_id="root-app", activity=user_message()
        )
    )
    legacy = await ids.get_agent_conversation_reference(unbound)
    assert legacy is not None
    assert legacy.agent_app_id is None
    assert legacy.is_from(caller("anyone"))  # nothing recorded to compare with


async def test_only_ids_the_factory_makes_are_looked_up_in_the_storage() -> None:
    """The id comes from a callback's path: it must not reach other keys of the storage."""
    storage = MemoryStorage()
    ids = ConversationIdFactory(storage)
    made = await ids.create_conversation_id(
        ConversationIdFactoryOptions(
            from_oauth_scope="", from_agent_id="root-app", activity=user_message()
        )
    )
    other_key = "msteams/conversations/a:user-conversation"
    await storage.write({other_key: await ids.get_agent_conversation_reference(made)})
    assert await ids.get_agent_conversation_reference(other_key) is None
    await ids.delete_conversation_reference(other_key)
    assert other_key in await storage.read([other_key], target_cls=AgentConversationReference)
    assert await ids.get_agent_conversation_reference(made.upper()) is None
    assert await ids.get_agent_conversation_reference(made) is not None


async def test_channel_host_from_configuration() -> None:
    class Settings:
        @staticmethod
        def CHANNEL_HOST_CONFIGURATION() -> ChannelHostConfiguration:
            return ChannelHostConfiguration(
                CHANNELS=[
                    ChannelInfo(
                        id="EchoAgent",
                        app_id=SKILL_APP_ID,
                        endpoint=SKILL,
                        token_provider="SERVICE_CONNECTION",
                    )
                ],
                HOST_ENDPOINT=CALLBACK,
                HOST_APP_ID="root-app",
            )

    factory = HttpAgentChannelFactory()
    host = ConfigurationChannelHost(factory, FakeConnections(), Settings, "HttpAgentClient")
    assert host.host_endpoint == CALLBACK
    assert host.channels["EchoAgent"].channel_factory == "HttpAgentClient"
    assert host.channels["EchoAgent"].resource_url is None  # no default, as documented
    with aioresponses() as mocked:
        mocked.post(SKILL, status=202)
        channel = host.get_channel_from_name("EchoAgent")
        answer = await channel.post_activity(
            SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c9", user_message()
        )
    assert answer.status == 202
    with pytest.raises(KeyError, match="EchoAgent"):
        host.get_channel_from_name("Nobody")
    await factory.close()


@pytest.mark.parametrize(
    ("setting", "passed_on"), [("true", True), ("False", False), (None, False)]
)
async def test_configured_callees_say_whether_they_take_expect_replies(
    setting: str | None, passed_on: bool
) -> None:
    """A3115 from settings: the text a settings file gives, or nothing (not known to)."""
    entry = {"ID": "EchoAgent", "APP_ID": SKILL_APP_ID, "ENDPOINT": SKILL}
    if setting is not None:
        entry["SUPPORTS_EXPECT_REPLIES"] = setting

    class Settings:
        @staticmethod
        def CHANNEL_HOST_CONFIGURATION() -> ChannelHostConfiguration:
            return ChannelHostConfiguration(CHANNELS=[entry])  # type: ignore[list-item]

    message = user_message()
    message.delivery_mode = "expectReplies"
    factory = HttpAgentChannelFactory()
    host = ConfigurationChannelHost(factory, FakeConnections(), Settings, "HttpAgentClient")
    with aioresponses() as mocked:
        mocked.post(SKILL, status=200, payload={"activities": []})
        await host.get_channel_from_name("EchoAgent").post_activity(
            SKILL_APP_ID, SKILL_APP_ID, SKILL, CALLBACK, "c9", message
        )
        _, sent = _body(mocked)
    await factory.close()
    assert ("deliveryMode" in sent) is passed_on


def test_a_callee_setting_that_is_not_true_or_false_is_refused() -> None:
    with pytest.raises(ValueError, match="supports_expect_replies of the agent 'EchoAgent'"):
        ChannelInfo(id="EchoAgent", endpoint=SKILL, supports_expect_replies="yes")
