"""Encrypt secrets at rest (the cohort's Slack webhook URL) with Fernet.

The key comes from the environment variable ``COPKIT_FERNET_KEY`` (a urlsafe base64 32-byte
key, as ``cryptography.fernet.Fernet.generate_key()`` makes) or, when that is unset, from the
file ``fernet_key`` in the data dir, generated once with mode 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from copkit.errors import CopkitError

__all__ = ["SecretError", "secret_decrypt", "secret_encrypt"]

ENV_KEY = "COPKIT_FERNET_KEY"


class SecretError(CopkitError):
    """A stored secret cannot be read with the current key."""


def _fernet() -> Fernet:
    key = os.environ.get(ENV_KEY)
    if not key:
        path = Path(settings.DATA_DIR) / "fernet_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        key = path.read_text().strip()
    try:
        return Fernet(key)
    except ValueError as exc:
        raise SecretError(
            f"{ENV_KEY} is not a valid Fernet key (32 url-safe base64-encoded bytes)."
        ) from exc


def secret_encrypt(value: str) -> str:
    """Return the Fernet token for ``value``."""
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    """Return the plain value of a Fernet token, or raise :class:`SecretError`."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretError(
            "The stored Slack webhook cannot be decrypted with the current key; "
            f"set it again on the cohort's Slack page (or restore {ENV_KEY})."
        ) from exc
