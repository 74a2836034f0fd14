"""Which channels take a streamed answer, and how fast: the streaming capability table.

A streamed answer is a series of ``typing`` activities carrying a ``streaminfo`` entity,
closed by a ``message`` (A9240, A9241). Not every channel shows one, and the ones that do
have their own pace and limits. :func:`streaming_policy` reads them off the incoming
activity:

=====================================  =======  ==========  ==============  ===========  ==========
where the turn came from               streams  pacing      ``streamId``    keep-alive   time limit
=====================================  =======  ==========  ==============  ===========  ==========
``deliveryMode: expectReplies``        no       --          --              --           --
``deliveryMode: stream`` (any channel) yes      0.1 s       generated       15 s         300 s
Teams, personal chat                   yes      1 s         the channel's   15 s         120 s
Teams, group chat, channel, agentic    no       --          --              --           --
Web Chat, Direct Line                  yes      0.5 s       generated       10 s         300 s
any other channel                      no       --          --              --           --
=====================================  =======  ==========  ==============  ===========  ==========

*Pacing* is the least time between two sends (chunks queued meanwhile are merged into
one). Teams gives the stream the id of its first activity, which every later one repeats;
elsewhere the SDK makes one up. *Keep-alive*: when the agent goes quiet for that long
while a stream is open, the last update is sent again so the channel does not give the
stream up. *Time limit*: a stream still open after that long is closed (its final
``streaminfo`` says ``streamResult: "timeout"``) and the whole answer then arrives as one
normal message when the agent finishes (A9244).

``deliveryMode: stream`` asks for the replies over the HTTP response itself; an adapter
that cannot answer that way handles the request as a normal delivery, and the channel's
own row applies.

Where nothing is streamed, the answer arrives as one message when the agent ends the
stream. Teams outside personal chats gets a plain message (no ``streaminfo`` at all);
other channels get the final message with its ``streaminfo`` entity, as the reference SDK
sends it.
"""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_agents.activity import Activity, ChannelId, Channels, DeliveryModes

__all__ = ["StreamingPolicy", "streaming_policy"]

_PERSONAL = "personal"


@dataclass(frozen=True)
class StreamingPolicy:
    """How a channel takes a streamed answer (one row of the table in the module docs).

    Attributes:
        streams: whether intermediate updates are sent at all.
        reason: why the channel does not stream (logged once when an update is queued).
        interval: least seconds between two sends.
        stream_id_from_channel: the stream's id is the id the channel gives its first
            activity (Teams); otherwise the SDK generates one.
        keep_alive: seconds of silence after which the last update is sent again (None:
            never).
        time_limit: seconds after the first send at which a stream still open is closed
            with ``streamResult: "timeout"`` (None: no limit).
        final_stream_info: whether a message that ends a non-streamed answer carries the
            final ``streaminfo`` entity.
    """

    streams: bool
    reason: str = ""
    interval: float = 0.5
    stream_id_from_channel: bool = False
    keep_alive: float | None = None
    time_limit: float | None = None
    final_stream_info: bool = True

    def __post_init__(self) -> None:
        if self.interval < 0:
            raise ValueError(f"StreamingPolicy.interval must be 0 or more, got {self.interval}")
        for name in ("keep_alive", "time_limit"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"StreamingPolicy.{name} must be more than 0 or None, got {value}")


_HTTP_STREAM = StreamingPolicy(streams=True, interval=0.1, keep_alive=15.0, time_limit=300.0)
_TEAMS = StreamingPolicy(
    streams=True, interval=1.0, stream_id_from_channel=True, keep_alive=15.0, time_limit=120.0
)
_WEB_CHAT = StreamingPolicy(streams=True, interval=0.5, keep_alive=10.0, time_limit=300.0)
_EXPECT_REPLIES = StreamingPolicy(
    streams=False,
    reason="the request asked for expectReplies, so every reply goes back at once in the "
    "HTTP response",
)
_TEAMS_AGENTIC = StreamingPolicy(
    streams=False,
    reason="Teams does not stream answers to agentic requests",
    final_stream_info=False,
)
_TEAMS_NOT_PERSONAL = StreamingPolicy(
    streams=False,
    reason="Teams streams only in personal (one-to-one) chats",
    final_stream_info=False,
)
_STREAMING_CHANNELS = {
    Channels.ms_teams.value: _TEAMS,
    Channels.webchat.value: _WEB_CHAT,
    Channels.direct_line.value: _WEB_CHAT,
}


def streaming_policy(activity: Activity, *, http_stream: bool = True) -> StreamingPolicy:
    """The streaming policy for answers to ``activity`` (see the table in the module docs).

    Args:
        activity: the incoming activity of the turn.
        http_stream: whether a ``deliveryMode: stream`` request is answered over its HTTP
            response; when it is not (an adapter with no reply sink handles it as a
            normal delivery), the channel's own row applies.

    Returns:
        The channel's policy.
    """
    if activity.delivery_mode == DeliveryModes.expect_replies:
        return _EXPECT_REPLIES
    if activity.delivery_mode == DeliveryModes.stream and http_stream:
        return _HTTP_STREAM
    channel = ChannelId.get_channel(activity.channel_id) or ""
    if channel == Channels.ms_teams.value:
        if activity.is_agentic_request():
            return _TEAMS_AGENTIC
        conversation = activity.conversation
        if conversation is None or conversation.conversation_type != _PERSONAL:
            return _TEAMS_NOT_PERSONAL
    found = _STREAMING_CHANNELS.get(channel)
    if found is not None:
        return found
    return StreamingPolicy(
        streams=False,
        reason=f"channel {channel or '(none)'!r} does not show streamed answers",
    )
