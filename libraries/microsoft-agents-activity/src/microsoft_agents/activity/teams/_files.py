"""Sending files in Teams personal chats: consent cards and file info cards.

An agent cannot upload into a user's OneDrive directly. It sends a :class:`FileConsentCard`
attachment (content type ``application/vnd.microsoft.teams.card.file.consent``); when the
user accepts or declines, Teams sends a ``fileConsent/invoke`` whose ``value`` is a
:class:`FileConsentCardResponse`. On ``"accept"``, ``upload_info.upload_url`` is where to
PUT the bytes; afterwards the agent shows the file with a :class:`FileInfoCard`
(``application/vnd.microsoft.teams.card.file.info``). Files a user sends the agent arrive as
attachments of type ``application/vnd.microsoft.teams.file.download.info`` whose content is
a :class:`FileDownloadInfo`.
"""

from typing import Any, ClassVar

from microsoft_agents.activity._model import AgentsModel

__all__ = [
    "FileConsentCard",
    "FileConsentCardResponse",
    "FileDownloadInfo",
    "FileInfoCard",
    "FileUploadInfo",
]


class FileConsentCard(AgentsModel):
    """Asks the user for consent to upload a file (the attachment ``content``).

    Attributes:
        description: what the file is.
        size_in_bytes: the size of the file to upload.
        accept_context: data returned in ``context`` when the user accepts.
        decline_context: data returned in ``context`` when the user declines.
    """

    content_type: ClassVar[str] = "application/vnd.microsoft.teams.card.file.consent"

    description: str | None = None
    size_in_bytes: int | None = None
    accept_context: Any = None
    decline_context: Any = None


class FileUploadInfo(AgentsModel):
    """Where to upload the file once the user accepted.

    Attributes:
        name: the file name the user sees.
        upload_url: the URL to PUT the file's bytes to.
        content_url: the URL of the file once uploaded.
        unique_id: the file's OneDrive id.
        file_type: the file extension, e.g. ``"txt"``.
    """

    name: str | None = None
    upload_url: str | None = None
    content_url: str | None = None
    unique_id: str | None = None
    file_type: str | None = None


class FileConsentCardResponse(AgentsModel):
    """The ``value`` of ``fileConsent/invoke``: ``action`` is ``"accept"`` or ``"decline"``."""

    action: str | None = None
    context: Any = None
    upload_info: FileUploadInfo | None = None


class FileInfoCard(AgentsModel):
    """Shows an uploaded file in the chat (the attachment ``content``)."""

    content_type: ClassVar[str] = "application/vnd.microsoft.teams.card.file.info"

    unique_id: str | None = None
    file_type: str | None = None
    etag: Any = None


class FileDownloadInfo(AgentsModel):
    """The content of a file attachment a user sent: where to download it."""

    content_type: ClassVar[str] = "application/vnd.microsoft.teams.file.download.info"

    download_url: str | None = None
    unique_id: str | None = None
    file_type: str | None = None
    etag: Any = None
