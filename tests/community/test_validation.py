"""Validity of the measures on data no one here made (see docs/validation.md).

- Zachary's karate club (igraph ships it), written as a CSV export and imported through the
  CSV importer: the two leaders, nodes 0 (the instructor) and 33 (the administrator), must
  come out core and as the top brokers.
- Stack Exchange dumps in ``../shared/datasets/se-*``: members' engagement should rank like
  their site reputation (Spearman), and "core" should pick the top decile of reputation
  (ROC AUC). Built with a small direct loader of Posts/Comments/Users XML.
"""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import igraph as ig
import numpy as np
import pandas as pd
import pytest
from defusedxml import ElementTree

from copkit.community import import_paths, open_store, schema
from copkit.community.analysis import analyze
from copkit.community.analysis.model import LEVEL_RANK

DATASETS = Path(
    os.environ.get("COPKIT_DATASETS")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
)


# --- Zachary's karate club --------------------------------------------------------------------


def karate_csv(folder: Path) -> Path:
    """The club as a CSV export (docs/importing.md): each tie becomes a thread in which the
    lower-numbered member posts, the other replies and the first answers back, so the reply
    graph of the imported store is the club's graph."""
    g = ig.Graph.Famous("Zachary")
    path = folder / "karate.csv"
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["activity_id", "author", "created_at", "thread_id", "parent_id", "space"])
        for i, (u, v) in enumerate(g.get_edgelist()):
            when = start + timedelta(hours=6 * i)
            rows = [
                (f"t{i}", u, when, ""),
                (f"r{i}", v, when + timedelta(hours=1), f"t{i}"),
                (f"s{i}", u, when + timedelta(hours=2), f"r{i}"),
            ]
            for aid, who, at_, parent in rows:
                out.writerow([aid, f"m{who:02d}", at_.isoformat(), f"t{i}", parent, "club"])
    return path


