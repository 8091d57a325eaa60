"""Errors of the community analysis core."""

from __future__ import annotations

from copkit.errors import CopkitError

__all__ = ["ImportFormatError", "StoreError", "UndefinedMeasureError"]


class ImportFormatError(CopkitError):
    """An export could not be read.

    The message names the file (and line or member) and says what to do.
    """


class StoreError(CopkitError):
    """The activity store is missing, of another version, or cannot be written."""


class UndefinedMeasureError(CopkitError):
    """A measure is undefined for its input (an empty community, no replies): never a silent 0."""
