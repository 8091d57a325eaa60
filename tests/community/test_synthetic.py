"""The synthetic community generator: structure that looks like a real community."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from copkit.community.errors import StoreError
from copkit.community.schema import TABLES
from copkit.community.synthetic import BOTS, DEFAULT_END, SPACES, generate_store

MEMBERS, ACTIVITIES, MONTHS = 400, 12_000, 12


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "community.duckdb"
    generate_store(path, members=MEMBERS, activities=ACTIVITIES, months=MONTHS, seed=42)
    return path


def query(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def scalar(path: Path, sql: str, *params: object) -> object:
    return query(path, sql, *params)[0][0]


def test_sizes_are_exact_and_every_table_exists(store: Path) -> None:
    names = {row[0] for row in query(store, "SELECT table_name FROM information_schema.tables")}
    assert set(TABLES) <= names
    assert scalar(store, "SELECT count(*) FROM activities") == ACTIVITIES
    assert scalar(store, "SELECT count(*) FROM members") == MEMBERS + BOTS
    assert scalar(store, "SELECT count(*) FROM members WHERE is_bot") == BOTS
    assert scalar(store, "SELECT count(*) FROM identities") == MEMBERS + BOTS
    assert scalar(store, "SELECT count(*) FROM spaces") == len(SPACES)
    assert scalar(store, "SELECT count(DISTINCT space_id) FROM activities") == len(SPACES)


def test_activity_is_heavy_tailed_with_a_core(store: Path) -> None:
    counts = [
        int(row[0])  # type: ignore[call-overload]
        for row in query(
            store,
            "SELECT count(*) AS n FROM activities a JOIN members m ON a.actor_id = m.member_id "
            "WHERE NOT m.is_bot GROUP BY actor_id ORDER BY n DESC",
        )
    ]
    total = sum(counts)
    top_tenth = sum(counts[: len(counts) // 10])
    assert top_tenth / total > 0.5  # a tenth of the active members make most of the activity
    assert counts[0] > 20 * counts[len(counts) // 2]  # the busiest dwarf the median member
    assert counts[-1] <= 2  # and a long tail of one-or-two-post members


def test_lurkers_are_members_without_activity(store: Path) -> None:
    lurkers = scalar(
        store, "SELECT count(*) FROM members WHERE first_seen IS NULL AND joined_at IS NOT NULL"
    )
    assert 0.05 * MEMBERS < lurkers < 0.5 * MEMBERS  # type: ignore[operator]
    active = scalar(store, "SELECT count(DISTINCT actor_id) FROM activities")
    assert active == MEMBERS + BOTS - lurkers  # type: ignore[operator]


def test_threads_are_valid(store: Path) -> None:
    # every root is its own thread; every reply's parent exists in the same thread and is older
    assert (
        scalar(
            store,
            "SELECT count(*) FROM activities WHERE parent_id IS NULL "
            "AND (thread_id <> activity_id OR kind <> 'post')",
        )
        == 0
    )
    assert (
        scalar(
            store,
            "SELECT count(*) FROM activities a "
            "LEFT JOIN activities p ON a.parent_id = p.activity_id "
            "WHERE a.parent_id IS NOT NULL AND (p.activity_id IS NULL "
            "OR p.thread_id <> a.thread_id OR p.created_at > a.created_at "
            "OR a.space_id <> p.space_id)",
        )
        == 0
    )
    # answers answer someone else's question, directly
    assert (
        scalar(
            store,
            "SELECT count(*) FROM activities a JOIN activities r ON a.thread_id = r.activity_id "
            "WHERE a.kind = 'answer' AND (NOT r.is_question OR a.parent_id <> r.activity_id "
            "OR a.actor_id = r.actor_id)",
        )
        == 0
    )


def test_some_threads_stay_unanswered_and_questions_get_answers_and_accepts(store: Path) -> None:
    threads = scalar(store, "SELECT count(*) FROM activities WHERE kind = 'post'")
    unanswered = scalar(
        store,
        "SELECT count(*) FROM activities r WHERE r.kind = 'post' AND NOT EXISTS "
        "(SELECT 1 FROM activities a WHERE a.thread_id = r.activity_id "
        "AND a.parent_id IS NOT NULL)",
    )
    assert 0.05 < unanswered / threads < 0.4  # type: ignore[operator]
    assert scalar(store, "SELECT count(*) FROM activities WHERE kind = 'answer'") > 0  # type: ignore[operator]
    # an accept goes from the asker to the author of an answer in the asker's thread
    accepts = query(
        store,
        "SELECT count(*), count(*) FILTER (WHERE i.from_member = r.actor_id "
        "AND i.to_member = a.actor_id AND a.kind = 'answer') FROM interactions i "
        "JOIN activities a ON i.activity_id = a.activity_id "
        "JOIN activities r ON a.thread_id = r.activity_id WHERE i.kind = 'accept'",
    )[0]
    assert accepts[0] > 0 and accepts[0] == accepts[1]  # type: ignore[operator]


def test_interactions_point_the_documented_way(store: Path) -> None:
    kinds = {row[0] for row in query(store, "SELECT DISTINCT kind FROM interactions")}
    assert kinds == {"reply", "answer", "accept", "mention", "reaction"}
    assert scalar(store, "SELECT count(*) FROM interactions WHERE from_member = to_member") == 0
    # a reply goes from the replier to the author of the parent
    assert (
        scalar(
            store,
            "SELECT count(*) FROM interactions i "
            "JOIN activities a ON i.activity_id = a.activity_id "
            "JOIN activities p ON a.parent_id = p.activity_id WHERE i.kind IN ('reply', 'answer') "
            "AND (i.from_member <> a.actor_id OR i.to_member <> p.actor_id)",
        )
        == 0
    )


def test_members_arrive_over_time_and_some_leave(store: Path) -> None:
    start = DEFAULT_END - timedelta(hours=MONTHS * 30.44 * 24)
    half = start + (DEFAULT_END - start) / 2
    late = scalar(store, "SELECT count(*) FROM members WHERE first_seen >= ?", half)
    assert late > 0.2 * MEMBERS  # type: ignore[operator]
    gone = scalar(
        store,
        "SELECT count(*) FROM (SELECT actor_id, max(created_at) AS last FROM activities "
        "GROUP BY actor_id HAVING count(*) >= 3) "
        "WHERE last < ?",
        half,
    )
    assert gone > 0  # type: ignore[operator]
    # the core is there from the start to the end
    first, last = query(
        store,
        "SELECT min(created_at), max(created_at) FROM activities WHERE actor_id = 'm000000'",
    )[0]
    assert first < start + timedelta(days=30)  # type: ignore[operator]
    assert last > DEFAULT_END - timedelta(days=30)  # type: ignore[operator]
    assert scalar(store, "SELECT max(created_at) FROM activities") <= DEFAULT_END  # type: ignore[operator]


def test_bots_reply_fast(store: Path) -> None:
    rows = query(
        store,
        "SELECT count(*), max(epoch(a.created_at) - epoch(r.created_at)) FROM activities a "
        "JOIN members m ON a.actor_id = m.member_id "
        "JOIN activities r ON a.parent_id = r.activity_id "
        "WHERE m.is_bot",
    )[0]
    assert rows[0] == round(ACTIVITIES * 0.02)
    assert rows[1] <= 0.1 * 3600 + 1  # type: ignore[operator]


def test_coordinators_are_marked_by_the_source(store: Path) -> None:
    roles = query(store, "SELECT source_roles FROM members WHERE source_roles IS NOT NULL")
    assert sorted(r[0][0] for r in roles) == ["admin", "moderator"]  # type: ignore[index]
    assert scalar(store, "SELECT count(*) FROM spaces WHERE created_by IS NULL") == 0


def test_same_seed_same_store_other_seed_other_store(tmp_path: Path) -> None:
    def digest(seed: int, name: str) -> object:
        path = tmp_path / name
        generate_store(path, members=60, activities=800, months=3, seed=seed)
        return query(
            path,
            "SELECT sum(hash(activity_id, actor_id, created_at, parent_id, kind)) FROM activities",
        )[0][0], query(path, "SELECT sum(hash(from_member, to_member, kind)) FROM interactions")

    assert digest(7, "a.duckdb") == digest(7, "b.duckdb")
    assert digest(7, "a2.duckdb") != digest(8, "c.duckdb")


def test_refuses_to_overwrite_and_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    generate_store(path, members=20, activities=100, months=1, seed=1)
    with pytest.raises(StoreError, match="already exists"):
        generate_store(path, members=20, activities=100, months=1, seed=1)
    generate_store(path, members=20, activities=120, months=1, seed=1, overwrite=True)
    assert scalar(path, "SELECT count(*) FROM activities") == 120
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"members": 5}, "at least 10 members"),
        ({"members": 100, "activities": 50}, "at least as many activities"),
        ({"months": 0}, "at least one month"),
        ({"end": datetime(2025, 1, 1)}, "timezone-aware"),  # noqa: DTZ001 - the naive input under test
    ],
)
def test_bad_sizes_are_refused(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        generate_store(tmp_path / "x.duckdb", **kwargs)  # type: ignore[arg-type]


def test_end_sets_the_time_line(tmp_path: Path) -> None:
    end = datetime(2026, 3, 1, tzinfo=UTC)
    summary = generate_store(tmp_path / "e.duckdb", members=30, activities=300, months=2, end=end)
    assert summary.end == end
    assert summary.start == end - timedelta(hours=2 * 30.44 * 24)
    latest = scalar(tmp_path / "e.duckdb", "SELECT max(created_at) FROM activities")
    assert summary.start < latest <= end  # type: ignore[operator]


@pytest.mark.slow
def test_a_million_activities_in_seconds(tmp_path: Path) -> None:
    import time

    began = time.perf_counter()
    summary = generate_store(
        tmp_path / "big.duckdb", members=20_000, activities=1_000_000, months=24, seed=3
    )
    assert summary.activities == 1_000_000
    assert time.perf_counter() - began < 60


def test_the_store_follows_whatever_the_schema_declares(store: Path) -> None:
    """Columns are written by name: a schema with interaction ids and a meta table is filled."""
    columns = {
        (t, c) for t, c in query(store, "SELECT table_name, column_name FROM duckdb_columns()")
    }
    if ("interactions", "interaction_id") in columns:
        assert (
            scalar(store, "SELECT count(*) - count(DISTINCT interaction_id) FROM interactions") == 0
        )
    if ("meta", "key") in columns:
        from copkit.community.schema import SCHEMA_VERSION

        meta = dict(query(store, "SELECT key, value FROM meta"))  # type: ignore[arg-type]
        assert meta["schema_version"] == str(SCHEMA_VERSION)
        assert len(bytes.fromhex(str(meta["pseudonym_key"]))) == 32
