"""The CSV reader: mapping, and errors that name the file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from copkit.community import ImportFormatError, Store, import_paths, open_store
from copkit.community.sources import csv as csv_module

from .conftest import FIXTURES, rows, scalar

ACTIVITY = FIXTURES / "csv" / "activity.csv"


def test_fixture_maps_kinds_threads_spaces_and_answers(store: Store) -> None:
    summary = import_paths(store, [ACTIVITY], keep_text=True)
    assert summary.paths[0][1:] == ("csv", "csv activity")
    kinds = dict(rows(store, "SELECT kind, count(*) FROM activities GROUP BY kind"))
    assert kinds == {"post": 2, "answer": 1, "comment": 1, "reply": 1}
    assert dict(rows(store, "SELECT kind, count(*) FROM interactions GROUP BY kind")) == {
        "answer": 1, "reply": 1,
    }  # fmt: skip
    assert scalar(store, "SELECT count(*) FROM activities WHERE is_question") == 1
    assert scalar(store, "SELECT count(DISTINCT thread_id) FROM activities") == 2
    assert scalar(store, "SELECT count(*) FROM spaces") == 2
    assert scalar(store, "SELECT count(*) FROM members") == 3
    assert "Replying to myself, with a comma" in [
        r[0] for r in rows(store, "SELECT text FROM activities")
    ]
    # 15:10+01:00 is 14:10 UTC; a time without offset is UTC
    times = [
        r[0].isoformat()
        for r in rows(store, "SELECT created_at FROM activities ORDER BY created_at")
    ]
    assert times[1] == "2024-03-01T14:10:00+00:00"
    assert times[2] == "2024-03-01T16:00:00+00:00"


def test_module_docstring_has_the_example() -> None:
    assert "activity_id,author,created_at" in (csv_module.__doc__ or "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,author,created_at\n1,a,2024-01-01\n", r"line 1: missing column\(s\) activity_id"),
        ("activity_id,author,created_at\n1,,2024-01-01\n", r"line 2, column author: empty"),
        (
            "activity_id,author,created_at\n1,a,yesterday\n",
            r"line 2, column created_at: 'yesterday'",
        ),
        (
            "activity_id,author,created_at,kind\n1,a,2024-01-01,vote\n",
            r"line 2, column kind: 'vote'",
        ),
        (
            "activity_id,author,created_at,is_question\n1,a,2024-01-01,maybe\n",
            r"line 2, column is_question",
        ),
        (
            "activity_id,author,created_at\n1,a,2024-01-01\n2,b\n",
            r"line 3: 2 fields, the header has 3",
        ),
        ("", r"empty; expected a header row"),
    ],
)
def test_bad_rows_name_file_line_and_column(
    tmp_path: Path, store: Store, content: str, message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    with pytest.raises(ImportFormatError, match=message) as caught:
        import_paths(store, [bad])
    assert str(bad) in str(caught.value)
    assert store.table("activities").num_rows == 0


def test_non_utf8_csv(tmp_path: Path, store: Store) -> None:
    bad = tmp_path / "latin.csv"
    bad.write_bytes("activity_id,author,created_at\n1,Ren\xe9,2024-01-01\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        import_paths(store, [bad])


def test_reply_before_its_parent_gets_its_interaction_when_the_parent_arrives(
    tmp_path: Path, store: Store
) -> None:
    first = tmp_path / "first.csv"
    first.write_text("activity_id,author,created_at,parent_id\n2,ben,2024-01-02T00:00:00Z,1\n")
    summary = import_paths(store, [first], format="csv")
    assert summary.unresolved_parents == 1
    assert store.table("interactions").num_rows == 0
    later = tmp_path / "first_full.csv"
    later.write_text(
        "activity_id,author,created_at,parent_id\n1,ana,2024-01-01T00:00:00Z,\n"
        "2,ben,2024-01-02T00:00:00Z,1\n"
    )
    # same origin is needed for the same ids: the origin is the file name
    later.rename(first)
    summary = import_paths(store, [first])
    assert (summary.added_activities, summary.added_interactions) == (1, 1)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(
            ["activity_id", "author", "created_at", "parent_id", "kind", "is_question", "x"]
        ),
        max_size=7,
    ),
    cells=st.lists(st.lists(st.text(max_size=12), max_size=7), max_size=4),
    raw=st.one_of(st.none(), st.binary(max_size=50)),
)
def test_fuzzed_csv_imports_or_fails_cleanly(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    cells: list[list[str]],
    raw: bytes | None,
) -> None:
    import csv
    import io

    path = tmp_path_factory.mktemp("fuzz") / "data.csv"
    if raw is not None:
        path.write_bytes(raw)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(cells)
        path.write_text(buffer.getvalue(), encoding="utf-8", errors="surrogatepass")
    with open_store(":memory:") as opened:
        try:
            import_paths(opened, [path], format="csv")
        except ImportFormatError:
            assert opened.table("activities").num_rows == 0
