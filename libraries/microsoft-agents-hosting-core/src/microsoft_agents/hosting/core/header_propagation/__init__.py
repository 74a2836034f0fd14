"""Headers added to every outgoing connector and token-service request of a turn.

Register a :class:`HeaderValueProvider` with :class:`HeaderPropagationContext` and its
headers travel with each call the turn makes; :class:`AgenticHeaderProvider` identifies
the agent on agentic requests. Registrations are per task context, so concurrent turns
never share them.
"""

from ._providers import (
    AGENT_REGISTRAR,
    AgenticHeaderProvider,
    HeaderPropagationContext,
    HeaderValueProvider,
)

__all__ = [
    "AGENT_REGISTRAR",
    "AgenticHeaderProvider",
    "HeaderPropagationContext",
    "HeaderValueProvider",
]
