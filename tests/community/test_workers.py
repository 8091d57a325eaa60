"""Reading an export in a worker process while the importing process stores it.

The store must be the one a single process makes, row for row; an error in the worker must
leave the store unchanged, as any failed import does.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest

from copkit.community import ImportFormatError, Store, import_paths
from copkit.community import importer as importer_module
from copkit.community.sources import slack, stackexchange, workers

from .conftest import FIXTURES, canonical, dataset, snapshot, twin_stores


def _beside(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """Readers in worker processes (``on``) or in this one; Stack Exchange dumps and Slack
    exports, which have workers of their own, are then cut into chunks of a few hundred
    bytes (Slack: a day file or two)."""
    monkeypatch.setattr(importer_module, "PIPELINE_MIN_BYTES", 0 if on else 2**62)
    for reader in (stackexchange, slack):
        monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 0 if on else 2**62)
        monkeypatch.setattr(reader, "worker_count", lambda: 2)
    monkeypatch.setattr(stackexchange, "CHUNK_BYTES", 300)
    monkeypatch.setattr(slack, "RUN_FILES", 2)
    monkeypatch.setattr(workers, "worker_count", lambda: 2)


def _summary(store: Store, path: Path, keep_text: bool, real_names: bool) -> dict[str, object]:
    summary = import_paths(store, [path], keep_text=keep_text, real_names=real_names)
    return dataclasses.asdict(summary)


def _same_store_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path, keep_text: bool, real_names: bool
) -> int:
    one, two = twin_stores(tmp_path)
    with one, two:
        _beside(monkeypatch, False)
        here = _summary(one, path, keep_text, real_names)
        started: list[object] = []
        real_start = workers._start

        def counting_start(*preload: str | None) -> object:
            started.append(1)
            return real_start(*preload)

        monkeypatch.setattr(workers, "_start", counting_start)
        _beside(monkeypatch, True)
        beside = _summary(two, path, keep_text, real_names)
        assert started  # the reading really happened in a worker process
        assert beside == here
        assert canonical(two) == canonical(one)
        assert _summary(two, path, keep_text, real_names)["added_activities"] == 0
        return int(str(here["read_activities"]))


@pytest.mark.parametrize(
    ("fixture", "keep_text", "real_names"),
    [
        ("stackexchange/tiny.stackexchange.com", True, True),
        ("stackexchange/tiny.stackexchange.com", False, False),
        ("slack/modern", False, True),
        ("slack/old", True, False),
        ("github/octo-org__cop-handbook", True, False),
        ("csv/activity.csv", False, True),
    ],
)
def test_fixtures_read_in_a_worker_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str, keep_text: bool, real_names: bool
) -> None:
    assert _same_store_both_ways(tmp_path, monkeypatch, FIXTURES / fixture, keep_text, real_names)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("parts", "keep_text", "read"),
    [
        (("se-bicycles-meta",), False, 3872),
        (("slack-r-contributors", "slack"), True, 12500),
        (("discourse-askci-2019",), False, 592),
    ],
)
def test_real_exports_read_in_a_worker_give_the_same_store(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    parts: tuple[str, ...],
    keep_text: bool,
    read: int,
) -> None:
    path = dataset(*parts)
    assert _same_store_both_ways(tmp_path, monkeypatch, path, keep_text, False) == read


def test_an_error_in_the_reading_worker_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    import_paths(store, [FIXTURES / "csv" / "activity.csv"])
    before = snapshot(store)
    site = tmp_path / "broken.stackexchange.com"
    site.mkdir()
    source = FIXTURES / "stackexchange" / "tiny.stackexchange.com"
    for file in source.iterdir():
        (site / file.name).write_bytes(file.read_bytes())
    posts = (site / "Posts.xml").read_bytes()
    (site / "Posts.xml").write_bytes(posts[: len(posts) * 2 // 3])  # truncated mid-file
    _beside(monkeypatch, True)
    with pytest.raises(ImportFormatError, match=r"Posts\.xml: line \d+: invalid XML"):
        import_paths(store, [site])
    assert snapshot(store) == before


def test_a_worker_leaves_ctrl_c_to_the_importing_process() -> None:
    """Ctrl-C reaches the whole process group; the worker goes on until it is stopped."""
    import os
    import pickle
    import signal

    from copkit.community.sources import mbox

    mbox_file = FIXTURES / "mbox" / "list.mbox"
    task = (
        "call",
        (mbox.__name__, "_parse_range"),
        (mbox_file, 0, mbox_file.stat().st_size, False),
    )
    proc = workers._start()
    try:
        assert proc.stdin is not None
        for interrupt in (False, True):
            if interrupt:
                os.kill(proc.pid, signal.SIGINT)
            pickle.dump(task, proc.stdin)
            proc.stdin.flush()
            status, parsed = workers._receive(proc)
            assert status == "ok" and len(parsed) == 7
    finally:
        workers._stop([proc], finished=True)
    assert proc.returncode == 0


def test_a_bad_row_in_a_later_chunk_is_named_by_its_line_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    site = tmp_path / "chunked.stackexchange.com"
    site.mkdir()
    source = FIXTURES / "stackexchange" / "tiny.stackexchange.com"
    for file in source.iterdir():
        (site / file.name).write_bytes(file.read_bytes())
    lines = (site / "Posts.xml").read_text().splitlines(keepends=True)
    rows = [i for i, line in enumerate(lines) if "<row " in line]
    bad = rows[-2]  # far beyond the first 300-byte chunk
    lines[bad] = lines[bad].replace('CreationDate="', 'CreationDate="not a date', 1)
    (site / "Posts.xml").write_text("".join(lines))
    _beside(monkeypatch, True)
    assert len(stackexchange._file_tasks(site / "Posts.xml", False)) > 2  # really chunked
    with pytest.raises(ImportFormatError, match=rf"Posts\.xml: line {bad + 1}: CreationDate="):
        import_paths(store, [site])
    assert store.con.execute("SELECT count(*) FROM activities").fetchone() == (0,)


def test_a_task_too_big_for_the_pipe_is_refused_before_it_can_block() -> None:
    from copkit.community.sources import mbox

    task = (FIXTURES / "mbox" / "list.mbox", 0, 10, False, "x" * workers.MAX_TASK_BYTES)
    with pytest.raises(ValueError, match="pass names and offsets"):
        list(workers.ordered_map(mbox._parse_range, [task], 2))


def test_slack_runs_of_day_files_stay_small_tasks(tmp_path: Path) -> None:
    import pickle

    folder = "c" * 200  # a long conversation name (group DMs)
    (tmp_path / folder).mkdir()
    ordered = []
    for day in range(1, 400):
        name = f"{folder}/2020-{1 + day // 28:02d}-{1 + day % 28:02d}.json"
        (tmp_path / name).write_text("[]")
        ordered.append((folder, name))
    runs = list(slack._runs(ordered, 2**30))
    assert len(runs) > 1 and [pair for run in runs for pair in run] == ordered
    assert all(len(pickle.dumps((tmp_path, run, False))) < workers.MAX_TASK_BYTES for run in runs)


def _tracking_starts(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The worker processes started from now on."""
    started: list[subprocess.Popen[bytes]] = []
    real_start = workers._start

    def tracking_start(*preload: str | None) -> subprocess.Popen[bytes]:
        started.append(real_start(*preload))
        return started[-1]

    monkeypatch.setattr(workers, "_start", tracking_start)
    return started


