"""The calling agent ("root") of the agent-to-agent sample: it patches the user through.

The user talks to this agent. Say "agent" and it hands the conversation to the skill
(``skill.py``): each of the user's activities is passed on with ``HttpAgentChannel``, under
a conversation id of the skill's own (``ConversationIdFactory``), and the skill's answers
come back to this agent's callback routes (``channel_service_route_table`` under
``/api/botresponse``), which relay them to the user in the original conversation. When the
user asked for the replies in the HTTP answer (``deliveryMode: expectReplies``), the skill
(which the root's channel to it is configured as able to) answers the same way, so its
replies come back in the answer to the root's post and are relayed from there. When the
skill sends ``endOfConversation``, or cannot be reached or refuses a message, the user is
back with the root agent.

Run the skill first, then ``python test_samples/agent_to_agent/root.py`` (``hatch run
samples:agent-root``): the root listens on ``http://127.0.0.1:3978/api/messages``.
``SKILL_ENDPOINT`` (default ``http://127.0.0.1:3999/api/messages``) says where the skill
is, ``HOST_ENDPOINT`` (default ``http://127.0.0.1:3978/api/botresponse/``) where the skill
answers. Both run in anonymous development mode, so everything stays on this machine: the
root posts to the skill without a token (``AnonymousTokenProvider``), whatever
``SKILL_APP_ID`` says.

Which user conversation is with the skill is kept in memory (``ACTIVE``): a deployment
would keep it in its storage.
"""

from __future__ import annotations

import logging
import os
import uuid

from aiohttp import web

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AttachmentData,
    ChannelAccount,
    ConversationParameters,
    ConversationResourceResponse,
    ConversationsResult,
    ExpectedReplies,
    PagedMembersResult,
    ResourceResponse,
    Transcript,
)
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    channel_service_route_table,
    start_server,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    AnonymousTokenProvider,
    ClaimsIdentity,
    ConversationIdFactory,
    HttpAgentChannelFactory,
    MemoryStorage,
    ServiceError,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.client import ChannelInfo, ConversationIdFactoryOptions

logger = logging.getLogger(__name__)

PORT = int(os.environ.get("PORT", "3978"))
SKILL_ENDPOINT = os.environ.get("SKILL_ENDPOINT", "http://127.0.0.1:3999/api/messages")
HOST_ENDPOINT = os.environ.get("HOST_ENDPOINT", f"http://127.0.0.1:{PORT}/api/botresponse/")
# The skill's app id, the audience post_activity names. The channel below never sends a
# token (AnonymousTokenProvider), so the skill must run in development mode either way.
SKILL_APP_ID = os.environ.get("SKILL_APP_ID", "")

WELCOME = 'Hello and welcome! Say "agent" and I\'ll patch you through'
PROMPT = 'Say "agent" and I\'ll patch you through'
CONNECTING = "Got it, connecting you to the agent..."
BACK = 'Back in the root agent. Say "agent" and I\'ll patch you through'
REFUSED = "The agent could not take the message ({reason})."

STORAGE = MemoryStorage()
ADAPTER = CloudAdapter()
AGENT_APP = AgentApplication[TurnState](storage=STORAGE, adapter=ADAPTER)
CONVERSATION_IDS = ConversationIdFactory(STORAGE)
CHANNELS = HttpAgentChannelFactory()
# The skill is built on this SDK, which answers expectReplies in the HTTP answer: say so, or
# that delivery mode would not be passed on (activity-requirements A3115).
SKILL = CHANNELS.create_channel(AnonymousTokenProvider(), supports_expect_replies=True)

ACTIVE: dict[str, str] = {}
"""User conversation id -> the skill's conversation id, while the skill has the user."""


async def forward_to_skill(context: TurnContext, skill_conversation_id: str) -> None:
    """Pass the user's activity on to the skill, and relay what the skill answers with.

    The skill's replies arrive at the callback routes while it runs its turn, unless the
    user asked for them in the HTTP answer (``expectReplies``, which the copy passed on
    keeps): the skill then answers ``{"activities": [...]}`` and they are relayed here, into
    this turn's answer. A skill that cannot be reached or refuses the message ends the
    patch-through: the user is told, and is back with the root agent.
    """
    try:
        answer = await SKILL.post_activity(
            SKILL_APP_ID,
            SKILL_APP_ID,
            SKILL_ENDPOINT,
            HOST_ENDPOINT,
            skill_conversation_id,
            context.activity,
        )
    except ServiceError as error:
        logger.warning("could not reach the skill at %s: %s", SKILL_ENDPOINT, error)
        reason = "it cannot be reached"
    else:
        if 200 <= answer.status < 300:
            if isinstance(answer.body, dict) and "activities" in answer.body:
                for activity in ExpectedReplies.model_validate(answer.body).activities or []:
                    await relay_to_user(context, skill_conversation_id, activity)
            return
        reason = f"HTTP {answer.status}"
    await end_patch_through(context, skill_conversation_id)
    await context.send_activity(REFUSED.format(reason=reason))
    await context.send_activity(BACK)


async def relay_to_user(
    context: TurnContext, skill_conversation_id: str, activity: Activity
) -> None:
    """Send the user (``context``'s conversation) what the skill sent."""
    if activity.type == ActivityTypes.end_of_conversation:
        await end_patch_through(context, skill_conversation_id)
        code = activity.code or "unknown"
        await context.send_activity(f"Received endOfConversation. Code: {code}.")
        await context.send_activity(BACK)
        return
    answer = Activity(type=activity.type or ActivityTypes.message)
    for name in ("text", "attachments", "entities", "suggested_actions", "value"):
        value = getattr(activity, name)
        if value is not None:
            setattr(answer, name, value)
    await context.send_activity(answer)


