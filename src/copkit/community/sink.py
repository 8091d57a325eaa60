"""The import sink: what readers write to, as raw rows in Arrow record batches.

A :class:`RowSink` receives a reader's calls (the :class:`~copkit.community.sources.base.Sink`
protocol) and keeps them as they are, with the reader's *source-local* ids, in columnar
batches: a few appends per call, no hashing, no per-member state. It checks what it can check
per call (kinds, time zones), keeps text only when asked, and hands each full batch to
``emit``: to the import's staging when the reader runs in the importing process (the batches
wait there for DuckDB to read them), or through a pipe when it runs in a worker process
(:func:`copkit.community.sources.read_beside`).

Everything that needs the store (keyed-hash ids and pseudonyms, a member's identity and
merged id, bot rules, names) is derived afterwards in bulk by
:mod:`copkit.community.importer`, in DuckDB SQL over all of an import's rows at once.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import repeat
from operator import is_not
from typing import Any, Final

import pyarrow as pa

from copkit.community.errors import ImportFormatError
from copkit.community.schema import ACTIVITY_KINDS, INTERACTION_KINDS, SPACE_KINDS

__all__ = [
    "DEFAULT_BOT_PATTERNS",
    "DUCK_TYPES",
    "MAX_LENGTH",
    "RAW",
    "Collected",
    "RowSink",
    "arrow_array",
    "clean",
    "microseconds",
    "normal_name",
]

DEFAULT_BOT_PATTERNS: Final = (
    r"(?i)\[bot\]$",
    r"(?i)(^|[\s_.-])bot$",
    r"(?i)^bot([\s_.-]|$)",
    r"(?i)^(slackbot|github-actions|dependabot|renovate|codecov|mailer-daemon|postmaster)\b",
    r"(?i)^no-?reply@",
)
"""Regular expressions on a name, handle, user id or e-mail address that mark a bot."""

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_BATCH_ROWS: Final = 20_000
_TS: Final = pa.timestamp("us", tz="UTC")
_ACTIVITY_KINDS: Final = frozenset(ACTIVITY_KINDS)
_INTERACTION_KINDS: Final = frozenset(INTERACTION_KINDS)

RAW: Final = {
    "members": pa.schema(
        [
            ("seq", pa.int64()),
            ("uid", pa.string()),
            ("name", pa.string()),
            ("handle", pa.string()),
            ("email", pa.string()),
            ("is_bot", pa.bool_()),
            ("joined_at", _TS),
            ("roles", pa.list_(pa.string())),
        ]
    ),
    "spaces": pa.schema(
        [
            ("seq", pa.int64()),
            ("space", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("created_by", pa.string()),
        ]
    ),
    "activities": pa.schema(
        [
            ("seq", pa.int64()),
            ("activity", pa.string()),
            ("actor", pa.string()),
            ("created_at", _TS),
            ("kind", pa.string()),
            ("space", pa.string()),
            ("thread", pa.string()),
            ("parent", pa.string()),
            ("is_question", pa.bool_()),
            ("length", pa.int32()),
            ("text", pa.string()),
        ]
    ),
    "interactions": pa.schema(
        [
            ("seq", pa.int64()),
            ("actor", pa.string()),
            ("target", pa.string()),
            ("activity", pa.string()),
            ("kind", pa.string()),
            ("created_at", _TS),
        ]
    ),
}
"""The raw rows of each kind of call, as :class:`RowSink` batches them (``seq``: call order)."""

DUCK_TYPES: Final = {
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    _TS: "TIMESTAMPTZ",
    pa.list_(pa.string()): "VARCHAR[]",
}
"""DuckDB's column type for each Arrow type a staged row uses."""

MAX_LENGTH: Final = 2**31 - 1
"""The largest ``length`` an activity row holds (``activities.length`` is an INTEGER)."""


