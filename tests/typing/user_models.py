"""Building activities in code, as the READMEs do. Type-checked (mypy --strict), not run.

The wire names that are Python keywords or differ from the attribute (``from``, ``bot``)
are constructor keywords by their attribute names, for mypy with pydantic's plugin and for
pyright (Pylance) alike. See README.md in this folder.
"""

from __future__ import annotations

from typing_extensions import assert_type

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)

user = ChannelAccount(id="29:user", name="Ann")
agent = ChannelAccount(id="28:agent", name="Echo")

activity = Activity(
    type="message",
    from_property=user,
    recipient=agent,
    conversation=ConversationAccount(id="a:conversation"),
    text="hello",
)
assert_type(activity.from_property, ChannelAccount | None)

reference = ConversationReference(
    agent=agent, user=user, conversation=ConversationAccount(id="a:conversation")
)
assert_type(reference.agent, ChannelAccount | None)

parameters = ConversationParameters(agent=agent, members=[user], is_group=False)
assert_type(parameters.agent, ChannelAccount | None)
