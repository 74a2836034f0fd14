"""Messages for activities and their parts that cannot be used."""

from __future__ import annotations

from typing import Final

from ._message import ErrorMessage

__all__ = [
    "ADAPTIVE_CARD_NOT_AN_OBJECT",
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
    "AdaptiveCardCard.content is not valid JSON ({error}); pass the card's JSON text, "
    """such as '{{"type": "AdaptiveCard", "version": "1.5", "body": []}}'""",
    "ACT0003",
)
ADAPTIVE_CARD_NOT_AN_OBJECT: Final = ErrorMessage(
    "AdaptiveCardCard.content must be the JSON text of an object, got a JSON {kind}",
    "ACT0004",
)
