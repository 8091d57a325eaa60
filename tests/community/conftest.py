"""Shared helpers of the community-store tests: fixture paths, real datasets, a fresh store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from copkit.community import Store, open_store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _datasets() -> Path:
    candidates = [
        Path(os.environ["COPKIT_DATASETS"]) if os.environ.get("COPKIT_DATASETS") else None,
        ROOT / ".." / "shared" / "datasets",
        ROOT / ".." / ".." / "shared" / "datasets",  # a worktree under <root>/wt/<name>
    ]
    for candidate in candidates:
        if candidate is not None and candidate.is_dir():
            return candidate.resolve()
    return ROOT / ".." / "shared" / "datasets"


DATASETS = _datasets()


def dataset(*parts: str) -> Path:
    """A path in the shared datasets, or skip the test saying what is missing."""
    path = DATASETS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real dataset {path} is absent (set COPKIT_DATASETS to ../shared/datasets)")
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "store.duckdb") as opened:
        yield opened


def rows(store: Store, sql: str, *params: object) -> list[tuple[object, ...]]:
    return store.con.execute(sql, list(params)).fetchall()


def scalar(store: Store, sql: str, *params: object) -> object:
    found = store.con.execute(sql, list(params)).fetchall()
    assert len(found) == 1
    return found[0][0]


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted: to check that a failed import changed nothing."""
    tables = [
        "members", "identities", "spaces", "activities", "interactions", "imports",
        "import_skips", "merges", "merge_moves",
    ]  # fmt: skip
    return {t: sorted(map(repr, store.con.table(t).fetchall())) for t in tables}


def twin_stores(tmp_path: Path) -> tuple[Store, Store]:
    """Two empty stores with the same pseudonym key: what is imported into each compares."""
    first = tmp_path / "one.duckdb"
    open_store(first).close()
    second = tmp_path / "two.duckdb"
    second.write_bytes(first.read_bytes())
    return open_store(first), open_store(second)


def canonical(store: Store) -> dict[str, list[str]]:
    """Every row of the canonical tables and of the skip counts, sorted (no import times)."""
    tables = ["members", "identities", "spaces", "activities", "interactions", "import_skips"]
    return {t: sorted(map(repr, store.con.table(t).fetchall())) for t in tables}
