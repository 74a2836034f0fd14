"""Message extensions: search and action commands in the compose box and on messages.

Teams sends these as ``invoke`` activities named ``composeExtension/...``:

* ``composeExtension/query``: a search. The ``value`` is a :class:`MessagingExtensionQuery`
  (``command_id``, the typed ``parameters``, paging in ``query_options``). The answer is a
  :class:`MessagingExtensionResponse` whose ``compose_extension`` lists result cards::

      MessagingExtensionResponse(compose_extension=MessagingExtensionResult(
          type="result", attachment_layout="list",
          attachments=[MessagingExtensionAttachment(content_type=..., content=..., preview=...)],
      ))

* ``composeExtension/fetchTask`` and ``composeExtension/submitAction``: an action command.
  The ``value`` is a :class:`MessagingExtensionAction`; when started from a message it
  carries that message as a :class:`MessageActionsPayload`, and when the user edits or sends
  a preview ``bot_message_preview_action`` is ``"edit"`` or ``"send"``. The answer is a
  :class:`MessagingExtensionActionResponse`: a dialog (``task``) or a result.
* ``composeExtension/queryLink``: link unfurling, with an :class:`AppBasedLinkQuery`.
"""

from typing import Any

from pydantic import Field

from microsoft_agents.activity._activity import Activity
from microsoft_agents.activity._cards import Attachment, CardAction
from microsoft_agents.activity._model import AgentsModel

from ._task_module import AnyTaskModuleResponse, CacheInfo, TaskModuleRequest

__all__ = [
    "AppBasedLinkQuery",
    "MessageActionsPayload",
    "MessageActionsPayloadApp",
    "MessageActionsPayloadAttachment",
    "MessageActionsPayloadBody",
    "MessageActionsPayloadConversation",
    "MessageActionsPayloadFrom",
    "MessageActionsPayloadMention",
    "MessageActionsPayloadReaction",
    "MessageActionsPayloadUser",
    "MessagingExtensionAction",
    "MessagingExtensionActionResponse",
    "MessagingExtensionAttachment",
    "MessagingExtensionParameter",
    "MessagingExtensionQuery",
    "MessagingExtensionQueryOptions",
    "MessagingExtensionResponse",
    "MessagingExtensionResult",
    "MessagingExtensionSuggestedAction",
    "SigninStateVerificationQuery",
]


class MessagingExtensionParameter(AgentsModel):
    """One named parameter of a search command, e.g. ``searchKeywords``."""

    name: str | None = None
    value: Any = None


class MessagingExtensionQueryOptions(AgentsModel):
    """Paging of a search: skip ``skip`` results, return at most ``count``."""

    skip: int | None = None
    count: int | None = None


class MessagingExtensionQuery(AgentsModel):
    """The ``value`` of ``composeExtension/query`` (and ``querySettingUrl``).

    Attributes:
        command_id: the search command's id in the app manifest.
        parameters: the values the user typed; ``initialRun`` is ``"true"`` on first open.
        query_options: paging.
        state: the magic code of a sign-in that just completed, if any.
    """

    command_id: str | None = None
    parameters: list[MessagingExtensionParameter] | None = None
    query_options: MessagingExtensionQueryOptions | None = None
    state: str | None = Field(default=None, repr=False)  # a sign-in magic code: not in repr


class MessageActionsPayloadUser(AgentsModel):
    """A user in a message payload (``userIdentityType`` e.g. ``"aadUser"``)."""

    user_identity_type: str | None = None
    id: str | None = None
    display_name: str | None = None


class MessageActionsPayloadApp(AgentsModel):
    """An app in a message payload (``applicationIdentityType`` e.g. ``"bot"``)."""

    application_identity_type: str | None = None
    id: str | None = None
    display_name: str | None = None


class MessageActionsPayloadConversation(AgentsModel):
    """A conversation in a message payload (``conversationIdentityType`` e.g. ``"team"``)."""

    conversation_identity_type: str | None = None
    id: str | None = None
    display_name: str | None = None


class MessageActionsPayloadFrom(AgentsModel):
    """Who sent a message or reaction: a user, an app or a conversation."""

    user: MessageActionsPayloadUser | None = None
    application: MessageActionsPayloadApp | None = None
    conversation: MessageActionsPayloadConversation | None = None


class MessageActionsPayloadBody(AgentsModel):
    """A message's body: ``content_type`` ``"html"`` or ``"text"``, and the ``content``."""

    content_type: str | None = None
    content: str | None = None