async def end_patch_through(context: TurnContext, skill_conversation_id: str) -> None:
    """Forget the skill's conversation: the user's next messages are the root's again."""
    conversation = context.activity.conversation
    ACTIVE.pop((conversation.id if conversation else None) or "", None)
    await CONVERSATION_IDS.delete_conversation_reference(skill_conversation_id)


@AGENT_APP.conversation_update("membersAdded")
async def on_members_added(context: TurnContext, state: TurnState) -> None:
    agent_id = context.activity.recipient.id if context.activity.recipient else None
    if any(m.id != agent_id for m in context.activity.members_added or []):
        await context.send_activity(WELCOME)


@AGENT_APP.activity(ActivityTypes.message)
async def on_message(context: TurnContext, state: TurnState) -> None:
    conversation = context.activity.conversation
    user_conversation = (conversation.id if conversation else None) or ""
    skill_conversation = ACTIVE.get(user_conversation)
    if skill_conversation is None:
        if "agent" not in (context.activity.text or "").lower():
            await context.send_activity(PROMPT)
            return
        await context.send_activity(CONNECTING)
        skill_conversation = await CONVERSATION_IDS.create_conversation_id(
            ConversationIdFactoryOptions(
                from_oauth_scope=str(context.turn_state.get(ADAPTER.OAUTH_SCOPE_KEY, "")),
                from_agent_id="",
                activity=context.activity,
                # Recorded with the id: only this skill may then use it (SkillResponses).
                agent=ChannelInfo(id="EchoAgent", app_id=SKILL_APP_ID, endpoint=SKILL_ENDPOINT),
            )
        )
        ACTIVE[user_conversation] = skill_conversation
    await forward_to_skill(context, skill_conversation)


class SkillResponses:
    """The callback routes: what the skill sends comes here and is relayed to the user."""

    async def _relay(
        self, claims: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        stored = await CONVERSATION_IDS.get_agent_conversation_reference(conversation_id)
        if stored is None:
            raise KeyError(f"unknown conversation {conversation_id}")
        if not stored.is_from(claims):
            # Another app with a token for this agent, not the skill the id was given to.
            raise PermissionError(f"the conversation {conversation_id} is not the caller's")

        async def relay(context: TurnContext) -> None:
            await relay_to_user(context, conversation_id, activity)

        await ADAPTER.continue_conversation_with_claims(
            claims,
            stored.conversation_reference.get_continuation_activity(),
            relay,
            audience=stored.oauth_scope,
        )
        return ResourceResponse(id=str(uuid.uuid4()))

    async def on_send_to_conversation(
        self, claims: ClaimsIdentity, conversation_id: str, activity: Activity
    ) -> ResourceResponse:
        return await self._relay(claims, conversation_id, activity)

    async def on_reply_to_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        return await self._relay(claims, conversation_id, activity)

    # The other Bot Connector operations a skill might call are not relayed in this sample.
    async def on_get_conversations(
        self,
        claims: ClaimsIdentity,
        conversation_id: str | None,
        continuation_token: str | None = None,
    ) -> ConversationsResult:
        return ConversationsResult(conversations=[])

    async def on_create_conversation(
        self, claims: ClaimsIdentity, parameters: ConversationParameters
    ) -> ConversationResourceResponse:
        raise NotImplementedError("the root agent does not create conversations")

    async def on_send_conversation_history(
        self, claims: ClaimsIdentity, conversation_id: str, transcript: Transcript
    ) -> ResourceResponse:
        return ResourceResponse()

    async def on_update_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse:
        raise NotImplementedError("updates are not relayed")

    async def on_delete_activity(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> None:
        raise NotImplementedError("deletions are not relayed")

    async def on_get_conversation_members(
        self, claims: ClaimsIdentity, conversation_id: str
    ) -> list[ChannelAccount]:
        return []

    async def on_get_conversation_member(
        self, claims: ClaimsIdentity, user_id: str, conversation_id: str
    ) -> ChannelAccount:
        raise KeyError("members are not relayed")

    async def on_get_conversation_paged_members(
        self,
        claims: ClaimsIdentity,
        conversation_id: str,
        page_size: int | None = None,
        continuation_token: str | None = None,
    ) -> PagedMembersResult:
        return PagedMembersResult(members=[])

    async def on_delete_conversation_member(
        self, claims: ClaimsIdentity, conversation_id: str, member_id: str
    ) -> None:
        raise NotImplementedError("members are not relayed")

    async def on_get_activity_members(
        self, claims: ClaimsIdentity, conversation_id: str, activity_id: str
    ) -> list[ChannelAccount]:
        return []

    async def on_upload_attachment(
        self, claims: ClaimsIdentity, conversation_id: str, attachment_upload: AttachmentData
    ) -> ResourceResponse:
        raise NotImplementedError("attachments are not relayed")


def add_callback_routes(app: web.Application) -> None:
    """Mount the routes the skill answers on, and close the skill channel at shutdown."""
    app.router.add_routes(channel_service_route_table(SkillResponses(), "/api/botresponse"))

    async def close_channels(_: web.Application) -> None:
        await CHANNELS.close()

    app.on_cleanup.append(close_channels)


if __name__ == "__main__":
    print(f"Root agent on http://127.0.0.1:{PORT}/api/messages (Ctrl+C stops it)", flush=True)
    start_server(AGENT_APP, port=PORT, configure_app=add_callback_routes)
