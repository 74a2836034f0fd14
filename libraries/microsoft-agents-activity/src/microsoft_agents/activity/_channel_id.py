"""``ChannelId``: a channel name with an optional sub-channel.

Most traffic names a single channel (``"msteams"``, ``"webchat"``). Microsoft 365 Copilot
and other hosts that ride on a channel add a sub-channel after a colon:
``"msteams:COPILOT"``. :class:`ChannelId` is a ``str`` holding the full form, and knows
both parts::

    >>> cid = ChannelId("msteams:COPILOT")
    >>> cid.channel, cid.sub_channel
    ('msteams', 'COPILOT')
    >>> cid == "msteams"
    False
    >>> ChannelId.get_channel(cid) == "msteams"
    True

On the wire an agent sends the base channel in ``channelId`` and expresses the sub-channel
with a ``ProductInfo`` entity; :class:`~microsoft_agents.activity.Activity` does that.
"""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from ._exceptions import InvalidChannelIdError
from .errors import activity_errors

__all__ = ["ChannelId"]


class ChannelId(str):
    """A channel id string that also exposes its base channel and sub-channel."""

    __slots__ = ("channel", "sub_channel")

    channel: str
    sub_channel: str | None

    def __new__(
        cls,
        value: str | None = None,
        *,
        channel: str | None = None,
        sub_channel: str | None = None,
    ) -> ChannelId:
        if value is not None:
            if channel is not None or sub_channel is not None:
                raise InvalidChannelIdError(activity_errors.CHANNEL_ID_WHOLE_AND_PARTS.format())
            if not isinstance(value, str):
                raise InvalidChannelIdError(
                    activity_errors.INVALID_CHANNEL_ID.format(value=_shown(value))
                )
            base, sep, sub = value.strip().partition(":")
            channel, sub_channel = base, (sub if sep else None)
        if not channel or not channel.strip():
            given = value if value is not None else channel
            raise InvalidChannelIdError(
                activity_errors.INVALID_CHANNEL_ID.format(value=_shown(given))
            )
        channel = channel.strip()
        if sub_channel is not None:
            sub_channel = sub_channel.strip() or None
        full = f"{channel}:{sub_channel}" if sub_channel else channel
        self = super().__new__(cls, full)
        self.channel = channel
        self.sub_channel = sub_channel
        return self

    def __repr__(self) -> str:
        return f"ChannelId({str.__repr__(self)})"

    def __getnewargs__(self) -> tuple[str]:
        return (str(self),)

    def __deepcopy__(self, memo: dict[int, Any]) -> ChannelId:
        return self

    def __copy__(self) -> ChannelId:
        return self

    @property
    def base(self) -> ChannelId:
        """The channel without its sub-channel, as a ``ChannelId``."""
        return self if self.sub_channel is None else ChannelId(channel=self.channel)

    @staticmethod
    def get_channel(value: str | None) -> str | None:
        """Return the base channel of ``value`` (the part before ``:``)."""
        if value is None:
            return None
        if isinstance(value, ChannelId):
            return value.channel
        return value.partition(":")[0]

    @staticmethod
    def get_sub_channel(value: str | None) -> str | None:
        """Return the sub-channel of ``value``, or ``None`` when it has none."""
        if value is None:
            return None
        if isinstance(value, ChannelId):
            return value.sub_channel
        _, sep, sub = value.partition(":")
        return sub or None if sep else None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # Written out by the string schema's own serializer: a ChannelId is a str, so the
        # JSON form (and ``model_dump(mode="json")``) is the plain string, with no Python
        # call per dump.
        return core_schema.no_info_after_validator_function(
            _coerce_channel_id, core_schema.str_schema()
        )


_CACHE: dict[str, ChannelId] = {}
_CACHE_LIMIT = 512


def _coerce_channel_id(value: str) -> ChannelId:
    if isinstance(value, ChannelId):
        return value
    # Channel ids repeat endlessly (a deployment sees a handful), and ChannelId is
    # immutable: parse each distinct one once.
    cached = _CACHE.get(value)
    if cached is None:
        cached = ChannelId(value)
        if len(_CACHE) < _CACHE_LIMIT:
            _CACHE[value] = cached
    return cached


_SHOWN_CHARS = 40


def _shown(value: object) -> object:
    """``value`` as an error message may repeat it: a long text is cut (it may be a body's)."""
    if isinstance(value, str) and len(value) > _SHOWN_CHARS:
        return value[:_SHOWN_CHARS] + "..."
    return value
