"""Adaptive Card routes of an ``AgentApplication``: ``app.adaptive_card``.

Cards talk back to an agent in three ways, each with a decorator on ``app.adaptive_card``:
``action_execute(verb)`` for ``Action.Execute`` (answered with a new card),
``action_submit(verb)`` for ``Action.Submit`` (a message carrying the card's data) and
``search(dataset)`` for the type-ahead of a dynamic choice set::

    @app.adaptive_card.action_submit("StaticSubmit")
    async def on_submit(context, state, data):
        await context.send_activity(f"You chose {data['choiceSelect']}")

The search models live in :mod:`microsoft_agents.hosting.core.app.adaptive_card.models`.
"""

from ._adaptive_card import AdaptiveCard
from ._models import AdaptiveCardSearchParams, AdaptiveCardSearchResult

__all__ = ["AdaptiveCard", "AdaptiveCardSearchParams", "AdaptiveCardSearchResult"]
