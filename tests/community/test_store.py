"""The store: creation, versions, privacy, atomicity, idempotency, the import log, bots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from copkit.community import (
    ImportFormatError,
    Store,
    StoreError,
    import_paths,
    open_store,
)

from .conftest import FIXTURES, rows, scalar, snapshot

MODERN = FIXTURES / "slack" / "modern"
LIST = FIXTURES / "mbox" / "list.mbox"
CSV = FIXTURES / "csv" / "activity.csv"

PERSONAL = [
    "Ana Lima", "ana@example.org", "ana.lima", "Ben Okafor", "ben@example.org", "Dan Ruiz",
    "José García", "jose@example.org", "René", "U01ANA", "U01BEN", "How do I build the docs",
    "Try a clean build", "How do I cite", "m1@example.org",
]  # fmt: skip


def _all_values(store: Store) -> str:
    return "\n".join(v for table in snapshot(store).values() for v in table)


def test_reopening_keeps_the_key_and_the_ids(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        import_paths(store, [CSV])
        key, ids = store.key, rows(store, "SELECT activity_id FROM activities ORDER BY 1")
    with open_store(path, create=False) as store:
        assert store.key == key
        assert import_paths(store, [CSV]).added_activities == 0
        assert rows(store, "SELECT activity_id FROM activities ORDER BY 1") == ids


def test_store_memory_is_bounded_and_spills_beside_the_store(tmp_path: Path) -> None:
    from copkit.community.store import IMPORT_MEMORY_LIMIT

    def setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
        found = con.execute(f"SELECT current_setting('{name}')").fetchone()
        assert found is not None
        return str(found[0])

    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        reference = duckdb.connect()
        default = setting(reference, "memory_limit")
        reference.execute(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
        assert setting(store.con, "memory_limit") == setting(reference, "memory_limit") != default
        assert Path(setting(store.con, "temp_directory")) == tmp_path / "s.duckdb.tmp"
        assert import_paths(store, [MODERN]).added_activities > 0


def test_missing_store_without_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        open_store(tmp_path / "nope.duckdb", create=False)


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(path)


_V1_KEYS = {
    "members": "member_id",
    "identities": "source, origin, source_user_id",
    "spaces": "space_id",
    "activities": "activity_id",
    "interactions": "interaction_id",
}


def _primary_keys(con: duckdb.DuckDBPyConnection) -> set[str]:
    found = con.execute(
        "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    return {row[0] for row in found}


def test_version_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        import_paths(store, [MODERN, LIST])
        before = snapshot(store)
    # make it a version 1 store: the canonical tables with their primary keys
    con = duckdb.connect(str(path))
    for table, key in _V1_KEYS.items():
        con.execute(f"ALTER TABLE {table} ADD PRIMARY KEY ({key})")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    assert set(_V1_KEYS) <= _primary_keys(con)
    con.close()
    with open_store(path) as store:
        assert snapshot(store) == before
        assert not set(_V1_KEYS) & _primary_keys(store.con)
        assert scalar(store, "SELECT value FROM meta WHERE key = 'schema_version'") == "2"
        again = import_paths(store, [MODERN, LIST])
        assert again.added_activities == again.added_members == again.added_interactions == 0
        after = snapshot(store)
        assert {t: after[t] for t in _V1_KEYS} == {t: before[t] for t in _V1_KEYS}


def test_keys_are_unique_by_construction(tmp_path: Path) -> None:
    """No constraint enforces the keys: the merge must, across repeated and overlapping
    imports in one call and over calls."""
    with open_store(tmp_path / "s.duckdb") as store:
        import_paths(store, [MODERN, LIST, MODERN])
        import_paths(store, [LIST, CSV])
        import_paths(store, [CSV, MODERN])
        for table, key in _V1_KEYS.items():
            total = scalar(store, f"SELECT count(*) FROM {table}")  # noqa: S608
            distinct = scalar(store, f"SELECT count(DISTINCT ({key})) FROM {table}")  # noqa: S608
            assert total > 0
            assert total == distinct, table


def test_other_files_are_not_stores(tmp_path: Path) -> None:
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a copkit activity store"):
        open_store(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not an activity store"):
        open_store(text)


def test_no_names_emails_or_text_by_default(store: Store) -> None:
    import_paths(store, [MODERN, LIST, CSV])
    everything = _all_values(store)
    for value in PERSONAL:
        assert value not in everything, value
    assert scalar(store, "SELECT count(*) FROM activities WHERE text IS NOT NULL") == 0
    assert scalar(store, "SELECT count(*) FROM activities WHERE length > 0") > 0
    assert all(
        name.startswith("member-") for (name,) in rows(store, "SELECT display_name FROM members")
    )


def test_real_names_and_text_on_request(store: Store) -> None:
    import_paths(store, [MODERN, LIST], real_names=True, keep_text=True)
    everything = _all_values(store)
    for value in ("Ana Lima", "ana@example.org", "U01ANA", "Try a clean build"):
        assert value in everything


def test_pseudonyms_of_the_same_email_match_across_sources(store: Store) -> None:
    import_paths(store, [MODERN, LIST])
    shared = rows(
        store,
        "SELECT email, count(DISTINCT source) FROM identities WHERE email IS NOT NULL "
        "GROUP BY email HAVING count(DISTINCT source) > 1",
    )
    assert len(shared) == 1  # ana@example.org is in Slack and on the list
    assert str(shared[0][0]).startswith("e-")


def test_failed_import_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_paths(store, [CSV])
    before = snapshot(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("activity_id,author,created_at\n1,a,2024-01-01\n2,b,not a date\n")
    with pytest.raises(ImportFormatError, match="line 3"):
        import_paths(store, [MODERN, LIST, bad])
    assert snapshot(store) == before
    # and the store still works
    assert import_paths(store, [LIST]).added_activities == 6


def test_importing_everything_twice_adds_nothing(store: Store) -> None:
    first = import_paths(store, [MODERN, LIST, CSV])
    before = snapshot(store)
    again = import_paths(store, [MODERN, LIST, CSV])
    assert again.added_activities == again.added_interactions == again.added_members == 0
    assert again.skipped["already imported"] == first.added_activities
    after = snapshot(store)
    assert {t: v for t, v in after.items() if not t.startswith("import")} == {
        t: v for t, v in before.items() if not t.startswith("import")
    }


def test_import_log(store: Store) -> None:
    import_paths(store, [MODERN, LIST])
    log = rows(store, "SELECT source, read_activities, added_activities FROM imports ORDER BY 1")
    assert log == [("mbox", 6, 6), ("slack", 10, 10)]
    skips = dict(rows(store, "SELECT reason, count FROM import_skips"))
    assert skips == {"channel_topic": 1, "duplicate": 1}


def test_tables_as_arrow_and_ibis(store: Store) -> None:
    import_paths(store, [CSV])
    assert store.table("activities").column_names[:3] == ["activity_id", "source", "space_id"]
    assert store.ibis().table("activities").count().execute() == 5
    with pytest.raises(StoreError, match="No table"):
        store.table("secrets")


def test_configurable_bot_rules(store: Store) -> None:
    import_paths(store, [CSV], real_names=True, bot_patterns=[r"^cho$"])
    assert rows(store, "SELECT display_name FROM members WHERE is_bot") == [("cho",)]
    with pytest.raises(ImportFormatError, match="not a regular expression"):
        import_paths(store, [CSV], bot_patterns=["("])


def test_unknown_format_empty_folder_and_missing_path(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="Unknown format 'tweets'; known formats: slack"):
        import_paths(store, [CSV], format="tweets")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ImportFormatError, match="empty"):
        import_paths(store, [empty])
    with pytest.raises(ImportFormatError, match="no such file"):
        import_paths(store, [tmp_path / "missing.zip"])
    with pytest.raises(ImportFormatError, match="Nothing to import"):
        import_paths(store, [])


def test_pseudonyms_are_hmac_sha256_with_the_store_key(store: Store) -> None:
    import hmac

    expected = hmac.digest(store.key, b"member\x1fslack\x1fT\x1fU1", "sha256").hex()
    assert store.pseudonym("member", "slack", "T", "U1") == expected
    assert store.member_id("slack", "T", "U1") == "m-" + expected[:16]


def test_the_sink_keeps_no_rows_or_members_once_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everything a reader reports is in DuckDB before ids are derived: the sink keeps counts."""
    from copkit.community import importer

    seen: list[tuple[int, int]] = []
    real_derive = importer._derive

    def derive(store_: Store, parts: list[Any], *args: Any) -> Any:
        for part in parts:
            sink = part.sink
            seen.append((sum(len(rows) for rows in sink.rows.values()), sink.read))
        return real_derive(store_, parts, *args)

    monkeypatch.setattr(importer, "_derive", derive)
    summary = import_paths(store, [FIXTURES / "slack" / "modern"])
    assert seen and all(rows == 0 for rows, _ in seen)
    assert sum(read for _, read in seen) == summary.read_activities > 0
    assert summary.read_members == store.con.execute("SELECT count(*) FROM members").fetchone()[0]


def test_an_import_beyond_the_memory_limit_says_what_to_do(tmp_path: Path) -> None:
    from copkit.community import import_paths, open_store
    from copkit.community.errors import StoreError

    export = tmp_path / "export.csv"
    rows = "\n".join(f"a{i},user{i % 5000},2024-01-0{1 + i % 9}T10:00:00Z" for i in range(60000))
    export.write_text("activity_id,author,created_at\n" + rows + "\n")
    with open_store(tmp_path / "s.duckdb") as store:
        store.con.execute("SET memory_limit = '4MB'")
        with pytest.raises(StoreError, match="COPKIT_STORE_DUCKDB_MEMORY"):
            import_paths(store, [export])
        store.con.execute("SET memory_limit = '250MB'")
        assert store.con.execute("SELECT count(*) FROM activities").fetchone() == (0,)