def test_workers_started_ahead_map_once_and_always_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    from copkit.community.sources import mbox

    started = _tracking_starts(monkeypatch)
    mbox_file = FIXTURES / "mbox" / "list.mbox"
    tasks = [(mbox_file, 0, mbox_file.stat().st_size, False)] * 3
    with workers.Workers(2) as pool:
        assert len(started) == 2  # started before any task is known
        results = list(pool.map(mbox._parse_range, tasks))
        assert results == [mbox._parse_range(*task) for task in tasks]
        with pytest.raises(RuntimeError, match="used or stopped"):
            list(pool.map(mbox._parse_range, tasks))
    assert all(proc.returncode == 0 for proc in started)
    with workers.Workers(2):  # never given a task: stopped on leaving
        pass
    assert len(started) == 4 and all(proc.poll() is not None for proc in started[2:])


def test_a_slack_export_refused_while_its_workers_start_leaves_none_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    export = tmp_path / "slack"
    shutil.copytree(FIXTURES / "slack" / "modern", export)
    (export / "channels.json").write_text('[{"id": "C1", ')  # truncated
    _beside(monkeypatch, True)
    started = _tracking_starts(monkeypatch)
    with pytest.raises(ImportFormatError, match=r"channels\.json: invalid or truncated JSON"):
        import_paths(store, [export])
    assert len(started) == 2  # the workers were starting when channels.json was read
    assert all(proc.poll() is not None for proc in started)
    assert store.con.execute("SELECT count(*) FROM activities").fetchone() == (0,)


def test_a_worker_imports_its_readers_module_before_its_first_task() -> None:
    import pickle

    proc = workers._start("copkit.community.sources.slack")
    try:
        assert proc.stdin is not None
        loaded = "'copkit.community.sources.slack' in __import__('sys').modules"
        pickle.dump(("call", ("builtins", "eval"), (loaded,)), proc.stdin)
        proc.stdin.flush()
        assert workers._receive(proc) == ("ok", True)
    finally:
        workers._stop([proc], finished=True)
    with workers.Workers(2, preload="no.such.module") as pool:  # a worker all the same
        (collected,) = pool.map(slack._read_days, [(FIXTURES / "slack" / "modern", [], False)])
        assert collected.read == 0
