"""``AgentTester``: drive an agent turn by turn and look at its answers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, overload

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    DeliveryModes,
    InvokeResponse,
    RoleTypes,
)
from microsoft_agents.hosting.core._agent import Agent
from microsoft_agents.hosting.core._turn_context import read_invoke_response

from ._adapter import TestAdapter

__all__ = ["AgentTester", "TurnResult"]

_EXPECT_REPLIES = DeliveryModes.expect_replies.value


@dataclass
class TurnResult(Sequence[Activity]):
    """What the agent did in one turn. Indexing and iterating go over ``replies``.

    Attributes:
        activity: the incoming activity of the turn, as the agent received it.
        replies: every activity the agent sent to the conversation (all types, in order).
        invoke_response: the answer to an invoke, if the agent gave one.
        buffered: the replies collected for an ``expectReplies`` request.
        updated: activities the agent replaced.
        deleted: references of activities the agent deleted.
    """

    activity: Activity
    replies: list[Activity] = field(default_factory=list)
    invoke_response: InvokeResponse | None = None
    buffered: list[Activity] = field(default_factory=list)
    updated: list[Activity] = field(default_factory=list)
    deleted: list[ConversationReference] = field(default_factory=list)

    @property
    def messages(self) -> list[Activity]:
        """The ``message`` replies."""
        return [a for a in self.replies if a.type == ActivityTypes.message]

    @property
    def texts(self) -> list[str | None]:
        """The text of each ``message`` reply."""
        return [a.text for a in self.messages]

    @property
    def text(self) -> str | None:
        """The text of the only ``message`` reply.

        Raises:
            AssertionError: the agent sent no message, or more than one.
        """
        messages = self.messages
        if len(messages) != 1:
            raise AssertionError(
                f"expected exactly one message reply, got {len(messages)}: {self.texts!r}"
            )
        return messages[0].text

    @property
    def status(self) -> int:
        """The HTTP status a channel would get for this turn from the hosting layer.

        200 for an ``expectReplies`` request (an invoke too: the buffered replies are the
        answer, protocol.md §3), the answer's status for an answered invoke, 501 for an
        invoke nobody answered, 202 for everything else.
        """
        if self.activity.delivery_mode == _EXPECT_REPLIES:
            return 200
        if self.activity.type == ActivityTypes.invoke:
            return self.invoke_response.status if self.invoke_response else 501
        return 202

    def of_type(self, activity_type: str) -> list[Activity]:
        """The replies of one activity type (``"typing"``, ``"event"``, ...)."""
        return [a for a in self.replies if a.type == activity_type]

    @overload
    def __getitem__(self, index: int) -> Activity: ...
    @overload
    def __getitem__(self, index: slice) -> list[Activity]: ...
    def __getitem__(self, index: int | slice) -> Activity | list[Activity]:
        return self.replies[index]

    def __len__(self) -> int:
        return len(self.replies)

    def __iter__(self) -> Iterator[Activity]:
        return iter(self.replies)


class AgentTester:
    """Sends activities to an agent in-process, one conversation across turns.

    Args:
        agent: the agent (an ``AgentApplication``, an ``ActivityHandler``, or any object
            with ``async on_turn(context)``).
        adapter: the adapter to run turns on; a new :class:`TestAdapter` by default. Add
            middleware with ``tester.adapter.use(...)``.
        channel_id: the channel the activities come from (``"test"``; use ``"msteams"``
            or ``"emulator"`` to exercise channel-specific behaviour).
        user: the account that sends the activities.
        agent_account: the agent's own account (the recipient).
        conversation: the conversation all turns belong to.
        service_url: the channel's service URL.
        locale: the locale of the activities, if any.
    """

    def __init__(
        self,
        agent: Agent,
        *,
        adapter: TestAdapter | None = None,
        channel_id: str = "test",
        user: ChannelAccount | None = None,
        agent_account: ChannelAccount | None = None,
        conversation: ConversationAccount | None = None,
        service_url: str = "https://test.example/",
        locale: str | None = None,
    ) -> None:
        self.agent = agent
        self.adapter = adapter if adapter is not None else TestAdapter()
        self.channel_id = channel_id
        self.user = user or ChannelAccount(id="user-1", name="User", role=RoleTypes.user)
        self.agent_account = agent_account or ChannelAccount(
            id="agent-1", name="Agent", role=RoleTypes.agent
        )
        self.conversation = conversation or ConversationAccount(id="conversation-1")
        self.service_url = service_url
        self.locale = locale
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ building activities

    def make_activity(
        self, activity: Activity | Mapping[str, Any] | str, **fields: Any
    ) -> Activity:
        """The incoming activity for ``activity``, addressed like a channel would.

        A string is the text of a ``message``; a mapping is parsed as activity JSON (either
        key spelling). Fields not given (``channelId``, ``from``, ``recipient``,
        ``conversation``, ``serviceUrl``, ``id``, ``timestamp``) are filled in; ``fields``
        override anything.
        """
        if isinstance(activity, str):
            parsed = Activity(type=ActivityTypes.message, text=activity)
        elif isinstance(activity, Activity):
            parsed = activity.model_copy(deep=True)
        else:
            parsed = Activity.model_validate(dict(activity))
        for name, value in fields.items():
            setattr(parsed, name, value)
        defaults: dict[str, Any] = {
            "channel_id": self.channel_id,
            "from_property": self.user,
            "recipient": self.agent_account,
            "conversation": self.conversation,
            "service_url": self.service_url,
            "id": f"incoming-{next(self._ids)}",
            "timestamp": datetime.now(timezone.utc),
            "locale": self.locale,
        }
        for name, value in defaults.items():
            if getattr(parsed, name) is None and value is not None:
                setattr(parsed, name, value.model_copy() if hasattr(value, "model_copy") else value)
        return parsed

    # ------------------------------------------------------------------ running turns

    async def send(self, activity: Activity | Mapping[str, Any] | str, **fields: Any) -> TurnResult:
        """Run one turn for ``activity`` (text, JSON or an Activity) and return its result.

        Exceptions the agent raises propagate unless the adapter has an
        ``on_turn_error`` handler (or the agent handles them itself).
        """
        incoming = self.make_activity(activity, **fields)
        # Recorded per turn, not sliced from the adapter's lists: turns sent at the same
        # time (asyncio.gather) each get only their own activities.
        with self.adapter._record_turn() as record:
            context = await self.adapter.process_activity(incoming, self.agent.on_turn)
        return TurnResult(
            activity=context.activity,
            replies=list(record.sent),
            invoke_response=read_invoke_response(context),
            buffered=list(context.buffered_reply_activities),
            updated=list(record.updated),
            deleted=list(record.deleted),
        )

    async def invoke(self, name: str, value: Any = None, **fields: Any) -> TurnResult:
        """Send an ``invoke`` activity named ``name`` carrying ``value``."""
        return await self.send(
            Activity(type=ActivityTypes.invoke, name=name, value=value), **fields
        )

    async def event(self, name: str, value: Any = None, **fields: Any) -> TurnResult:
        """Send an ``event`` activity named ``name`` carrying ``value``."""
        return await self.send(Activity(type=ActivityTypes.event, name=name, value=value), **fields)

    async def members_added(self, *members: ChannelAccount, **fields: Any) -> TurnResult:
        """Send a ``conversationUpdate`` adding ``members`` (the user and the agent by default).

        A member given twice (by id) is listed once, as a channel lists it (A4101).
        """
        added = _unique(members) or [self.user, self.agent_account]
        return await self.send(
            Activity(type=ActivityTypes.conversation_update, members_added=added), **fields
        )

    async def members_removed(self, *members: ChannelAccount, **fields: Any) -> TurnResult:
        """Send a ``conversationUpdate`` removing ``members`` (the user by default).

        A member given twice (by id) is listed once, as a channel lists it (A4101).
        """
        removed = _unique(members) or [self.user]
        return await self.send(
            Activity(type=ActivityTypes.conversation_update, members_removed=removed), **fields
        )


def _unique(members: tuple[ChannelAccount, ...]) -> list[ChannelAccount]:
    """``members`` without the repeats of an id, in the order given."""
    seen: set[str | None] = set()
    unique = []
    for member in members:
        if member.id not in seen:
            seen.add(member.id)
            unique.append(member)
    return unique
