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

from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["AgentsModel", "new_dict", "new_list"]

_ModelT = TypeVar("_ModelT", bound="AgentsModel")


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


class AgentsModel(BaseModel):
    """Base of all protocol models: camelCase on the wire, unknown keys preserved."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="allow",
        arbitrary_types_allowed=False,
        ser_json_inf_nan="constants",
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
