"""``Conversation``: what an agent keeps to talk in a conversation later, and its builders.

A conversation is known by its :class:`~microsoft_agents.activity.ConversationReference`
(the channel, its service URL, the conversation, the user and the agent) and by the claims
the agent acts with when it comes back (who the agent is, which audience its token is
for). ``Conversation.from_turn_context(context)`` takes both from a turn; the builders make
one from scratch, for a conversation whose ids are known another way::

    conversation = (
        ConversationBuilder.create(APP_ID, "msteams")
        .with_conversation("a:1abc", tenant_id=TENANT_ID)
        .with_user("29:1xyz")
        .with_service_url("https://smba.trafficmanager.net/amer/")
        .build()
    )

Stored, a conversation is the JSON ``{"claims": {...}, "conversation_reference": {...}}``:
the claims reduced to ``aud``, ``azp``, ``appid``, ``idtyp``, ``ver``, ``iss`` and ``tid``
(never the token itself, nor its lifetime), the reference in its wire form (camelCase,
``bot`` for the agent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from microsoft_agents.activity import (
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from microsoft_agents.hosting.core.storage import StoreItem

if TYPE_CHECKING:
    from microsoft_agents.hosting.core._turn_context import TurnContext
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

__all__ = [
    "STORED_CLAIMS",
    "Conversation",
    "ConversationBuilder",
    "ConversationReferenceBuilder",
]

logger = logging.getLogger(__name__)

STORED_CLAIMS: tuple[str, ...] = ("aud", "azp", "appid", "idtyp", "ver", "iss", "tid")
"""The claims a stored conversation keeps: enough to pick the token for its replies."""

_CLAIMS = "claims"
_REFERENCE = "conversation_reference"

Claims = Mapping[str, str]
"""Claim name -> value, as a conversation keeps them."""


def _claims_identity_type() -> type[ClaimsIdentity]:
    # Imported when first needed: the authorization package is not loaded by
    # ``import microsoft_agents.hosting.core`` (see the import-time benchmark).
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity

    return ClaimsIdentity


def _claims_to_keep(claims: object, where: str) -> dict[str, str]:
    if isinstance(claims, _claims_identity_type()):
        return Conversation.claims_from_identity(claims)
    if isinstance(claims, Mapping):
        return dict(claims)
    raise TypeError(
        f"{where} takes a dict of claims or a ClaimsIdentity, got {type(claims).__name__}"
    )


class Conversation(StoreItem):
    """A conversation to come back to: its reference and the claims to act with.

    Args:
        claims: the claims of the agent's identity in the conversation, or the identity
            itself (then only the claims in :data:`STORED_CLAIMS` are kept). Empty for an
            agent without authentication: its proactive turns send no token.
        conversation_reference: where the conversation is and who takes part.

    Raises:
        TypeError: ``claims`` is neither a mapping nor a ``ClaimsIdentity``, or
            ``conversation_reference`` is not a ``ConversationReference``.
    """

    def __init__(
        self,
        claims: Claims | ClaimsIdentity,
        conversation_reference: ConversationReference,
    ) -> None:
        kept = _claims_to_keep(claims, "Conversation(claims=...)")
        if not isinstance(conversation_reference, ConversationReference):
            raise TypeError(
                "Conversation(conversation_reference=...) takes a ConversationReference, got "
                f"{type(conversation_reference).__name__}; use "
                "activity.get_conversation_reference() or ConversationReferenceBuilder"
            )
        self.claims: dict[str, str] = kept
        self.conversation_reference = conversation_reference

    @classmethod
    def from_turn_context(cls, context: TurnContext) -> Conversation:
        """The conversation of a turn: its activity's reference and the turn's identity.

        Args:
            context: the turn (an incoming message, usually).

        Raises:
            ActivityStateError: the activity has no conversation.
        """
        identity = context.identity
        claims: Claims | ClaimsIdentity = (
            identity if isinstance(identity, _claims_identity_type()) else {}
        )
        return cls(claims, context.activity.get_conversation_reference())

    @staticmethod
    def claims_from_identity(identity: ClaimsIdentity) -> dict[str, str]:
        """The claims of ``identity`` a conversation keeps (:data:`STORED_CLAIMS`).

        Only claims with a non-empty string value are kept.
        """
        kept: dict[str, str] = {}
        for name in STORED_CLAIMS:
            value = identity.get_claim_value(name)
            if isinstance(value, str) and value:
                kept[name] = value
        return kept

    @staticmethod
    def identity_from_claims(claims: Claims) -> ClaimsIdentity:
        """The identity a proactive turn acts with; anonymous when ``claims`` is empty."""
        return _claims_identity_type()(dict(claims))

    @property
    def identity(self) -> ClaimsIdentity:
        """:meth:`identity_from_claims` of this conversation's claims."""
        return self.identity_from_claims(self.claims)

    @property
    def id(self) -> str | None:
        """The conversation's id (``conversation_reference.conversation.id``)."""
        return self.conversation_reference.conversation.id

    def validate(self) -> None:
        """Check that a proactive turn can be run in this conversation.

        Raises:
            ValueError: the reference lacks the conversation id, the channel id or the
                service URL; the message names what is missing.
        """
        reference = self.conversation_reference
        missing = []
        if not reference.conversation.id:
            missing.append("the conversation id (conversation_reference.conversation.id)")
        if not reference.channel_id:
            missing.append("the channel id (conversation_reference.channel_id)")
        if not reference.service_url:
            missing.append("the service URL (conversation_reference.service_url)")
        if missing:
            raise ValueError(
                f"the conversation {reference.conversation.id!r} cannot be continued: it "
                f"lacks {' and '.join(missing)}. Take it from a turn "
                "(Conversation.from_turn_context) or set it on the builder."
            )

    def store_item_to_json(self) -> dict[str, Any]:
        """``{"claims": {...}, "conversation_reference": {...}}`` (the reference by alias)."""
        return {
            _CLAIMS: dict(self.claims),
            _REFERENCE: self.conversation_reference.model_dump(
                mode="json", by_alias=True, exclude_none=True
            ),
        }

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> Conversation:
        """Rebuild a conversation from its stored JSON; other keys are ignored.

        Raises:
            ValueError: the JSON has no conversation reference, or one that is not valid.
        """
        reference = json_data.get(_REFERENCE)
        if not isinstance(reference, Mapping):
            raise ValueError(
                "a stored conversation must have a 'conversation_reference' object; got "
                f"{type(reference).__name__}"
            )
        stored = json_data.get(_CLAIMS)
        claims = (
            {
                name: value
                for name, value in stored.items()
                if isinstance(name, str) and isinstance(value, str)
            }
            if isinstance(stored, Mapping)
            else {}
        )
        return Conversation(claims, ConversationReference.model_validate(reference))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Conversation):
            return NotImplemented
        return (
            self.claims == other.claims
            and self.conversation_reference == other.conversation_reference
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        # The claims stay out: reprs end up in logs.
        reference = self.conversation_reference
        return (
            f"Conversation(id={reference.conversation.id!r}, "
            f"channel_id={reference.channel_id!r}, service_url={reference.service_url!r})"
        )


_StepsT = TypeVar("_StepsT", bound="_ReferenceSteps")


class _ReferenceSteps:
    """The ``with_*`` steps both builders share: the parts of a conversation reference.

    Every step returns the builder itself, so calls chain.
    """

    def __init__(self, agent_id: str, channel_id: str, service_url: str | None = None) -> None:
        if not channel_id:
            raise ValueError("a conversation reference needs a channel id ('msteams', ...)")
        self._channel_id = channel_id
        self._service_url = service_url or None
        self._agent = ChannelAccount(id=agent_id) if agent_id else None
        self._user: ChannelAccount | None = None
        self._conversation: ConversationAccount | None = None
        self._activity_id: str | None = None
        self._locale: str | None = None

    def with_agent(self: _StepsT, agent_id: str, name: str | None = None) -> _StepsT:
        """Set the agent's account (``bot``); on Teams ``28:<app id>``."""
        self._agent = ChannelAccount(id=agent_id, name=name)
        return self

    def with_user(
        self: _StepsT, user_id: str, name: str | None = None, *, aad_object_id: str | None = None
    ) -> _StepsT:
        """Set the user's account: the recipient of what the agent sends."""
        self._user = ChannelAccount(id=user_id, name=name, aad_object_id=aad_object_id)
        return self

    def with_conversation(
        self: _StepsT,
        conversation_id: str,
        *,
        tenant_id: str | None = None,
        is_group: bool | None = None,
        conversation_type: str | None = None,
        name: str | None = None,
    ) -> _StepsT:
        """Set the conversation (its id, and on Teams its tenant)."""
        self._conversation = ConversationAccount(
            id=conversation_id,
            tenant_id=tenant_id,
            is_group=is_group,
            conversation_type=conversation_type,
            name=name,
        )
        return self

    def with_service_url(self: _StepsT, service_url: str) -> _StepsT:
        """Set the channel's service URL (where the Connector API of the channel is)."""
        self._service_url = service_url
        return self

    def with_activity_id(self: _StepsT, activity_id: str) -> _StepsT:
        """Set the activity the reference points at (a message to reply to)."""
        self._activity_id = activity_id
        return self

    def with_locale(self: _StepsT, locale: str) -> _StepsT:
        """Set the locale (``"en-US"``)."""
        self._locale = locale
        return self

    def _start_from(self, reference: ConversationReference) -> None:
        """Take every part from ``reference`` (what was set before is replaced).

        Raises:
            ValueError: the reference has no channel id.
        """
        _ReferenceSteps.__init__(self, "", reference.channel_id or "", reference.service_url)
        self._agent = reference.agent.model_copy() if reference.agent is not None else None
        self._user = reference.user.model_copy() if reference.user is not None else None
        self._conversation = reference.conversation.model_copy()
        self._activity_id = reference.activity_id
        self._locale = reference.locale

    def _reference(self) -> ConversationReference:
        if self._conversation is None or not self._conversation.id:
            raise ValueError(
                "a conversation reference needs the conversation: call "
                "with_conversation(conversation_id) before build()"
            )
        values: dict[str, Any] = {
            "conversation": self._conversation.model_copy(),
            "channel_id": self._channel_id,
        }
        if self._agent is not None:
            values["agent"] = self._agent.model_copy()
        if self._user is not None:
            values["user"] = self._user.model_copy()
        if self._service_url is not None:
            values["service_url"] = self._service_url
        if self._activity_id is not None:
            values["activity_id"] = self._activity_id
        if self._locale is not None:
            values["locale"] = self._locale
        return ConversationReference(**values)


class ConversationReferenceBuilder(_ReferenceSteps):
    """Builds a :class:`~microsoft_agents.activity.ConversationReference` step by step.

    Every ``with_*`` method returns the builder, so calls chain::

        reference = (
            ConversationReferenceBuilder.create("28:" + APP_ID, "msteams")
            .with_conversation("a:1abc")
            .with_user("29:1xyz", "Megan")
            .with_service_url("https://smba.trafficmanager.net/amer/")
            .build()
        )

    Args:
        agent_id: the agent's account id on the channel (the reference's ``bot``); on
            Teams ``28:<app id>``. Empty for none.
        channel_id: the channel (``"msteams"``, ``"webchat"``, ...).
        service_url: the channel's service URL, if already known.
    """

    @classmethod
    def create(
        cls, agent_id: str, channel_id: str, service_url: str | None = None
    ) -> ConversationReferenceBuilder:
        """A builder for a reference on ``channel_id`` with agent ``agent_id``.

        Raises:
            ValueError: ``channel_id`` is empty.
        """
        return cls(agent_id, channel_id, service_url)

    def build(self) -> ConversationReference:
        """The reference.

        Raises:
            ValueError: no conversation was set (``with_conversation``).
        """
        return self._reference()


class ConversationBuilder(_ReferenceSteps):
    """Builds a :class:`Conversation` for an agent acting as itself.

    The claims are ``{"aud": app_id, "appid": app_id}`` (what the adapter uses for the
    agent's own proactive turns) unless :meth:`with_claims` says otherwise; the reference
    is built with the ``with_*`` steps of :class:`ConversationReferenceBuilder`, with the
    app id as the agent's account id until :meth:`with_agent` sets another (on Teams
    ``28:<app id>``). :meth:`build` validates the result.

    Args:
        agent_app_id: the agent's app (client) id; empty for an agent without
            authentication (its turns send no token).
        channel_id: the channel (``"msteams"``, ...).
        service_url: the channel's service URL, if already known.
    """

    def __init__(self, agent_app_id: str, channel_id: str, service_url: str | None = None) -> None:
        super().__init__(agent_app_id, channel_id, service_url)
        self._claims: dict[str, str] = (
            {"aud": agent_app_id, "appid": agent_app_id} if agent_app_id else {}
        )

    @classmethod
    def create(
        cls, agent_app_id: str, channel_id: str, service_url: str | None = None
    ) -> ConversationBuilder:
        """A builder for a conversation of agent ``agent_app_id`` on ``channel_id``.

        Raises:
            ValueError: ``channel_id`` is empty.
        """
        return cls(agent_app_id, channel_id, service_url)

    def with_claims(self, claims: Claims | ClaimsIdentity) -> ConversationBuilder:
        """Act with these claims (an identity keeps only :data:`STORED_CLAIMS`)."""
        self._claims = _claims_to_keep(claims, "with_claims()")
        return self

    def with_reference(self, reference: ConversationReference) -> ConversationBuilder:
        """Start from an existing reference (replaces everything set on it so far).

        Raises:
            ValueError: the reference has no channel id.
        """
        self._start_from(reference)
        return self

    def build(self) -> Conversation:
        """The conversation, validated (see :meth:`Conversation.validate`).

        Raises:
            ValueError: the conversation, the channel or the service URL is missing.
        """
        conversation = Conversation(self._claims, self._reference())
        conversation.validate()
        return conversation
