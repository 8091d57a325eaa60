"""Brokerage measures: exact on small graphs, estimated on large ones, against igraph."""

from __future__ import annotations

import multiprocessing as mp

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from copkit.community.analysis.roles import (
    APPROXIMATE_ABOVE,
    brokerage,
    brokerage_started,
    burt_constraint,
)


def named(g: ig.Graph) -> ig.Graph:
    g.vs["name"] = [f"m{i}" for i in range(g.vcount())]
    g.es["weight"] = [1] * g.ecount()
    return g


def test_small_graphs_are_exact() -> None:
    g = named(ig.Graph.Famous("Zachary"))
    b = brokerage(g)
    assert b["betweenness"].tolist() == g.betweenness()
    assert np.allclose(b["constraint"], g.constraint(weights="weight"))
    assert b.loc["m0", "degree"] == 16


@pytest.mark.slow
def test_large_graphs_find_the_same_lowest_constraint_and_top_betweenness() -> None:
    g = named(ig.Graph.Barabasi(APPROXIMATE_ABOVE + 500, 3))
    b = brokerage(g)
    exact = pd.Series(g.constraint(weights="weight"), index=g.vs["name"])
    wide = exact[np.asarray(g.degree()) >= 3]
    k = len(wide) // 10
    assert set(b["constraint"].dropna().nsmallest(k).index) == set(wide.nsmallest(k).index)
    true_top = set(pd.Series(g.betweenness(), index=g.vs["name"]).nlargest(10).index)
    estimated_top = set(b["betweenness"].nlargest(20).index)
    assert len(true_top & estimated_top) >= 8


@pytest.mark.parametrize("seed", range(3))
def test_numpy_constraint_equals_igraph_on_weighted_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = ig.Graph.Barabasi(600, 4)
    g.simplify()
    g.add_vertices(1)  # a member without ties: undefined, NaN in both
    g.es["weight"] = rng.integers(1, 20, size=g.ecount()).tolist()
    ours = burt_constraint(g, rng.permutation(g.vcount()))
    theirs = np.asarray(g.constraint(weights="weight"))
    order = rng.permutation(g.vcount())
    assert np.allclose(burt_constraint(g, order), theirs[order], equal_nan=True)
    assert np.isnan(ours).sum() == 1


def test_brokerage_started_in_a_child_equals_brokerage() -> None:
    g = named(ig.Graph.Barabasi(APPROXIMATE_ABOVE + 300, 2))
    wait = brokerage_started(g)
    pd.testing.assert_frame_equal(wait(), brokerage(g))
    small = named(ig.Graph.Famous("Zachary"))
    pd.testing.assert_frame_equal(brokerage_started(small)(), brokerage(small))


def test_an_error_in_the_child_is_raised_by_the_caller() -> None:
    g = ig.Graph.Barabasi(APPROXIMATE_ABOVE + 300, 2)
    g.vs["name"] = [f"m{i}" for i in range(g.vcount())]  # no edge weights: constraint fails
    with pytest.raises(KeyError):
        brokerage_started(g)()


def _in_a_daemon(queue: mp.Queue[bool]) -> None:  # pragma: no cover - in the child
    g = named(ig.Graph.Barabasi(APPROXIMATE_ABOVE + 300, 2))
    queue.put(bool(brokerage_started(g)().equals(brokerage(g))))


def test_a_daemon_process_computes_brokerage_itself() -> None:
    """A daemon may not start children: brokerage_started must not try to fork there."""
    context = mp.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_a_daemon, args=(queue,), daemon=True)
    child.start()
    assert queue.get(timeout=60) is True
    child.join()
