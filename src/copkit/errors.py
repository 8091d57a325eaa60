"""The root of copkit's exception tree.

Every layer raises a subclass of :class:`CopkitError`; the CLI turns any of them into a
one-line message and exit code 1, the web app into a form error or a 4xx page.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApplicationError", "CopkitError"]


class CopkitError(Exception):
    """Base class of every error copkit raises on purpose."""


class ApplicationError(CopkitError):
    """A service refused an action; ``message`` is shown to the user as it is.

    ``extra`` carries structured details (for example the list of missing prerequisites)
    that a view or command may render.
    """

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
