"""Stack Exchange dumps through the real store: exact counts, idempotent, atomic."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from copkit.community import ImportFormatError, import_paths, open_store

FIXTURE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "stackexchange" / "tiny.stackexchange.com"
)
DATASETS = Path(
    os.environ.get("COPKIT_DATASETS")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
)


def counts(store_path: Path) -> dict[str, int]:
    with open_store(store_path) as store:
        rows = store.con.execute(
            "SELECT kind, count(*) FROM activities GROUP BY kind "
            "UNION ALL SELECT 'i:' || kind, count(*) FROM interactions GROUP BY kind "
            "UNION ALL SELECT 'members', count(*) FROM members "
            "UNION ALL SELECT 'spaces', count(*) FROM spaces"
        ).fetchall()
    return {str(k): int(n) for k, n in rows}


def test_tiny_dump_in_the_store(tmp_path: Path) -> None:
    store_path = tmp_path / "s.duckdb"
    with open_store(store_path) as store:
        summary = import_paths(store, [FIXTURE])
        assert summary.paths[0][1:] == ("stackexchange", "tiny.stackexchange.com")
        assert summary.skipped["answer to a question not in the dump"] == 1
        bots = store.con.execute("SELECT count(*) FROM members WHERE is_bot").fetchone()
        assert bots == (1,)
    # answers: 6, of which 1 by the asker (no interaction); comments: c1 (bob->alice),
    # c2 (alice->bob), c4 (deleted:user99 on their own question: none)
    assert counts(store_path) == {
        "post": 4,
        "answer": 6,
        "comment": 3,
        "i:answer": 4,
        "i:reply": 2,
        "i:accept": 2,
        "members": 7,
        "spaces": 2,
    }
    with open_store(store_path) as store:
        again = import_paths(store, [FIXTURE])
    assert again.added_activities == 0 and again.added_interactions == 0
    assert counts(store_path)["answer"] == 6


def test_broken_dump_leaves_the_store_unchanged(tmp_path: Path) -> None:
    store_path = tmp_path / "s.duckdb"
    with open_store(store_path) as store:
        import_paths(store, [FIXTURE])
    before = counts(store_path)
    broken = tmp_path / "broken.stackexchange.com"
    shutil.copytree(FIXTURE, broken)
    text = (broken / "Comments.xml").read_text(encoding="utf-8-sig")
    (broken / "Comments.xml").write_text(text[: len(text) - 30], encoding="utf-8")
    with open_store(store_path) as store, pytest.raises(ImportFormatError, match="Comments.xml"):
        import_paths(store, [broken])
    assert counts(store_path) == before


@pytest.mark.parametrize("site", ["se-beer-meta", "se-ai-2017"])
def test_real_dump_in_the_store(tmp_path: Path, site: str) -> None:
    import xml.etree.ElementTree as ET  # noqa: S405 - independent count of our test input

    folder = DATASETS / site
    if not folder.is_dir():
        pytest.skip(f"shared dataset {site} is absent ({folder})")
    posts = [dict(e.attrib) for _, e in ET.iterparse(folder / "Posts.xml") if e.tag == "row"]  # noqa: S314
    questions = {p["Id"] for p in posts if p["PostTypeId"] == "1"}
    answers = {p["Id"] for p in posts if p["PostTypeId"] == "2" and p["ParentId"] in questions}
    comments = [
        c
        for _, c in ET.iterparse(folder / "Comments.xml")  # noqa: S314
        if c.tag == "row" and c.get("PostId") in questions | answers
    ]
    store_path = tmp_path / "s.duckdb"
    with open_store(store_path) as store:
        import_paths(store, [folder])
    got = counts(store_path)
    assert (got["post"], got["answer"], got["comment"]) == (
        len(questions),
        len(answers),
        len(comments),
    )


@pytest.mark.parametrize("keep_text", [False, True])
def test_facts_held_in_arrow_or_spilled_to_duckdb_give_the_same_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_text: bool
) -> None:
    from copkit.community.sources import stackexchange

    from .conftest import FIXTURES, canonical, twin_stores

    site = FIXTURES / "stackexchange" / "tiny.stackexchange.com"
    one, two = twin_stores(tmp_path)
    with one, two:
        import_paths(one, [site], keep_text=keep_text)
        monkeypatch.setattr(stackexchange, "IN_MEMORY_BYTES", 0)  # every dump spills
        import_paths(two, [site], keep_text=keep_text)
        assert canonical(one) == canonical(two)
        assert canonical(one)["activities"]
