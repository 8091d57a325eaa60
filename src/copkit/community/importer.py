"""Importing exports into the store: :func:`import_paths`, one transaction per call.

An import is atomic (on any error the transaction is rolled back and the store is unchanged)
and idempotent: staged rows whose ids are already in the store are counted as ``already
imported`` and not added, so a newer export of the same community adds only what is new.
Reply and answer interactions are derived here, store-wide, from ``parent_id``: from the
replier to the parent's author, never to oneself; a reply whose parent is in no import yet is
counted as an unresolved parent, and gets its interaction when the parent arrives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from copkit.community.errors import ImportFormatError, StoreError
from copkit.community.sink import DEFAULT_BOT_PATTERNS, DUCK_TYPES, STAGING, Buffer, ImportSink
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
    try:
        buffers = {}
        for table, schema in STAGING.items():
            cols = ", ".join(f"{f.name} {DUCK_TYPES[f.type]}" for f in schema)
            con.execute(f"CREATE TEMP TABLE {table} ({cols})")
            buffers[table] = Buffer(con, table, schema)
        sinks: list[tuple[ImportSink, str, str]] = []
        for part, raw in enumerate(paths):
            path = Path(raw)
            reader = reader_for(path, format)
            origin = reader.origin(path)
            sink = ImportSink(
                store=store,
                buffers=buffers,
                part=part,
                source=reader.name,
                origin=origin,
                keep_text=keep_text,
                real_names=real_names,
                bot_rules=rules,
                progress=_progress_of(progress, str(path)),
            )
            if _read_beside(reader, path):
                read_beside(reader, path, sink)
            else:
                reader.read(path, sink)
            sink.finish()
            if progress is not None:
                progress(str(path), sink.read)
            sinks.append((sink, str(path), reader.name))
        summary = _merge_staging(store, sinks, started, keep_text, real_names)
        for table in STAGING:
            con.execute(f"DROP TABLE {table}")
        con.execute("COMMIT")
    except BaseException as exc:
        con.execute("ROLLBACK")
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


def _merge_staging(
    store: Store,
    sinks: list[tuple[ImportSink, str, str]],
    started: datetime,
    keep_text: bool,
    real_names: bool,
) -> ImportSummary:
    """Move the staged rows into the canonical tables (inside the caller's transaction)."""
    con = store.con
    read_activities = count_of(con, "SELECT count(*) FROM st_activities")
    con.execute(
        """CREATE TEMP TABLE new_a AS
        SELECT * EXCLUDE (seq) FROM st_activities
        QUALIFY row_number() OVER (PARTITION BY activity_id ORDER BY part, seq) = 1"""
    )
    duplicates = read_activities - count_of(con, "SELECT count(*) FROM new_a")
    con.execute("DELETE FROM new_a WHERE activity_id IN (SELECT activity_id FROM activities)")
    already = read_activities - duplicates - count_of(con, "SELECT count(*) FROM new_a")

    # members and identities
    con.execute(
        """CREATE TEMP TABLE new_m AS
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
    con.execute(
        """INSERT INTO identities
        SELECT s.source, s.origin, s.source_user_id, any_value(s.member_id), any_value(s.name),
               any_value(s.handle), any_value(s.email)
        FROM st_members s
        WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.source = s.source
                          AND i.origin = s.origin AND i.source_user_id = s.source_user_id)
        GROUP BY s.source, s.origin, s.source_user_id"""
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
    con.execute(
        """INSERT INTO interactions
        SELECT c.activity_id || ':' || k.kind, c.actor_id, p.actor_id, c.activity_id, k.kind,
               c.created_at
        FROM activities c
        JOIN activities p ON c.parent_id = p.activity_id
        CROSS JOIN LATERAL (SELECT CASE WHEN c.kind = 'answer' THEN 'answer'
                                        ELSE 'reply' END AS kind) k
        WHERE c.actor_id <> p.actor_id AND c.kind <> 'join'
          AND (c.activity_id IN (SELECT activity_id FROM new_a)
               OR p.activity_id IN (SELECT activity_id FROM new_a))
          AND (c.activity_id || ':' || k.kind) NOT IN (SELECT interaction_id FROM interactions)"""
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
    for sink, _, _ in sinks:
        for reason, count in sink.skips.items():
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
    for part, (sink, path, _name) in enumerate(sinks):
        import_id = next_id + part
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                import_id,
                started,
                finished,
                sink.source,
                sink.origin,
                path,
                keep_text,
                real_names,
                sink.read,
                per_part.get(part, 0),
                members_part.get(part, 0),
                inter_part.get(part, 0),
            ],
        )
        reasons = dict(sink.skips)
        if part == 0:
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
        paths=tuple((path, name, sink.origin) for sink, path, name in sinks),
        read_activities=read_activities,
        read_members=sum(sink.member_count for sink, _, _ in sinks),
        added_activities=count_of(con, "SELECT count(*) FROM new_a"),
        added_members=count_of(con, "SELECT count(*) FROM new_m"),
        added_spaces=count_of(con, "SELECT count(*) FROM new_s"),
        added_interactions=added_interactions,
        skipped=skipped,
        unresolved_parents=unresolved,
        bot_activities=sum(sink.bot_activities for sink, _, _ in sinks),
        joins=sum(sink.joins for sink, _, _ in sinks),
    )
    for table in ("new_a", "new_m", "new_s"):
        con.execute(f"DROP TABLE {table}")
    return summary
