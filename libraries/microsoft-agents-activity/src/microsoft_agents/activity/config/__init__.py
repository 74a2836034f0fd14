"""Settings for the SDK, read from environment variables.

Agents are configured the way .NET apps are: nested settings flattened into environment
variables (or a ``.env`` file) with ``__`` between the parts. Load them once at start-up
and hand the result to the hosting layer::

    import os

    from microsoft_agents.activity.config import load_configuration_from_env

    config = load_configuration_from_env(os.environ)
    config["CONNECTIONS"]["SERVICE_CONNECTION"]["SETTINGS"]["CLIENTID"]

Values come back as the strings they were; the code that reads a setting converts it.
"""

from __future__ import annotations

from ._env import load_configuration_from_env

__all__ = ["load_configuration_from_env"]
