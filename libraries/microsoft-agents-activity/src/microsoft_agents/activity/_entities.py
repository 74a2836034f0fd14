"""Entities: typed metadata attached to an activity.

``Activity.entities`` is a list of JSON objects, each with a ``type``. The types this package
knows parse into their own classes; any other type stays an :class:`Entity` that keeps every
key it came with (so a ``clientInfo`` from Web Chat or a future entity passes through
untouched)::

    >>> activity = Activity.model_validate({"type": "message", "entities": [
    ...     {"type": "mention", "mentioned": {"id": "28:bot"}, "text": "<at>Bot</at>"},
    ...     {"type": "clientInfo", "locale": "en-US"}]})
    >>> [type(e).__name__ for e in activity.entities]
    ['Mention', 'Entity']

Matching on ``type`` ignores case; the spelling that came in is the one written back out.
Several entities are JSON-LD objects: their ``@type``, ``@context`` and ``@id`` keys are the
attributes ``at_type``, ``at_context`` and ``at_id``.

Entities built in code carry their defining defaults on the wire: ``Mention(text=...)``
serialises with ``"type": "mention"`` and an :class:`AIEntity` with its ``@type`` and
``@context``, even though those were not passed explicitly.
"""

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ._accounts import ChannelAccount
from ._enums import EntityTypes, _StrEnum
from ._model import AgentsModel, NestedList, WireFloat

__all__ = [
    "AIEntity",
    "ActivityTreatment",
    "ClientCitation",
    "ClientCitationAppearance",
    "ClientCitationIconName",
    "ClientCitationImage",
    "Entity",
    "GeoCoordinates",
    "Mention",
    "Place",
    "ProductInfo",
    "SensitivityPattern",
    "SensitivityUsageInfo",
    "StreamInfo",
    "Thing",
]


class _DefaultsOnWire(AgentsModel):
    """A model whose listed defaults count as set when it is built in code.

    Parsing does not go through ``__init__``, so a payload keeps exactly the keys it had;
    building in code marks the ``_wire_defaults`` fields as set so the wire form has them.
    """

    _wire_defaults: ClassVar[tuple[str, ...]] = ()

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        if self._wire_defaults:
            self.__pydantic_fields_set__.update(self._wire_defaults)

    # Tell pydantic this ``__init__`` is construction-only: validation (parsing a payload)
    # builds instances without calling it, so parsed entities keep exactly their own keys.
    # pydantic's RootModel marks its own ``__init__`` the same way.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


def _wire_key(name: str) -> str:
    """The JSON key of an entity key written in Python: ``stream_id`` is ``streamId``.

    Only snake_case identifiers change; ``streamId``, ``@type`` or ``_x`` stay as they are.
    """
    if "_" not in name or name.startswith("_") or not name.isidentifier():
        return name
    return to_camel(name)


class Entity(_DefaultsOnWire):
    """An entity of any type; unknown keys are kept as they came.

    ``type`` names the entity and every sender should set it, but an entity without one
    is kept (as a generic entity that nothing matches) rather than failing the activity
    that carries it: receivers pass over what they cannot use (A2104, A2105, A3133).

    Keys the class does not declare may be given in either spelling. Given in code
    (``Entity(type="streaminfo", stream_id="s1")``, or assigned as an attribute), a
    snake_case key is written in camelCase (``streamId``), as the protocol spells
    everything; keys of a parsed payload are written exactly as they came. Either way
    ``entity.stream_id`` reads the value.
    """

    type: str | None = None
    at_type: str | None = Field(default=None, alias="@type")
    at_context: str | None = Field(default=None, alias="@context")
    at_id: str | None = Field(default=None, alias="@id")

    def __init__(self, /, **data: Any) -> None:
        super().__init__(**data)
        extra = self.__pydantic_extra__
        if not extra:  # the usual case
            return
        renamed = {key: _wire_key(key) for key in extra}
        if all(key == wire for key, wire in renamed.items()):
            return
        values = dict(extra)
        extra.clear()
        fields_set = self.__pydantic_fields_set__
        for key, value in values.items():
            wire = renamed[key]
            if wire != key:
                fields_set.discard(key)
                fields_set.add(wire)
                if wire in values:  # both spellings given: the camelCase one stands
                    continue
            extra[wire] = value

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    if not TYPE_CHECKING:
        # Hidden from type checkers, as pydantic hides its own ``__getattr__`` and
        # ``__setattr__``: an entity's attributes stay typed.

        def __getattr__(self, name: str) -> Any:
            try:
                return super().__getattr__(name)
            except AttributeError:
                wire = _wire_key(name)
                try:
                    extra = object.__getattribute__(self, "__pydantic_extra__")
                except AttributeError:
                    extra = None
                if wire == name or not extra or wire not in extra:
                    raise
                return extra[wire]

        def __setattr__(self, name: str, value: Any) -> None:
            extra = self.__pydantic_extra__
            if (
                extra is not None
                and name not in extra
                and name not in type(self).__pydantic_fields__
                and not hasattr(type(self), name)
            ):
                name = _wire_key(name)
            super().__setattr__(name, value)

    @property
    def additional_properties(self) -> dict[str, Any]:
        """The keys of this entity that its class does not declare."""
        return dict(self.__pydantic_extra__ or {})


