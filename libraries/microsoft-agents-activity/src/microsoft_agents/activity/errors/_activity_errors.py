"""Messages for activities and their parts that cannot be used."""

from __future__ import annotations

from typing import Final

from ._message import ErrorMessage

__all__ = [
    "CHANNEL_ID_WHOLE_AND_PARTS",
    "INVALID_ADAPTIVE_CARD_JSON",
    "INVALID_CHANNEL_ID",
]

INVALID_CHANNEL_ID: Final = ErrorMessage(
    "{value!r} is not a channel id; use a non-empty channel name such as 'msteams'",
    "ACT0001",
)
CHANNEL_ID_WHOLE_AND_PARTS: Final = ErrorMessage(
    "a channel id takes either a whole value ('msteams:COPILOT') or "
    "channel=/sub_channel= parts, not both",
    "ACT0002",
)
INVALID_ADAPTIVE_CARD_JSON: Final = ErrorMessage(
    "the adaptive card is not valid JSON ({error}); pass a dict or a JSON object string",
    "ACT0003",
)
