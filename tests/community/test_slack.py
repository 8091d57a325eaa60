"""The Slack reader: a real-shaped fixture, hostile archives, fuzzing and the real R Slack."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community import ImportFormatError, Store, import_paths, open_store
from copkit.community.sources import slack as slack_module
from copkit.community.sources.archive import MAX_RATIO

from .conftest import FIXTURES, dataset, rows, scalar, snapshot

MODERN = FIXTURES / "slack" / "modern"
OLD = FIXTURES / "slack" / "old"


def _zip(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, prefix + file.relative_to(folder).as_posix())
    return target


def test_modern_export_maps_threads_reactions_mentions_joins_and_bots(store: Store) -> None:
    summary = import_paths(store, [MODERN])
    assert summary.paths[0][1:] == ("slack", "slack team T0TEST")
    kinds = dict(rows(store, "SELECT kind, count(*) FROM activities GROUP BY kind"))
    assert kinds == {"join": 1, "post": 5, "reply": 4}
    # channels.json lists two channels, but there are three folders
    assert sorted(r[0] for r in rows(store, "SELECT name FROM spaces")) == [
        "archived-old", "general", "help",
    ]  # fmt: skip
    interactions = dict(rows(store, "SELECT kind, count(*) FROM interactions GROUP BY kind"))
    assert interactions == {"mention": 3, "reaction": 5, "reply": 2}
    assert summary.skipped == {"channel_topic": 1}
    assert summary.joins == 1
    assert summary.unresolved_parents == 1
    assert summary.added_members == 7  # five users, Dan from user_profile, bot B01STD
    assert scalar(store, "SELECT count(*) FROM members WHERE is_bot") == 3
    # replies point to the thread root, and the root is a question
    query = "SELECT activity_id FROM activities WHERE kind = 'post' AND is_question AND length = 41"
    root = scalar(store, query)
    assert scalar(store, "SELECT count(*) FROM activities WHERE parent_id = ?", root) == 3
    assert scalar(store, "SELECT count(*) FROM activities WHERE thread_id = ?", root) == 4


def test_self_reactions_mentions_and_self_replies_are_not_interactions(store: Store) -> None:
    import_paths(store, [MODERN])
    assert scalar(store, "SELECT count(*) FROM interactions WHERE from_member = to_member") == 0


def test_reply_interaction_goes_from_replier_to_root_author(store: Store) -> None:
    import_paths(store, [MODERN], real_names=True)
    pairs = rows(
        store,
        """SELECT f.display_name, t.display_name FROM interactions i
        JOIN members f ON f.member_id = i.from_member JOIN members t ON t.member_id = i.to_member
        WHERE i.kind = 'reply' ORDER BY 1""",
    )
    assert pairs == [("Ben Okafor", "Ana Lima"), ("Dan Ruiz", "Ana Lima")]
    roles = scalar(store, "SELECT source_roles FROM members WHERE display_name = 'Ana Lima'")
    assert roles == ["admin", "owner"]


def test_old_export_without_threads(store: Store) -> None:
    summary = import_paths(store, [OLD])
    assert dict(rows(store, "SELECT kind, count(*) FROM activities GROUP BY kind")) == {"post": 2}
    assert summary.skipped == {"channel_leave": 1}
    assert rows(store, "SELECT kind FROM interactions") == [("mention",)]


def test_zip_reads_like_the_folder(tmp_path: Path) -> None:
    archive = _zip(MODERN, tmp_path / "export.zip", prefix="Workspace Export/")
    with open_store(tmp_path / "a.duckdb") as a, open_store(tmp_path / "b.duckdb") as b:
        import_paths(a, [MODERN])
        import_paths(b, [archive])
        for table in ("activities", "interactions"):
            assert a.table(table).num_rows == b.table(table).num_rows
        # a zip of the same export adds nothing to a store that has the folder
        assert import_paths(a, [archive]).added_activities == 0


def test_newer_export_adds_only_what_is_new(store: Store, tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    shutil.copytree(MODERN, newer)
    import_paths(store, [MODERN])
    before = store.table("activities").num_rows
    (newer / "general" / "2024-01-04.json").write_text(
        json.dumps(
            [
                {
                    "type": "message",
                    "ts": "1704358800.000100",
                    "user": "U01BEN",
                    "text": "One more",
                    "thread_ts": "1704272400.000100",
                }
            ]
        )  # fmt: skip
    )
    summary = import_paths(store, [newer])
    assert summary.added_activities == 1
    assert summary.skipped["already imported"] == before
    assert store.table("activities").num_rows == before + 1


def test_missing_users_json_is_an_error(tmp_path: Path, store: Store) -> None:
    broken = tmp_path / "export"
    shutil.copytree(MODERN, broken)
    (broken / "users.json").unlink()
    with pytest.raises(ImportFormatError, match="users.json"):
        import_paths(store, [broken], format="slack")


def test_truncated_json_names_the_file_and_changes_nothing(tmp_path: Path, store: Store) -> None:
    import_paths(store, [OLD])
    before = snapshot(store)
    broken = tmp_path / "export"
    shutil.copytree(MODERN, broken)
    day = broken / "help" / "2024-01-02.json"
    day.write_text(day.read_text()[:150])
    with pytest.raises(ImportFormatError, match=r"help/2024-01-02\.json.*line"):
        import_paths(store, [MODERN, broken])
    assert snapshot(store) == before


def test_zip_entry_outside_the_archive_is_refused(tmp_path: Path, store: Store) -> None:
    archive = _zip(MODERN, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("../../evil.json", "[]")
    with pytest.raises(ImportFormatError, match="outside the archive"):
        import_paths(store, [archive])
    assert not (tmp_path.parent / "evil.json").exists()


def test_absolute_zip_entry_is_refused(tmp_path: Path, store: Store) -> None:
    archive = _zip(MODERN, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("/etc/evil.json", "[]")
    with pytest.raises(ImportFormatError, match="outside the archive"):
        import_paths(store, [archive])


def test_zip_bomb_is_refused(tmp_path: Path, store: Store) -> None:
    archive = _zip(MODERN, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("general/2024-02-01.json", b"[" + b" " * (MAX_RATIO * 1024 * 100) + b"]")
    with pytest.raises(ImportFormatError, match="zip bomb"):
        import_paths(store, [archive])
    assert store.table("activities").num_rows == 0


def test_not_a_zip_is_an_unknown_layout(tmp_path: Path, store: Store) -> None:
    fake = tmp_path / "export.zip"
    fake.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportFormatError, match="unknown export layout|zip"):
        import_paths(store, [fake])


_MESSAGE = st.fixed_dictionaries(
    {"ts": st.one_of(st.text(max_size=12), st.floats(allow_nan=True), st.integers())},
    optional={
        "user": st.one_of(st.text(max_size=5), st.none(), st.integers()),
        "subtype": st.sampled_from(["channel_join", "bot_message", "channel_leave", None]),
        "thread_ts": st.one_of(st.text(max_size=12), st.none(), st.integers()),
        "text": st.one_of(st.text(max_size=30), st.none(), st.integers()),
        "reactions": st.one_of(
            st.lists(st.fixed_dictionaries({"users": st.lists(st.text(max_size=4))}), max_size=2),
            st.integers(),
        ),
        "blocks": st.recursive(
            st.one_of(st.text(max_size=4), st.integers()),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(st.sampled_from(["type", "user_id", "elements"]), c, max_size=3)
            ),
            max_leaves=6,
        ),
        "bot_id": st.text(max_size=4),
    },
)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    messages=st.one_of(
        st.lists(_MESSAGE, max_size=5),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    users=st.one_of(
        st.just([{"id": "U1", "team_id": "T"}]),
        st.lists(
            st.dictionaries(
                st.sampled_from(["id", "name", "profile", "is_bot"]),
                st.one_of(st.text(max_size=4), st.booleans()),
                max_size=3,
            ),
            max_size=3,
        ),
        st.text(max_size=5),
    ),
    raw=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_fuzzed_slack_exports_import_or_fail_cleanly(
    tmp_path_factory: pytest.TempPathFactory, messages: object, users: object, raw: bytes | None
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "users.json").write_text(json.dumps(users))
    (folder / "channels.json").write_text("[]")
    (folder / "general").mkdir()
    day = folder / "general" / "2024-01-01.json"
    if raw is None:
        day.write_text(json.dumps(messages))
    else:
        day.write_bytes(raw)
    with open_store(":memory:") as opened:
        try:
            import_paths(opened, [folder], format="slack")
        except ImportFormatError:
            assert opened.table("activities").num_rows == 0


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_fuzzed_zip_archives_import_or_fail_cleanly(data: st.DataObject) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(OLD.rglob("*.json")):
            archive.write(file, file.relative_to(OLD).as_posix())
    raw = bytearray(buffer.getvalue())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        path.write_bytes(bytes(raw))
        with open_store(":memory:") as opened:
            try:
                import_paths(opened, [path], format="slack")
            except ImportFormatError:
                assert opened.table("activities").num_rows == 0


def _independent_counts(root: Path) -> dict[str, Counter[str]]:
    """Per channel folder, from the raw files: messages (not joins, not housekeeping),
    thread replies, and reaction ties (distinct reacting person per message, not the author)."""
    counts: dict[str, Counter[str]] = {
        "messages": Counter(),
        "replies": Counter(),
        "reactions": Counter(),
        "joins": Counter(),
    }
    kept = {None, "bot_message", "thread_broadcast", "me_message", "file_share"}
    for day in sorted(root.glob("*/*.json")):
        if not day.stem[:4].isdigit():
            continue
        channel = day.parent.name
        for m in json.loads(day.read_text()):
            author = m.get("user") or m.get("bot_id")
            if m.get("subtype") == "channel_join":
                counts["joins"][channel] += 1
                continue
            if m.get("subtype") not in kept or not author:
                continue
            counts["messages"][channel] += 1
            if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
                counts["replies"][channel] += 1
            reactors = {u for r in m.get("reactions", []) for u in r.get("users", [])}
            counts["reactions"][channel] += len(reactors - {author})
    return counts


@pytest.mark.slow
def test_real_r_contributors_slack_matches_independent_counts(store: Store) -> None:
    root = dataset("slack-r-contributors", "slack")
    expected = _independent_counts(root)
    import_paths(store, [root])
    by_space = rows(
        store,
        """SELECT s.name,
                  count(*) FILTER (WHERE a.kind <> 'join'),
                  count(*) FILTER (WHERE a.kind = 'reply'),
                  count(*) FILTER (WHERE a.kind = 'join')
        FROM activities a JOIN spaces s USING (space_id) GROUP BY s.name""",
    )
    assert {n: m for n, m, _, _ in by_space if m} == dict(expected["messages"])
    assert {n: r for n, _, r, _ in by_space if r} == dict(expected["replies"])
    assert {n: j for n, _, _, j in by_space if j} == dict(expected["joins"])
    reactions = rows(
        store,
        """SELECT s.name, count(*) FROM interactions i JOIN activities a USING (activity_id)
        JOIN spaces s USING (space_id) WHERE i.kind = 'reaction' GROUP BY s.name""",
    )
    assert dict(reactions) == {k: v for k, v in expected["reactions"].items() if v}
    assert sum(expected["replies"].values()) == 3447  # the figure in SOURCE.md
    assert scalar(store, "SELECT count(*) FROM spaces") == 33  # folders, not channels.json's 20
    # a second import of the same export adds nothing
    assert import_paths(store, [root]).added_activities == 0


def test_reader_module_documents_its_mapping() -> None:
    assert "thread_ts" in (slack_module.__doc__ or "")