class MessageActionsPayloadAttachment(AgentsModel):
    """An attachment of the message an action command was started on."""

    id: str | None = None
    content_type: str | None = None
    content_url: str | None = None
    content: Any = None
    name: str | None = None
    thumbnail_url: str | None = None


class MessageActionsPayloadMention(AgentsModel):
    """An @-mention in the message; ``id`` is its index in the message."""

    id: int | None = None
    mention_text: str | None = None
    mentioned: MessageActionsPayloadFrom | None = None


class MessageActionsPayloadReaction(AgentsModel):
    """A reaction on the message (``reaction_type`` e.g. ``"like"``)."""

    reaction_type: str | None = None
    created_date_time: str | None = None
    user: MessageActionsPayloadFrom | None = None


class MessageActionsPayload(AgentsModel):
    """The message an action command was started on (``value.messagePayload``).

    Dates are kept as the strings Teams sent. ``from_property`` is the JSON ``"from"``.
    """

    id: str | None = None
    reply_to_id: str | None = None
    message_type: str | None = None
    created_date_time: str | None = None
    last_modified_date_time: str | None = None
    deleted: bool | None = None
    subject: str | None = None
    summary: str | None = None
    importance: str | None = None
    locale: str | None = None
    link_to_message: str | None = None
    from_property: MessageActionsPayloadFrom | None = Field(
        default=None, validation_alias="from", serialization_alias="from"
    )
    body: MessageActionsPayloadBody | None = None
    attachment_layout: str | None = None
    attachments: list[MessageActionsPayloadAttachment] | None = None
    mentions: list[MessageActionsPayloadMention] | None = None
    reactions: list[MessageActionsPayloadReaction] | None = None


class MessagingExtensionAction(TaskModuleRequest):
    """The ``value`` of ``composeExtension/fetchTask`` and ``composeExtension/submitAction``.

    Attributes:
        command_id: the action command's id in the app manifest.
        command_context: where it was started: ``"message"``, ``"compose"`` or
            ``"commandbox"``.
        bot_message_preview_action: ``"edit"`` or ``"send"`` when the user acts on a
            preview the agent returned.
        bot_activity_preview: that preview, as activities.
        message_payload: the message the command was started on.
    """

    command_id: str | None = None
    command_context: str | None = None
    bot_message_preview_action: str | None = None
    bot_activity_preview: list[Activity] | None = None
    message_payload: MessageActionsPayload | None = None


class MessagingExtensionAttachment(Attachment):
    """A result card; ``preview`` is the smaller card shown in the result list."""

    preview: Attachment | None = None


class MessagingExtensionSuggestedAction(AgentsModel):
    """Actions offered with a result, e.g. the sign-in or configuration link."""

    actions: list[CardAction] | None = None


class MessagingExtensionResult(AgentsModel):
    """The body of a message extension answer.

    Attributes:
        attachment_layout: ``"list"`` or ``"grid"``.
        type: ``"result"``, ``"message"``, ``"auth"``, ``"config"``,
            ``"botMessagePreview"`` or ``"silentAuth"``.
        attachments: the result cards (for ``"result"``).
        suggested_actions: the sign-in or configuration action (for ``"auth"`` and
            ``"config"``).
        text: the text shown (for ``"message"``).
        activity_preview: the message to preview (for ``"botMessagePreview"``).
    """

    attachment_layout: str | None = None
    type: str | None = None
    attachments: list[MessagingExtensionAttachment] | None = None
    suggested_actions: MessagingExtensionSuggestedAction | None = None
    text: str | None = None
    activity_preview: Activity | None = None


class MessagingExtensionResponse(AgentsModel):
    """The invoke response to ``composeExtension/query`` and ``queryLink``."""

    compose_extension: MessagingExtensionResult | None = None
    cache_info: CacheInfo | None = None


class MessagingExtensionActionResponse(AgentsModel):
    """The invoke response to ``fetchTask`` / ``submitAction``: a dialog or a result."""

    task: AnyTaskModuleResponse | None = None
    compose_extension: MessagingExtensionResult | None = None
    cache_info: CacheInfo | None = None


class AppBasedLinkQuery(AgentsModel):
    """The ``value`` of ``composeExtension/queryLink``: the pasted ``url`` to unfurl."""

    url: str | None = None
    state: str | None = Field(default=None, repr=False)  # a sign-in magic code: not in repr


class SigninStateVerificationQuery(AgentsModel):
    """The ``value`` of ``signin/verifyState``: the magic code in ``state``."""

    state: str | None = Field(default=None, repr=False)  # a sign-in magic code: not in repr