def clean(value: str) -> str:
    """``value`` as valid UTF-8 (lone surrogates from undecodable bytes become U+FFFD)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


_SURROGATE: Final = re.compile("[\ud800-\udfff]")


_PUNCTUATION: Final = re.compile(r"[^\w\s]")


def normal_name(name: str) -> str:
    """A name as compared and pseudonymised: case, accents, punctuation and spacing dropped."""
    if name.isascii():  # NFKD leaves ASCII as it is and casefold is lower: the common case
        return " ".join(_PUNCTUATION.sub(" ", name.lower()).split())
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_PUNCTUATION.sub(" ", letters).split())


def microseconds(value: datetime, what: str) -> int:
    """Microseconds since the epoch (UTC) of an aware datetime."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ImportFormatError(f"{what}: the reader gave a time without a time zone.")
    return (value - _EPOCH) // _MICROSECOND


def _array(values: Sequence[Any], field: pa.Field) -> pa.Array:
    try:
        return arrow_array(values, field.type)
    except UnicodeEncodeError:  # a lone surrogate (undecodable input): U+FFFD instead
        if field.type == pa.string():
            fixed = [clean(v) if isinstance(v, str) else v for v in values]
        else:
            fixed = [[clean(x) for x in v] if v is not None else None for v in values]
        return arrow_array(fixed, field.type)


