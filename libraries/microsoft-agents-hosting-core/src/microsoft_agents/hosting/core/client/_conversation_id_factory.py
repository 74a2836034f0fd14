"""Conversation ids for the conversations an agent opens with the agents it calls.

When this agent (the *caller*) passes a user's activity to another agent (the *callee*),
the callee must not see the user's real conversation: it gets a new conversation id, and
its answers come back to this agent's callback routes under that id.
:class:`ConversationIdFactory` makes those ids and remembers, under each, the reference
of the original conversation and the token audience to answer it with::

    ids = ConversationIdFactory(storage)
    conversation_id = await ids.create_conversation_id(
        ConversationIdFactoryOptions(
            from_oauth_scope=context.turn_state[adapter.OAUTH_SCOPE_KEY],
            from_agent_id=APP_ID,
            activity=context.activity,
            agent=skill_info,
        )
    )
    ...
    reference = await ids.get_agent_conversation_reference(conversation_id)

The stored document is :class:`AgentConversationReference` (a pydantic model and a
``StoreItem``):
``{"conversation_reference": {...snake_case, "agent" instead of "bot"...},
"oauth_scope": "...", "agent_app_id": "..."}`` with nulls left out (``agent_app_id`` when
the called agent's app id was given: a callback route checks its caller with
:meth:`AgentConversationReference.is_from`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from microsoft_agents.activity import Activity, AgentsModel, ConversationReference
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.storage import Storage, StoreItem

__all__ = [
    "AgentConversationReference",
    "ConversationIdFactory",
    "ConversationIdFactoryOptions",
    "ConversationIdFactoryProtocol",
]


class AgentConversationReference(AgentsModel, StoreItem):
    """The original conversation behind a conversation id given to a called agent.

    A pydantic model (``model_dump``, ``model_validate`` work as on the other protocol
    models) and a ``StoreItem``. Built with keywords, or positionally as
    ``AgentConversationReference(conversation_reference, oauth_scope)``.

    Attributes:
        conversation_reference: where the user's conversation is.
        oauth_scope: the token audience to answer the user's channel with.
        agent_app_id: the app id of the called agent the id was given to, when it was
            known (``ConversationIdFactoryOptions.agent.app_id``): only that agent may
            then use the id (:meth:`is_from`).
    """

    conversation_reference: ConversationReference
    oauth_scope: str = ""
    agent_app_id: str | None = None

    def __init__(
        self,
        conversation_reference: ConversationReference | None = None,
        oauth_scope: str | None = None,
        **data: Any,
    ) -> None:
        if conversation_reference is not None:
            data["conversation_reference"] = conversation_reference
        if oauth_scope is not None:
            data["oauth_scope"] = oauth_scope
        super().__init__(**data)

    def __repr__(self) -> str:
        conversation = self.conversation_reference.conversation
        return (
            "AgentConversationReference(conversation="
            f"{conversation.id if conversation else None!r}, oauth_scope={self.oauth_scope!r})"
        )

    def is_from(self, claims_identity: ClaimsIdentity) -> bool:
        """Whether the caller of a callback route may use this conversation id.

        A callback route of the caller's app id accepts the token of any app that may call
        this agent; the id alone (a uuid) is all that ties it to one called agent. When
        the called agent's app id was recorded, the caller must be that agent. Without
        one, or for an anonymous caller (development mode), any caller is accepted.

        Args:
            claims_identity: the claims of the callback request's token.
        """
        if not self.agent_app_id or not claims_identity.claims:
            return True
        return claims_identity.get_outgoing_app_id() == self.agent_app_id

    def store_item_to_json(self) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "conversation_reference": self.conversation_reference.model_dump(
                mode="json", by_alias=False, exclude_none=True
            ),
            "oauth_scope": self.oauth_scope,
        }
        if self.agent_app_id:
            stored["agent_app_id"] = self.agent_app_id
        return stored

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> AgentConversationReference:
        return AgentConversationReference(
            ConversationReference.model_validate(json_data.get("conversation_reference") or {}),
            str(json_data.get("oauth_scope") or ""),
            agent_app_id=json_data.get("agent_app_id") or None,
        )


@dataclass
class ConversationIdFactoryOptions:
    """What a new agent conversation id is made from.

    Attributes:
        from_oauth_scope: the token audience of the user's channel (answers go back with it).
        from_agent_id: this agent's app id.
        activity: the user's activity being passed on.
        agent: the called agent's description (a ``ChannelInfo``), if any.
    """

    from_oauth_scope: str
    from_agent_id: str
    activity: Activity
    agent: Any = None


@runtime_checkable
class ConversationIdFactoryProtocol(Protocol):
    """What the SDK needs from a conversation id factory."""

    async def create_conversation_id(self, options: ConversationIdFactoryOptions) -> str:
        """A new id standing for the conversation of ``options.activity``."""
        ...

    async def get_agent_conversation_reference(
        self, agent_conversation_id: str
    ) -> AgentConversationReference | None:
        """The original conversation behind an id, or None when it is unknown."""
        ...

    async def delete_conversation_reference(self, agent_conversation_id: str) -> None:
        """Forget an id (when the called agent ended the conversation)."""
        ...


class ConversationIdFactory:
    """Makes agent conversation ids and keeps their references in ``storage``.

    Args:
        storage: where the references are kept (a ``MemoryStorage`` works for one process).
    """

    def __init__(self, storage: Storage) -> None:
        if storage is None:
            raise TypeError("ConversationIdFactory needs a storage, e.g. MemoryStorage()")
        self._storage = storage

    async def create_conversation_id(self, options: ConversationIdFactoryOptions) -> str:
        """A new conversation id (a uuid) for ``options.activity``'s conversation."""
        if options is None or options.activity is None:
            raise ValueError("create_conversation_id needs options with the activity")
        reference = options.activity.get_conversation_reference()
        conversation_id = str(uuid.uuid4())
        agent_app_id = getattr(options.agent, "app_id", None)
        stored = AgentConversationReference(
            reference,
            options.from_oauth_scope,
            agent_app_id=agent_app_id if isinstance(agent_app_id, str) and agent_app_id else None,
        )
        await self._storage.write({conversation_id: stored})
        return conversation_id

    async def get_agent_conversation_reference(
        self, agent_conversation_id: str
    ) -> AgentConversationReference | None:
        """The original conversation behind ``agent_conversation_id``, or None.

        Only an id this factory could have made (a uuid) is looked up: the id comes from
        the path of a callback request, and the storage may hold other keys.
        """
        if not _is_uuid(agent_conversation_id):
            return None
        found = await self._storage.read(
            [agent_conversation_id], target_cls=AgentConversationReference
        )
        item = found.get(agent_conversation_id)
        return item if isinstance(item, AgentConversationReference) else None

    async def delete_conversation_reference(self, agent_conversation_id: str) -> None:
        """Forget ``agent_conversation_id`` (only an id this factory could have made)."""
        if _is_uuid(agent_conversation_id):
            await self._storage.delete([agent_conversation_id])


def _is_uuid(text: str) -> bool:
    if not text:
        return False
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False
