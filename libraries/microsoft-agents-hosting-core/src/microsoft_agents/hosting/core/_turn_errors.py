"""``default_on_turn_error``: what to do when a turn raised and nobody else handled it.

An adapter calls its ``on_turn_error`` handler with the turn's context and the exception
that escaped the agent. This default handler:

1. logs the exception with its traceback (logger
   ``microsoft_agents.hosting.core._turn_errors``, level ``ERROR``);
2. tells the user, in neutral words, that something went wrong: the exception text and the
   stack trace stay in the log, never in the chat. Not when the error is the channel
   refusing the conversation itself (a :class:`ServiceError` from the conversation's
   ``serviceUrl`` with status 401, 403 or 404, such as a user who blocked the agent or a
   deleted conversation; 429 or 5xx the transport already retried; no answer at all):
   another message would meet the same answer. A refusal of the reply itself (400, 413:
   a card too large) is still followed by the message;
3. on the Bot Framework Emulator and the ``test`` channel only, sends a ``trace`` activity
   (``OnTurnError Trace``) with the exception's type and message, so a developer sees what
   failed next to the conversation.

Use it as is, or call it from your own handler after doing your own clean-up::

    adapter = CloudAdapter(on_turn_error=default_on_turn_error)

    async def on_error(context: TurnContext, error: Exception) -> None:
        await conversation_state.delete(context)
        await default_on_turn_error(context, error)
"""

from __future__ import annotations

import logging

from microsoft_agents.activity import ChannelId

from ._errors import ServiceError
from ._outbound import same_service_url
from ._turn_context import TurnContext

__all__ = ["default_on_turn_error"]

logger = logging.getLogger(__name__)

_USER_MESSAGE = "The agent encountered an error or bug."
_TRACE_NAME = "OnTurnError Trace"
_TRACE_VALUE_TYPE = "https://www.botframework.com/schemas/error"
_TRACE_LABEL = "TurnError"
_TRACE_CHANNELS = frozenset({"emulator", "test"})
# The channel's answers that refuse the conversation, not just one reply.
_CONVERSATION_REFUSED = frozenset({0, 401, 403, 404, 429})


def _channel_refuses_conversation(error: Exception, service_url: str | None) -> bool:
    if not isinstance(error, ServiceError) or not same_service_url(error.url, service_url):
        return False
    return error.status in _CONVERSATION_REFUSED or error.status >= 500


async def default_on_turn_error(context: TurnContext, error: Exception) -> None:
    """Log ``error`` and tell the user, without revealing any detail, that the turn failed.

    The trace activity with the exception's type and message is sent only when the
    conversation is on the ``emulator`` or ``test`` channel. Failures to send are logged;
    this handler never raises.

    Args:
        context: the context of the turn that raised.
        error: the exception that escaped the agent.
    """
    activity = context.activity
    logger.exception(
        "unhandled %s in a turn (activity type %r, id %r, channel %r, conversation %r)",
        type(error).__name__,
        activity.type,
        activity.id,
        activity.channel_id,
        activity.conversation.id if activity.conversation is not None else None,
        exc_info=error,
    )

    if _channel_refuses_conversation(error, activity.service_url):
        logger.info("the channel refused the conversation, so the user is not told about it")
    else:
        try:
            await context.send_activity(_USER_MESSAGE)
        except Exception:
            logger.exception("could not tell the user that the turn failed")

    if ChannelId.get_channel(activity.channel_id) not in _TRACE_CHANNELS:
        return
    try:
        await context.send_trace_activity(
            _TRACE_NAME,
            value=f"{type(error).__name__}: {error}",
            value_type=_TRACE_VALUE_TYPE,
            label=_TRACE_LABEL,
        )
    except Exception:
        logger.exception("could not send the %s activity", _TRACE_NAME)
