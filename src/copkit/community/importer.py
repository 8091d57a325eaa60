"""Importing exports into the store: :func:`import_paths`, one transaction per call.

An import is atomic (on any error the transaction is rolled back and the store is unchanged)
and idempotent: staged rows whose ids are already in the store are counted as ``already
imported`` and not added, so a newer export of the same community adds only what is new.
Reply and answer interactions are derived here, store-wide, from ``parent_id``: from the
replier to the parent's author, never to oneself; a reply whose parent is in no import yet is
counted as an unresolved parent, and gets its interaction when the parent arrives.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from copkit.community.errors import ImportFormatError, StoreError
from copkit.community.sink import (
    DEFAULT_BOT_PATTERNS,
    DUCK_TYPES,
    RAW,
    RowSink,
    arrow_array,
    normal_name,
)
from copkit.community.store import IMPORT_MEMORY_LIMIT, Store, count_of

__all__ = ["ImportSummary", "ProgressCallback", "import_paths"]

ProgressCallback = Callable[[str, int], None]
"""Called as ``progress(path, activities_read_so_far)`` while an import runs."""


@dataclass(frozen=True)
class ImportSummary:
    """What one call of :func:`import_paths` read, added and skipped.

    ``skipped`` counts records by reason: the readers' own (``channel_leave``, ...) plus
    ``duplicate`` (the same record twice in this import) and ``already imported``.
    """

    paths: tuple[tuple[str, str, str], ...]
    """(path, format, origin) per path read."""
    read_activities: int
    read_members: int
    added_activities: int
    added_members: int
    added_spaces: int
    added_interactions: int
    skipped: dict[str, int] = field(default_factory=dict)
    unresolved_parents: int = 0
    bot_activities: int = 0
    joins: int = 0


def _compile_rules(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    rules = []
    for pattern in patterns:
        try:
            rules.append(re.compile(pattern))
        except re.error as exc:
            raise ImportFormatError(
                f"bot rule {pattern!r} is not a regular expression: {exc}"
            ) from exc
    return rules


def _progress_of(progress: ProgressCallback | None, path: str) -> Callable[[int], None] | None:
    if progress is None:
        return None

    def report(count: int) -> None:
        progress(path, count)

    return report


PIPELINE_MIN_BYTES = 32 * 2**20
"""Exports at least this big are read in a worker process while this one stores what it reads
(except by readers with workers of their own: ``parallel = True``, as the mbox reader)."""


def _read_beside(reader: object, path: Path) -> bool:
    from copkit.community.sources.workers import worker_count

    if getattr(reader, "parallel", False) or worker_count() < 2:
        return False
    if path.is_file():
        return path.stat().st_size >= PIPELINE_MIN_BYTES
    total = 0
    for file in path.rglob("*"):
        if file.is_file():
            total += file.stat().st_size
            if total >= PIPELINE_MIN_BYTES:
                return True
    return False


def import_paths(
    store: Store,
    paths: Sequence[Path | str],
    format: str | None = None,  # noqa: A002 - the CLI's --format
    keep_text: bool = False,
    real_names: bool = False,
    progress: ProgressCallback | None = None,
    bot_patterns: Sequence[str] = (),
) -> ImportSummary:
    """Import exports into ``store`` in one transaction.

    Parameters
    ----------
    store
        An open store (:func:`open_store`).
    paths
        Export files or folders; each one's format is detected unless ``format`` is given.
    format
        A reader name (``slack``, ``mbox``, ``csv``, ...) to use for every path.
    keep_text
        Keep message text in ``activities.text`` (otherwise only its length).
    real_names
        Keep names, handles and e-mail addresses (otherwise keyed-hash pseudonyms).
    progress
        Called as ``progress(path, activities_read)`` while reading.
    bot_patterns
        Extra regular expressions that mark a member as a bot (besides
        :data:`DEFAULT_BOT_PATTERNS` and what the export says).

    Returns
    -------
    ImportSummary

    Raises
    ------
    ImportFormatError
        When any path cannot be read; the store is then unchanged.
    """
    from copkit.community.sources import read_beside, reader_for

    if not paths:
        raise ImportFormatError("Nothing to import: give at least one export file or folder.")
    # the default rules (all case-insensitive) as one alternation: one search per value
    assert all(p.startswith("(?i)") for p in DEFAULT_BOT_PATTERNS)
    default = "(?i)" + "|".join(f"(?:{p.removeprefix('(?i)')})" for p in DEFAULT_BOT_PATTERNS)
    rules = _compile_rules([default, *bot_patterns])
    con = store.con
    started = datetime.now(UTC)
    # no query of the import depends on the order rows are produced in: DuckDB may then
    # stream its inserts and merges instead of holding rows to keep their order
    con.execute("SET preserve_insertion_order = false")
    con.execute("BEGIN TRANSACTION")
    staging = _Staging(store)
    try:
        con.execute("CREATE TEMP TABLE rw_parts (part INTEGER, source VARCHAR, origin VARCHAR)")
        parts: list[_Part] = []
        for number, raw in enumerate(paths):
            path = Path(raw)
            reader = reader_for(path, format)
            origin = reader.origin(path)
            con.execute("INSERT INTO rw_parts VALUES (?, ?, ?)", [number, reader.name, origin])
            sink = RowSink(
                keep_text=keep_text,
                emit=staging.emitter(number),
                progress=_progress_of(progress, str(path)),
            )
            if _read_beside(reader, path):
                read_beside(reader, path, sink)
            else:
                reader.read(path, sink)
            sink.close()
            if progress is not None:
                progress(str(path), sink.read)
            parts.append(_Part(sink, str(path), reader.name, origin))
        staging.finish()
        _derive(store, parts, real_names, rules)
        summary = _merge_staging(store, parts, started, keep_text, real_names)
        con.execute("DROP VIEW st_activities")
        for table in (*_STAGED, "rw_parts", "d_users", "d_flags", "d_spaces"):
            con.execute(f"DROP TABLE {table}")
        staging.drop()
        con.execute("COMMIT")
    except BaseException as exc:
        con.execute("ROLLBACK")
        staging.release()
        import duckdb  # loaded by the store already; not at import time (worker start-up)

        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, duckdb.OutOfMemoryException):
            cause = cause.__context__  # e.g. an aborted transaction raised while cleaning up
        if cause is not None:
            raise StoreError(
                f"{store.path}: the import needed more than DuckDB's memory limit "
                f"({IMPORT_MEMORY_LIMIT}); nothing was changed. Set COPKIT_STORE_DUCKDB_MEMORY "
                "higher (e.g. 1GB) and import again."
            ) from exc
        raise
    finally:
        con.execute("RESET preserve_insertion_order")
    return summary


@dataclass
class _Part:
    """One path of an import: its sink (with the counts it kept) and where it came from."""

    sink: RowSink
    path: str
    name: str
    origin: str
    members: int = 0  # distinct members it named, set by _derive
    bot_activities: int = 0  # activities by bots, set by _derive


STAGE_HOLD_BYTES = 64 * 2**20
"""Raw rows an import keeps as the Arrow batches its readers make, for DuckDB to read where
they are, before it copies them into DuckDB tables (which spill to disk): below this, most
imports never copy them at all."""


class _Staging:
    """Where an import's raw rows wait for :func:`_derive`, as ``rw_<kind>`` (part, then the
    columns of :data:`RAW`).

    While they hold less than :data:`STAGE_HOLD_BYTES`, the rows stay the Arrow batches the
    sinks emit, and ``rw_<kind>`` are views of them (DuckDB scans Arrow in place, in parallel
    over the batches); once they pass it, they are moved into DuckDB temp tables, and the
    batches that come after go there too.
    """

    def __init__(self, store: Store) -> None:
        self.con = store.con
        self.held: dict[tuple[str, int], list[pa.RecordBatch]] = {}
        self.held_bytes = 0
        self.tables = False  # the rows are in DuckDB tables
        self.views = False
        self.registered: list[str] = []

    def emitter(self, part: int) -> Callable[[str, pa.RecordBatch | pa.Table], None]:
        """A :class:`RowSink`'s ``emit`` for the rows of path number ``part``."""

        def emit(kind: str, batch: pa.RecordBatch | pa.Table) -> None:
            if self.tables:
                self._insert(kind, part, batch)
                return
            batches = batch.to_batches() if isinstance(batch, pa.Table) else [batch]
            self.held.setdefault((kind, part), []).extend(batches)
            self.held_bytes += batch.nbytes
            if self.held_bytes > STAGE_HOLD_BYTES:
                self._into_tables()

        return emit

    def _into_tables(self) -> None:
        for kind, schema in RAW.items():
            cols = ", ".join(f"{f.name} {DUCK_TYPES[f.type]}" for f in schema)
            self.con.execute(f"CREATE TEMP TABLE rw_{kind} (part INTEGER, {cols})")
        self.tables = True
        held, self.held, self.held_bytes = self.held, {}, 0
        for (kind, part), batches in held.items():
            self._insert(kind, part, pa.Table.from_batches(batches, schema=RAW[kind]))

    def _insert(self, kind: str, part: int, batch: pa.RecordBatch | pa.Table) -> None:
        self.con.register("_copkit_batch", batch)
        try:
            self.con.execute(
                f"INSERT INTO rw_{kind} SELECT {part:d}, * FROM _copkit_batch"  # noqa: S608
            )
        finally:
            self.con.unregister("_copkit_batch")

    def finish(self) -> None:
        """Every path read: make ``rw_<kind>`` of the rows held, unless they are in tables."""
        if self.tables:
            return
        for kind, schema in RAW.items():
            parts = sorted(part for held_kind, part in self.held if held_kind == kind)
            selects = []
            for part in parts or [0]:
                name = f"_copkit_raw_{kind}_{part:d}"
                batches = self.held.get((kind, part), [])
                self.con.register(name, pa.Table.from_batches(batches, schema=schema))
                self.registered.append(name)
                selects.append(f"SELECT {part:d} AS part, * FROM {name}")  # noqa: S608
            self.con.execute(f"CREATE TEMP VIEW rw_{kind} AS {' UNION ALL '.join(selects)}")
        self.views = True
        self.held = {}  # the registered tables hold the batches now

    def drop(self) -> None:
        """Drop ``rw_<kind>`` and let go of the batches (inside the import's transaction)."""
        for kind in RAW:
            if self.views:
                self.con.execute(f"DROP VIEW rw_{kind}")
            elif self.tables:
                self.con.execute(f"DROP TABLE rw_{kind}")
        self.release()

    def release(self) -> None:
        """Let go of the batches registered with DuckDB (after a rollback, too)."""
        for name in self.registered:
            with contextlib.suppress(Exception):  # gone with a rolled back transaction
                self.con.unregister(name)
        self.registered = []
        self.held = {}


