"""Discourse topics through the real store: reply links and interactions, idempotent."""

from __future__ import annotations

from pathlib import Path

from copkit.community import import_paths, open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "discourse" / "forum.example.org"


def test_forum_in_the_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        summary = import_paths(store, [FIXTURE])
        assert summary.paths[0][1:] == ("discourse", "forum.example.org")
        rows = store.con.execute(
            "SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY kind"
        ).fetchall()
        # answers 1002, 1003, 1007 (to alice); replies 1004 (alice->bob), 1011 (bob->system),
        # 1012 (dave->bob); 1008 is alice replying to herself: no interaction
        assert rows == [("accept", 1), ("answer", 3), ("reaction", 2), ("reply", 3)]
        spaces = store.con.execute("SELECT kind, count(*) FROM spaces GROUP BY kind").fetchall()
        assert spaces == [("category", 2)]
        again = import_paths(store, [FIXTURE])
        assert (again.added_activities, again.added_interactions) == (0, 0)
