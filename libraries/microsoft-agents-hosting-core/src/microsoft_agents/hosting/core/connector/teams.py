"""The Teams connector client, importable on its own.

:class:`TeamsConnectorClient` is the Bot Connector client with the calls only Microsoft
Teams serves (rosters with directory details, teams and channels, meetings, batch
messages)::

    from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient
"""

from ._teams_connector_client import TeamsConnectorClient

__all__ = ["TeamsConnectorClient"]