_STAGED: Final = ("st_members", "st_spaces", "st_interactions")  # and the view st_activities


def _hmac_macro(store: Store) -> None:
    """``ck_hmac(text)``: HMAC-SHA256 (hex) with the store's key, as :meth:`Store.pseudonym`."""
    padded = store.key.ljust(64, b"\0")
    inner = bytes(b ^ 0x36 for b in padded).hex()
    outer = bytes(b ^ 0x5C for b in padded).hex()
    store.con.execute(
        "CREATE OR REPLACE TEMP MACRO ck_hmac(message) AS "
        f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode(message))))"
    )


def _key(kind: str, *columns: str) -> str:
    """SQL for the keyed hash of ``kind`` and ``columns``, joined as :meth:`Store.pseudonym`."""
    return f"ck_hmac(concat_ws(chr(31), '{kind}', {', '.join(columns)}))"


def _derive(
    store: Store, parts: list[_Part], real_names: bool, rules: list[re.Pattern[str]]
) -> None:
    """Turn the raw rows of every path into the staging tables ``st_*`` the merge reads.

    In bulk, in SQL: each member's facts (first name, handle and e-mail address given, bot
    flag, earliest join, roles), their stored user id and member id (an earlier merge of
    their identity wins), the keyed-hash ids of spaces, activities and interactions. Only the
    bot rules and the normalisation of names run in Python, once per member.
    """
    con = store.con
    _hmac_macro(store)
    real = "true" if real_names else "false"
    con.execute(
        f"""CREATE TEMP TABLE d_users AS
        WITH refs AS (
            SELECT part, uid FROM rw_members
            UNION SELECT part, actor FROM rw_activities
            UNION SELECT part, actor FROM rw_interactions
            UNION SELECT part, target FROM rw_interactions
            UNION SELECT part, created_by FROM rw_spaces WHERE created_by IS NOT NULL
        ), facts AS (
            SELECT part, uid,
                   arg_min(name, seq) FILTER (WHERE name IS NOT NULL) AS name,
                   arg_min(handle, seq) FILTER (WHERE handle IS NOT NULL) AS handle,
                   arg_min(email, seq) FILTER (WHERE email IS NOT NULL) AS email,
                   bool_or(is_bot) AS is_bot, min(joined_at) AS joined_at,
                   list_sort(list_distinct(flatten(list(roles) FILTER (WHERE len(roles) > 0))))
                       AS roles
            FROM rw_members GROUP BY part, uid
        ), named AS (
            SELECT r.part, r.uid, p.source, p.origin, f.name, f.handle, f.email,
                   coalesce(f.is_bot, false) AS is_bot, f.joined_at,
                   coalesce(f.roles, []::VARCHAR[]) AS roles,
                   CASE WHEN {real} THEN r.uid
                        ELSE 'u-' || left({_key("user", "p.source", "p.origin", "r.uid")}, 16)
                   END AS stored
            FROM refs r JOIN rw_parts p USING (part) LEFT JOIN facts f USING (part, uid)
        )
        SELECT n.*, coalesce(
                   i1.member_id, i2.member_id,
                   'm-' || left({_key("member", "n.source", "n.origin", "n.uid")}, 16)
               ) AS member_id
        FROM named n
        LEFT JOIN identities i1 ON i1.source = n.source AND i1.origin = n.origin
             AND i1.source_user_id = n.uid
        LEFT JOIN identities i2 ON i2.source = n.source AND i2.origin = n.origin
             AND i2.source_user_id = n.stored"""  # noqa: S608 - constant SQL
    )
    _flag_members(store, real_names, rules)
    con.execute(
        f"""CREATE TEMP TABLE st_members AS
        SELECT d.part, d.source, d.origin, d.stored AS source_user_id, d.member_id,
               CASE WHEN {real} THEN coalesce(d.name, d.handle, d.email, d.uid)
                    ELSE 'member-' || substring(d.member_id, 3, 6) END AS display_name,
               f.is_bot, d.joined_at, d.roles AS source_roles,
               CASE WHEN {real} THEN d.name
                    WHEN f.name IS NOT NULL
                    THEN 'n-' || left(ck_hmac(concat_ws(chr(31), 'name', f.name)), 16)
               END AS name,
               CASE WHEN {real} THEN d.handle
                    WHEN f.handle IS NOT NULL
                    THEN 'h-' || left(ck_hmac(concat_ws(chr(31), 'handle', f.handle)), 16)
               END AS handle,
               CASE WHEN {real} THEN d.email
                    WHEN f.email IS NOT NULL
                    THEN 'e-' || left(ck_hmac(concat_ws(chr(31), 'email', f.email)), 16)
               END AS email
        FROM d_users d JOIN d_flags f USING (part, uid)"""  # noqa: S608 - constant SQL
    )
    # a few spaces hold many activities: each space's id is hashed once
    con.execute(
        f"""CREATE TEMP TABLE d_spaces AS
        SELECT part, space, 's-' || left({_key("space", "p.source", "p.origin", "space")}, 16)
                   AS space_id
        FROM (SELECT part, space FROM rw_spaces
              UNION SELECT part, space FROM rw_activities WHERE space IS NOT NULL)
        JOIN rw_parts p USING (part)"""  # noqa: S608 - constant SQL
    )
    con.execute(
        """CREATE TEMP TABLE st_spaces AS
        SELECT s.part, d.space_id, p.source, p.origin, s.name, s.kind, c.member_id AS created_by
        FROM rw_spaces s JOIN rw_parts p USING (part)
        JOIN d_spaces d ON d.part = s.part AND d.space = s.space
        LEFT JOIN d_users c ON c.part = s.part AND c.uid = s.created_by"""
    )
    con.execute(
        # a view: the merge reads it once, so its rows are made (and hashed) only there
        f"""CREATE TEMP VIEW st_activities AS
        WITH a AS (
            SELECT r.*, p.source, p.origin,
                   'a-' || left({_key("activity", "p.source", "p.origin", "r.activity")}, 24)
                       AS own,
                   CASE WHEN r.parent IS NOT NULL THEN 'a-' || left(
                       {_key("activity", "p.source", "p.origin", "r.parent")}, 24) END
                       AS parent_id
            FROM rw_activities r JOIN rw_parts p USING (part)
        )
        SELECT a.part, a.seq, a.own AS activity_id, a.source,
               s.space_id,
               CASE WHEN a.thread IS NULL OR a.thread = a.activity THEN a.own
                    WHEN a.thread = a.parent THEN a.parent_id
                    ELSE 'a-' || left({_key("activity", "a.source", "a.origin", "a.thread")}, 24)
               END AS thread_id,
               a.parent_id, u.member_id AS actor_id, a.created_at, a.kind, a.is_question,
               a.length, a.text
        FROM a JOIN d_users u ON u.part = a.part AND u.uid = a.actor
        LEFT JOIN d_spaces s ON s.part = a.part AND s.space = a.space"""  # noqa: S608 - constant SQL
    )
    con.execute(
        # reactions and mentions gather on a few messages: each one's id is hashed once
        f"""CREATE TEMP TABLE st_interactions AS
        WITH acts AS (
            SELECT part, activity,
                   'a-' || left({_key("activity", "p.source", "p.origin", "activity")}, 24)
                       AS activity_id
            FROM (SELECT DISTINCT part, activity FROM rw_interactions) JOIN rw_parts p USING (part)
        )
        SELECT i.part,
               'i-' || left({
            _key(
                "interaction", "p.source", "p.origin", "i.activity", "i.kind", "i.actor", "i.target"
            )
        }, 24) AS interaction_id,
               f.member_id AS from_member, t.member_id AS to_member, a.activity_id,
               i.kind, i.created_at
        FROM rw_interactions i JOIN rw_parts p USING (part)
        JOIN acts a ON a.part = i.part AND a.activity = i.activity
        JOIN d_users f ON f.part = i.part AND f.uid = i.actor
        JOIN d_users t ON t.part = i.part AND t.uid = i.target
        WHERE f.member_id <> t.member_id"""  # noqa: S608 - constant SQL
    )
    members = dict(con.execute("SELECT part, count(*) FROM d_users GROUP BY part").fetchall())
    bots = dict(
        con.execute(
            """SELECT a.part, count(*) FROM rw_activities a
            JOIN d_flags f ON f.part = a.part AND f.uid = a.actor
            WHERE f.is_bot GROUP BY a.part"""
        ).fetchall()
    )
    for number, part in enumerate(parts):
        part.members = members.get(number, 0)
        part.bot_activities = bots.get(number, 0)


