"""Benchmark: the full copkit analysis against a straightforward pandas + networkx baseline.

Generates synthetic communities (``copkit.community.synthetic``: heavy-tailed activity, a
core and a periphery, threads, several spaces, bots and lurkers), then times, each in a fresh
process so that peak memory (max RSS) is the run's own:

- ``copkit``: ``copkit.community.analysis.analyze(store).to_json()``;
- ``baseline``: the same main measures written the obvious way: the tables loaded into
  pandas, group-bys for counts, levels and time to first response, networkx for k-cores,
  sampled betweenness, Burt's constraint and Louvain subgroups (networkx has no Leiden).

Usage::

    python benchmarks/analysis.py --sizes 1000000 10000000 --baseline-sizes 1000000 \\
        --workdir benchmarks/data --timeout 1800
    python benchmarks/analysis.py --run stages --store benchmarks/data/community-1000000.duckdb

networkx is needed for the baseline only (``pip install networkx``); it is not a dependency
of copkit. Results are printed as a Markdown table (see docs/performance.md, Analysis).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SAMPLE = 256  # betweenness sources, as copkit's estimate


def _peak_mib() -> float:
    """Peak resident memory of this process plus that of its largest child (copkit forks one
    for betweenness and constraint): an upper bound, as the pages they share count twice."""
    return _own_peak_mib() + _child_peak_mib()


def _own_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_copkit(store: Path) -> dict[str, Any]:
    from copkit.community.analysis import analyze

    start = time.perf_counter()
    doc = analyze(store).to_json()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "peak_mib": _peak_mib(),
        "own_peak_mib": _own_peak_mib(),
        "child_peak_mib": _child_peak_mib(),
        "members": doc["summary"]["active_members"],
        "core": doc["levels"]["counts"]["core"],
    }


def run_stages(store: Path) -> dict[str, Any]:
    """The stages of ``analyze()`` one after the other in this process, each timed (seconds).

    Betweenness and constraint run in this process here, not overlapped in a child as in
    ``analyze()``, so that each stage's own cost shows.
    """
    from datetime import UTC, datetime

    from copkit.community.analysis import data, flows, levels, result, roles
    from copkit.community.analysis.model import Undefined
    from copkit.community.analysis.trajectories import level_transitions, trajectories
    from copkit.community.errors import UndefinedMeasureError

    times: dict[str, float] = {}
    start = last = time.perf_counter()

    def tick(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[name] = round(now - last, 2)
        last = now

    d = data.load_community(store)
    tick("load_community")
    graph = levels.reply_graph(d)
    tick("reply_graph")
    lv = levels.participation_levels(d, graph)
    tick("participation_levels")
    groups = flows.subgroups(d, graph)
    tick("subgroups")
    scores = roles.brokerage(graph)
    tick("brokerage")
    rs = roles.member_roles(d, graph, groups.membership, scores)
    tick("member_roles")
    spanners = {m for m, r in rs.items() if any(x.role == "boundary_spanner" for x in r)}
    pl = levels.period_levels(d)
    trajs = trajectories(pl, d.periods, spanners)
    moves = tuple(level_transitions(pl, d.periods))
    tick("period_levels_trajectories_transitions")
    try:
        recip: float | Undefined = flows.reciprocity(d)
    except UndefinedMeasureError as exc:
        recip = Undefined.of(exc)
    res = result.AnalysisResult(
        data=d,
        generated_at=datetime.now(tz=UTC),
        levels=lv,
        roles=rs,
        trajectories=trajs,
        period_levels=pl,
        transitions=moves,
        response_times=flows.time_to_first_response(d),
        help_network=flows.help_network(d, {m.member_id: m.level for m in lv.members}),
        concentration=flows.answer_concentration(d),
        reciprocity=recip,
        newcomers=flows.newcomer_experience(d),
        subgroups=groups,
        space_flows=flows.space_flows(d),
        help_given=flows.help_given(d),
    )
    tick("flows")
    res.to_json()
    tick("to_json")
    return {"seconds": time.perf_counter() - start, "peak_mib": _peak_mib(), "stages": times}


def run_baseline(store: Path) -> dict[str, Any]:
    import duckdb
    import networkx as nx
    import numpy as np

    start = time.perf_counter()
    con = duckdb.connect(str(store), read_only=True)
    members = con.execute("SELECT * FROM members").df()
    acts = con.execute("SELECT * FROM activities").df()
    inter = con.execute("SELECT * FROM interactions").df()
    con.close()
    bots = set(members.loc[members["is_bot"], "member_id"])
    acts = acts[acts["kind"].isin(["post", "reply", "answer", "comment"])]
    acts = acts[~acts["actor_id"].isin(bots)]
    inter = inter[~inter["from_member"].isin(bots) & ~inter["to_member"].isin(bots)]
    # levels by activity share (rank percentile and the 80/95 % onion)
    counts = acts.groupby("actor_id").size().sort_values(ascending=False)
    cum = counts.cumsum().shift(fill_value=0) / counts.sum()
    pct = counts.rank(method="min", ascending=False) / len(counts)
    core = ((pct <= 0.15) & (cum < 0.8)).sum()
    # per-period levels
    acts["period"] = acts["created_at"].dt.strftime("%Y-%m")
    per = acts.groupby(["actor_id", "period"]).size()
    per.groupby(level="period").rank(method="min", ascending=False)
    # time to first response
    roots = acts[acts["kind"] == "post"][["activity_id", "actor_id", "created_at"]]
    resp = acts[acts["kind"] != "post"].merge(
        roots, left_on="thread_id", right_on="activity_id", suffixes=("", "_root")
    )
    resp = resp[resp["actor_id"] != resp["actor_id_root"]]
    first = resp.groupby("thread_id", as_index=False)["created_at"].min()
    both = roots.merge(first, left_on="activity_id", right_on="thread_id", how="left")
    ttfr = (both["created_at_y"] - both["created_at_x"]).dt.total_seconds() / 3600
    float(np.nanmedian(ttfr.to_numpy(dtype=float)))
    # help ties and the reply graph
    ties = inter[inter["kind"].isin(["reply", "answer"])]
    ties = ties[ties["from_member"] != ties["to_member"]]
    weights = ties.groupby(["from_member", "to_member"]).size()
    g = nx.Graph()
    for (a, b), w in weights.items():
        if g.has_edge(a, b):
            g[a][b]["weight"] += int(w)
        else:
            g.add_edge(a, b, weight=int(w))
    nx.core_number(g)
    nx.betweenness_centrality(g, k=min(SAMPLE, g.number_of_nodes()), seed=0)
    nx.constraint(g, weight="weight")
    communities = nx.community.louvain_communities(g, weight="weight", seed=42)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mib": _peak_mib(),
        "members": int(len(counts)),
        "core": int(core),
        "subgroups": len(communities),
    }


def _child(kind: str, store: Path, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--run", kind, "--store", str(store)]
    try:
        done = subprocess.run(  # noqa: S603 - our own script
            cmd, capture_output=True, text=True, timeout=timeout, check=True
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mib": None, "note": f"did not finish in {timeout:.0f} s"}
    except subprocess.CalledProcessError as exc:
        return {"seconds": None, "peak_mib": None, "note": exc.stderr.strip().splitlines()[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--baseline-sizes", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("benchmarks/data"))
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--run", choices=["copkit", "baseline", "stages"])
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()
    if args.run:
        runner = {"copkit": run_copkit, "baseline": run_baseline, "stages": run_stages}[args.run]
        print(json.dumps(runner(args.store)))
        return

    from copkit.community.synthetic import generate_store

    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        store = args.workdir / f"community-{size}.duckdb"
        if not store.exists():
            t = time.perf_counter()
            generate_store(store, members=max(100, size // 50), activities=size, months=24, seed=1)
            print(f"generated {size:,} activities in {time.perf_counter() - t:.0f} s", flush=True)
        ours = _child("copkit", store, args.timeout)
        print(f"copkit   {size:>11,}: {ours}", flush=True)
        base = (
            _child("baseline", store, args.timeout)
            if size in args.baseline_sizes
            else {"seconds": None, "note": "not run"}
        )
        if size in args.baseline_sizes:
            print(f"baseline {size:>11,}: {base}", flush=True)
        rows.append((size, ours, base))
    print(
        "\n| activities | copkit s | copkit peak MiB | baseline s | baseline peak MiB | speed-up |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, ours, base in rows:
        speed = (
            f"{base['seconds'] / ours['seconds']:.1f}x"
            if ours.get("seconds") and base.get("seconds")
            else base.get("note", "-")
        )
        print(
            f"| {size:,} | {_fmt(ours.get('seconds'))} | {_fmt(ours.get('peak_mib'))} "
            f"| {_fmt(base.get('seconds'))} | {_fmt(base.get('peak_mib'))} | {speed} |"
        )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


if __name__ == "__main__":
    main()
