"""One person, several identities: merge suggestions, merges and their undoing.

Suggestions compare the identities of *different* members across (or within) sources by
three rules, each with a reason and a confidence; nothing is merged until the user says so.
With pseudonymised stores the comparison is between keyed hashes of the normalised values
(same key, same hash), so it works without revealing them.

=================  ==========  =============================================================
rule               confidence  when
=================  ==========  =============================================================
same e-mail        0.95        both identities have the same e-mail address (case-folded)
same handle        0.70        both have the same handle (case-folded, without ``@``)
same name          0.60        both have the same name (case, accents, punctuation ignored)
=================  ==========  =============================================================

Bots are never suggested for merging with people. A merge moves the identities, activities
and interactions of one member to another and records every row it moved in ``merge_moves``;
interactions that would become self-interactions are set aside there, not deleted. Unmerge
puts everything back. Limitation: activities imported *after* a merge belong to the merged
member and stay with it when the merge is undone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from copkit.community.errors import StoreError
from copkit.community.store import Store, count_of

__all__ = ["RULES", "MergeSuggestion", "identity_merge", "identity_suggestions", "identity_unmerge"]

RULES: Final = (
    ("email", "same e-mail", 0.95),
    ("handle", "same handle", 0.70),
    ("name", "same name", 0.60),
)

_MEMBER_COLUMNS: Final = (
    "member_id",
    "display_name",
    "is_bot",
    "joined_at",
    "first_seen",
    "source_roles",
)


@dataclass(frozen=True)
class MergeSuggestion:
    """Merge ``from_member`` into ``into_member`` (the one seen first), and why."""

    from_member: str
    into_member: str
    reason: str
    confidence: float
    sources: str


def identity_suggestions(store: Store) -> list[MergeSuggestion]:
    """Pairs of members that may be one person, best first (see the module docstring)."""
    best: dict[tuple[str, str], MergeSuggestion] = {}
    for column, reason, confidence in RULES:
        rows = store.con.execute(
            f"""SELECT a.member_id, b.member_id, a.source || '/' || b.source
            FROM identities a
            JOIN identities b ON lower(a.{column}) = lower(b.{column})
                 AND a.member_id < b.member_id
            JOIN members ma ON ma.member_id = a.member_id
            JOIN members mb ON mb.member_id = b.member_id
            WHERE a.{column} IS NOT NULL AND a.{column} <> '' AND NOT ma.is_bot AND NOT mb.is_bot
            ORDER BY ma.first_seen NULLS LAST, mb.first_seen NULLS LAST"""  # noqa: S608
        ).fetchall()
        seen_first = dict(store.con.execute("SELECT member_id, first_seen FROM members").fetchall())
        for a, b, sources in rows:
            fa, fb = seen_first.get(a), seen_first.get(b)
            into, other = (b, a) if fa is None or (fb is not None and fb < fa) else (a, b)
            key = (min(a, b), max(a, b))
            if key not in best or best[key].confidence < confidence:
                best[key] = MergeSuggestion(other, into, reason, confidence, sources)
    return sorted(best.values(), key=lambda s: (-s.confidence, s.into_member, s.from_member))


def _member_row(store: Store, member: str) -> dict[str, object]:
    row = store.con.execute(
        f"SELECT {', '.join(_MEMBER_COLUMNS)} FROM members WHERE member_id = ?",  # noqa: S608
        [member],
    ).fetchall()
    if not row:
        raise StoreError(f"No member {member!r} in {store.path}; see `copkit store info`.")
    return {
        c: (v.isoformat() if isinstance(v, datetime) else v)
        for c, v in zip(_MEMBER_COLUMNS, row[0], strict=True)
    }


def identity_merge(
    store: Store,
    *,
    from_member: str,
    into_member: str,
    reason: str,
    confidence: float | None = None,
) -> int:
    """Merge ``from_member`` into ``into_member``; returns the merge id (for unmerge)."""
    if from_member == into_member:
        raise StoreError("A member cannot be merged into itself.")
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        rows = {"from": _member_row(store, from_member), "into": _member_row(store, into_member)}
        merge_id = count_of(con, "SELECT coalesce(max(merge_id), 0) + 1 FROM merges")
        con.execute(
            "INSERT INTO merges VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            [
                merge_id,
                from_member,
                into_member,
                reason,
                confidence,
                datetime.now(UTC),
                json.dumps(rows),
            ],
        )
        moves = [
            (
                "identities",
                "member_id",
                "source || chr(31) || origin || chr(31) || source_user_id",
                "member_id",
            ),
            ("activities", "actor_id", "activity_id", "actor_id"),
            ("interactions", "from_member", "interaction_id", "from_member"),
            ("interactions", "to_member", "interaction_id", "to_member"),
        ]
        # interactions between the two become self-interactions: set them aside
        removed = con.execute(
            """SELECT * FROM interactions WHERE (from_member = ? AND to_member = ?)
               OR (from_member = ? AND to_member = ?)""",
            [from_member, into_member, into_member, from_member],
        ).fetchall()
        for row in removed:
            values = [v.isoformat() if isinstance(v, datetime) else v for v in row]
            con.execute(
                "INSERT INTO merge_moves VALUES (?, 'interactions', 'removed', ?)",
                [merge_id, json.dumps(values)],
            )
        con.execute(
            """DELETE FROM interactions WHERE (from_member = ? AND to_member = ?)
               OR (from_member = ? AND to_member = ?)""",
            [from_member, into_member, into_member, from_member],
        )
        for table, column, key, _ in moves:
            con.execute(
                f"""INSERT INTO merge_moves SELECT ?, '{table}', '{column}', {key}
                FROM {table} WHERE {column} = ?""",  # noqa: S608
                [merge_id, from_member],
            )
            update = f"UPDATE {table} SET {column} = ? WHERE {column} = ?"  # noqa: S608
            con.execute(update, [into_member, from_member])
        con.execute(
            """UPDATE members SET is_bot = members.is_bot OR f.is_bot,
                   joined_at = coalesce(least(members.joined_at, f.joined_at),
                                        members.joined_at, f.joined_at),
                   first_seen = coalesce(least(members.first_seen, f.first_seen),
                                         members.first_seen, f.first_seen)
            FROM (SELECT * FROM members WHERE member_id = ?) f WHERE members.member_id = ?""",
            [from_member, into_member],
        )
        con.execute("DELETE FROM members WHERE member_id = ?", [from_member])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return merge_id


def identity_unmerge(store: Store, *, merge_id: int) -> tuple[str, str]:
    """Undo merge ``merge_id``; returns (from_member, into_member) as they are again."""
    con = store.con
    row = con.execute(
        "SELECT from_member, into_member, unmerged_at, member_row FROM merges WHERE merge_id = ?",
        [merge_id],
    ).fetchall()
    if not row:
        raise StoreError(f"No merge #{merge_id} in {store.path}; see `copkit identities list`.")
    from_member, into_member, unmerged_at, member_row = row[0]
    if unmerged_at is not None:
        raise StoreError(f"Merge #{merge_id} was already undone on {unmerged_at:%Y-%m-%d}.")
    later = con.execute(
        "SELECT merge_id FROM merges"
        " WHERE from_member = ? AND unmerged_at IS NULL AND merge_id > ?",
        [into_member, merge_id],
    ).fetchall()
    if later:
        again = later[0][0]
        raise StoreError(f"{into_member} was merged again by #{again}; unmerge #{again} first.")
    rows = json.loads(member_row)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, column, key in (
            ("identities", "member_id", "source || chr(31) || origin || chr(31) || source_user_id"),
            ("activities", "actor_id", "activity_id"),
            ("interactions", "from_member", "interaction_id"),
            ("interactions", "to_member", "interaction_id"),
        ):
            con.execute(
                f"""UPDATE {table} SET {column} = ? WHERE {key} IN (
                    SELECT row_key FROM merge_moves WHERE merge_id = ? AND tbl = ? AND col = ?)""",  # noqa: S608
                [from_member, merge_id, table, column],
            )
        for (raw,) in con.execute(
            "SELECT row_key FROM merge_moves WHERE merge_id = ? AND col = 'removed'", [merge_id]
        ).fetchall():
            con.execute("INSERT INTO interactions VALUES (?, ?, ?, ?, ?, ?)", json.loads(raw))
        values = rows["from"]
        con.execute(
            f"INSERT INTO members ({', '.join(_MEMBER_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            [values[c] for c in _MEMBER_COLUMNS],
        )
        into = rows["into"]
        con.execute(
            "UPDATE members SET is_bot = ?, joined_at = ?, first_seen = ? WHERE member_id = ?",
            [into["is_bot"], into["joined_at"], into["first_seen"], into_member],
        )
        con.execute(
            "UPDATE merges SET unmerged_at = ? WHERE merge_id = ?", [datetime.now(UTC), merge_id]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return from_member, into_member


def merge_list(
    store: Store,
) -> list[tuple[int, str, str, str, float | None, datetime, datetime | None]]:
    """Every merge, newest first: (id, from, into, reason, confidence, merged_at, unmerged_at)."""
    return [
        (int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
        for r in store.con.execute(
            "SELECT merge_id, from_member, into_member, reason, confidence, merged_at, unmerged_at "
            "FROM merges ORDER BY merge_id DESC"
        ).fetchall()
    ]
