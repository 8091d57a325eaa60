"""Readers of community exports: one module per format, each documenting its mapping.

:data:`READERS` names each reader's module (imported only when used); :func:`reader_for`
picks the reader for a path, by ``--format`` or by detection in the order of :data:`READERS`.
A reader module exposes ``READER`` (see :class:`~copkit.community.sources.base.Reader`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, cast

from copkit.community.errors import ImportFormatError
from copkit.community.sources.base import Reader, Sink

__all__ = ["EXPECTED", "READERS", "load_reader", "read_beside", "read_in_worker", "reader_for"]

READERS: Final[dict[str, str]] = {
    "slack": "copkit.community.sources.slack",
    "mbox": "copkit.community.sources.mbox",
    "csv": "copkit.community.sources.csv",
    "stackexchange": "copkit.community.sources.stackexchange",
    "discourse": "copkit.community.sources.discourse",
    "github": "copkit.community.sources.github",
}
"""Reader name -> module. Detection tries them in this order."""

EXPECTED: Final[dict[str, str]] = {
    "slack": "a Slack export: a .zip or folder with users.json, channels.json and one folder "
    "per channel of YYYY-MM-DD.json files",
    "mbox": "a mailing-list archive: an mbox file (starting with a 'From ' line) or a folder "
    "of them",
    "csv": "a .csv file (or a folder of them) with columns activity_id, author, created_at",
    "stackexchange": "a Stack Exchange data dump: a folder with Posts.xml and Users.xml (and "
    "Comments.xml, Votes.xml, Tags.xml), or the site's .7z archive",
    "discourse": "Discourse topics: a /t/{id}.json file or a folder of them (post_stream.posts)",
    "github": "a GitHub folder: issues.json from GET /repos/{owner}/{repo}/issues?state=all "
    "(and comments.json, reviews.json, review_comments.json)",
}
"""What each reader expects, for the message about an unknown layout."""


def load_reader(name: str) -> Reader:
    """The reader called ``name``."""
    if name not in READERS:
        raise ImportFormatError(f"Unknown format {name!r}; known formats: {', '.join(READERS)}.")
    module = importlib.import_module(READERS[name])
    return cast(Reader, module.READER)


def reader_for(path: Path, format: str | None = None) -> Reader:  # noqa: A002
    """The reader for ``path``: the one named ``format``, or the first that detects it."""
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file or folder.")
    if path.is_dir() and not any(path.iterdir()):
        raise ImportFormatError(f"{path}: the folder is empty; expected an export in it.")
    if format is not None:
        reader = load_reader(format)
        if not reader.detect(path):
            raise ImportFormatError(
                f"{path}: does not look like a {format} export; expected "
                f"{EXPECTED.get(format, 'that format')}. Try without --format to detect it."
            )
        return reader
    for name in READERS:
        reader = load_reader(name)
        if reader.detect(path):
            return reader
    expected = "; or ".join(f"{EXPECTED.get(n, n)} ({n})" for n in READERS)
    raise ImportFormatError(f"{path}: unknown export layout. Expected {expected}.")


# --- a reader in a worker process ------------------------------------------------------------

_BATCH_CALLS: Final = 2000


_FIELDS: Final = {
    "member": ("user", "name", "handle", "email", "is_bot", "joined_at", "roles"),
    "space": ("space", "name", "kind", "created_by"),
    "activity": ("activity", "actor", "created_at", "kind", "space", "thread", "parent",
                 "is_question", "text", "length"),
    "interaction": ("actor", "target", "activity", "kind", "created_at"),
    "skipped": ("reason", "count"),
}  # fmt: skip
"""The Sink protocol's keyword arguments, in the order a batch carries their values."""
_DEFAULTS: Final = {
    "name": None, "handle": None, "email": None, "is_bot": False, "joined_at": None,
    "roles": (), "created_by": None, "space": None, "thread": None, "parent": None,
    "is_question": False, "text": None, "length": None, "count": 1,
}  # fmt: skip


class _BatchingSink:
    """A Sink that forwards each call, in batches, to the importing process.

    A call travels as its method's index and its values in :data:`_FIELDS` order (compact to
    pickle). Text the store will not keep is replaced by its length here, so it never
    crosses the pipe; the store gets the same rows as from the reader itself.
    """

    def __init__(self, keep_text: bool, emit: Callable[[object], None]) -> None:
        self.keep_text = keep_text
        self.emit = emit
        self.calls: list[tuple[Any, ...]] = []

    def _add(self, method: str, values: dict[str, Any]) -> None:
        self.calls.append((method, *(values.get(f, _DEFAULTS.get(f)) for f in _FIELDS[method])))
        if len(self.calls) >= _BATCH_CALLS:
            self.flush()

    def flush(self) -> None:
        if self.calls:
            self.emit(self.calls)
            self.calls = []

    def member(self, **values: Any) -> None:
        self._add("member", values)

    def space(self, **values: Any) -> None:
        self._add("space", values)

    def activity(self, **values: Any) -> None:
        if not self.keep_text:
            text = values.pop("text", None)
            if values.get("length") is None:
                values["length"] = len(text) if text else 0
        self._add("activity", values)

    def interaction(self, **values: Any) -> None:
        self._add("interaction", values)

    def skipped(self, reason: str, count: int = 1) -> None:
        self._add("skipped", {"reason": reason, "count": count})


def read_in_worker(name: str, path: Path, keep_text: bool, emit: Callable[[object], None]) -> None:
    """Run reader ``name`` on ``path``, emitting its sink calls in batches (a worker's task)."""
    sink = _BatchingSink(keep_text, emit)
    load_reader(name).read(path, sink)
    sink.flush()


def read_beside(reader: Reader, path: Path, sink: Sink) -> None:
    """``reader.read(path, sink)`` with the reading done in a worker process.

    Reading (parsing) and the sink's work (ids, pseudonyms, staging) then run on two CPUs at
    once; the sink gets the calls in the reader's order, so the store is the same.
    """
    from copkit.community.sources.workers import streamed

    keep_text = bool(getattr(sink, "keep_text", True))
    methods = {name: getattr(sink, name) for name in _FIELDS}
    for batch in streamed(read_in_worker, (reader.name, path, keep_text)):
        for method, *values in batch:
            methods[method](**dict(zip(_FIELDS[method], values, strict=True)))
