"""The base class of every model in this package.

Every wire object of the Activity protocol is an :class:`AgentsModel`: a pydantic v2 model
whose Python attributes are snake_case and whose JSON names are the protocol's camelCase.

* Input accepts both spellings: ``ChannelAccount(aad_object_id="x")`` and
  ``ChannelAccount.model_validate({"aadObjectId": "x"})`` build the same object.
* Keys the model does not declare are kept and written back out unchanged, at every level.
  Channels add fields over time; an agent that dropped them would lose data it forwards.
* The wire form is ``model_dump(mode="json", by_alias=True, exclude_unset=True)``: camelCase
  names, only the fields that were set. :meth:`AgentsModel.to_wire` is that call.

The modules that define models do not postpone annotations (no ``from __future__ import
annotations``): pydantic then takes each field's type as the object it is, where a string
annotation is compiled and evaluated when the class is created. That is about a tenth of
the cost of importing this package, which is part of every agent's cold start. The few
annotations that name a class not defined yet are written as strings.
"""

import math
from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = [
    "MAX_ITEMS",
    "AgentsModel",
    "BoundedDict",
    "BoundedList",
    "NestedList",
    "WireFloat",
    "new_dict",
    "new_list",
]

_ModelT = TypeVar("_ModelT", bound="AgentsModel")
_ItemT = TypeVar("_ItemT")

MAX_ITEMS = 10_000
"""The most items a list or dict field of an activity takes.

pydantic checks every item of a list and keeps an error for each bad one before the list
fails: a 4 MiB body whose ``entities`` were two million zeros held the event loop 17 s and
took 5 GB. A bounded list fails at its 10 001st item, before any more are checked. Channels
send nothing near it (a Teams roster page has at most 500 members).
"""

BoundedList = Annotated[list[_ItemT], Field(max_length=MAX_ITEMS)]
"""A list field of a protocol model, at most :data:`MAX_ITEMS` long."""

NestedList = Annotated[list[_ItemT], Field(max_length=MAX_ITEMS, fail_fast=True)]
"""A bounded list that is itself inside list items, or whose items hold lists.

Its first bad item ends its validation (``fail_fast``). Bounds multiply where lists nest
(citations in entities, activities in a transcript): with an error kept for every bad item
of every inner list, a body of bounded lists would cost seconds again. The activity's own
lists, which do not multiply, keep every error (a 400 then names up to three).
"""


def _not_too_many(value: Any) -> Any:
    # pydantic checks a dict's max_length only after every value, unlike a list's.
    if isinstance(value, dict) and len(value) > MAX_ITEMS:
        raise ValueError(f"at most {MAX_ITEMS} entries are accepted, not {len(value)}")
    return value


BoundedDict = Annotated[dict[str, _ItemT], BeforeValidator(_not_too_many)]
"""A dict field of a protocol model, at most :data:`MAX_ITEMS` entries (refused unread)."""


def new_list() -> list[Any]:
    """A new empty list, the ``default_factory`` of this package's list fields.

    pydantic reads a factory's signature when it builds a validator. For the builtin
    ``list`` that means parsing its text signature, and the first time that compiles the
    tokenizer's regular expressions (about 5 ms of an agent's cold start); a function's
    signature is read directly.
    """
    return []


def new_dict() -> dict[str, Any]:
    """A new empty dict, the ``default_factory`` of dict fields (see :func:`new_list`)."""
    return {}


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


WireFloat = Annotated[float, PlainSerializer(_finite_or_none, when_used="json-unless-none")]
"""A ``float`` field that writes NaN and infinities as ``null`` in every JSON form.

The model config's ``ser_json_inf_nan`` covers JSON text and values of type ``Any``, but a
``float`` field keeps ``inf`` in a ``model_dump(mode="json")`` dict, which ``json.dumps``
would then write as ``Infinity``.
"""


class AgentsModel(BaseModel):
    """Base of all protocol models: camelCase on the wire, unknown keys preserved."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="allow",
        arbitrary_types_allowed=False,
        # JSON has no NaN or Infinity (A2001): such a float is written ``null``, as JSON
        # encoders of other languages do. (Typed ``float`` fields need more in a
        # ``mode="json"`` dict: see ``WireFloat``.)
        ser_json_inf_nan="null",
        # A validation error names the field and what was wrong, never the value: payloads
        # carry tokens and magic codes, and error text ends up in logs.
        hide_input_in_errors=True,
        # Validators are built when a model is first used, not at import: an agent uses a
        # fraction of the ~200 models, and import time is start-up time (bench/import_time.py).
        defer_build=True,
    )

    def to_wire(self, *, exclude_none: bool = False) -> dict[str, Any]:
        """Return the JSON-ready dict the protocol expects (camelCase, only set fields).

        Args:
            exclude_none: also leave out fields whose value is ``None``; outgoing activities
                use this so that no ``null`` reaches a channel.
        """
        return self.model_dump(
            mode="json", by_alias=True, exclude_unset=True, exclude_none=exclude_none
        )

    @classmethod
    def pick_properties(
        cls: type[_ModelT],
        original: "AgentsModel | None",
        fields_to_copy: Iterable[str] | None = None,
        **overrides: Any,
    ) -> _ModelT | None:
        """Build a ``cls`` from the fields that were set on ``original``.

        Args:
            original: the model to copy from; ``None`` (or a falsy model) gives ``None``.
            fields_to_copy: restrict the copy to these attribute names.
            **overrides: values that replace or add to the copied ones.
        """
        if not original:
            return None
        wanted = set(fields_to_copy) if fields_to_copy is not None else None
        values: dict[str, Any] = {
            name: getattr(original, name)
            for name in original.model_fields_set
            if (wanted is None or name in wanted) and name in type(original).model_fields
        }
        values.update(overrides)
        return cls(**values)
