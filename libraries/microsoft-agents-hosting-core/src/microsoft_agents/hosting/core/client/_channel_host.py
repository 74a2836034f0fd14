"""The agents this agent calls, from configuration: ``ConfigurationChannelHost``.

A caller agent lists the agents it may call, each with its app id, endpoint and the
connection its tokens come from, and its own callback address::

    class Settings:
        @staticmethod
        def CHANNEL_HOST_CONFIGURATION() -> ChannelHostConfiguration:
            return ChannelHostConfiguration(
                CHANNELS=[ChannelInfo(id="EchoAgent", app_id="...",
                                      endpoint="https://skill.example/api/messages",
                                      resource_url="...", token_provider="SERVICE_CONNECTION",
                                      supports_expect_replies=True)],
                HOST_ENDPOINT="https://me.example/api/botresponse/",
                HOST_APP_ID="...",
            )

    host = ConfigurationChannelHost(HttpAgentChannelFactory(), connections, Settings,
                                    "HttpAgentClient")
    channel = host.get_channel_from_name("EchoAgent")

``supports_expect_replies`` says the agent answers ``deliveryMode: expectReplies`` in the
HTTP answer; the channel passes that delivery mode on only then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from microsoft_agents.hosting.core.authorization import Connections

from ._agent_channel import HttpAgentChannel, HttpAgentChannelFactory

__all__ = [
    "ChannelFactoryProtocol",
    "ChannelHostConfiguration",
    "ChannelHostProtocol",
    "ChannelInfo",
    "ChannelInfoProtocol",
    "ChannelProtocol",
    "ChannelsConfiguration",
    "ConfigurationChannelHost",
]


@runtime_checkable
class ChannelInfoProtocol(Protocol):
    """What describes one callee agent."""

    id: str | None
    app_id: str | None
    resource_url: str | None
    token_provider: str | None
    channel_factory: str | None
    endpoint: str | None


class ChannelInfo:
    """One agent this agent may call.

    Args:
        id: the name it is called by.
        app_id: its app (client) id.
        resource_url: the resource its tokens are asked for; ``None`` (the default)
            stays ``None``, so pass the callee's app id or resource URL to
            ``post_activity`` as ``to_agent_resource`` yourself.
        token_provider: the connection name tokens come from.
        channel_factory: the name of the channel factory (informational).
        endpoint: its messaging endpoint.
        supports_expect_replies: it answers ``deliveryMode: expectReplies`` with its
            replies in the HTTP answer, so that delivery mode may be passed on to it
            (activity-requirements A3115); ``True`` or ``False``, or the text ``"true"`` or
            ``"false"`` from a settings file. Off by default: not known to.
        **kwargs: other settings, kept in :attr:`extra`.

    Raises:
        ValueError: ``supports_expect_replies`` is neither a bool nor ``"true"``/``"false"``.
    """

    def __init__(
        self,
        id: str | None = None,
        app_id: str | None = None,
        resource_url: str | None = None,
        token_provider: str | None = None,
        channel_factory: str | None = None,
        endpoint: str | None = None,
        *,
        supports_expect_replies: bool | str = False,
        **kwargs: Any,
    ) -> None:
        self.id = id
        self.app_id = app_id
        self.resource_url = resource_url
        self.token_provider = token_provider
        self.channel_factory = channel_factory
        self.endpoint = endpoint
        self.supports_expect_replies = _as_flag(supports_expect_replies, id)
        self.extra: dict[str, Any] = kwargs

    def __repr__(self) -> str:
        return f"ChannelInfo(id={self.id!r}, app_id={self.app_id!r}, endpoint={self.endpoint!r})"


@dataclass
class ChannelHostConfiguration:
    """The callees and this agent's callback address."""

    CHANNELS: list[ChannelInfo] = field(default_factory=list)
    HOST_ENDPOINT: str = ""
    HOST_APP_ID: str = ""


