"""The models of Adaptive Card search routes."""

from __future__ import annotations

from microsoft_agents.activity import AgentsModel

__all__ = ["AdaptiveCardSearchParams", "AdaptiveCardSearchResult"]


class AdaptiveCardSearchParams(AgentsModel):
    """What a user typed in a card's dynamic choice set (``Data.Query``).

    Attributes:
        query_text: the text typed so far.
        dataset: the ``dataset`` the card's choice set names.
    """

    query_text: str
    dataset: str | None = None


class AdaptiveCardSearchResult(AgentsModel):
    """One choice offered to the user: the text shown and the value submitted.

    Attributes:
        title: what the user sees.
        value: what the card submits when the user picks it.
    """

    title: str
    value: str
