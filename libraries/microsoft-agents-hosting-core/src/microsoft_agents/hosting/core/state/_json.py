"""How state values become the JSON document a storage keeps, and back.

A state scope (one conversation's state, one user's state, a custom ``State``) is stored as
one JSON object: property name -> JSON value, plus the ``"e_tag"`` the storage adds. The
helpers here turn the in-memory values (plain JSON, pydantic models, ``StoreItem`` objects,
anything pydantic can serialise in JSON mode) into that object, and give a stable text form
of it, which is how a scope finds out whether it changed during the turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic_core import PydanticSerializationError, to_jsonable_python

from microsoft_agents.hosting.core._errors import StateError
from microsoft_agents.hosting.core.storage._storage import ETAG_FIELD, StoreItem

__all__ = ["JsonDocument", "dump_stable", "to_json_object", "to_json_value"]


def _store_item_fallback(value: Any) -> Any:
    if isinstance(value, StoreItem):
        return value.store_item_to_json()
    raise TypeError(f"a {type(value).__name__} is not JSON")


def to_json_value(value: Any, *, where: str) -> Any:
    """``value`` as plain JSON (dicts, lists, strings, numbers, booleans, ``None``).

    Pydantic models are dumped in JSON mode, :class:`StoreItem` objects with
    ``store_item_to_json()``; dates, enums, tuples, dataclasses and the like as pydantic
    would write them.

    Args:
        value: the value to convert.
        where: what the value is, for the error message (``"ConversationState 'count'"``).

    Raises:
        StateError: the value has a part that cannot be written as JSON.
    """
    try:
        return to_jsonable_python(value, fallback=_store_item_fallback)
    except (PydanticSerializationError, TypeError, ValueError) as error:
        raise StateError(
            f"{where} cannot be saved: a {type(value).__name__} is not JSON ({error}). Store "
            "plain JSON values (dict, list, str, int, float, bool, None), pydantic models or "
            "StoreItem objects."
        ) from error


def to_json_object(values: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """The JSON document of a whole scope: each property converted by :func:`to_json_value`."""
    return {
        name: to_json_value(value, where=f"{where} property {name!r}")
        for name, value in values.items()
    }


def dump_stable(document: Mapping[str, Any]) -> str:
    """A text form of a JSON document that is equal exactly when the documents are equal."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class JsonDocument(StoreItem):
    """The :class:`StoreItem` a state scope is written as: its properties and its e-tag.

    Args:
        values: property name -> JSON value.
        e_tag: the e-tag the values were read with (``None`` to write unconditionally).
    """

    def __init__(self, values: dict[str, Any], e_tag: str | None = None) -> None:
        self.values = values
        self.e_tag = e_tag

    def store_item_to_json(self) -> dict[str, Any]:
        """The properties and ``"e_tag"`` (None for a document never stored): a state
        document always takes part in the storage's e-tag checks."""
        document = dict(self.values)
        document[ETAG_FIELD] = self.e_tag
        return document

    @staticmethod
    def from_json_to_store_item(json_data: dict[str, Any]) -> JsonDocument:
        """Split a stored document into its properties and its e-tag."""
        values = dict(json_data)
        e_tag = values.pop(ETAG_FIELD, None)
        return JsonDocument(values, e_tag if isinstance(e_tag, str) else None)