@runtime_checkable
class ChannelsConfiguration(Protocol):
    """A settings object that knows the channel host configuration."""

    @staticmethod
    def CHANNEL_HOST_CONFIGURATION() -> ChannelHostConfiguration:  # noqa: N802 - public name
        """The configuration."""
        ...


@runtime_checkable
class ChannelProtocol(Protocol):
    """A way to post activities to one callee (``HttpAgentChannel``)."""

    async def post_activity(self, *args: Any, **kwargs: Any) -> Any:
        """Send an activity to the callee."""
        ...


@runtime_checkable
class ChannelFactoryProtocol(Protocol):
    """Creates channels (``HttpAgentChannelFactory``)."""

    def create_channel(self, token_access: Any) -> Any:
        """A channel using ``token_access`` for its tokens."""
        ...


@runtime_checkable
class ChannelHostProtocol(Protocol):
    """Knows the callees and hands out channels to them."""

    host_endpoint: str
    host_app_id: str
    channels: dict[str, ChannelInfo]

    def get_channel_from_name(self, name: str) -> Any:
        """A channel to the callee called ``name``."""
        ...


class ConfigurationChannelHost:
    """The callees of :class:`ChannelHostConfiguration`, with channels to each.

    Args:
        channel_factory: makes the channels (``HttpAgentChannelFactory()``).
        connections: where each callee's token provider comes from.
        configuration: an object with ``CHANNEL_HOST_CONFIGURATION()``.
        default_channel_name: the channel factory name used when a callee names none.

    Raises:
        ValueError: the configuration lists a callee without ``id`` or ``endpoint``.
    """

    def __init__(
        self,
        channel_factory: HttpAgentChannelFactory,
        connections: Connections,
        configuration: Any,
        default_channel_name: str,
    ) -> None:
        settings: ChannelHostConfiguration = configuration.CHANNEL_HOST_CONFIGURATION()
        self._factory = channel_factory
        self._connections = connections
        self.default_channel_name = default_channel_name
        self.host_endpoint = settings.HOST_ENDPOINT
        self.host_app_id = settings.HOST_APP_ID
        self.channels: dict[str, ChannelInfo] = {}
        for info in _as_infos(settings.CHANNELS):
            if not info.id or not info.endpoint:
                raise ValueError(
                    f"every agent in CHANNELS needs an id and an endpoint; got {info!r}"
                )
            info.channel_factory = info.channel_factory or default_channel_name
            self.channels[info.id] = info

    def get_channel_from_name(self, name: str) -> HttpAgentChannel:
        """A channel to the callee ``name``.

        Raises:
            KeyError: no callee has that name.
        """
        info = self.channels.get(name)
        if info is None:
            raise KeyError(f"no agent named {name!r} is configured; known: {sorted(self.channels)}")
        return self.get_channel_from_channel_info(info)

    def get_channel_from_channel_info(self, info: ChannelInfo) -> HttpAgentChannel:
        """A channel to the callee ``info`` describes.

        The channel passes ``expectReplies`` on only if ``info`` says the callee supports it.
        """
        return self._factory.create_channel(
            self._connections.get_connection(info.token_provider),
            supports_expect_replies=getattr(info, "supports_expect_replies", False) is True,
        )


def _as_flag(value: bool | str, agent: str | None) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in ("true", "false"):
        return text == "true"
    raise ValueError(
        f"supports_expect_replies of the agent {agent!r} must be true or false, got {value!r}"
    )


def _as_infos(items: Iterable[Any]) -> list[ChannelInfo]:
    result = []
    for item in items or []:
        if isinstance(item, ChannelInfo):
            result.append(item)
        elif isinstance(item, Mapping):
            result.append(ChannelInfo(**{str(k).lower(): v for k, v in item.items()}))
        else:
            raise TypeError(f"CHANNELS entries must be ChannelInfo or dicts, got {item!r}")
    return result
