"""Client credentials MsalAuth hands to MSAL, and the error for an answer without a token.

MSAL's confidential client takes its credential as a secret string or a dictionary. This
module builds the dictionaries that need work of their own:

* a certificate file (``CERTPFXFILE``) is checked when the connection is built: a PEM file
  must hold an unencrypted private key and its certificate (the SHA-1 thumbprint of the
  certificate names the key to Entra ID), a PFX file must open without a password;
* a client assertion MSAL calls whenever it sends a token request: the content of a
  workload identity token file (:class:`TokenFileAssertion`, read again only when the file
  changed) or a managed identity's token for ``api://AzureADTokenExchange``
  (:class:`ManagedIdentityAssertion`).

:func:`token_from` turns an MSAL result into its access token, or into a
:class:`TokenAcquisitionError` naming MSAL's error code and description (never the
credential).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from microsoft_agents.hosting.core import AuthConfigurationError, HostingError

__all__ = [
    "TOKEN_EXCHANGE_RESOURCE",
    "ManagedIdentityAssertion",
    "TokenAcquisitionError",
    "TokenFileAssertion",
    "load_certificate_credential",
    "token_from",
]

logger = logging.getLogger(__name__)

TOKEN_EXCHANGE_RESOURCE = "api://AzureADTokenExchange"
"""The audience of tokens used as client assertions (federated credentials, agentic)."""

_PEM_PRIVATE_KEY = re.compile(
    rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----.+?-----END (?:[A-Z]+ )?PRIVATE KEY-----",
    re.DOTALL,
)
_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL
)


class TokenAcquisitionError(HostingError, ValueError):
    """A token request failed: Entra ID (through MSAL) answered without a token, could not
    be reached, did not answer in time, or answered with something MSAL could not read, or
    MSAL could not use the connection's authority (the original exception, if any, is the
    ``__cause__``).

    A :class:`~microsoft_agents.hosting.core.HostingError`, and a ``ValueError`` as before.

    Attributes:
        error: the OAuth error code (``invalid_client``, ...), if any.
        error_description: Entra's description (``AADSTS...``), if any.
    """

    def __init__(self, message: str, *, error: str | None, error_description: str | None) -> None:
        super().__init__(message)
        self.error = error
        self.error_description = error_description


def token_from(result: object, what: str, client_id: str) -> str:
    """The access token of an MSAL result, or a clear error naming MSAL's error code.

    Args:
        result: what MSAL returned (a dict, or ``None``).
        what: the request, for the message (``"a token for ['x/.default']"``).
        client_id: the client that asked, for the message.

    Raises:
        TokenAcquisitionError: the result holds no access token.
    """
    if isinstance(result, dict):
        token = result.get("access_token")
        if isinstance(token, str) and token:
            return token
        error = result.get("error")
        description = result.get("error_description")
    else:
        error = description = None
    error_text = str(error) if error else None
    description_text = str(description) if description else None
    raise TokenAcquisitionError(
        f"Microsoft Entra ID returned no access token for {what} (client id {client_id}): "
        f"{error_text or 'no error code'}: {description_text or 'no description'}. Check the "
        "connection's credentials, tenant and the API permissions of the app registration.",
        error=error_text,
        error_description=description_text,
    )


class TokenFileAssertion:
    """A client assertion read from a (projected, rotating) token file.

    MSAL calls this whenever it needs to send a token request; the file is read again only
    when its modification time or size changed, so calls in between cost one ``stat``.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._content = ""

    def __call__(self) -> str:
        try:
            status = os.stat(self._path)
            stamp = (status.st_mtime_ns, status.st_size)
            with self._lock:
                if stamp != self._stamp:
                    content = Path(self._path).read_text(encoding="utf-8").strip()
                    self._stamp, self._content = stamp, content
                    logger.debug("Read the workload identity token file %s", self._path)
                content = self._content
        except OSError as error:
            raise AuthConfigurationError(
                f"FEDERATEDTOKENFILE {self._path!r} cannot be read ({error.strerror}); "
                "workload identity needs the projected service account token there.",
                setting="FEDERATEDTOKENFILE",
            ) from error
        if not content:
            raise AuthConfigurationError(
                f"FEDERATEDTOKENFILE {self._path!r} is empty; workload identity needs the "
                "projected service account token there.",
                setting="FEDERATEDTOKENFILE",
            )
        return content


class ManagedIdentityAssertion:
    """A client assertion that is a managed identity's token for ``api://AzureADTokenExchange``.

    The managed identity client is asked on every call; it answers from its own cache until
    its token is close to expiry.
    """

    def __init__(self, client: Any, client_id: str) -> None:
        self._client = client
        self._client_id = client_id

    def __call__(self) -> str:
        result = self._client.acquire_token_for_client(resource=TOKEN_EXCHANGE_RESOURCE)
        return token_from(
            result, f"the federated credential ({TOKEN_EXCHANGE_RESOURCE})", self._client_id
        )


def load_certificate_credential(path: str, *, send_certificate: bool) -> dict[str, Any]:
    """The MSAL ``client_credential`` of a certificate file, checked for usability.

    Args:
        path: ``CERTPFXFILE``: a PEM file with the private key and the certificate, or a
            PFX (PKCS#12) file without a password.
        send_certificate: send the certificate (subject name / issuer authentication).

    Raises:
        AuthConfigurationError: the file is missing, unreadable or does not parse.
    """

    def fail(reason: str) -> AuthConfigurationError:
        return AuthConfigurationError(
            f"CERTPFXFILE {path!r} {reason}. Certificate authentication needs a PEM file "
            "with the private key (unencrypted) and its certificate, or a PFX file without "
            "a password.",
            setting="CERTPFXFILE",
        )

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise fail(f"cannot be read ({error.strerror or error})") from error

    if b"-----BEGIN" not in data:
        try:
            key, certificate, _ = pkcs12.load_key_and_certificates(data, None)
        except (ValueError, TypeError) as error:
            raise fail("is neither a PEM file nor a password-less PFX file") from error
        if key is None or certificate is None:
            raise fail("does not hold both a private key and a certificate")
        credential: dict[str, Any] = {"private_key_pfx_path": path}
        if send_certificate:
            credential["public_certificate"] = True
        return credential

    key_match = _PEM_PRIVATE_KEY.search(data)
    if key_match is None:
        raise fail("holds no PEM private key (-----BEGIN PRIVATE KEY-----)")
    try:
        serialization.load_pem_private_key(key_match.group(0), password=None)
    except (ValueError, TypeError) as error:
        raise fail("holds a private key that does not parse or is encrypted") from error
    certificates = _PEM_CERTIFICATE.findall(data)
    if not certificates:
        raise fail("holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    try:
        leaf = x509.load_pem_x509_certificate(certificates[0])
    except ValueError as error:
        raise fail("holds a certificate that does not parse") from error
    # Entra names a certificate credential by its SHA-1 thumbprint (x5t).
    thumbprint = leaf.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303
    credential = {
        "private_key": key_match.group(0).decode("ascii"),
        "thumbprint": thumbprint,
    }
    if send_certificate:
        credential["public_certificate"] = b"\n".join(certificates).decode("ascii")
    return credential