def arrow_array(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    """``pa.array(values, type=type)`` for a type of :data:`RAW`, without loading pandas.

    pyarrow imports pandas (when it is installed) on its first conversion of Python values,
    to see whether they are pandas objects: 0.3 to 0.5 s of CPU, more than a small import
    takes and a tenth of a big one. Where pandas is not loaded, the array is built here from
    its buffers (numpy does the arithmetic) at a few tenths of a microsecond a value. A
    worker process (where neither pandas nor numpy can be imported, so pyarrow's check is
    cheap) and a process that has pandas loaded already use pyarrow's own conversion.
    A string that is not valid UTF-8 (a lone surrogate) raises UnicodeEncodeError, as
    pyarrow's conversion does.
    """
    if type not in _BUILDERS or "pandas" in sys.modules or "numpy" not in sys.modules:
        return pa.array(values, type=type)
    return _from_buffers(values, type)


def _from_buffers(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    """:func:`arrow_array`'s own conversion (the same array as ``pa.array``)."""
    return _BUILDERS[type](values, type)


def _validity(values: Sequence[Any]) -> tuple[pa.Buffer | None, int, Any]:
    """The validity bitmap of ``values`` (None when none is None), how many are None, and
    which are not (a numpy bool array, or None)."""
    if None not in values:
        return None, 0, None
    import numpy as np

    present = np.fromiter(map(is_not, values, repeat(None)), np.bool_, len(values))
    bitmap = pa.py_buffer(np.packbits(present, bitorder="little"))
    return bitmap, len(values) - int(np.count_nonzero(present)), present


def _offsets(lengths: Any, present: Any, count: int) -> pa.Buffer | None:
    """The int32 offsets of ``count`` values of these ``lengths`` (given only for the values
    ``present`` marks, when it is not None); None when they pass 2**31 - 1."""
    import numpy as np

    ends = np.zeros(count + 1, dtype=np.int64)
    if present is None:
        np.cumsum(lengths, out=ends[1:])
    else:
        sizes = np.zeros(count, dtype=np.int64)
        sizes[present] = lengths
        np.cumsum(sizes, out=ends[1:])
    if ends[-1] > _MAX_OFFSET:
        return None
    return pa.py_buffer(ends.astype(np.int32))


def _strings(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    import numpy as np

    bitmap, nulls, present = _validity(values)
    kept = values if not nulls else [v for v in values if v is not None]
    encoded = list(map(str.encode, kept))
    offsets = _offsets(np.fromiter(map(len, encoded), np.int64, len(encoded)), present, len(values))
    if offsets is None:  # over 2 GiB of text in one batch: pyarrow's conversion splits it
        return pa.array(values, type=type)
    return pa.Array.from_buffers(
        type, len(values), [bitmap, offsets, pa.py_buffer(b"".join(encoded))], null_count=nulls
    )


def _numbers(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    import numpy as np

    bitmap, nulls, _ = _validity(values)
    if type == _TS and isinstance(next((v for v in values if v is not None), None), datetime):
        values = [_since_epoch(v) for v in values]  # as pyarrow converts datetimes
    dtype = np.int32 if type == pa.int32() else np.int64
    data = np.array([0 if v is None else v for v in values] if nulls else values, dtype=dtype)
    storage = pa.int32() if type == pa.int32() else pa.int64()
    array = pa.Array.from_buffers(
        storage, len(values), [bitmap, pa.py_buffer(data)], null_count=nulls
    )
    return array.cast(type) if storage != type else array


def _since_epoch(value: Any) -> Any:
    """A time as pyarrow stores a datetime in a UTC timestamp: microseconds since the epoch
    (a naive datetime taken as UTC); anything else as it is."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def _booleans(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    import numpy as np

    bitmap, nulls, _ = _validity(values)
    data = np.array([bool(v) for v in values] if nulls else values, dtype=np.bool_)
    bits = pa.py_buffer(np.packbits(data, bitorder="little"))
    return pa.Array.from_buffers(type, len(values), [bitmap, bits], null_count=nulls)


def _string_lists(values: Sequence[Any], type: pa.DataType) -> pa.Array:  # noqa: A002
    import numpy as np

    bitmap, nulls, present = _validity(values)
    kept = values if not nulls else [v for v in values if v is not None]
    offsets = _offsets(np.fromiter(map(len, kept), np.int64, len(kept)), present, len(values))
    items = [item for value in kept for item in value]
    if offsets is None:
        return pa.array(values, type=type)
    return pa.Array.from_buffers(
        type,
        len(values),
        [bitmap, offsets],
        null_count=nulls,
        children=[_strings(items, pa.string())],
    )


_MAX_OFFSET: Final = 2**31 - 1
_BUILDERS: Final[dict[pa.DataType, Callable[[Sequence[Any], pa.DataType], pa.Array]]] = {
    pa.string(): _strings,
    pa.int32(): _numbers,
    pa.int64(): _numbers,
    _TS: _numbers,
    pa.bool_(): _booleans,
    pa.list_(pa.string()): _string_lists,
}


def _datetime(us: int | None) -> datetime | None:
    return None if us is None else _EPOCH + timedelta(microseconds=us)


@dataclass
class Collected:
    """What a :class:`RowSink` gathered in a worker process (see :meth:`RowSink.collect`)."""

    members: list[tuple[Any, ...]]
    """Member rows (:data:`RAW` ``members`` without ``seq``): the caller may drop some."""
    batches: dict[str, pa.RecordBatch]
    """Rows of any kind as Arrow batches (members too: then none is dropped), in any order:
    ``seq`` (from 0, increasing, not necessarily dense) orders them."""
    skips: dict[str, int]
    read: int
    joins: int

    def __reduce__(self) -> tuple[Any, ...]:
        # Arrow's own IPC format, not a pickle of each array: a worker's result is then
        # unpacked in one call per batch
        batches = {kind: batch.serialize().to_pybytes() for kind, batch in self.batches.items()}
        return (_unpack, (self.members, batches, self.skips, self.read, self.joins))

    def replay(self, sink: Any) -> None:
        """The calls these rows stand for, made on any Sink: members, spaces, activities,
        interactions, then the skips."""
        for uid, name, handle, email, is_bot, joined, roles in self.members:
            sink.member(user=uid, name=name, handle=handle, email=email, is_bot=is_bot,
                        joined_at=_datetime(joined), roles=tuple(roles))  # fmt: skip
        batches = {kind: b.sort_by("seq") for kind, b in self.batches.items()}
        for row in _rows(batches.get("members")):
            sink.member(user=row["uid"], name=row["name"], handle=row["handle"],
                        email=row["email"], is_bot=row["is_bot"], joined_at=row["joined_at"],
                        roles=tuple(row["roles"]))  # fmt: skip
        for kind, method in (("spaces", sink.space), ("activities", sink.activity),
                             ("interactions", sink.interaction)):  # fmt: skip
            for row in _rows(batches.get(kind)):  # times come back as aware datetimes
                del row["seq"]
                method(**row)
        for reason, count in self.skips.items():
            sink.skipped(reason, count)


def _unpack(
    members: list[tuple[Any, ...]],
    batches: dict[str, bytes],
    skips: dict[str, int],
    read: int,
    joins: int,
) -> Collected:
    """A :class:`Collected` from what its ``__reduce__`` gave."""
    unpacked = {
        kind: pa.ipc.read_record_batch(pa.py_buffer(data), RAW[kind])
        for kind, data in batches.items()
    }
    return Collected(members, unpacked, skips, read, joins)


def _rows(batch: pa.RecordBatch | None) -> Iterator[dict[str, Any]]:
    """A batch's rows as dicts, a slice at a time (a dict per row costs a lot of memory)."""
    if batch is None:
        return
    for start in range(0, batch.num_rows, 10_000):
        yield from batch.slice(start, 10_000).to_pylist()


class RowSink:
    """A :class:`~copkit.community.sources.base.Sink` keeping each call as a raw row.

    ``emit(kind, batch)`` receives each full batch (kind: a key of :data:`RAW`; taken rows
    come as an Arrow table of the batches taken); call
    :meth:`close` at the end for the rest. ``skips``, ``read`` (activities) and ``joins``
    count what the summary needs.
    """

    def __init__(
        self,
        *,
        keep_text: bool,
        emit: Callable[[str, pa.RecordBatch | pa.Table], None],
        progress: Callable[[int], None] | None = None,
        batch_rows: int = _BATCH_ROWS,
    ) -> None:
        self.keep_text = keep_text
        self.emit = emit
        self.progress = progress
        self.batch_rows = batch_rows
        self.rows: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in RAW}
        self.sent: dict[str, int] = dict.fromkeys(RAW, 0)
        self.held: dict[str, list[pa.RecordBatch]] = {}  # taken batches not yet emitted
        self.skips: dict[str, int] = {}
        self.read = 0
        self.joins = 0

    # -- the Sink protocol -------------------------------------------------------------------
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
        joined = None if joined_at is None else microseconds(joined_at, f"member {user}")
        rows = self.rows["members"]
        rows.append(
            (user, name or None, handle or None, email or None, is_bot, joined, list(roles))
        )
        if len(rows) >= self.batch_rows:
            self._flush("members")

    def space(self, *, space: str, name: str, kind: str, created_by: str | None = None) -> None:
        if kind not in SPACE_KINDS:
            raise ImportFormatError(f"space {name!r}: kind {kind!r} is not one of {SPACE_KINDS}.")
        rows = self.rows["spaces"]
        rows.append((space, name, kind, created_by or None))
        if len(rows) >= self.batch_rows:
            self._flush("spaces")

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
        if kind not in _ACTIVITY_KINDS:
            raise ImportFormatError(
                f"activity {activity!r}: kind {kind!r} is not one of {', '.join(ACTIVITY_KINDS)}."
            )
        if length is None:
            length = len(text) if text else 0
        self.read += 1
        if kind == "join":
            self.joins += 1
        rows = self.rows["activities"]
        rows.append(
            (
                activity,
                actor,
                microseconds(created_at, f"activity {activity}"),
                kind,
                space,
                thread,
                parent,
                is_question,
                min(length, MAX_LENGTH),
                text if self.keep_text else None,
            )
        )
        if len(rows) >= self.batch_rows:
            self._flush("activities")
        if self.progress is not None and self.read % 5000 == 0:
            self.progress(self.read)

    def interaction(
        self, *, actor: str, target: str, activity: str, kind: str, created_at: datetime
    ) -> None:
        if kind not in _INTERACTION_KINDS:
            raise ImportFormatError(
                f"interaction on {activity!r}: kind {kind!r} is not one of {INTERACTION_KINDS}."
            )
        if actor == target:
            return
        rows = self.rows["interactions"]
        rows.append(
            (actor, target, activity, kind, microseconds(created_at, f"interaction on {activity}"))
        )
        if len(rows) >= self.batch_rows:
            self._flush("interactions")

    def skipped(self, reason: str, count: int = 1) -> None:
        self.skips[reason] = self.skips.get(reason, 0) + count

    # -- rows made by a reader itself --------------------------------------------------------
    def extend(self, kind: str, rows: list[tuple[Any, ...]], joins: int = 0) -> None:
        """Rows a reader made in :data:`RAW` form itself, ``seq`` left out: what the calls
        they stand for would have kept (times as microseconds since the epoch, text only
        when :attr:`keep_text`, an interaction's actor not its target). For activities,
        ``joins`` says how many are joins. A fast path for readers whose rows are regular:
        nothing here checks them."""
        held = self.rows[kind]
        held.extend(rows)
        if kind == "activities" and rows:
            before = self.read
            self.read += len(rows)
            self.joins += joins
            if self.progress is not None and before // 5000 != self.read // 5000:
                self.progress(self.read)
        if len(held) >= self.batch_rows:
            self._flush(kind)

    # -- batches -----------------------------------------------------------------------------
    def _flush(self, kind: str) -> None:
        if self.rows[kind]:
            self.emit(kind, self._batch(kind))

    def _emit_held(self, kind: str) -> None:
        held = self.held.pop(kind, None)
        if held:  # one table of the taken batches, not copied into one batch
            self.emit(kind, pa.Table.from_batches(held))

    def _batch(self, kind: str) -> pa.RecordBatch:
        rows = self.rows[kind]
        schema = RAW[kind]
        start = self.sent[kind]
        arrays = [arrow_array(range(start, start + len(rows)), pa.int64())]
        arrays += [
            _array(column, field)
            for column, field in zip(zip(*rows, strict=True), list(schema)[1:], strict=True)
        ]
        self.rows[kind] = []
        self.sent[kind] = start + len(rows)
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def collect(self) -> Collected:
        """Everything gathered, for another process's RowSink to :meth:`take` (a worker's
        result): member rows as they are, the other kinds as Arrow batches."""
        batches = {}
        for kind in ("spaces", "activities", "interactions"):
            if self.rows[kind]:
                batches[kind] = self._batch(kind)
        return Collected(self.rows["members"], batches, self.skips, self.read, self.joins)

    def take(self, collected: Collected) -> None:
        """What another RowSink collected, in order after what this one holds."""
        import pyarrow.compute as pc  # here, not in a worker process (it takes 50 ms to load)

        rows = self.rows["members"]
        rows.extend(collected.members)
        if len(rows) >= self.batch_rows:
            self._flush("members")
        for kind, batch in collected.batches.items():
            self._flush(kind)
            start = self.sent[kind]
            seq = pc.add(batch.column(0), arrow_array([start], pa.int64())[0])
            self.sent[kind] = pc.max(seq).as_py() + 1 if batch.num_rows else start
            # few big inserts cost DuckDB much less than many small ones
            held = self.held.setdefault(kind, [])
            held.append(batch.set_column(0, "seq", seq))
            if sum(b.num_rows for b in held) >= self.batch_rows:
                self._emit_held(kind)
        for reason, count in collected.skips.items():
            self.skipped(reason, count)
        self.read += collected.read
        self.joins += collected.joins
        if self.progress is not None and collected.read:
            self.progress(self.read)

    def close(self) -> None:
        """Emit what is left."""
        for kind in RAW:
            self._flush(kind)
            self._emit_held(kind)
