"""A tiny builder of activity stores for the analysis tests (and a test of the builder).

Tests build their communities row by row, so every expected value can be computed by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from copkit.community import schema

BASE = datetime(2024, 1, 1, tzinfo=UTC)


def at(day: float, hour: float = 0) -> datetime:
    """``BASE`` plus days and hours (day 0 = 2024-01-01 00:00 UTC)."""
    return BASE + timedelta(days=day, hours=hour)


class StoreBuilder:
    """Writes the canonical tables directly: members, spaces, activities, interactions."""

    def __init__(self, path: Path, source: str = "csv") -> None:
        self.path = path
        self.source = source
        self.con = duckdb.connect(str(path))
        self.con.execute(schema.DDL)
        self.author: dict[str, str] = {}
        self.thread: dict[str, str] = {}

    def member(
        self,
        mid: str,
        *,
        bot: bool = False,
        roles: list[str] | None = None,
        name: str | None = None,
    ) -> StoreBuilder:
        self.con.execute(
            "INSERT INTO members (member_id, display_name, is_bot, source_roles) "
            "VALUES (?, ?, ?, ?)",
            [mid, name or mid, bot, roles],
        )
        return self

    def space(self, sid: str, name: str | None = None, created_by: str | None = None) -> None:
        self.con.execute(
            "INSERT INTO spaces VALUES (?, ?, 'test', ?, 'channel', ?)",
            [sid, self.source, name or sid, created_by],
        )

    def _activity(
        self,
        aid: str,
        actor: str,
        when: datetime,
        kind: str,
        space: str | None,
        thread: str,
        parent: str | None,
        question: bool = False,
    ) -> None:
        self.con.execute(
            "INSERT INTO activities (activity_id, source, space_id, thread_id, parent_id, "
            "actor_id, created_at, kind, is_question, length) VALUES (?,?,?,?,?,?,?,?,?,10)",
            [aid, self.source, space, thread, parent, actor, when, kind, question],
        )
        self.author[aid] = actor
        self.thread[aid] = thread

    def post(
        self, aid: str, actor: str, when: datetime, space: str = "s1", question: bool = False
    ) -> None:
        self._activity(aid, actor, when, "post", space, aid, None, question)

    def reply(self, aid: str, actor: str, when: datetime, parent: str, kind: str = "reply") -> None:
        """A reply (or answer) to ``parent``, with its interaction to the parent's author."""
        thread = self.thread[parent]
        space = self.con.execute(
            "SELECT space_id FROM activities WHERE activity_id = ?", [thread]
        ).fetchone()
        self._activity(aid, actor, when, kind, space[0] if space else None, thread, parent)
        target = self.author[parent]
        if target != actor:
            self.interaction(actor, target, aid, "answer" if kind == "answer" else "reply", when)

    def join(self, aid: str, actor: str, when: datetime) -> None:
        self._activity(aid, actor, when, "join", None, aid, None)

    def interaction(self, src: str, dst: str, aid: str, kind: str, when: datetime) -> None:
        self.con.execute(
            "INSERT INTO interactions"
            " (interaction_id, from_member, to_member, activity_id, kind, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [f"i-{aid}-{kind}-{src}-{dst}", src, dst, aid, kind, when],
        )

    def close(self) -> Path:
        self.con.close()
        return self.path


def small_community(path: Path) -> Path:
    """The hand-computed community of ``test_analysis.py`` (see the expected values there)."""
    b = StoreBuilder(path)
    for m in ("alice", "bob", "carol", "erin"):
        b.member(m)
    b.member("dave", roles=["admin"])
    b.member("bot1", bot=True)
    b.space("s1", "general", created_by="alice")
    b.space("s2", "help")
    b.post("q1", "bob", at(0), "s2", question=True)
    b.reply("r1", "bot1", at(0, 0.5), "q1")
    b.reply("r2", "bob", at(0, 1), "q1")
    b.reply("a1", "alice", at(0, 2), "q1", kind="answer")
    b.post("q2", "carol", at(1), "s2", question=True)
    b.reply("a2", "alice", at(1, 4), "q2", kind="answer")
    b.reply("r3", "bob", at(1, 5), "q2")
    b.post("q3", "bob", at(2), "s1", question=True)
    b.join("j1", "dave", at(4))
    b.post("q4", "carol", at(31), "s2", question=True)
    b.reply("a4", "alice", at(31, 6), "q4", kind="answer")
    b.post("q5", "erin", at(32), "s2", question=True)
    b.reply("a5", "alice", at(32, 1), "q5", kind="answer")
    b.interaction("erin", "alice", "a5", "accept", at(32, 2))
    return b.close()


def test_builder_writes_the_canonical_tables(tmp_path: Path) -> None:
    path = small_community(tmp_path / "s.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    acts = con.execute("SELECT count(*) FROM activities").fetchone()
    inter = con.execute("SELECT count(*) FROM interactions WHERE kind = 'answer'").fetchone()
    con.close()
    assert acts == (13,)
    assert inter == (4,)