def _flag_members(store: Store, real_names: bool, rules: list[re.Pattern[str]]) -> None:
    """``d_flags``: each member's bot flag (the export's or a rule's) and normalised names.

    The rules are Python regular expressions and apply to the member's user id, name, handle
    and e-mail address as Python applies them. Vectorised where that gives the same result:
    a printable-ASCII value that contains none of the words the default rules need cannot
    match them, and printable-ASCII names are normalised by Arrow; only the other values go
    through Python, one by one. The keyed hashes of the normalised names are taken in SQL.
    """
    con = store.con
    table = con.sql("SELECT part, uid, is_bot, name, handle, email FROM d_users").to_arrow_table()
    columns = [table.column(n).combine_chunks() for n in ("uid", "name", "handle", "email")]
    # no Python value goes to pyarrow's own conversion here (see arrow_array)
    yes = arrow_array([True], pa.bool_())[0]
    no = arrow_array([False], pa.bool_())[0]
    printable = [pc.fill_null(pc.match_substring_regex(c, _PRINTABLE), yes) for c in columns]
    if len(rules) == 1:  # the default rules alone: only some values can match
        maybe = [
            pc.fill_null(pc.or_(pc.invert(p), pc.match_substring_regex(c, _BOT_WORDS)), no)
            for c, p in zip(columns, printable, strict=True)
        ]
        check = maybe[0]
        for more in maybe[1:]:
            check = pc.or_(check, more)
    else:
        check = arrow_array([True] * len(table), pa.bool_())
    is_bot = table.column("is_bot").combine_chunks()
    check = pc.and_(check, pc.invert(is_bot))
    rows = pc.indices_nonzero(check)
    if len(rows):
        values = [c.take(rows).to_pylist() for c in columns]
        found = [
            any(rule.search(v) for rule in rules for v in member if v)
            for member in zip(*values, strict=True)
        ]
        is_bot = pc.replace_with_mask(is_bot, check, arrow_array(found, pa.bool_()))
    if real_names:
        names, handles, emails = columns[1:]
    else:
        names = _normalise(columns[1], printable[1], _ascii_name, normal_name)
        handles = _normalise(columns[2], printable[2], _ascii_handle, _handle)
        emails = _normalise(columns[3], printable[3], _ascii_email, _email)
    flags = pa.table(
        {
            "part": table.column("part"),
            "uid": columns[0],
            "is_bot": is_bot,
            "name": names,
            "handle": handles,
            "email": emails,
        }
    )
    con.register("_copkit_flags", flags)
    try:
        con.execute("CREATE TEMP TABLE d_flags AS SELECT * FROM _copkit_flags")
    finally:
        con.unregister("_copkit_flags")


