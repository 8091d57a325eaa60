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


def test_zip_entry_without_a_name_is_refused(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("users.json", "[]")
        archive.writestr("x", "[]")
        archive.filelist[-1].filename = ""  # what the central directory will say
    with pytest.raises(ImportFormatError, match="no name"):
        import_paths(store, [path], format="slack")


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


# --- the fast path for regular day files and the general one give the same rows --------------


def _raw_rows(
    path: Path, monkeypatch: pytest.MonkeyPatch, *, general: bool, keep_text: bool
) -> tuple[dict[str, list[dict[str, object]]], dict[str, int], int, int, int]:
    """Every raw row a RowSink keeps of the export at ``path`` (read in this process), its
    skips and counts, and how many day files took the fast path."""
    import pyarrow as pa

    from copkit.community.sink import RowSink
    from copkit.community.sources.archive import ExportFiles

    taken: dict[str, list[pa.RecordBatch | pa.Table]] = {}
    sink = RowSink(keep_text=keep_text, emit=lambda kind, b: taken.setdefault(kind, []).append(b))
    regular = slack_module._regular_file
    fast = 0

    def counting(*args: object) -> bool:
        nonlocal fast
        if general:
            return False
        done = regular(*args)  # type: ignore[arg-type]
        fast += done
        return done

    with monkeypatch.context() as patch:
        patch.setattr(slack_module, "_regular_file", counting)
        patch.setattr(slack_module, "PARALLEL_MIN_BYTES", 2**62)
        with ExportFiles(path) as files:
            slack_module._Run(files, sink).run()
        sink.close()
    tables = {
        kind: [row for part in parts for row in part.to_pylist()] for kind, parts in taken.items()
    }
    return tables, sink.skips, sink.read, sink.joins, fast


@pytest.mark.parametrize("keep_text", [False, True])
@pytest.mark.parametrize("export", ["fixture-modern", "fixture-old", "real"])
def test_fast_path_gives_the_rows_of_the_general_path(
    export: str, keep_text: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if export == "real":
        path = dataset("slack-r-contributors", "slack")
    else:
        path = FIXTURES / "slack" / export.removeprefix("fixture-")
    fast = _raw_rows(path, monkeypatch, general=False, keep_text=keep_text)
    general = _raw_rows(path, monkeypatch, general=True, keep_text=keep_text)
    assert fast[:4] == general[:4]
    assert fast[4] > 0 and general[4] == 0
    if export == "real":  # every day file of a real export is regular
        assert fast[4] == sum(1 for _ in path.glob("*/????-??-??.json"))
        assert len(fast[0]["activities"]) == 12500


def _export_of_days(folder: Path, days: list[list[dict[str, object]]]) -> Path:
    """An export with one known user and one channel of ``days`` (message lists)."""
    (folder / "users.json").write_text(json.dumps([{"id": "U1", "name": "one"}]))
    (folder / "channels.json").write_text("[]")
    (folder / "general").mkdir()
    for number, messages in enumerate(days, start=1):
        (folder / "general" / f"2024-01-{number:02d}.json").write_text(json.dumps(messages))
    return folder


_REGULAR_TS = st.builds(
    lambda s, us: f"{s}.{us:06d}", st.integers(10**9, 10**10 - 1), st.integers(0, 999_999)
)
_NAMES = st.one_of(st.none(), st.text(max_size=4), st.integers(0, 3))
_REGULAR_MESSAGE = st.fixed_dictionaries(
    {"ts": st.one_of(_REGULAR_TS, _REGULAR_TS, st.text(max_size=12), st.floats(), st.none())},
    optional={
        "user": st.one_of(st.sampled_from(["U1", "U2", "W3", ""]), st.none(), st.integers()),
        "subtype": st.one_of(
            st.sampled_from(["channel_join", "bot_message", "channel_leave", "thread_broadcast"]),
            st.none(),
            st.integers(0, 2),
            st.lists(st.integers(0, 2), max_size=1),
        ),
        "thread_ts": st.one_of(_REGULAR_TS, st.none(), st.integers(0, 2), st.text(max_size=3)),
        "text": st.one_of(
            st.sampled_from(["hello?", "see <@U2> and <@W3|w>", "", "<@U1>"]),
            st.text(max_size=20),
            st.none(),
            st.integers(),
        ),
        "username": _NAMES,
        "user_profile": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"real_name": _NAMES, "name": _NAMES, "display_name": _NAMES}
            ),
            st.none(),
            st.text(max_size=2),
        ),
        "reactions": st.one_of(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "users": st.one_of(
                                st.lists(st.sampled_from(["U1", "U2", "", "U9"])), st.integers()
                            )
                        }  # fmt: skip
                    ),
                    st.integers(),
                ),
                max_size=3,
            ),
            st.none(),
            st.integers(),
        ),
        "blocks": st.recursive(
            st.one_of(st.sampled_from(["user", "rich_text", "U2", "U7"]), st.integers(), st.none()),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(st.sampled_from(["type", "user_id", "elements"]), c, max_size=3)
            ),
            max_leaves=8,
        ),
        "bot_id": st.one_of(st.sampled_from(["B1", ""]), st.none()),
    },
)


