"""Tabs whose content the agent renders with Adaptive Cards (``tab/fetch``, ``tab/submit``).

When a user opens such a tab, Teams sends a ``tab/fetch`` invoke whose ``value`` is a
:class:`TabRequest` (which tab, the theme, and a ``state`` for sign-in). A button on a tab
card sends ``tab/submit`` with a :class:`TabSubmit`. The agent answers both with a
:class:`TabResponse`: a list of cards to show, or a sign-in / ``continue`` payload::

    TabResponse(tab=TabResponsePayload(
        type="continue",
        value=TabResponseCards(cards=[TabResponseCard(card=adaptive_card_json)]),
    ))
"""

from typing import Any

from pydantic import Field

from microsoft_agents.activity._cards import CardAction
from microsoft_agents.activity._model import AgentsModel

__all__ = [
    "TabContext",
    "TabEntityContext",
    "TabRequest",
    "TabResponse",
    "TabResponseCard",
    "TabResponseCards",
    "TabResponsePayload",
    "TabSubmit",
    "TabSubmitData",
    "TabSuggestedActions",
]


class TabEntityContext(AgentsModel):
    """Which tab a request comes from (its ``entityId`` in the app manifest)."""

    tab_entity_id: str | None = None


class TabContext(AgentsModel):
    """The Teams client's state: its ``theme`` (``"default"``, ``"dark"``, ``"contrast"``)."""

    theme: str | None = None


class TabRequest(AgentsModel):
    """The ``value`` of a ``tab/fetch`` invoke.

    Attributes:
        tab_context: the tab being opened.
        context: the client's theme.
        state: the magic code of a sign-in that just completed, if any.
    """

    tab_context: TabEntityContext | None = None
    context: TabContext | None = None
    state: str | None = Field(default=None, repr=False)  # a sign-in magic code: not in repr


class TabSubmitData(AgentsModel):
    """What a tab card submitted; ``type`` plus the card's own data keys (kept as extras)."""

    type: str | None = None


class TabSubmit(AgentsModel):
    """The ``value`` of a ``tab/submit`` invoke."""

    tab_context: TabEntityContext | None = None
    context: TabContext | None = None
    data: TabSubmitData | None = None


class TabResponseCard(AgentsModel):
    """One Adaptive Card (its JSON) to show in a tab."""

    card: Any = None


class TabResponseCards(AgentsModel):
    """The cards a tab shows, top to bottom."""

    cards: list[TabResponseCard] | None = None


class TabSuggestedActions(AgentsModel):
    """Actions offered with a tab response (e.g. the sign-in button)."""

    actions: list[CardAction] | None = None


class TabResponsePayload(AgentsModel):
    """The body of a tab answer.

    Attributes:
        type: ``"continue"`` (show ``value``), ``"auth"`` (sign in with
            ``suggested_actions``) or ``"silentAuth"``.
        value: the cards to show.
        suggested_actions: the sign-in action for ``"auth"``.
    """

    type: str | None = None
    value: TabResponseCards | None = None
    suggested_actions: TabSuggestedActions | None = None


class TabResponse(AgentsModel):
    """The invoke response to ``tab/fetch`` and ``tab/submit``."""

    tab: TabResponsePayload | None = None
