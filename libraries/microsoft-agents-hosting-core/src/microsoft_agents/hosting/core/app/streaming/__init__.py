"""Streamed answers: ``StreamingResponse``, ``Citation`` and ``CitationUtil``.

``context.streaming_response`` is the :class:`StreamingResponse` of a turn: queue status
lines and text as they are produced, then end the stream. :func:`streaming_policy` tells
how the turn's channel takes it (see :mod:`._policy` for the table).
"""

from ._citation import Citation, CitationUtil
from ._policy import StreamingPolicy, streaming_policy
from ._streaming_response import StreamingResponse, StreamResults

__all__ = [
    "Citation",
    "CitationUtil",
    "StreamResults",
    "StreamingPolicy",
    "StreamingResponse",
    "streaming_policy",
]
