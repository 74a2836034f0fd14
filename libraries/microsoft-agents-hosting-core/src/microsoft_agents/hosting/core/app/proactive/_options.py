"""The options of proactive messaging: ``ProactiveOptions`` and ``CreateConversationOptions``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from microsoft_agents.activity import ConversationParameters
    from microsoft_agents.hosting.core.authorization import ClaimsIdentity
    from microsoft_agents.hosting.core.storage import Storage

__all__ = ["CreateConversationOptions", "ProactiveOptions"]


@dataclass
class ProactiveOptions:
    """How ``app.proactive`` behaves; giving them (``proactive=ProactiveOptions()``) turns it on.

    Attributes:
        storage: where conversations are stored (under ``proactive/conversations/<id>``);
            None uses the application's storage.
        fail_on_unsigned_in_connections: in ``continue_conversation(...,
            token_handlers=[...])``, raise ``RuntimeError`` (and skip the handler) when the
            user is not signed in to one of the handlers; False runs the handler anyway,
            without that token.
    """

    storage: Storage | None = None
    fail_on_unsigned_in_connections: bool = True


@dataclass
class CreateConversationOptions:
    """What ``app.proactive.create_conversation`` needs to start a conversation.

    Attributes:
        identity: the agent's identity; its app id (``aud``, else ``appid``) is the one
            the conversation is created with, and its claims are kept in the returned
            ``Conversation``. ``ClaimsIdentity({"aud": app_id, "appid": app_id})`` for an
            agent acting as itself.
        channel_id: the channel to create it on (``"msteams"``, ...); required.
        parameters: the body of the create call: members, the tenant, whether it is a
            group, a first activity, ...; None sends an empty body.
        service_url: the channel's service URL; required.
        audience: the audience of the token the call carries; None for the Bot
            Framework's (``https://api.botframework.com``), what channels expect.
        store_conversation: store the new conversation (as ``store_conversation`` would)
            so that it can later be continued by its id.
    """

    identity: ClaimsIdentity
    channel_id: str = ""
    parameters: ConversationParameters | None = None
    service_url: str | None = None
    audience: str | None = None
    store_conversation: bool = False
