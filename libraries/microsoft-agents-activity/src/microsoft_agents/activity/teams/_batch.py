"""Batch messages: one activity sent to many users or channels by Teams itself.

``POST v3/batch/conversation/{users,tenant,team,channels}`` queues the sends and returns a
:class:`TeamsBatchOperationResponse` with an ``operation_id``. With that id the agent can
poll the progress (:class:`BatchOperationStateResponse`), list the recipients that failed
(:class:`BatchFailedEntriesResponse`, paged with ``continuation_token``) or cancel the rest.
"""

from microsoft_agents.activity._datetime import WireDatetime
from microsoft_agents.activity._model import AgentsModel

__all__ = [
    "BatchFailedEntriesResponse",
    "BatchFailedEntry",
    "BatchOperationResponse",
    "BatchOperationStateResponse",
    "CancelOperationResponse",
    "TeamsBatchOperationResponse",
]


class BatchOperationResponse(AgentsModel):
    """A queued batch operation, by its ``operation_id``."""

    operation_id: str | None = None


class TeamsBatchOperationResponse(BatchOperationResponse):
    """What the Teams batch send calls return: the id of the queued operation."""


class BatchOperationStateResponse(AgentsModel):
    """The progress of a batch operation.

    Attributes:
        state: ``"Running"``, ``"Completed"``, ``"Failed"``...
        status_map: how many sends ended with each HTTP status, keyed by the status as
            text (``{"201": 98, "404": 2}``) as it is on the wire.
        retry_after: when to poll again.
        total_entries_count: how many recipients the operation has.
    """

    state: str | None = None
    status_map: dict[str, int] | None = None
    retry_after: WireDatetime | None = None
    total_entries_count: int | None = None


class BatchFailedEntry(AgentsModel):
    """A recipient (user or channel id) the batch could not reach, and the error."""

    id: str | None = None
    error: str | None = None


class BatchFailedEntriesResponse(AgentsModel):
    """One page of the recipients a batch operation failed for."""

    continuation_token: str | None = None
    failed_entries: list[BatchFailedEntry] | None = None


class CancelOperationResponse(AgentsModel):
    """The answer to cancelling a batch operation (Teams sends no fields; extras are kept)."""