_PRINTABLE: Final = r"^[ -~]*$"
_BOT_WORDS: Final = r"(?i)bot|github-actions|renovate|codecov|mailer-daemon|postmaster|reply"
"""Every value the default bot rules match contains one of these (case-insensitively)."""


def _normalise(
    column: pa.Array,
    printable: pa.Array,
    vectorised: Callable[[pa.Array], pa.Array],
    one: Callable[[str], str],
) -> pa.Array:
    """``one`` of each value: by ``vectorised`` for printable ASCII, else value by value."""
    fast = vectorised(column)
    odd = pc.invert(printable)
    rows = pc.indices_nonzero(odd)
    if not len(rows):
        return fast
    fixed = [one(v) for v in column.take(rows).to_pylist()]
    return pc.replace_with_mask(fast, odd, arrow_array(fixed, pa.string()))


def _ascii_name(column: pa.Array) -> pa.Array:
    # as normal_name on printable ASCII: lower case, [^\w\s] to spaces, spaces collapsed
    spaced = pc.replace_substring_regex(pc.ascii_lower(column), r"[^0-9a-z_ ]", " ")
    return pc.ascii_trim(pc.replace_substring_regex(spaced, " +", " "), " ")


def _ascii_handle(column: pa.Array) -> pa.Array:
    return pc.ascii_lower(pc.ascii_ltrim(pc.ascii_trim(column, " "), "@"))