class Mention(Entity):
    """An @-mention of an account inside the activity's text."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.MENTION.value
    mentioned: ChannelAccount | None = None
    text: str | None = None


class StreamInfo(Entity):
    """Where a chunk belongs in a streamed response (streaming typing/message activities)."""

    _wire_defaults = ("type", "stream_type")

    type: str = EntityTypes.STREAM_INFO.value
    stream_id: str = ""
    stream_type: str = "streaming"
    stream_sequence: int | None = None
    stream_result: str = ""
    feedback_loop_enabled: bool = False
    feedback_loop: dict[str, Any] | None = None


class ProductInfo(Entity):
    """Names the product (sub-channel) behind a channel, e.g. ``COPILOT`` on ``msteams``."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.PRODUCT_INFO.value
    id: str | None = None


class ActivityTreatment(Entity):
    """How a channel should treat the activity (``targeted``: shown to one user only)."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.ACTIVITY_TREATMENT.value
    treatment: str | None = None


class GeoCoordinates(Entity):
    """A point on Earth (schema.org GeoCoordinates)."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.GEO_COORDINATES.value
    latitude: WireFloat | None = None
    longitude: WireFloat | None = None
    elevation: WireFloat | None = None
    name: str | None = None


class Place(Entity):
    """A place (schema.org Place)."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.PLACE.value
    address: Any = None
    geo: Any = None
    has_map: Any = None
    name: str | None = None


class Thing(Entity):
    """The most generic schema.org item."""

    _wire_defaults = ("type",)

    type: str = EntityTypes.THING.value
    name: str | None = None


class ClientCitationIconName(_StrEnum):
    """Icons Teams can show beside a citation."""

    MICROSOFT_WORD = "Microsoft Word"
    MICROSOFT_EXCEL = "Microsoft Excel"
    MICROSOFT_POWERPOINT = "Microsoft PowerPoint"
    MICROSOFT_ONENOTE = "Microsoft OneNote"
    MICROSOFT_SHAREPOINT = "Microsoft SharePoint"
    MICROSOFT_VISIO = "Microsoft Visio"
    MICROSOFT_LOOP = "Microsoft Loop"
    MICROSOFT_WHITEBOARD = "Microsoft Whiteboard"
    ADOBE_ILLUSTRATOR = "Adobe Illustrator"
    ADOBE_PHOTOSHOP = "Adobe Photoshop"
    ADOBE_INDESIGN = "Adobe InDesign"
    ADOBE_FLASH = "Adobe Flash"
    SKETCH = "Sketch"
    SOURCE_CODE = "Source Code"
    IMAGE = "Image"
    GIF = "GIF"
    VIDEO = "Video"
    SOUND = "Sound"
    ZIP = "ZIP"
    TEXT = "Text"
    PDF = "PDF"


class ClientCitationImage(_DefaultsOnWire):
    """The icon shown for a citation."""

    _wire_defaults = ("type",)

    type: str = "ImageObject"
    name: str | None = None


class SensitivityPattern(_DefaultsOnWire):
    """The colour pattern of a sensitivity label (a schema.org DefinedTerm)."""

    _wire_defaults = ("at_type",)

    at_type: str = Field(default="DefinedTerm", alias="@type")
    in_defined_term_set: str | None = None
    name: str | None = None
    term_code: str | None = None


class SensitivityUsageInfo(_DefaultsOnWire):
    """A sensitivity label on a message or a cited document."""

    _wire_defaults = ("type", "at_type")

    type: str = "https://schema.org/Message"
    at_type: str = Field(default="CreativeWork", alias="@type")
    at_id: str | None = Field(default=None, alias="@id")
    description: str | None = None
    name: str | None = None
    position: int | str | None = None
    pattern: SensitivityPattern | None = None


class ClientCitationAppearance(_DefaultsOnWire):
    """How a cited document is presented: title, excerpt, link, icon, label."""

    _wire_defaults = ("at_type",)

    at_type: str = Field(default="DigitalDocument", alias="@type")
    name: str | None = None
    text: str | None = None
    url: str | None = None
    abstract: str | None = None
    encoding_format: str | None = None
    image: ClientCitationImage | None = None
    keywords: NestedList[str] | None = None
    usage_info: SensitivityUsageInfo | None = None


class ClientCitation(_DefaultsOnWire):
    """One numbered source an AI-generated answer cites (``[1]`` in the text)."""

    _wire_defaults = ("at_type", "position", "appearance")

    at_type: str = Field(default="Claim", alias="@type")
    at_id: str | None = Field(default=None, alias="@id")
    position: int | str = 0
    appearance: ClientCitationAppearance = Field(default_factory=ClientCitationAppearance)


class AIEntity(Entity):
    """Marks a message as AI-generated, with its citations and sensitivity label."""

    _wire_defaults = ("type", "at_type", "at_context", "at_id", "additional_type")

    type: str = EntityTypes.AI_CITATION.value
    at_type: str | None = Field(default="Message", alias="@type")
    at_context: str | None = Field(default="https://schema.org", alias="@context")
    at_id: str | None = Field(default="", alias="@id")
    additional_type: NestedList[str] | str | None = Field(
        default_factory=lambda: ["AIGeneratedContent"]
    )
    citation: NestedList[ClientCitation] | None = None
    usage_info: SensitivityUsageInfo | None = None


_KNOWN_TYPES: dict[str, type[Entity]] = {
    EntityTypes.MENTION.value.lower(): Mention,
    EntityTypes.STREAM_INFO.value.lower(): StreamInfo,
    EntityTypes.PRODUCT_INFO.value.lower(): ProductInfo,
    EntityTypes.ACTIVITY_TREATMENT.value.lower(): ActivityTreatment,
    EntityTypes.GEO_COORDINATES.value.lower(): GeoCoordinates,
    EntityTypes.PLACE.value.lower(): Place,
    EntityTypes.THING.value.lower(): Thing,
    EntityTypes.AI_CITATION.value.lower(): AIEntity,
}


# Entity types with no class here that arrive on most activities: Teams and Web Chat
# attach a clientInfo entity (locale, country, platform, timezone) to every message.
_COMMON_GENERIC_TYPES = ("clientInfo",)


def _adopt_known_type(entity: Entity) -> Entity:
    """Give a known type spelt in unusual case (``"MENTION"``) its own class.

    The fast path matches ``type`` against exact spellings only; everything else arrives
    here as a generic :class:`Entity`. Unknown types (the usual case) pass straight back.
    """
    if type(entity) is not Entity:
        return entity
    if entity.type is None:
        return entity
    subclass = _KNOWN_TYPES.get(entity.type.lower())
    if subclass is None:
        return entity
    try:
        return subclass.model_validate(entity.model_dump(by_alias=True, exclude_unset=True))
    except ValidationError:
        return entity


class _EntityDispatch:
    """Schema marker: accept any entity, choosing the class by its ``type``.

    An entity of a known type that does not fit its class (a ``mention`` whose
    ``mentioned`` is not an object, say) is kept as a generic :class:`Entity` instead of
    failing the whole activity: receivers skip what they cannot use.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        generic = handler(source)
        # Performance: the lookup by exact ``type`` runs inside pydantic-core. A Python
        # discriminator would need each entity of a JSON payload converted to a dict
        # first, which costs more than validating it. Matching still ignores case: the
        # table lists each type's canonical and lower-case spelling, and
        # ``_adopt_known_type`` catches any other spelling.
        choices: dict[str, core_schema.CoreSchema] = {"": generic}
        # Types without a class of their own that channels send all the time go straight
        # to the generic schema: an unmatched tag costs an error object before the fallback.
        for common in _COMMON_GENERIC_TYPES:
            choices[common] = generic
        for key, subclass in _KNOWN_TYPES.items():
            schema = handler.generate_schema(subclass)
            choices[key] = schema
            choices[subclass.model_fields["type"].default] = schema
        typed = core_schema.tagged_union_schema(
            choices,
            discriminator="type",
            custom_error_type="invalid_entity",
            custom_error_message="an entity must be an object with a string 'type'",
        )
        fallback = core_schema.no_info_after_validator_function(_adopt_known_type, generic)
        # Error locations name each class once, as a single-spelling union would.
        names = ",".join(c.__name__ for c in (source, *_KNOWN_TYPES.values()))
        return core_schema.union_schema(
            [(typed, f"tagged-union[{names}]"), (fallback, source.__name__)],
            mode="left_to_right",
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        # The exact-spelling table is an implementation detail, not a contract: describe
        # the entity as one of the classes, without a discriminator mapping.
        for choice in json_schema.get("anyOf", ()):
            choice.pop("discriminator", None)
        return json_schema


AnyEntity = Annotated[Entity, _EntityDispatch]
"""Field type for an entity of any type: known types parse into their own class."""
