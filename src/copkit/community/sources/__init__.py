"""Readers of community exports: one module per format, each documenting its mapping.

:data:`READERS` names each reader's module (imported only when used); :func:`reader_for`
picks the reader for a path, by ``--format`` or by detection in the order of :data:`READERS`.
A reader module exposes ``READER`` (see :class:`~copkit.community.sources.base.Reader`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

from copkit.community.errors import ImportFormatError
from copkit.community.sources.base import Reader

if TYPE_CHECKING:
    from copkit.community.sink import RowSink

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


def read_in_worker(name: str, path: Path, keep_text: bool, emit: Callable[[object], None]) -> None:
    """Run reader ``name`` on ``path`` into a :class:`~copkit.community.sink.RowSink` whose
    batches are emitted as ``(kind, batch)``, then ``("end", (skips, read, joins))``.

    A worker's task: Arrow record batches cross the pipe as a few buffers each, not as one
    Python object per value.
    """
    from copkit.community.sink import RowSink

    sink = RowSink(keep_text=keep_text, emit=lambda kind, batch: emit((kind, batch)))
    load_reader(name).read(path, sink)
    sink.close()
    emit(("end", (sink.skips, sink.read, sink.joins)))


def read_beside(reader: Reader, path: Path, sink: RowSink) -> None:
    """``reader.read(path, sink)`` with the reading done in a worker process.

    Reading (parsing) runs on one CPU while this process stores the batches the worker
    sends; ``sink`` gets the same rows, in the same order, as from the reader itself.
    """
    from copkit.community.sources.workers import streamed

    for kind, value in streamed(read_in_worker, (reader.name, path, sink.keep_text)):
        if kind == "end":
            skips, read, joins = value
            for reason, count in skips.items():
                sink.skipped(reason, count)
            sink.read += read
            sink.joins += joins
        else:
            if kind == "activities" and sink.progress is not None:
                sink.progress(sink.read + int(value.column(0)[-1].as_py()) + 1)
            sink.emit(kind, value)
