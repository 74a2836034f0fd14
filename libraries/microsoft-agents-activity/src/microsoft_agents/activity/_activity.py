"""The :class:`Activity`: one message, event or signal in a conversation.

Everything a channel sends an agent, and everything an agent sends back, is an activity:
a JSON object whose ``type`` says what it is (``message``, ``conversationUpdate``,
``invoke``, ...) and whose other fields carry the content and the addressing. Parse one with
``Activity.model_validate(payload)`` and write one for the wire with
``activity.model_dump(mode="json", by_alias=True, exclude_unset=True)``::

    >>> incoming = Activity.model_validate({
    ...     "type": "message", "id": "1", "text": "hi", "channelId": "msteams",
    ...     "serviceUrl": "https://smba.trafficmanager.net/amer/",
    ...     "from": {"id": "29:user", "name": "Ann"}, "recipient": {"id": "28:bot"},
    ...     "conversation": {"id": "a:1", "tenantId": "t1"}})
    >>> reply = incoming.create_reply("hello Ann")
    >>> reply.recipient.id, reply.reply_to_id, reply.conversation.tenant_id
    ('29:user', '1', 't1')

Only ``type`` is required. The model is tolerant of what channels really send: unknown
fields are kept, ``null`` is accepted for any optional field, and nothing is lost when a
payload is parsed and dumped again (timestamps included, to the digit).

Sub-channels: ``"channelId": "msteams"`` with a ``ProductInfo`` entity ``{"id": "COPILOT"}``
parses to ``channel_id == "msteams:COPILOT"``; on the wire the base channel goes in
``channelId`` and the sub-channel in the ``ProductInfo`` entity. Assigning another
``channel_id`` (or passing one to ``model_copy(update=...)``) brings the entity along: it
names the new sub-channel, or is dropped when there is none.
"""

import functools
import logging
import re
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, PlainSerializer, model_validator

from ._accounts import (
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
    ResourceResponse,
)
from ._cards import Attachment, SuggestedActions
from ._channel_id import ChannelId
from ._datetime import UtcDatetime, WireDatetime
from ._entities import (
    ActivityTreatment,
    AIEntity,
    AnyEntity,
    ClientCitation,
    Entity,
    Mention,
    ProductInfo,
    SensitivityUsageInfo,
)
from ._enums import (
    ActivityTreatmentTypes,
    ActivityTypes,
    Channels,
    EntityTypes,
    RoleTypes,
)
from ._exceptions import ActivityStateError
from ._model import AgentsModel, BoundedDict, BoundedList, NestedList, new_list

__all__ = [
    "Activity",
    "ConversationParameters",
    "ExpectedReplies",
    "MessageReaction",
    "SemanticAction",
    "TextHighlight",
    "Transcript",
]

logger = logging.getLogger(__name__)

_ActivityT = TypeVar("_ActivityT", bound="Activity")

_PRODUCT_INFO = EntityTypes.PRODUCT_INFO.value.lower()
_MENTION = EntityTypes.MENTION.value
_ACTIVITY_TREATMENT = EntityTypes.ACTIVITY_TREATMENT.value.lower()
# The wire value of each activity type by member name: the is_* checks run on every turn,
# and reading an Enum member (and its value) is slow.
_TYPE_VALUES = {member.name: member.value for member in ActivityTypes}
_AGENTIC_ROLES = frozenset({RoleTypes.agentic_identity.value, RoleTypes.agentic_user.value})
# Web Chat and Direct Line give a conversationUpdate an id that is not a message the
# channel can thread a reply under.
_NO_REPLY_THREADING = frozenset({Channels.direct_line.value, Channels.webchat.value})


def _base_channel(channel_id: str) -> str:
    # A plain ``str`` gets here when validation was bypassed (``model_construct``,
    # ``model_copy(update=...)``).
    if isinstance(channel_id, ChannelId):
        return channel_id.channel
    return channel_id.partition(":")[0]


# On the wire an activity names the base channel; the sub-channel travels as a ProductInfo
# entity (see ``Activity._ensure_product_info``).
_WireChannelId = Annotated[ChannelId, PlainSerializer(_base_channel)]


class MessageReaction(AgentsModel):
    """A reaction (``like``, ``heart``, ...) added to or removed from a message."""

    type: str


class TextHighlight(AgentsModel):
    """A span of another activity's text that this activity refers to."""

    text: str | None = None
    occurrence: int | None = None


class SemanticAction(AgentsModel):
    """A programmatic action the activity carries (state of a multi-turn action)."""

    id: str | None = None
    entities: BoundedDict[AnyEntity] | None = None
    state: str | None = None


