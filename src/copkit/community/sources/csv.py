"""CSV reader: any community's activity as a spreadsheet, one row per contribution.

Required columns: ``activity_id``, ``author``, ``created_at``. Optional: ``thread_id``,
``parent_id``, ``space``, ``kind``, ``is_question``, ``text``. Other columns are ignored.
The file is UTF-8 (a byte-order mark is allowed), comma-separated, with a header row. A
folder is read file by file (every ``*.csv`` in it, sorted); its name is the origin.

Mapping
-------
- ``activity_id``: the row's own id, unique within the origin; ``author``: the person's id
  (a name, handle or e-mail address: it is pseudonymised like every other source).
- ``created_at``: ISO 8601 (``2024-03-01T14:05:00Z``, ``2024-03-01 14:05:00+01:00``); a time
  without an offset is taken as UTC.
- ``parent_id``: the ``activity_id`` replied to; ``thread_id``: the thread's root (default: the
  parent's thread, or the row itself when there is no parent).
- ``kind``: post, reply, answer, comment or join (default: ``reply`` with a parent, else
  ``post``); ``is_question``: true/false, yes/no, 1/0 or empty (false).
- ``space``: a space of kind ``space`` with that name.

Example::

    activity_id,author,created_at,parent_id,space,is_question
    1,ana@example.org,2024-03-01T14:05:00Z,,help,true
    2,ben@example.org,2024-03-01T15:10:00Z,1,help,
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from copkit.community.errors import ImportFormatError
from copkit.community.schema import ACTIVITY_KINDS
from copkit.community.sources.base import Sink

__all__ = ["READER", "REQUIRED", "CsvReader"]

REQUIRED: Final = ("activity_id", "author", "created_at")
OPTIONAL: Final = ("thread_id", "parent_id", "space", "kind", "is_question", "text")
_TRUE: Final = frozenset({"true", "yes", "1", "y", "t"})
_FALSE: Final = frozenset({"false", "no", "0", "n", "f", ""})


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    return [path]


def _time(value: str, where: str) -> datetime:
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ImportFormatError(
            f"{where}, column created_at: {value!r} is not an ISO 8601 time "
            "(such as 2024-03-01T14:05:00Z)."
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when


class CsvReader:
    """Reads activity rows from CSV files (see the module docstring)."""

    name = "csv"

    def detect(self, path: Path) -> bool:
        """A ``.csv`` file, or a folder holding ``.csv`` files and nothing that looks like mail."""
        if path.is_dir():
            return any(p.suffix.lower() == ".csv" for p in path.iterdir() if p.is_file())
        return path.suffix.lower() == ".csv"

    def origin(self, path: Path) -> str:
        """The file's (or folder's) name without extension."""
        return "csv " + (path.name if path.is_dir() else path.stem)

    def read(self, path: Path, sink: Sink) -> None:
        """Read every row into ``sink``; a bad row stops the import naming file, line, column."""
        files = _files(path)
        if not files:
            raise ImportFormatError(f"{path}: no .csv files in this folder.")
        threads: dict[str, str] = {}
        spaces: set[str] = set()
        for file in files:
            self._file(file, sink, threads, spaces)

    def _file(self, file: Path, sink: Sink, threads: dict[str, str], spaces: set[str]) -> None:
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise ImportFormatError(f"{file}: cannot be read ({exc}).") from exc
        with handle:
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            rows = csv.reader(text)
            try:
                header = next(rows, None)
                if header is None:
                    raise ImportFormatError(
                        f"{file}: empty; expected a header row with {', '.join(REQUIRED)}."
                    )
                columns = [h.strip().lower() for h in header]
                missing = [c for c in REQUIRED if c not in columns]
                if missing:
                    raise ImportFormatError(
                        f"{file}, line 1: missing column(s) {', '.join(missing)}; the header "
                        f"must name {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)})."
                    )
                at: dict[str, int] = {
                    c: columns.index(c) for c in (*REQUIRED, *OPTIONAL) if c in columns
                }
                for row in rows:
                    self._row(file, rows.line_num, row, at, len(columns), sink, threads, spaces)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                    "UTF-8 CSV."
                ) from exc
            except csv.Error as exc:
                raise ImportFormatError(f"{file}, line {rows.line_num}: {exc}.") from exc

    def _row(
        self,
        file: Path,
        line: int,
        row: list[str],
        at: dict[str, int],
        width: int,
        sink: Sink,
        threads: dict[str, str],
        spaces: set[str],
    ) -> None:
        where = f"{file}, line {line}"
        if not row or all(not cell.strip() for cell in row):
            return
        if len(row) != width:
            raise ImportFormatError(f"{where}: {len(row)} fields, the header has {width}.")

        def get(column: str) -> str:
            index = at.get(column)
            return row[index].strip() if index is not None else ""

        for column in REQUIRED:
            if not get(column):
                raise ImportFormatError(f"{where}, column {column}: empty; it is required.")
        activity, author = get("activity_id"), get("author")
        created_at = _time(get("created_at"), where)
        parent = get("parent_id") or None
        kind = get("kind").lower() or ("reply" if parent else "post")
        if kind not in ACTIVITY_KINDS:
            raise ImportFormatError(
                f"{where}, column kind: {kind!r} is not one of {', '.join(ACTIVITY_KINDS)}."
            )
        flag = get("is_question").lower()
        if flag not in _TRUE and flag not in _FALSE:
            raise ImportFormatError(
                f"{where}, column is_question: {flag!r} is not true/false, yes/no or 1/0."
            )
        thread = get("thread_id") or (threads.get(parent, parent) if parent else activity)
        threads[activity] = thread
        space = get("space") or None
        if space is not None and space not in spaces:
            spaces.add(space)
            sink.space(space=space, name=space, kind="space")
        text = row[at["text"]] if "text" in at else None
        if "@" in author:
            sink.member(user=author, email=author)
        else:
            sink.member(user=author, handle=author)
        sink.activity(
            activity=activity,
            actor=author,
            created_at=created_at,
            kind=kind,
            space=space,
            thread=thread,
            parent=parent,
            is_question=flag in _TRUE,
            text=text,
        )


READER: Final = CsvReader()
