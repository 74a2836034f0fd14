"""Shared helpers of the Teams models (private).

Several Teams objects are polymorphic on one JSON key: a task module answer is a
``continue`` or a ``message`` by its ``type``, an Office 365 connector card action is an
``OpenUri`` or an ``HttpPOST`` by its ``@type``. :func:`tagged_by` builds the pydantic
discriminator that picks the class from that key, falling back to a generic class for
values it does not know, so a new kind from Teams still parses (and keeps its keys).
"""

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

__all__ = ["OTHER", "tagged_by"]

OTHER = "other"
"""The tag of a value whose key is missing or names no known kind."""


def tagged_by(key: str, known: Mapping[str, type[BaseModel]]) -> Callable[[Any], str]:
    """Return a discriminator function that tags a value by one of its JSON keys.

    Args:
        key: the JSON key to read from a dict (e.g. ``"@type"``).
        known: the kinds that have their own class, by the key's value.

    Returns:
        A function giving the kind of a value (a key of ``known``) or :data:`OTHER`. A
        model built in code is tagged by its class, so it is kept as it is; any other
        model goes to the generic choice, which accepts it unchanged.
    """

    def tag(value: Any) -> str:
        if isinstance(value, BaseModel):
            for kind, cls in known.items():
                if isinstance(value, cls):
                    return kind
            return OTHER
        if isinstance(value, dict):
            found = value.get(key)
            if isinstance(found, str) and found in known:
                return found
        return OTHER

    return tag
