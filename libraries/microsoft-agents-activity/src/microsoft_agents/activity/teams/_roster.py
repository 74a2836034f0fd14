"""Teams members, teams and their channels, as the Teams REST calls return them.

A member fetched from Teams (``GET v3/conversations/{id}/members/{userId}``) is a
:class:`TeamsChannelAccount`: a :class:`~microsoft_agents.activity.ChannelAccount` with the
user's directory details (``givenName``, ``email``, ``userPrincipalName``, ``userRole``...),
so it can be used wherever an account is expected. Paged rosters come as
:class:`TeamsPagedMembersResult`; follow ``continuation_token`` until it is ``None``.
:class:`TeamDetails` and :class:`ConversationList` describe a team and its channels.
"""

from microsoft_agents.activity._accounts import ChannelAccount
from microsoft_agents.activity._model import AgentsModel

from ._channel_data import ChannelInfo

__all__ = [
    "ConversationList",
    "TeamDetails",
    "TeamsChannelAccount",
    "TeamsMember",
    "TeamsPagedMembersResult",
]


class TeamsChannelAccount(ChannelAccount):
    """A Teams user with their directory details.

    Attributes:
        given_name: first name.
        surname: last name.
        email: e-mail address.
        user_principal_name: sign-in name (UPN), e.g. ``"ann@contoso.com"``.
        user_role: ``"user"``, ``"guest"`` or ``"anonymous"``.
    """

    given_name: str | None = None
    surname: str | None = None
    email: str | None = None
    user_principal_name: str | None = None
    user_role: str | None = None


class TeamsPagedMembersResult(AgentsModel):
    """One page of a Teams roster; ``continuation_token`` fetches the next one."""

    continuation_token: str | None = None
    members: list[TeamsChannelAccount] | None = None


class TeamsMember(AgentsModel):
    """A user or channel addressed by a batch message, by its Teams id."""

    id: str | None = None


class TeamDetails(AgentsModel):
    """A team as ``GET v3/teams/{teamId}`` describes it."""

    id: str | None = None
    name: str | None = None
    aad_group_id: str | None = None
    channel_count: int | None = None
    member_count: int | None = None
    type: str | None = None


class ConversationList(AgentsModel):
    """The channels of a team (``GET v3/teams/{teamId}/conversations``)."""

    conversations: list[ChannelInfo] | None = None
