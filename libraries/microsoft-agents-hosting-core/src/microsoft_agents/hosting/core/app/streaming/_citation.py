"""``Citation`` and ``CitationUtil``: the sources an AI answer refers to.

An answer generated from documents cites them with markers in its text (``[1]``, ``[2]``;
model output often says ``[doc1]``). A :class:`Citation` describes one source; the
streaming response turns the list into the ``ClientCitation`` objects channels show as
numbered references, keeping only the ones the text actually cites::

    response = context.streaming_response
    response.set_citations([Citation(content="...", title="Leave policy", url="https://...")])
    response.queue_text_chunk("You get 25 days [doc1].")   # sent as "... 25 days [1]."

:class:`CitationUtil` holds the text helpers behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from microsoft_agents.activity import ClientCitation

__all__ = ["Citation", "CitationUtil"]

_MODEL_MARKER = re.compile(r"\[docs?(\d+)\]", re.IGNORECASE)
_MARKER = re.compile(r"\[(\d+)\]")
_ELLIPSIS = "..."


@dataclass
class Citation:
    """A source cited by an answer.

    Attributes:
        content: the cited text (its first characters become the reference's abstract).
        title: the name shown for the reference (``Document #n`` when None).
        url: where the source can be opened.
        filepath: the source's file path, when it came from a file.
    """

    content: str
    title: str | None = None
    url: str | None = None
    filepath: str | None = None


class CitationUtil:
    """Helpers for citation markers in answer text."""

    @staticmethod
    def snippet(text: str, max_length: int) -> str:
        """``text`` cut to at most ``max_length`` characters, at a word boundary.

        A cut text ends with ``...`` (counted in ``max_length``) and, where a space allows
        it, does not end in the middle of a word.

        Args:
            text: the text to shorten.
            max_length: the longest result; at least 1.

        Returns:
            ``text`` itself when it is short enough, else the shortened text.

        Raises:
            ValueError: ``max_length`` is less than 1.
        """
        if max_length < 1:
            raise ValueError(f"max_length must be at least 1, got {max_length}")
        if len(text) <= max_length:
            return text
        if max_length <= len(_ELLIPSIS):
            return text[:max_length]
        cut = text[: max_length - len(_ELLIPSIS)]
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
        return cut.rstrip() + _ELLIPSIS

    @staticmethod
    def format_citations_response(text: str) -> str:
        """Rewrite model-style markers (``[doc1]``, ``[docs2]``) as ``[1]``, ``[2]``."""
        return _MODEL_MARKER.sub(r"[\1]", text)

    @staticmethod
    def cited_positions(text: str) -> set[int]:
        """The numbers of the ``[n]`` markers in ``text``."""
        return {int(number) for number in _MARKER.findall(text)}

    @staticmethod
    def get_used_citations(text: str, citations: Iterable[ClientCitation]) -> list[ClientCitation]:
        """The citations whose ``[position]`` marker appears in ``text``, in their order.

        Args:
            text: the answer text (already rewritten with :meth:`format_citations_response`).
            citations: the available citations.

        Returns:
            The cited ones; an empty list when the text cites none.
        """
        positions = CitationUtil.cited_positions(text)
        if not positions:
            return []
        return [c for c in citations if _position(c) in positions]


def _position(citation: ClientCitation) -> int | None:
    try:
        return int(citation.position)
    except (TypeError, ValueError):
        return None
