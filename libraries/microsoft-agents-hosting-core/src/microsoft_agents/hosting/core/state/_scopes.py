"""The two built-in scopes: :class:`ConversationState` and :class:`UserState`.

Both store their document under a key made of the activity's channel id (sub-channel
included, e.g. ``msteams:COPILOT``) and the conversation's or the sender's id::

    {channelId}/conversations/{conversation.id}     ConversationState
    {channelId}/users/{from.id}                     UserState
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from microsoft_agents.hosting.core._errors import StateError

from ._agent_state import AgentState

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.storage._storage import Storage

__all__ = ["ConversationState", "UserState", "conversation_storage_key", "user_storage_key"]

_CONVERSATION_KEY_SHAPE = "{channelId}/conversations/{conversation.id}"
_USER_KEY_SHAPE = "{channelId}/users/{from.id}"


def _storage_key(
    context: TurnContext, scope_name: str, shape: str, segment: str, part: str, how: str
) -> str:
    """``{channelId}/{segment}/{id}``, the id taken from the activity's ``part``
    (``conversation`` or ``from``).

    Raises:
        StateError: the activity has no channel id, or ``part`` has no id (``how`` says
            how to set it).
    """
    activity = context.activity
    channel_id = activity.channel_id
    if not channel_id:
        raise StateError(
            f"{scope_name} needs the activity's channel_id to build its storage key "
            f"{shape}, but the activity has none. Activities from a channel always carry "
            "one; set channel_id on activities you build yourself (tests, proactive turns)."
        )
    account = activity.conversation if part == "conversation" else activity.from_property
    if account is None or not account.id:
        raise StateError(
            f"{scope_name} needs the activity's {part}.id to build its storage key {shape}, "
            f"but the activity has none. Set {how} on activities you build yourself."
        )
    return f"{channel_id}/{segment}/{account.id}"


def conversation_storage_key(context: TurnContext, scope_name: str = "ConversationState") -> str:
    """``{channelId}/conversations/{conversation.id}`` for the turn's activity (the key of
    :class:`ConversationState`; ``scope_name`` names the scope in the error).

    Raises:
        StateError: the activity has no channel id or no conversation id.
    """
    return _storage_key(
        context,
        scope_name,
        _CONVERSATION_KEY_SHAPE,
        "conversations",
        "conversation",
        "activity.conversation (ConversationAccount(id=...))",
    )


def user_storage_key(context: TurnContext, scope_name: str = "UserState") -> str:
    """``{channelId}/users/{from.id}`` for the turn's activity (the key of
    :class:`UserState`; ``scope_name`` names the scope in the error).

    Raises:
        StateError: the activity has no channel id or no sender id.
    """
    return _storage_key(
        context,
        scope_name,
        _USER_KEY_SHAPE,
        "users",
        "from",
        "activity.from_property (ChannelAccount(id=...))",
    )


class ConversationState(AgentState):
    """State shared by everyone in a conversation, kept between its turns.

    Stored under ``{channelId}/conversations/{conversation.id}``.

    Args:
        storage: where the state is kept.
    """

    CONTEXT_SERVICE_KEY: ClassVar[str] = "ConversationState"

    def __init__(self, storage: Storage) -> None:
        super().__init__(storage, self.CONTEXT_SERVICE_KEY)

    def get_storage_key(self, context: TurnContext) -> str:
        """``{channelId}/conversations/{conversation.id}`` for the turn's activity.

        Raises:
            StateError: the activity has no channel id or no conversation id.
        """
        return conversation_storage_key(context, self.scope_name)


class UserState(AgentState):
    """State of one user on one channel, kept across that user's conversations.

    Stored under ``{channelId}/users/{from.id}``.

    Args:
        storage: where the state is kept.
        namespace: the ``turn_state`` key the loaded data is cached under; give two
            ``UserState`` objects of one turn different namespaces.
    """

    CONTEXT_SERVICE_KEY: ClassVar[str] = "Internal.UserState"

    def __init__(self, storage: Storage, namespace: str = "") -> None:
        super().__init__(storage, namespace or self.CONTEXT_SERVICE_KEY)

    def get_storage_key(self, context: TurnContext) -> str:
        """``{channelId}/users/{from.id}`` for the turn's activity.

        Raises:
            StateError: the activity has no channel id or no sender id.
        """
        return user_storage_key(context, self.scope_name)
