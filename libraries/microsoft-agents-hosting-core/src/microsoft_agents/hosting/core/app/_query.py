"""``Query``: a paged search request handed to a search route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Query"]

ParamsT = TypeVar("ParamsT")


@dataclass
class Query(Generic[ParamsT]):
    """What to search for and which page of results to return.

    Attributes:
        count: how many results to return at most.
        skip: how many results to skip (results already shown).
        parameters: the search's own parameters (for an Adaptive Card search, an
            ``AdaptiveCardSearchParams`` with the typed text and the dataset).
    """

    count: int
    skip: int
    parameters: ParamsT
