"""Invoke payloads and the answers to them.

An ``invoke`` activity asks the agent for a synchronous answer: the channel waits for the
HTTP response. The agent gives it by sending an ``invokeResponse`` activity whose ``value``
is an :class:`InvokeResponse` (an HTTP ``status`` and a JSON ``body``).

The ``value`` of the common invokes parses into the models here. An Adaptive Card
``Action.Execute`` arrives as ``adaptiveCard/action``::

    >>> value = AdaptiveCardInvokeValue.model_validate(
    ...     {"action": {"type": "Action.Execute", "verb": "approve", "data": {"id": 7}}})
    >>> value.action.verb, value.action.data
    ('approve', {'id': 7})

and is answered with an :class:`AdaptiveCardInvokeResponse` as the invoke body. A dynamic
type-ahead search (``application/search``) arrives as an
:class:`AdaptiveCardSearchInvokeValue`.
"""

from typing import Any

from pydantic import Field

from ._model import AgentsModel, new_dict
from ._tokens import TokenExchangeInvokeRequest

__all__ = [
    "AdaptiveCardInvokeAction",
    "AdaptiveCardInvokeResponse",
    "AdaptiveCardInvokeValue",
    "AdaptiveCardSearchInvokeValue",
    "InvokeResponse",
    "MediaEventValue",
    "SearchInvokeOptions",
    "SearchInvokeValue",
]


class InvokeResponse(AgentsModel):
    """The HTTP answer to an invoke: a status code and an optional JSON body."""

    status: int
    body: Any = None

    def is_successful_status_code(self) -> bool:
        """Whether ``status`` is a 2xx code."""
        return 200 <= self.status < 300


class AdaptiveCardInvokeAction(AgentsModel):
    """The card action that raised an ``adaptiveCard/action`` invoke."""

    type: str
    id: str | None = None
    verb: str | None = None
    data: dict[str, Any] = Field(default_factory=new_dict)


class AdaptiveCardInvokeValue(AgentsModel):
    """The ``value`` of an ``adaptiveCard/action`` invoke.

    ``authentication`` carries an SSO token when the card asked for one; ``state`` is the
    magic code of a sign-in the card started. ``trigger`` says whether a user clicked
    (``manual``) or the card refreshed itself (``automatic``).
    """

    action: AdaptiveCardInvokeAction
    authentication: TokenExchangeInvokeRequest | None = None
    state: str | None = Field(default=None, repr=False)  # a sign-in magic code: not in repr
    trigger: str | None = None


class AdaptiveCardInvokeResponse(AgentsModel):
    """The body that answers an ``adaptiveCard/action`` invoke.

    ``type`` names what ``value`` holds: a card to show
    (``application/vnd.microsoft.card.adaptive``), a message
    (``application/vnd.microsoft.activity.message``) or an error
    (``application/vnd.microsoft.error``).
    """

    status_code: int | None = None
    type: str | None = None
    value: Any = None


class SearchInvokeOptions(AgentsModel):
    """Paging of a search invoke: how many results to skip and return."""

    skip: int | None = None
    top: int | None = None


class SearchInvokeValue(AgentsModel):
    """The ``value`` of a search invoke: what kind of search and its text."""

    kind: str
    query_text: str
    query_options: SearchInvokeOptions


class AdaptiveCardSearchInvokeValue(SearchInvokeValue):
    """The ``value`` of an Adaptive Card ``application/search`` invoke (type-ahead)."""

    dataset: str | None = None


class MediaEventValue(AgentsModel):
    """The ``value`` of a media event: the ``value`` of the card that played it."""

    card_value: Any = None