@pytest.fixture(scope="module")
def karate(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The club imported through the CSV importer (real names kept: the author column, so
    that members can be matched to the club's node numbers) and analysed."""
    folder = tmp_path_factory.mktemp("karate")
    with open_store(folder / "k.duckdb") as store:
        import_paths(store, [karate_csv(folder)], format="csv", real_names=True)
    doc = analyze(folder / "k.duckdb").to_json()
    for m in doc["members"]:
        assert m["member_id"] != m["display_name"]  # the store keys members by keyed hashes
        m["member_id"] = m["display_name"]  # the node, "m00" to "m33", for the checks below
    return doc


def test_karate_import_is_the_clubs_graph(karate: dict) -> None:
    assert karate["summary"]["active_members"] == 34
    assert karate["summary"]["activities"] == 3 * 78
    degree = {m["member_id"]: m["evidence"]["threads"] for m in karate["members"]}
    assert (degree["m00"], degree["m33"], degree["m11"]) == (16, 17, 1)


def test_karate_leaders_are_core_in_both_views(karate: dict) -> None:
    by_id = {m["member_id"]: m for m in karate["members"]}
    for leader in ("m00", "m33"):
        assert by_id[leader]["level"] == "core"
        assert by_id[leader]["network_level"] == "core"


def test_karate_leaders_are_the_top_brokers(karate: dict) -> None:
    def score(m: dict, role: str, key: str) -> float:
        r = next((r for r in m["roles"] if r["role"] == role), None)
        return r["evidence"][key] if r else float("nan")

    connectors = sorted(
        (m for m in karate["members"] if any(r["role"] == "connector" for r in m["roles"])),
        key=lambda m: -score(m, "connector", "betweenness"),
    )
    assert [m["member_id"] for m in connectors[:2]] == ["m00", "m33"]
    brokers = sorted(
        (m for m in karate["members"] if any(r["role"] == "broker" for r in m["roles"])),
        key=lambda m: score(m, "broker", "constraint"),
    )
    assert {m["member_id"] for m in brokers[:2]} == {"m00", "m33"}


def test_karate_subgroups_follow_the_split(karate: dict) -> None:
    """Leiden separates the two leaders (the club split between them)."""
    by_id = {m["member_id"]: m for m in karate["members"]}
    assert by_id["m00"]["evidence"]["subgroup"] != by_id["m33"]["evidence"]["subgroup"]


# --- Stack Exchange ---------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    return [dict(el.attrib) for el in ElementTree.parse(path).getroot()]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def se_store(site: Path, path: Path) -> tuple[Path, pd.Series]:
    """A store from a Stack Exchange dump; returns it and each member's reputation."""
    users = _rows(site / "Users.xml")
    posts = _rows(site / "Posts.xml")
    comments = _rows(site / "Comments.xml")
    rep = pd.Series({f"u{u['Id']}": int(u["Reputation"]) for u in users}, dtype=int)
    members_df = pd.DataFrame(  # noqa: F841 - read by DuckDB by name
        {
            "member_id": [f"u{u['Id']}" for u in users],
            "display_name": [u.get("DisplayName", u["Id"]) for u in users],
            "is_bot": [u["Id"] == "-1" for u in users],
            "joined_at": [_ts(u["CreationDate"]) for u in users],
            "first_seen": [None] * len(users),
            "source_roles": [None] * len(users),
        }
    )
    author: dict[str, str] = {}
    thread: dict[str, str] = {}
    acts: list[tuple] = []
    inter: list[tuple] = []
    for p in posts:
        if "OwnerUserId" not in p or p["PostTypeId"] not in ("1", "2"):
            continue
        pid, who, when = f"p{p['Id']}", f"u{p['OwnerUserId']}", _ts(p["CreationDate"])
        author[pid] = who
        if p["PostTypeId"] == "1":
            thread[pid] = pid
            acts.append((pid, "stackexchange", "site", pid, None, who, when, "post", True))
    for p in posts:
        if "OwnerUserId" not in p or p["PostTypeId"] != "2":
            continue
        pid, parent = f"p{p['Id']}", f"p{p['ParentId']}"
        if parent not in thread:
            continue
        who, when = author[pid], _ts(p["CreationDate"])
        thread[pid] = parent
        acts.append((pid, "stackexchange", "site", parent, parent, who, when, "answer", False))
        if author[parent] != who:
            inter.append((who, author[parent], pid, "answer", when))
    for p in posts:
        acc = p.get("AcceptedAnswerId")
        if acc and f"p{acc}" in author and f"p{p['Id']}" in author:
            asker, answerer = author[f"p{p['Id']}"], author[f"p{acc}"]
            if asker != answerer:
                inter.append((asker, answerer, f"p{acc}", "accept", _ts(p["CreationDate"])))
    for c in comments:
        parent = f"p{c['PostId']}"
        if "UserId" not in c or parent not in thread:
            continue
        cid, who, when = f"c{c['Id']}", f"u{c['UserId']}", _ts(c["CreationDate"])
        acts.append(
            (cid, "stackexchange", "site", thread[parent], parent, who, when, "comment", False)
        )
        if author[parent] != who:
            inter.append((who, author[parent], cid, "reply", when))
    acts_df = pd.DataFrame(  # read by DuckDB by name
        acts,
        columns=["activity_id", "source", "space_id", "thread_id", "parent_id", "actor_id"]
        + ["created_at", "kind", "is_question"],
    )
    acts_df["length"], acts_df["text"] = 0, None
    inter_df = pd.DataFrame(  # noqa: F841 - read by DuckDB by name
        inter, columns=["from_member", "to_member", "activity_id", "kind", "created_at"]
    )
    con = duckdb.connect(str(path))
    con.execute(schema.DDL)
    con.execute("INSERT INTO members SELECT * FROM members_df")
    con.execute(
        "INSERT INTO spaces VALUES ('site', 'stackexchange', ?, ?, 'site', NULL)",
        [site.name, site.name],
    )
    con.execute("INSERT INTO activities SELECT * FROM acts_df")
    con.execute(
        "INSERT INTO interactions SELECT 'i-' || row_number() OVER () AS interaction_id, *"
        " FROM inter_df"
    )
    con.close()
    return path, rep


def spearman(x: pd.Series, y: pd.Series) -> float:
    """Spearman rank correlation (Pearson on average ranks)."""
    return float(np.corrcoef(x.rank(), y.rank())[0, 1])


def roc_auc(score: pd.Series, positive: pd.Series) -> float:
    """ROC AUC (Mann-Whitney): chance that a positive outranks a negative, ties count half."""
    ranks = score.rank()
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


SITES = {
    # site: (min Spearman rho, min AUC of the level, min AUC of "core") -- see validation.md.
    # A main site: reputation is earned there, so engagement should track it closely.
    "se-ai-2017": (0.5, 0.85, 0.8),
    # Meta sites: reputation is earned on the main site, not on meta; weaker but positive.
    "se-bicycles-meta": (0.35, 0.75, 0.65),
    "se-beer-meta": (0.15, 0.6, 0.6),
}


@pytest.mark.slow
@pytest.mark.parametrize("site", SITES)
def test_stack_exchange_engagement_tracks_reputation(site: str, tmp_path: Path) -> None:
    folder = DATASETS / site
    if not (folder / "Posts.xml").is_file():
        pytest.skip(f"{folder} absent (the shared datasets sit beside the repository)")
    store, rep = se_store(folder, tmp_path / "se.duckdb")
    doc = analyze(store).to_json()
    active = pd.DataFrame(
        [
            {
                "rep": rep.get(m["member_id"], 1),
                "activities": m["activities"],
                "level": LEVEL_RANK[m["level"]],
                "core": m["level"] == "core",
            }
            for m in doc["members"]
            if m["level"] != "lurker"
        ]
    )
    top = active["rep"] >= active["rep"].quantile(0.9)
    rho = spearman(active["activities"], active["rep"])
    auc_core = roc_auc(active["core"].astype(float), top)
    auc_level = roc_auc(active["level"].astype(float), top)
    print(
        f"{site}: n={len(active)} rho={rho:.3f} auc_core={auc_core:.3f} auc_level={auc_level:.3f}"
    )
    min_rho, min_level, min_core = SITES[site]
    assert rho > min_rho
    assert auc_level > min_level
    assert auc_core > min_core
