"""An import's raw rows wait as Arrow batches (DuckDB reads them in place) or, past
``STAGE_HOLD_BYTES``, in DuckDB tables: either way the store is the same."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from copkit.community import Store, import_paths
from copkit.community import importer as importer_module

from .conftest import FIXTURES, canonical, dataset, twin_stores


def _imported(store: Store, paths: list[Path]) -> dict[str, object]:
    return dataclasses.asdict(import_paths(store, paths, keep_text=True))


def _counting_moves(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One item per import whose rows went into tables, from now on."""
    moved: list[bool] = []
    real_into_tables = importer_module._Staging._into_tables

    def into_tables(self: importer_module._Staging) -> None:
        moved.append(True)
        real_into_tables(self)

    monkeypatch.setattr(importer_module._Staging, "_into_tables", into_tables)
    return moved


@pytest.mark.parametrize("hold", [0, 2000])  # tables from the first row; from a few batches
def test_rows_held_as_arrow_or_moved_into_tables_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hold: int
) -> None:
    paths = [
        FIXTURES / "slack" / "modern",
        FIXTURES / "mbox" / "list.mbox",
        FIXTURES / "stackexchange" / "tiny.stackexchange.com",
        FIXTURES / "csv" / "activity.csv",
    ]
    one, two = twin_stores(tmp_path)
    with one, two:
        held = _imported(one, paths)  # all of it held: a few kB
        monkeypatch.setattr(importer_module, "STAGE_HOLD_BYTES", hold)
        moved = _counting_moves(monkeypatch)
        in_tables = _imported(two, paths)
        assert moved  # the rows really went into tables
        assert in_tables == held
        assert canonical(two) == canonical(one)
        # and again, held: nothing new, whichever way the first import staged its rows
        monkeypatch.setattr(importer_module, "STAGE_HOLD_BYTES", 2**40)
        assert import_paths(two, paths).added_activities == 0


def test_a_real_export_staged_both_ways_gives_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = dataset("slack-r-contributors", "slack")
    one, two = twin_stores(tmp_path)
    with one, two:
        held = _imported(one, [path])
        monkeypatch.setattr(importer_module, "STAGE_HOLD_BYTES", 1024**2)
        moved = _counting_moves(monkeypatch)
        assert _imported(two, [path]) == held
        assert moved  # past 1 MiB of rows, after some were held
        assert canonical(two) == canonical(one)


def test_a_failed_import_lets_go_of_the_rows_it_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    registered: list[importer_module._Staging] = []
    real_finish = importer_module._Staging.finish

    def finish_then_fail(self: importer_module._Staging) -> None:
        real_finish(self)
        registered.append(self)
        assert self.registered  # views of the batches held
        raise KeyboardInterrupt  # as Ctrl-C during the derivation

    monkeypatch.setattr(importer_module._Staging, "finish", finish_then_fail)
    with pytest.raises(KeyboardInterrupt):
        import_paths(store, [FIXTURES / "csv" / "activity.csv"])
    (staging,) = registered
    assert staging.registered == [] and staging.held == {}
    names = {row[0] for row in store.con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    assert not any(name.startswith(("rw_", "_copkit")) for name in names)
    assert store.con.execute("SELECT count(*) FROM activities").fetchone() == (0,)
    monkeypatch.undo()
    assert import_paths(store, [FIXTURES / "csv" / "activity.csv"]).added_activities > 0