_ELEMENTS = st.recursive(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["user", "text", "link"])},
        optional={"user_id": st.sampled_from(["U1", "U2", "W4"]), "text": st.text(max_size=3)},
    ),
    lambda inner: st.fixed_dictionaries(
        {"type": st.sampled_from(["rich_text_section", "rich_text_list", "user"])},
        optional={"elements": st.lists(inner, max_size=3)},
    ),
    max_leaves=6,
)
_WELL_TYPED_MESSAGE = st.fixed_dictionaries(
    {"ts": _REGULAR_TS},
    optional={
        "user": st.sampled_from(["U1", "U2", "W3", ""]) | st.none(),
        "subtype": st.sampled_from(["channel_join", "bot_message", "channel_topic", "me_message"])
        | st.none(),
        "thread_ts": _REGULAR_TS | st.none(),
        "text": st.sampled_from(["hello?", "see <@U2> and <@W3|w>", "<@U1>"]) | st.text(max_size=9),
        "username": st.text(max_size=3) | st.none(),
        "user_profile": st.fixed_dictionaries(
            {},
            optional={
                "real_name": st.text(max_size=3) | st.none(),
                "name": st.text(max_size=3),
                "display_name": st.text(max_size=3),
            },
        )
        | st.none(),
        "reactions": st.lists(
            st.fixed_dictionaries({"users": st.lists(st.sampled_from(["U1", "U2", "", "U9"]))})
        ),
        "blocks": st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["rich_text", "section"])},
                optional={"elements": st.lists(_ELEMENTS, max_size=3)},
            ),
            max_size=2,
        ),
        "bot_id": st.sampled_from(["B1", ""]) | st.none(),
    },
)


@pytest.mark.slow
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.lists(_WELL_TYPED_MESSAGE, max_size=6), min_size=1, max_size=3))
def test_well_typed_day_files_take_the_fast_path_and_give_the_same_rows(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    days: list[list[dict[str, object]]],
) -> None:
    folder = _export_of_days(tmp_path_factory.mktemp("typed"), days)
    fast = _raw_rows(folder, monkeypatch, general=False, keep_text=True)
    general = _raw_rows(folder, monkeypatch, general=True, keep_text=True)
    assert fast[4] == len(days)
    assert fast[:4] == general[:4]


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days=st.lists(st.lists(_REGULAR_MESSAGE, max_size=6), min_size=1, max_size=3))
def test_fuzzed_day_files_give_the_same_rows_or_error_on_both_paths(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    days: list[list[dict[str, object]]],
) -> None:
    folder = _export_of_days(tmp_path_factory.mktemp("paths"), days)
    outcomes = []
    for general in (False, True):
        try:
            outcomes.append(_raw_rows(folder, monkeypatch, general=general, keep_text=True)[:4])
        except Exception as exc:  # noqa: BLE001 - both paths must fail alike
            outcomes.append(type(exc).__name__)
    assert outcomes[0] == outcomes[1]


@given(
    seconds=st.one_of(st.integers(10**9, 10**10 - 1), st.integers(2**31 - 2, 2**31 + 1)),
    micro=st.integers(0, 999_999),
)
def test_a_regular_ts_gets_the_time_the_general_path_gives(seconds: int, micro: int) -> None:
    from copkit.community.sink import RowSink

    ts = f"{seconds}.{micro:06d}"
    messages = slack_module._PLAIN.decode(f'[{{"ts": "{ts}", "user": "U1"}}]'.encode())
    fast = slack_module._Rows()
    slack_module._regular_rows(messages, "c", False, {"U1"}, False, fast)
    general = RowSink(keep_text=False, emit=lambda kind, batch: None)
    general.activity(activity="c", actor="U1", created_at=slack_module._ts(ts, "here"), kind="post")
    assert fast.activities[0][2] == general.rows["activities"][0][2]


def test_invalid_utf8_where_the_fast_path_does_not_look_is_still_an_error(
    tmp_path: Path, store: Store
) -> None:
    export = tmp_path / "export"
    shutil.copytree(FIXTURES / "slack" / "modern", export)
    day = next(export.glob("*/????-??-??.json"))
    day.write_bytes(b'[{"ts": "1600000000.000100", "user": "U1", "x": "\xff"}]')
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        import_paths(store, [export])
    assert store.table("activities").num_rows == 0
