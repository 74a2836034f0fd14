"""The public names of microsoft_agents.activity, pinned.

Adding a name is a deliberate API change: update the list here in the same commit. Removing
or renaming one breaks users' imports, which the compatibility promise forbids.
"""

from __future__ import annotations

import importlib

import pytest

import microsoft_agents.activity as activity

# api-surface.md §2.1 (every name the reference package exports at its root) ...
SPEC_NAMES = {
    "AIEntity", "ActionTypes", "Activity", "ActivityEventNames", "ActivityImportance",
    "ActivityTreatment", "ActivityTreatmentTypes", "ActivityTypes", "AdaptiveCardCard",
    "AdaptiveCardInvokeAction", "AdaptiveCardInvokeResponse", "AdaptiveCardInvokeValue",
    "AdaptiveCardSearchInvokeValue", "AgentsModel", "AnimationCard", "Attachment",
    "AttachmentData", "AttachmentInfo", "AttachmentLayoutTypes", "AttachmentView", "AudioCard",
    "BasicCard", "CallerIdConstants", "Card", "CardAction", "CardImage", "ChannelAccount",
    "ChannelAdapterProtocol", "ChannelId", "Channels", "ClientCitation",
    "ClientCitationAppearance", "ClientCitationIconName", "ClientCitationImage",
    "ContactRelationUpdateActionTypes", "ContentTypes", "ConversationAccount",
    "ConversationMembers", "ConversationParameters", "ConversationReference",
    "ConversationResourceResponse", "ConversationUpdateTypes", "ConversationsResult",
    "DeliveryModes", "EndOfConversationCodes", "Entity", "EntityTypes", "Error", "ErrorResponse",
    "ExpectedReplies", "Fact", "GeoCoordinates", "HeroCard", "InnerHttpError", "InputHints",
    "InstallationUpdateActionTypes", "InvokeResponse", "MediaCard", "MediaEventValue",
    "MediaUrl", "Mention", "MessageReaction", "MessageReactionTypes", "MessageUpdateTypes",
    "OAuthCard", "PagedMembersResult", "Place", "ProductInfo", "ReceiptCard", "ReceiptItem",
    "ResourceResponse", "RoleTypes", "SearchInvokeOptions", "SearchInvokeValue",
    "SemanticAction", "SemanticActionsStates", "SensitivityPattern", "SensitivityUsageInfo",
    "SignInConstants", "SignInResource", "SigninCard", "StreamInfo", "SuggestedActions",
    "TextFormatTypes", "TextHighlight", "Thing", "ThumbnailCard", "ThumbnailUrl",
    "TokenExchangeInvokeRequest", "TokenExchangeInvokeResponse", "TokenExchangeRequest",
    "TokenExchangeResource", "TokenExchangeState", "TokenOrSignInResourceResponse",
    "TokenPostResource", "TokenRequest", "TokenResponse", "TokenStatus", "Transcript",
    "TurnContextProtocol", "VideoCard", "load_configuration_from_env",
}  # fmt: skip

# ... plus this package's exception hierarchy.
OUR_NAMES = {"ActivityError", "ActivityStateError", "ConfigurationError", "InvalidChannelIdError"}

# api-surface.md §7: names samples import from sub-packages.
SUBPACKAGE_NAMES = {
    "microsoft_agents.activity.config": {"load_configuration_from_env"},
    "microsoft_agents.activity.errors": {"ErrorMessage", "activity_errors", "configuration_errors"},
    "microsoft_agents.activity.config._coercion": {"coerce_bool", "coerce_int", "coerce_float"},
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(activity.__all__) == SPEC_NAMES | OUR_NAMES


def test_all_is_sorted_and_has_no_duplicates() -> None:
    assert list(activity.__all__) == sorted(set(activity.__all__))


def test_every_exported_name_resolves() -> None:
    missing = [name for name in activity.__all__ if not hasattr(activity, name)]
    assert missing == []


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from microsoft_agents.activity import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(activity.__all__)


@pytest.mark.parametrize(("module", "names"), sorted(SUBPACKAGE_NAMES.items()))
def test_subpackage_names_resolve(module: str, names: set[str]) -> None:
    imported = importlib.import_module(module)
    assert [name for name in sorted(names) if not hasattr(imported, name)] == []