def _ascii_email(column: pa.Array) -> pa.Array:
    return pc.ascii_lower(pc.ascii_trim(column, " "))


def _handle(value: str) -> str:
    return value.strip().lstrip("@").casefold()


def _email(value: str) -> str:
    return value.strip().casefold()


def _merge_staging(
    store: Store,
    parts: list[_Part],
    started: datetime,
    keep_text: bool,
    real_names: bool,
) -> ImportSummary:
    """Move the staged rows into the canonical tables (inside the caller's transaction)."""
    con = store.con
    con.execute("CREATE TEMP TABLE new_a AS SELECT * FROM st_activities")
    read_activities = count_of(con, "SELECT count(*) FROM new_a")
    distinct = count_of(con, "SELECT count(DISTINCT activity_id) FROM new_a")
    if distinct < read_activities:  # the same activity twice: the first read is kept
        con.execute(
            """CREATE TEMP TABLE first_a AS SELECT * FROM new_a
            QUALIFY row_number() OVER (PARTITION BY activity_id ORDER BY part, seq) = 1"""
        )
        con.execute("DROP TABLE new_a")
        con.execute("ALTER TABLE first_a RENAME TO new_a")
    duplicates = read_activities - distinct
    con.execute("DELETE FROM new_a WHERE activity_id IN (SELECT activity_id FROM activities)")
    already = read_activities - duplicates - count_of(con, "SELECT count(*) FROM new_a")

    # members and identities
    # a member named by more than one identity (merged, or in several paths) is one row
    once = count_of(con, "SELECT count(*) = count(DISTINCT member_id) FROM st_members")
    con.execute(
        """CREATE TEMP TABLE new_m AS
        SELECT member_id, display_name, is_bot, joined_at, source_roles, part FROM st_members"""
        if once
        else """CREATE TEMP TABLE new_m AS
        SELECT member_id, any_value(display_name ORDER BY part) AS display_name,
               bool_or(is_bot) AS is_bot, min(joined_at) AS joined_at,
               list_sort(list_distinct(flatten(list(source_roles)))) AS source_roles,
               min(part) AS part
        FROM st_members GROUP BY member_id"""
    )
    con.execute(
        """UPDATE members SET is_bot = members.is_bot OR n.is_bot,
               joined_at = coalesce(least(members.joined_at, n.joined_at), n.joined_at,
                                    members.joined_at)
        FROM new_m n WHERE members.member_id = n.member_id
          AND (n.is_bot AND NOT members.is_bot OR n.joined_at IS DISTINCT FROM members.joined_at)"""
    )
    con.execute("DELETE FROM new_m WHERE member_id IN (SELECT member_id FROM members)")
    con.execute(
        """INSERT INTO members
        SELECT member_id, display_name, is_bot, joined_at, NULL, source_roles FROM new_m"""
    )
    # one path names each identity once; several paths may name one twice
    grouped = len(parts) > 1
    pick = "any_value" if grouped else ""
    con.execute(
        f"""INSERT INTO identities
        SELECT s.source, s.origin, s.source_user_id, {pick}(s.member_id), {pick}(s.name),
               {pick}(s.handle), {pick}(s.email)
        FROM st_members s
        WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.source = s.source
                          AND i.origin = s.origin AND i.source_user_id = s.source_user_id)
        {"GROUP BY s.source, s.origin, s.source_user_id" if grouped else ""}"""  # noqa: S608
    )
    if real_names:
        con.execute(
            """UPDATE identities SET name = coalesce(s.name, identities.name),
                   handle = coalesce(s.handle, identities.handle),
                   email = coalesce(s.email, identities.email)
            FROM st_members s WHERE identities.source = s.source
              AND identities.origin = s.origin AND identities.source_user_id = s.source_user_id"""
        )

    # spaces
    con.execute(
        """CREATE TEMP TABLE new_s AS
        SELECT space_id, any_value(source) AS source, any_value(origin) AS origin,
               any_value(name ORDER BY part) AS name, any_value(kind) AS kind,
               any_value(created_by) AS created_by
        FROM st_spaces WHERE space_id NOT IN (SELECT space_id FROM spaces) GROUP BY space_id"""
    )
    con.execute("INSERT INTO spaces SELECT * FROM new_s")

    # activities
    had_activities = count_of(con, "SELECT count(*) FROM (SELECT 1 FROM activities LIMIT 1)") > 0
    con.execute(
        """INSERT INTO activities
        SELECT activity_id, source, space_id, thread_id, parent_id, actor_id, created_at, kind,
               is_question, length, text FROM new_a"""
    )
    unresolved = count_of(
        con,
        """SELECT count(*) FROM new_a WHERE parent_id IS NOT NULL
           AND parent_id NOT IN (SELECT activity_id FROM activities)""",
    )

    # interactions: explicit ones, then replies and answers derived from parent
    before = count_of(con, "SELECT count(*) FROM interactions")
    con.execute(
        """INSERT INTO interactions
        SELECT interaction_id, any_value(from_member), any_value(to_member),
               any_value(activity_id), any_value(kind), any_value(created_at)
        FROM st_interactions
        WHERE interaction_id NOT IN (SELECT interaction_id FROM interactions)
        GROUP BY interaction_id"""
    )
    # a new activity's reply or answer is new (its id is the activity's); an older activity
    # gets one when its parent arrives, unless it has it already
    derived = """SELECT c.activity_id || ':' || {kind}, c.actor_id, p.actor_id, c.activity_id,
               {kind}, c.created_at
        FROM {children} c JOIN {parents} p ON c.parent_id = p.activity_id
        WHERE c.actor_id <> p.actor_id AND c.kind <> 'join'"""
    kind = "CASE WHEN c.kind = 'answer' THEN 'answer' ELSE 'reply' END"
    con.execute(
        "INSERT INTO interactions "  # noqa: S608 - constant SQL
        + derived.format(kind=kind, children="new_a", parents="activities")
    )
    if had_activities:
        con.execute(
            "INSERT INTO interactions "  # noqa: S608 - constant SQL
            + derived.format(kind=kind, children="activities", parents="new_a")
            + """ AND c.activity_id NOT IN (SELECT activity_id FROM new_a)
            AND (c.activity_id || ':' || """
            + kind
            + ") NOT IN (SELECT interaction_id FROM interactions)"
        )
    added_interactions = count_of(con, "SELECT count(*) FROM interactions") - before

    # first_seen of everyone who acted in this import
    con.execute(
        """UPDATE members SET first_seen = f.first_seen
        FROM (SELECT actor_id, min(created_at) AS first_seen FROM activities
              WHERE actor_id IN (SELECT DISTINCT actor_id FROM new_a) GROUP BY actor_id) f
        WHERE members.member_id = f.actor_id
          AND f.first_seen IS DISTINCT FROM members.first_seen"""
    )

    skipped: dict[str, int] = {}
    for part in parts:
        for reason, count in part.sink.skips.items():
            skipped[reason] = skipped.get(reason, 0) + count
    if duplicates:
        skipped["duplicate"] = skipped.get("duplicate", 0) + duplicates
    if already:
        skipped["already imported"] = already

    finished = datetime.now(UTC)
    next_id = count_of(con, "SELECT coalesce(max(import_id), 0) + 1 FROM imports")
    per_part = dict(con.execute("SELECT part, count(*) FROM new_a GROUP BY part").fetchall())
    members_part = dict(con.execute("SELECT part, count(*) FROM new_m GROUP BY part").fetchall())
    inter_part = dict(
        con.execute(
            """SELECT part, count(*) FROM st_interactions
            WHERE interaction_id IN (SELECT interaction_id FROM interactions) GROUP BY part"""
        ).fetchall()
    )
    for number, part in enumerate(parts):
        import_id = next_id + number
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                started,
                finished,
                part.name,
                part.origin,
                part.path,
                keep_text,
                real_names,
                part.sink.read,
                per_part.get(number, 0),
                members_part.get(number, 0),
                inter_part.get(number, 0),
            ],
        )
        reasons = dict(part.sink.skips)
        if number == 0:
            if duplicates:
                reasons["duplicate"] = reasons.get("duplicate", 0) + duplicates
            if already:
                reasons["already imported"] = already
        if reasons:
            con.executemany(
                "INSERT INTO import_skips VALUES (?, ?, ?)",
                [(import_id, reason, count) for reason, count in sorted(reasons.items())],
            )
    summary = ImportSummary(
        paths=tuple((part.path, part.name, part.origin) for part in parts),
        read_activities=read_activities,
        read_members=sum(part.members for part in parts),
        added_activities=count_of(con, "SELECT count(*) FROM new_a"),
        added_members=count_of(con, "SELECT count(*) FROM new_m"),
        added_spaces=count_of(con, "SELECT count(*) FROM new_s"),
        added_interactions=added_interactions,
        skipped=skipped,
        unresolved_parents=unresolved,
        bot_activities=sum(part.bot_activities for part in parts),
        joins=sum(part.sink.joins for part in parts),
    )
    for table in ("new_a", "new_m", "new_s"):
        con.execute(f"DROP TABLE {table}")
    return summary