def _kind(entity: Entity) -> str:
    """The entity's type for matching: lower-cased, ``""`` when it has none."""
    kind = entity.type
    return kind.lower() if kind else ""


def _type_matches(activity_type: str | None, wanted: str) -> bool:
    """``type`` is ``wanted``, or ``wanted/<suffix>``; case counts ("Message" is not a
    message: A2011)."""
    if activity_type == wanted:
        return True
    if not activity_type:
        return False
    return activity_type.partition("/")[0] == wanted


class Activity(AgentsModel):
    """One activity of the Bot Framework / Microsoft 365 Agents protocol."""

    type: str = Field(min_length=1)
    id: str | None = None
    timestamp: UtcDatetime | None = None
    local_timestamp: WireDatetime | None = None
    local_timezone: str | None = None
    service_url: str | None = None
    channel_id: _WireChannelId | None = None
    # The wire name as validation and serialization aliases, not alias=: pyright would take
    # an alias for the constructor's keyword, and ``from`` cannot be one.
    from_property: ChannelAccount | None = Field(
        default=None, validation_alias="from", serialization_alias="from"
    )
    conversation: ConversationAccount | None = None
    recipient: ChannelAccount | None = None
    text_format: str | None = None
    attachment_layout: str | None = None
    members_added: BoundedList[ChannelAccount] | None = None
    members_removed: BoundedList[ChannelAccount] | None = None
    reactions_added: BoundedList[MessageReaction] | None = None
    reactions_removed: BoundedList[MessageReaction] | None = None
    topic_name: str | None = None
    history_disclosed: bool | None = None
    locale: str | None = None
    text: str | None = None
    speak: str | None = None
    input_hint: str | None = None
    summary: str | None = None
    suggested_actions: SuggestedActions | None = None
    attachments: BoundedList[Attachment] | None = None
    entities: BoundedList[AnyEntity] | None = None
    channel_data: Any = None
    action: str | None = None
    reply_to_id: str | None = None
    label: str | None = None
    value_type: str | None = None
    value: Any = None
    name: str | None = None
    relates_to: ConversationReference | None = None
    code: str | None = None
    expiration: UtcDatetime | None = None
    importance: str | None = None
    delivery_mode: str | None = None
    listen_for: BoundedList[str] | None = None
    text_highlights: BoundedList[TextHighlight] | None = None
    semantic_action: SemanticAction | None = None
    caller_id: str | None = None

    # ------------------------------------------------------------------ wire hooks

    @model_validator(mode="after")
    def _adopt_product_info(self) -> "Activity":
        # Performance: this runs for every parsed activity. Read each field once and
        # call ``_ensure_product_info`` only when there is a sub-channel to carry.
        channel_id = self.channel_id
        if channel_id is None:
            return self
        for entity in self.entities or ():
            if _kind(entity) == _PRODUCT_INFO:
                sub = entity.id if isinstance(entity, ProductInfo) else None
                if not sub:
                    if isinstance(entity, ProductInfo) and channel_id.sub_channel is not None:
                        # An entity that names no sub-channel: it names the channelId's
                        # now, which the wire form carries only there.
                        entity.id = channel_id.sub_channel
                    return self
                current = channel_id.sub_channel
                if current is not None and current != sub:
                    raise ValueError(
                        f"channelId names sub-channel {current!r} but the ProductInfo "
                        f"entity names {sub!r}; send one or make them agree"
                    )
                if current is None:
                    # Not an assignment: the field keeps its "set" state as parsed.
                    self.__dict__["channel_id"] = ChannelId(
                        channel=channel_id.channel, sub_channel=sub
                    )
                return self
        if channel_id.sub_channel is not None:
            self._ensure_product_info()
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "channel_id":
            # Assignment is not validated; a plain "msteams" or "msteams:COPILOT" is
            # parsed here so the sub-channel logic and the wire form see a ChannelId.
            if isinstance(value, str) and not isinstance(value, ChannelId):
                value = ChannelId(value)
            super().__setattr__(name, value)
            self._sync_product_info()
            return
        super().__setattr__(name, value)

    def model_copy(
        self: _ActivityT, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> _ActivityT:
        """A copy of this activity (see pydantic's ``model_copy``).

        A ``channel_id`` in ``update`` is taken as an assignment would take it: parsed into
        a :class:`ChannelId`, with the ``ProductInfo`` entity following its sub-channel.
        """
        copy = super().model_copy(update=update, deep=deep)
        if update and "channel_id" in update:
            copy.channel_id = update["channel_id"]
        return copy

    def _ensure_product_info(self) -> None:
        """Carry a sub-channel on the wire as a ``ProductInfo`` entity."""
        channel_id = self.channel_id
        if channel_id is None or channel_id.sub_channel is None:
            return
        for entity in self.entities or ():
            if _kind(entity) == _PRODUCT_INFO:
                return
        self.entities = [*(self.entities or ()), ProductInfo(id=channel_id.sub_channel)]

    def _sync_product_info(self) -> None:
        """Make the ``ProductInfo`` entities name the sub-channel of a new ``channel_id``.

        A channel id without a sub-channel drops them, one with a sub-channel replaces any
        that names another (or adds one). Entity objects are not changed in place (they
        may be shared with the activity this one was built from), nor is the list. With
        no channel id at all the entities stay as they are.
        """
        channel_id = self.channel_id
        if channel_id is None:
            return
        sub = channel_id.sub_channel if isinstance(channel_id, ChannelId) else None
        entities = self.entities
        if not entities:
            if sub is not None:
                self.entities = [ProductInfo(id=sub)]
            return
        kept: list[Entity] = []
        found = changed = False
        for entity in entities:
            if _kind(entity) != _PRODUCT_INFO:
                kept.append(entity)
            elif sub is None:
                changed = True
            elif getattr(entity, "id", None) == sub:
                found = True
                kept.append(entity)
            else:
                found = changed = True
                kept.append(ProductInfo(id=sub))
        if sub is not None and not found:
            kept.append(ProductInfo(id=sub))
            changed = True
        if changed:
            self.entities = kept

    # ------------------------------------------------------------------ type tests

    def is_message(self) -> bool:
        """True for ``message`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["message"])

    def is_event(self) -> bool:
        """True for ``event`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["event"])

    def is_invoke(self) -> bool:
        """True for ``invoke`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["invoke"])

    def is_typing(self) -> bool:
        """True for ``typing`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["typing"])

    def is_conversation_update(self) -> bool:
        """True for ``conversationUpdate`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["conversation_update"])

    def is_end_of_conversation(self) -> bool:
        """True for ``endOfConversation`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["end_of_conversation"])

    def is_handoff(self) -> bool:
        """True for ``handoff`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["handoff"])

    def is_trace(self) -> bool:
        """True for ``trace`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["trace"])

    def is_command(self) -> bool:
        """True for ``command`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["command"])

    def is_command_result(self) -> bool:
        """True for ``commandResult`` activities."""
        return _type_matches(self.type, _TYPE_VALUES["command_result"])

    def _as(self, activity_type: ActivityTypes) -> "Activity | None":
        return self if _type_matches(self.type, activity_type.value) else None

    def as_message_activity(self) -> "Activity | None":
        """This activity if it is a ``message``, else ``None``."""
        return self._as(ActivityTypes.message)

    def as_contact_relation_update_activity(self) -> "Activity | None":
        """This activity if it is a ``contactRelationUpdate``, else ``None``."""
        return self._as(ActivityTypes.contact_relation_update)

    def as_conversation_update_activity(self) -> "Activity | None":
        """This activity if it is a ``conversationUpdate``, else ``None``."""
        return self._as(ActivityTypes.conversation_update)

    def as_end_of_conversation_activity(self) -> "Activity | None":
        """This activity if it is an ``endOfConversation``, else ``None``."""
        return self._as(ActivityTypes.end_of_conversation)

    def as_event_activity(self) -> "Activity | None":
        """This activity if it is an ``event``, else ``None``."""
        return self._as(ActivityTypes.event)

    def as_handoff_activity(self) -> "Activity | None":
        """This activity if it is a ``handoff``, else ``None``."""
        return self._as(ActivityTypes.handoff)

    def as_installation_update_activity(self) -> "Activity | None":
        """This activity if it is an ``installationUpdate``, else ``None``."""
        return self._as(ActivityTypes.installation_update)

    def as_invoke_activity(self) -> "Activity | None":
        """This activity if it is an ``invoke``, else ``None``."""
        return self._as(ActivityTypes.invoke)

    def as_message_delete_activity(self) -> "Activity | None":
        """This activity if it is a ``messageDelete``, else ``None``."""
        return self._as(ActivityTypes.message_delete)

    def as_message_reaction_activity(self) -> "Activity | None":
        """This activity if it is a ``messageReaction``, else ``None``."""
        return self._as(ActivityTypes.message_reaction)

    def as_message_update_activity(self) -> "Activity | None":
        """This activity if it is a ``messageUpdate``, else ``None``."""
        return self._as(ActivityTypes.message_update)

    def as_suggestion_activity(self) -> "Activity | None":
        """This activity if it is a ``suggestion``, else ``None``."""
        return self._as(ActivityTypes.suggestion)

    def as_trace_activity(self) -> "Activity | None":
        """This activity if it is a ``trace``, else ``None``."""
        return self._as(ActivityTypes.trace)

    def as_typing_activity(self) -> "Activity | None":
        """This activity if it is a ``typing``, else ``None``."""
        return self._as(ActivityTypes.typing)

    # ------------------------------------------------------------------ factories

    @staticmethod
    def create_message_activity() -> "Activity":
        """A new, empty ``message`` activity."""
        return Activity(type=ActivityTypes.message.value)

    @staticmethod
    def create_event_activity() -> "Activity":
        """A new, empty ``event`` activity."""
        return Activity(type=ActivityTypes.event.value)

    @staticmethod
    def create_invoke_activity() -> "Activity":
        """A new, empty ``invoke`` activity."""
        return Activity(type=ActivityTypes.invoke.value)

    @staticmethod
    def create_typing_activity() -> "Activity":
        """A new ``typing`` activity."""
        return Activity(type=ActivityTypes.typing.value)

    @staticmethod
    def create_conversation_update_activity() -> "Activity":
        """A new, empty ``conversationUpdate`` activity."""
        return Activity(type=ActivityTypes.conversation_update.value)

    @staticmethod
    def create_end_of_conversation_activity() -> "Activity":
        """A new ``endOfConversation`` activity."""
        return Activity(type=ActivityTypes.end_of_conversation.value)

    @staticmethod
    def create_handoff_activity() -> "Activity":
        """A new, empty ``handoff`` activity."""
        return Activity(type=ActivityTypes.handoff.value)

    @staticmethod
    def create_contact_relation_update_activity() -> "Activity":
        """A new, empty ``contactRelationUpdate`` activity."""
        return Activity(type=ActivityTypes.contact_relation_update.value)

    @staticmethod
    def create_trace_activity(
        name: str,
        value: Any = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> "Activity":
        """A ``trace`` activity (diagnostics shown by the Emulator, ignored by channels).

        Args:
            name: what is being traced.
            value: any JSON-able value.
            value_type: a name for the value's kind; defaults to its Python type name.
            label: a short description.
        """
        values: dict[str, Any] = {
            "type": ActivityTypes.trace.value,
            "name": name,
            "value_type": value_type or type(value).__name__,
        }
        if value is not None:
            values["value"] = value
        if label is not None:
            values["label"] = label
        return Activity(**values)

    # ------------------------------------------------------------------ replies & references

    def _reply_threading_id(self) -> str | None:
        fields = self.__dict__  # dict reads: cheaper than attribute reads on a model
        channel_id: ChannelId | None = fields["channel_id"]
        if (
            channel_id is not None
            and channel_id.channel in _NO_REPLY_THREADING
            and self.is_conversation_update()
        ):
            return None
        activity_id: str | None = fields["id"]
        return activity_id

    def create_reply(self, text: str | None = None, locale: str | None = None) -> "Activity":
        """A ``message`` answering this activity, addressed back to its sender.

        The reply goes to the same conversation (all of it: tenant and conversation type
        included), on the same channel and service URL; sender and recipient are swapped and
        ``reply_to_id`` threads it under this activity.

        Args:
            text: the reply's text (``""`` when omitted).
            locale: the reply's locale; defaults to this activity's.
        """
        values: dict[str, Any] = {
            "type": ActivityTypes.message.value,
            "text": text if text is not None else "",
            "attachments": [],
            "entities": [],
        }
        self._address_reply(values)
        chosen_locale = locale or self.locale
        if chosen_locale is not None:
            values["locale"] = chosen_locale
        return Activity(**values)

    def create_trace(
        self,
        name: str,
        value: Any = None,
        value_type: str | None = None,
        label: str | None = None,
    ) -> "Activity":
        """A ``trace`` activity addressed like a reply to this activity."""
        values: dict[str, Any] = {
            "type": ActivityTypes.trace.value,
            "name": name,
            "value_type": value_type or type(value).__name__,
        }
        if value is not None:
            values["value"] = value
        if label is not None:
            values["label"] = label
        self._address_reply(values)
        return Activity(**values)

    def _address_reply(self, values: dict[str, Any]) -> None:
        if self.recipient is not None:
            values["from_property"] = _account_identity(self.recipient)
        if self.from_property is not None:
            values["recipient"] = _account_identity(self.from_property)
        conversation = self.conversation
        if conversation is not None:
            stripped = without_empty_strings(conversation)
            values["conversation"] = (
                stripped if stripped is not conversation else conversation.model_copy()
            )
        if self.service_url is not None:
            values["service_url"] = self.service_url
        if self.channel_id is not None:
            values["channel_id"] = self.channel_id
        reply_to = self._reply_threading_id()
        if reply_to is not None:
            values["reply_to_id"] = reply_to

    def get_conversation_reference(
        self, force_base_channel: bool | None = None
    ) -> ConversationReference:
        """What to keep to message this conversation later (proactively).

        Args:
            force_base_channel: store the base channel (``msteams``) instead of the full
                channel id with its sub-channel (``msteams:COPILOT``).

        Raises:
            ActivityStateError: the activity has no conversation to refer to.
        """
        if self.conversation is None:
            raise _no_conversation()
        values: dict[str, Any] = {"conversation": self.conversation.model_copy()}
        activity_id = self._reply_threading_id()
        if activity_id is not None:
            values["activity_id"] = activity_id
        if self.from_property is not None:
            values["user"] = self.from_property.model_copy()
        if self.recipient is not None:
            values["agent"] = self.recipient.model_copy()
        if self.channel_id is not None:
            values["channel_id"] = self.channel_id.base if force_base_channel else self.channel_id
        if self.locale is not None:
            values["locale"] = self.locale
        if self.service_url is not None:
            values["service_url"] = self.service_url
        return ConversationReference(**values)

    def get_reply_addressing(self, *, copy: bool = True) -> dict[str, Any]:
        """The fields that address a reply to this activity, as ``Activity(...)`` keywords.

        What ``reply.apply_conversation_reference(self.get_conversation_reference())``
        sets, built in one step: the conversation and both accounts (swapped), the
        channel, service URL, locale and ``reply_to_id`` (the last three only when not
        empty). Empty strings in the conversation and accounts are left out (A2004).
        Adding ``type`` and content gives a reply ready to send::

            reply = Activity(type="message", text="hi", **incoming.get_reply_addressing())

        Args:
            copy: give the reply copies of the conversation and account objects (the
                default), so that changing them on the reply leaves this activity alone;
                False shares them, as ``apply_conversation_reference`` does, for a reply
                nobody changes.

        Raises:
            ActivityStateError: the activity has no conversation to reply in.
        """
        # Every text reply comes here. The fields are read from __dict__ (a dict read costs
        # far less than reading a model's attribute), which pays for the A2004 check.
        fields = self.__dict__
        conversation: ConversationAccount | None = fields["conversation"]
        if conversation is None:
            raise _no_conversation()
        recipient: ChannelAccount | None = fields["recipient"]
        sender: ChannelAccount | None = fields["from_property"]
        # A2004: a "" that the channel wrote into these is not sent back. One scan of each
        # model's values (in C) finds that there is none, the usual case.
        if (
            "" in conversation.__dict__.values()
            or (recipient is not None and "" in recipient.__dict__.values())
            or (sender is not None and "" in sender.__dict__.values())
        ):
            conversation = without_empty_strings(conversation)
            recipient = without_empty_strings(recipient) if recipient is not None else None
            sender = without_empty_strings(sender) if sender is not None else None
        if copy:
            conversation = _copy_model(conversation)
            recipient = _copy_model(recipient) if recipient is not None else None
            sender = _copy_model(sender) if sender is not None else None
        values: dict[str, Any] = {"conversation": conversation}
        channel_id: ChannelId | None = fields["channel_id"]
        service_url: str | None = fields["service_url"]
        locale: str | None = fields["locale"]
        if channel_id is not None:
            values["channel_id"] = channel_id
        # Empty strings are left out, as a sender must (A2004).
        if service_url:
            values["service_url"] = service_url
        if locale:
            values["locale"] = locale
        if recipient is not None:
            values["from_property"] = recipient
        if sender is not None:
            values["recipient"] = sender
        reply_to: str | None = fields["id"]
        # _reply_threading_id, written out: a call costs more than the test.
        if reply_to and not (
            channel_id is not None
            and channel_id.channel in _NO_REPLY_THREADING
            and self.is_conversation_update()
        ):
            values["reply_to_id"] = reply_to
        return values

    def get_reply_conversation_reference(self, reply: ResourceResponse) -> ConversationReference:
        """The reference of a reply this agent sent, whose id the channel returned."""
        reference = self.get_conversation_reference()
        reference.activity_id = reply.id
        return reference

    def apply_conversation_reference(
        self: _ActivityT, reference: ConversationReference, is_incoming: bool = False
    ) -> _ActivityT:
        """Address this activity through ``reference``; returns self.

        Args:
            reference: where the conversation lives and who takes part.
            is_incoming: address it as if the user sent it to the agent (used for the
                activity of a proactive turn); otherwise the agent sends it to the user.
        """
        if reference.channel_id is not None:
            self.channel_id = reference.channel_id
        if reference.service_url is not None:
            self.service_url = reference.service_url
        self.conversation = reference.conversation
        if reference.locale:  # an empty locale names none: the activity's own stays
            self.locale = reference.locale
        if is_incoming:
            if reference.user is not None:
                self.from_property = reference.user
            if reference.agent is not None:
                self.recipient = reference.agent
            if reference.activity_id is not None:
                self.id = reference.activity_id
        else:
            if reference.agent is not None:
                self.from_property = reference.agent
            if reference.user is not None:
                self.recipient = reference.user
            if reference.activity_id is not None:
                self.reply_to_id = reference.activity_id
        return self

    # ------------------------------------------------------------------ mentions

    def get_mentions(self) -> list[Mention]:
        """The ``mention`` entities of this activity, as :class:`Mention` objects."""
        found: list[Mention] = []
        for entity in self.entities or ():
            if _kind(entity) != _MENTION:
                continue
            mention = _as_entity(entity, Mention)
            if mention is not None:
                found.append(mention)
        return found

    def get_account_mention(self, account_id: str) -> Mention | None:
        """The first mention of the account with id ``account_id``, if any."""
        for mention in self.get_mentions():
            if mention.mentioned is not None and mention.mentioned.id == account_id:
                return mention
        return None

    def is_recipient_mentioned(self) -> bool:
        """Whether this activity mentions its recipient (usually: the agent)."""
        entities, recipient = self.entities, self.recipient
        if not entities or recipient is None or recipient.id is None:
            return False
        # Most messages mention no one (a Teams message carries only its clientInfo).
        for entity in entities:
            if _kind(entity) == _MENTION:
                return self.get_account_mention(recipient.id) is not None
        return False

    def remove_recipient_mention(self) -> str | None:
        """Remove the @-mention of the recipient from ``text``; returns the new text."""
        if self.recipient is None or self.recipient.id is None:
            return self.text
        return self.remove_mention_text(self.recipient.id)

    def remove_mention_text(self, identifier: str) -> str | None:
        """Remove every mention of account ``identifier`` from ``text``; returns the text.

        The mention's own ``text`` (or ``<at>name</at>``) is removed wherever it occurs,
        ignoring case, and the result is stripped.
        """
        if self.text is None:
            return None
        text = self.text
        for mention in self.get_mentions():
            if mention.mentioned is None or mention.mentioned.id != identifier:
                continue
            needle = mention.text
            if not needle and mention.mentioned.name:
                needle = f"<at>{mention.mentioned.name}</at>"
            if needle:
                text = re.sub(re.escape(needle), "", text, flags=re.IGNORECASE)
        self.text = text.strip()
        return self.text

    def add_mention(
        self: _ActivityT,
        account: ChannelAccount,
        text: str | None = None,
        add_text: bool = True,
    ) -> _ActivityT:
        """Mention ``account``: add a mention entity and (by default) its tag to the text.

        Args:
            account: who to mention.
            text: the name shown; defaults to the account's name.
            add_text: also put ``<at>name</at>`` in front of the activity's text.
        """
        tag = f"<at>{text or account.name or account.id or ''}</at>"
        self.add_entity(Mention(mentioned=account, text=tag))
        if add_text:
            self.text = f"{tag} {self.text}" if self.text else tag
        return self

    # ------------------------------------------------------------------ content

    def has_content(self) -> bool:
        """Whether there is anything to show: text, summary, attachments or channel data."""
        if self.text and self.text.strip():
            return True
        if self.summary and self.summary.strip():
            return True
        if self.attachments:
            return True
        return bool(self.channel_data)

    def is_from_streaming_connection(self) -> bool:
        """Whether the activity came over a streaming connection (no HTTP service URL)."""
        return bool(self.service_url) and not str(self.service_url).lower().startswith("http")

    def get_product_info_entity(self) -> ProductInfo | None:
        """The ``ProductInfo`` entity (naming the sub-channel), if present."""
        for entity in self.entities or ():
            if _kind(entity) == _PRODUCT_INFO:
                return _as_entity(entity, ProductInfo)
        return None

    def add_ai_metadata(
        self: _ActivityT,
        citations: list[ClientCitation] | None = None,
        usage_info: SensitivityUsageInfo | None = None,
    ) -> _ActivityT:
        """Mark the activity AI-generated, with its citations and sensitivity label."""
        if citations is None and usage_info is None:
            return self
        entity = AIEntity(citation=citations or [])
        if usage_info is not None:
            entity.usage_info = usage_info
        return self.add_entity(entity)

    # ------------------------------------------------------------------ agentic identities

    def is_agentic_request(self) -> bool:
        """Whether the recipient is an agentic identity (an agent instance or agent user)."""
        recipient = self.recipient
        return recipient is not None and recipient.role in _AGENTIC_ROLES

    def get_agentic_instance_id(self) -> str | None:
        """The agent instance (app) id of an agentic request."""
        if not self.is_agentic_request() or self.recipient is None:
            return None
        return self.recipient.agentic_app_id

    def get_agentic_user(self) -> str | None:
        """The agentic user id of an agentic request."""
        if not self.is_agentic_request() or self.recipient is None:
            return None
        return self.recipient.agentic_user_id

    def get_agentic_tenant_id(self) -> str | None:
        """The tenant of an agentic request: the recipient's, else the conversation's."""
        if not self.is_agentic_request():
            return None
        if self.recipient is not None and self.recipient.tenant_id:
            return self.recipient.tenant_id
        if self.conversation is not None:
            return self.conversation.tenant_id
        return None

    # ------------------------------------------------------------------ targeting

    def is_targeted_activity(self) -> bool:
        """Whether an ``activityTreatment`` entity makes this visible to one user only."""
        for entity in self.entities or ():
            if _kind(entity) == _ACTIVITY_TREATMENT:
                treatment = getattr(entity, "treatment", None)
                if treatment is None and entity.model_extra:
                    treatment = entity.model_extra.get("treatment")
                if treatment == ActivityTreatmentTypes.targeted.value:
                    return True
        return False

    def make_targeted_activity(self: _ActivityT, user: ChannelAccount | None = None) -> _ActivityT:
        """Show this activity to one user only (``user``, or the current recipient)."""
        if user is not None:
            self.recipient = user
        if not self.is_targeted_activity():
            self.add_entity(ActivityTreatment(treatment=ActivityTreatmentTypes.targeted.value))
        return self

    # ------------------------------------------------------------------ fluent setters

    def with_text(self: _ActivityT, text: str) -> _ActivityT:
        """Set ``text``; returns self."""
        self.text = text
        return self

    def add_text(self: _ActivityT, text: str) -> _ActivityT:
        """Append to ``text``; returns self."""
        self.text = (self.text or "") + text
        return self

    def with_speak(self: _ActivityT, speak: str) -> _ActivityT:
        """Set ``speak`` (SSML or plain text to read aloud); returns self."""
        self.speak = speak
        return self

    def with_input_hint(self: _ActivityT, input_hint: str) -> _ActivityT:
        """Set ``input_hint``; returns self."""
        self.input_hint = input_hint
        return self

    def with_summary(self: _ActivityT, summary: str) -> _ActivityT:
        """Set ``summary``; returns self."""
        self.summary = summary
        return self

    def with_locale(self: _ActivityT, locale: str) -> _ActivityT:
        """Set ``locale``; returns self."""
        self.locale = locale
        return self

    def with_text_format(self: _ActivityT, text_format: str) -> _ActivityT:
        """Set ``text_format``; returns self."""
        self.text_format = text_format
        return self

    def with_attachment_layout(self: _ActivityT, attachment_layout: str) -> _ActivityT:
        """Set ``attachment_layout``; returns self."""
        self.attachment_layout = attachment_layout
        return self

    def with_delivery_mode(self: _ActivityT, delivery_mode: str) -> _ActivityT:
        """Set ``delivery_mode``; returns self."""
        self.delivery_mode = delivery_mode
        return self

    def with_name(self: _ActivityT, name: str) -> _ActivityT:
        """Set ``name``; returns self."""
        self.name = name
        return self

    def with_value(self: _ActivityT, value: Any, value_type: str | None = None) -> _ActivityT:
        """Set ``value`` (and ``value_type`` when given); returns self."""
        self.value = value
        if value_type is not None:
            self.value_type = value_type
        return self

    def with_suggested_actions(self: _ActivityT, suggested_actions: SuggestedActions) -> _ActivityT:
        """Set ``suggested_actions``; returns self."""
        self.suggested_actions = suggested_actions
        return self

    def add_attachment(self: _ActivityT, *attachments: Attachment) -> _ActivityT:
        """Append attachments; returns self."""
        self.attachments = [*(self.attachments or ()), *attachments]
        return self

    def add_entity(self: _ActivityT, *entities: Entity) -> _ActivityT:
        """Append entities, skipping any identical to one already present; returns self."""
        merged = list(self.entities or ())
        for entity in entities:
            if entity not in merged:
                merged.append(entity)
        self.entities = merged
        return self


_EntityT = TypeVar("_EntityT", bound=Entity)


def _as_entity(entity: Entity, cls: type[_EntityT]) -> _EntityT | None:
    """``entity`` as ``cls``; ``None`` when its content does not fit that class."""
    if isinstance(entity, cls):
        return entity
    try:
        return cls.model_validate(entity.model_dump(by_alias=True, exclude_unset=True))
    except ValueError:
        logger.debug("skipping a %r entity that does not fit %s", entity.type, cls.__name__)
        return None


def _no_conversation() -> ActivityStateError:
    return ActivityStateError(
        "this activity has no 'conversation', so there is nothing to refer back to; "
        "only activities received from a channel carry one"
    )


_ModelT = TypeVar("_ModelT", bound=BaseModel)


def _copy_model(model: _ModelT) -> _ModelT:
    """A shallow copy of a model, like ``model.model_copy()`` at about half the cost.

    For the account models a reply copies (no private attributes): the field values, the
    extra fields and which fields were set are copied; nested values are shared.
    """
    if getattr(model, "__pydantic_private__", None):
        return model.model_copy()
    copy = model.__class__.__new__(model.__class__)
    _set_slot(copy, "__dict__", dict(model.__dict__))
    extra = model.__pydantic_extra__
    _set_slot(copy, "__pydantic_extra__", dict(extra) if extra is not None else None)
    _set_slot(copy, "__pydantic_fields_set__", set(model.__pydantic_fields_set__))
    _set_slot(copy, "__pydantic_private__", None)
    return copy


_set_slot = object.__setattr__


def without_empty_strings(model: _ModelT) -> _ModelT:
    """``model`` itself, or a copy of it without the fields that hold ``""``.

    A sender leaves a string field out instead of sending it empty (A2004), but a channel
    may write ``""`` into the accounts and conversation a reply copies (``"name": ""``).
    Only a model that has such a field is copied (shallowly), so the caller's object never
    changes; in the copy those fields are back to their defaults and no longer "set".
    Unknown (extra) keys are kept as they are, like everywhere else (A2005).
    """
    values = model.__dict__
    if "" not in values.values():  # the usual case: one scan, in C
        return model
    copy = _copy_model(model)
    fields = type(model).model_fields
    kept = copy.__dict__
    for name, value in values.items():
        if isinstance(value, str) and not value and name in fields:
            kept[name] = fields[name].get_default(call_default_factory=True)
            copy.__pydantic_fields_set__.discard(name)
    return copy


@functools.cache
def _activity_template() -> dict[str, Any]:
    """Every field of ``Activity`` with its default, in declaration order (never changed:
    callers copy it)."""
    return {
        name: None if field.is_required() else field.get_default(call_default_factory=True)
        for name, field in Activity.model_fields.items()
    }


def build_validated_activity(values: dict[str, Any]) -> Activity:
    """An ``Activity`` holding ``values`` as they are, without validating them again.

    For the SDK's own hot paths (the text replies ``TurnContext.send_activity`` builds),
    where every value is already of its field's type: the conversation and accounts of a
    parsed activity, a ``ChannelId``, plain strings. The fields named in ``values`` count
    as set, as if passed to ``Activity(...)``; the result is equal to that, at a fraction
    of the cost. ``values`` must use field names (``from_property``), include ``type``,
    and is not kept.
    """
    activity = Activity.__new__(Activity)
    fields = dict(_activity_template())
    fields.update(values)
    _set_slot(activity, "__dict__", fields)
    _set_slot(activity, "__pydantic_fields_set__", set(values))
    _set_slot(activity, "__pydantic_extra__", {})
    _set_slot(activity, "__pydantic_private__", None)
    return activity


def _account_identity(account: ChannelAccount) -> ChannelAccount:
    """The id and name of an account (what a reply's addressing needs)."""
    values: dict[str, Any] = {"id": account.id}
    if account.name:  # an empty name is left out (A2004)
        values["name"] = account.name
    return ChannelAccount(**values)


class ConversationParameters(AgentsModel):
    """The body of a create-conversation call."""

    is_group: bool | None = None
    agent: ChannelAccount | None = Field(
        default=None, validation_alias="bot", serialization_alias="bot"
    )
    members: BoundedList[ChannelAccount] | None = None
    topic_name: str | None = None
    activity: Activity | None = None
    channel_data: Any = None
    tenant_id: str | None = None
    conversation: ConversationAccount | None = None


class ExpectedReplies(AgentsModel):
    """The activities an agent answers with when the request asked for ``expectReplies``.

    ``activities`` starts empty; a received ``null`` parses to ``None``.
    """

    activities: NestedList[Activity] | None = Field(default_factory=new_list)
    body: Any = None


class Transcript(AgentsModel):
    """A list of activities, as a channel stores a conversation's history.

    ``activities`` starts empty; a received ``null`` parses to ``None``.
    """

    activities: NestedList[Activity] | None = Field(default_factory=new_list)
