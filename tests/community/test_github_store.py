"""GitHub JSON through the real store: detected by layout, interactions derived, idempotent."""

from __future__ import annotations

from pathlib import Path

from copkit.community import import_paths, open_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "octo-org__cop-handbook"


def test_repository_in_the_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        summary = import_paths(store, [FIXTURE])  # no --format: detected
        assert summary.paths[0][1:] == ("github", "octo-org/cop-handbook")
        assert summary.added_activities == 11
        rows = store.con.execute(
            "SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY kind"
        ).fetchall()
        # answer: bob on alice's question; replies: alice's comments on #2 and #4 and her
        # review of bob's PR (3), bob's reply to alice's review comment (1); alice's review
        # comment replies to her own review: no interaction
        assert rows == [("answer", 1), ("reply", 4)]
        bots = store.con.execute("SELECT count(*) FROM members WHERE is_bot").fetchone()
        assert bots == (1,)
        again = import_paths(store, [FIXTURE])
        assert (again.added_activities, again.added_interactions) == (0, 0)
