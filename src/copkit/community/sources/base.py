"""What every reader of an export writes to: the :class:`Sink` protocol.

A reader walks its export (streaming: memory must stay bounded whatever the input size)
and reports what it finds with *source-local* identifiers: the user id, message id or
channel id as the export spells them. The sink turns those into store-wide ids
(pseudonymised member ids, prefixed activity ids), derives reply and answer interactions
from ``parent``, and writes everything atomically.

A reader never writes to the store itself and never decides about privacy: it passes names,
handles, e-mail addresses and text, and the sink keeps or pseudonymises them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

__all__ = ["Reader", "Sink"]


class Sink(Protocol):
    """Receives the records of one export.

    A sink may also have a ``keep_text`` attribute; when it is false, a reader may pass an
    activity's ``length`` instead of its ``text`` (the store keeps only the length then).
    """

    def member(
        self,
        *,
        user: str,
        name: str | None = None,
        handle: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
        joined_at: datetime | None = None,
        roles: tuple[str, ...] = (),
    ) -> None:
        """A person (or bot) the export knows, whether or not they ever posted."""

    def space(self, *, space: str, name: str, kind: str, created_by: str | None = None) -> None:
        """A channel, category, list, tag, repository or site."""

    def activity(
        self,
        *,
        activity: str,
        actor: str,
        created_at: datetime,
        kind: str,
        space: str | None = None,
        thread: str | None = None,
        parent: str | None = None,
        is_question: bool = False,
        text: str | None = None,
        length: int | None = None,
    ) -> None:
        """A contribution. ``thread`` and ``parent`` are source-local activity ids.

        ``thread`` defaults to ``activity`` itself (a root); ``parent`` makes a reply or answer
        interaction to the parent's author. ``length`` defaults to ``len(text)``.
        """

    def interaction(
        self, *, actor: str, target: str, activity: str, kind: str, created_at: datetime
    ) -> None:
        """An explicit tie the export states: ``accept``, ``mention`` or ``reaction``.

        ``actor`` and ``target`` are source-local user ids; ``activity`` the activity it is about.
        """

    def skipped(self, reason: str, count: int = 1) -> None:
        """Records that were read but not imported, counted by reason for the summary."""


class Reader(Protocol):
    """One export format. Each ``sources/<format>.py`` module provides one as ``READER``."""

    name: str
    """Short name used by ``--format`` and in ``activities.source``: slack, mbox, ..."""

    def detect(self, path: Path) -> bool:
        """True when ``path`` (a file or folder) looks like an export of this format."""

    def origin(self, path: Path) -> str:
        """The community the export belongs to (workspace, list address, site, forum host)."""

    def read(self, path: Path, sink: Sink) -> None:
        """Read the export into ``sink``.

        Bad input raises ImportFormatError naming the file and line.
        """
