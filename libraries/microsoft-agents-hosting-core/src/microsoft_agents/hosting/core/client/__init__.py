"""Agent-to-agent: calling other agents and receiving their answers.

* :class:`HttpAgentChannel` / :class:`HttpAgentChannelFactory` post an activity to another
  agent's messaging endpoint;
* :class:`ConversationIdFactory` gives the called agent a conversation id of its own and
  remembers the user's conversation behind it;
* :class:`ConfigurationChannelHost` reads the agents this one may call from configuration.

The called agent answers through this agent's callback routes
(``channel_service_route_table`` in ``microsoft_agents.hosting.aiohttp``).
"""

from ._agent_channel import ConversationConstants, HttpAgentChannel, HttpAgentChannelFactory
from ._channel_host import (
    ChannelFactoryProtocol,
    ChannelHostConfiguration,
    ChannelHostProtocol,
    ChannelInfo,
    ChannelInfoProtocol,
    ChannelProtocol,
    ChannelsConfiguration,
    ConfigurationChannelHost,
)
from ._conversation_id_factory import (
    AgentConversationReference,
    ConversationIdFactory,
    ConversationIdFactoryOptions,
    ConversationIdFactoryProtocol,
)

__all__ = [
    "AgentConversationReference",
    "ChannelFactoryProtocol",
    "ChannelHostConfiguration",
    "ChannelHostProtocol",
    "ChannelInfo",
    "ChannelInfoProtocol",
    "ChannelProtocol",
    "ChannelsConfiguration",
    "ConfigurationChannelHost",
    "ConversationConstants",
    "ConversationIdFactory",
    "ConversationIdFactoryOptions",
    "ConversationIdFactoryProtocol",
    "HttpAgentChannel",
    "HttpAgentChannelFactory",
]
