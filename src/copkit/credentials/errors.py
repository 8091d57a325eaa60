"""Errors of the credentials core: every one is a :class:`~copkit.errors.CopkitError`."""

from __future__ import annotations

from copkit.errors import CopkitError

__all__ = ["BakingError", "CredentialFormatError", "KeyConfigurationError"]


class CredentialFormatError(CopkitError):
    """The input is not a credential in a format copkit reads (JSON, JWT, PNG or SVG)."""


class BakingError(CopkitError):
    """An image cannot carry or give up a credential (not a PNG/SVG, damaged, too large)."""


class KeyConfigurationError(CopkitError):
    """A signing key from the environment or the data dir is unusable."""
