"""Arrow arrays of Python values without pyarrow's conversion (which loads pandas).

``sink.arrow_array`` builds the arrays of an import's raw rows from their buffers in the
importing process; these tests hold that conversion to pyarrow's own, value for value, and
check that an import of each format leaves pandas unloaded.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copkit.community import sink
from copkit.community.sink import RAW, RowSink

from .conftest import FIXTURES, ROOT, dataset

_TS = pa.timestamp("us", tz="UTC")
_OFFSET = timezone(timedelta(hours=-5, minutes=-30))
_TIMES = st.datetimes(
    min_value=datetime(1900, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2300, 1, 1),  # noqa: DTZ001
    timezones=st.one_of(st.none(), st.just(UTC), st.just(_OFFSET)),
)
_VALUES: dict[pa.DataType, st.SearchStrategy[Any]] = {
    pa.string(): st.text(max_size=12),
    pa.int64(): st.integers(-(2**63), 2**63 - 1),
    pa.int32(): st.integers(-(2**31), 2**31 - 1),
    pa.bool_(): st.booleans(),
    _TS: st.integers(-(2**62), 2**62),
    pa.list_(pa.string()): st.lists(st.text(max_size=6), max_size=4),
}


def _same(values: list[Any], type_: pa.DataType) -> None:
    built = sink._from_buffers(values, type_)
    built.validate(full=True)
    expected = pa.array(values, type=type_)
    assert built.type == type_
    assert built.equals(expected), (built, expected)
    assert built.null_count == expected.null_count


@pytest.mark.parametrize("type_", list(_VALUES), ids=str)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_arrays_from_buffers_equal_pyarrows_conversion(type_: pa.DataType, data: Any) -> None:
    values = data.draw(st.lists(st.one_of(st.none(), _VALUES[type_]), max_size=40))
    _same(values, type_)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), _TIMES), max_size=20))
def test_datetimes_convert_as_pyarrow_converts_them(values: list[datetime | None]) -> None:
    """Naive ones taken as UTC, aware ones at their instant."""
    _same(values, _TS)


def test_columns_without_nulls_or_rows_and_lists_of_equal_length() -> None:
    _same([], pa.string())
    _same([None, None], pa.list_(pa.string()))
    _same([["a", "b"], ["c", "d"]], pa.list_(pa.string()))  # not a 2-D numpy array
    _same([[], []], pa.list_(pa.string()))
    _same(list(range(5)), pa.int64())


def test_text_over_the_offset_limit_is_left_to_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sink, "_MAX_OFFSET", 5)
    _same(["abc", None, "défg"], pa.string())
    _same([["abc", "def"], None], pa.list_(pa.string()))


def test_a_lone_surrogate_is_refused_then_replaced_by_the_sink() -> None:
    with pytest.raises(UnicodeEncodeError):
        sink._from_buffers(["ok", "bad\udcff"], pa.string())
    batches: list[pa.RecordBatch] = []
    rows = RowSink(keep_text=True, emit=lambda kind, batch: batches.append(batch))
    rows.member(user="u1", name="bad\udcff", roles=("x\udcfe",))
    rows.close()
    (batch,) = batches
    assert batch.schema == RAW["members"]
    assert batch.column("name").to_pylist() == ["bad\ufffd"]
    assert batch.column("roles").to_pylist() == [["x\ufffd"]]


_CHILD = """
import sys, tempfile
from pathlib import Path
from copkit.community import import_paths, importer, open_store
from copkit.community.sources import mbox, slack, stackexchange
paths = sys.argv[1:]
if paths[0] == "--workers":  # every export big enough for worker processes
    paths = paths[1:]
    importer.PIPELINE_MIN_BYTES = 1
    for reader in (mbox, slack, stackexchange):
        reader.PARALLEL_MIN_BYTES = 1
with tempfile.TemporaryDirectory() as tmp:
    for number, path in enumerate(paths):
        with open_store(Path(tmp) / f"{number}.duckdb") as store:
            summary = import_paths(store, [path])
            assert summary.read_activities > 0, path
            assert "pandas" not in sys.modules, f"{path} loaded pandas"
print("pandas not loaded")
"""


def _import_in_a_fresh_process(paths: list[Path], *, workers: bool = False) -> None:
    """Import each path into a store of its own in a new interpreter, which fails if any
    import loads pandas (with ``workers``, every export is read by worker processes)."""
    flags = ["--workers"] if workers else []
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", _CHILD, *flags, *map(str, paths)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "pandas not loaded"


def test_an_import_of_each_format_does_not_load_pandas() -> None:
    pytest.importorskip("pandas")  # nothing to show where it is not installed
    _import_in_a_fresh_process(
        [
            FIXTURES / "csv" / "activity.csv",
            FIXTURES / "discourse" / "forum.example.org",
            FIXTURES / "github" / "octo-org__cop-handbook",
            FIXTURES / "mbox" / "list.mbox",
            FIXTURES / "slack" / "modern",
            FIXTURES / "slack" / "old",
            FIXTURES / "stackexchange" / "tiny.stackexchange.com",
        ]
    )


def test_the_real_export_of_every_shared_format_does_not_load_pandas() -> None:
    """The same through the real exports, read by worker processes as big ones are."""
    pytest.importorskip("pandas")
    _import_in_a_fresh_process(
        [
            dataset("slack-r-contributors", "slack"),
            dataset("mbox-usrp-users-2020H2", "mbox"),
            dataset("se-beer-meta"),
            dataset("discourse-askci-2019", "data"),
        ],
        workers=True,
    )
