"""Reciprocity of help ties computed with pandas, against igraph's on random networks."""

from __future__ import annotations

from types import SimpleNamespace

import igraph as ig
import numpy as np
import pandas as pd
import pytest

from copkit.community.analysis.flows import reciprocity


@pytest.mark.parametrize("seed", range(4))
def test_reciprocity_equals_igraphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    src, dst = rng.integers(0, n, size=300), rng.integers(0, n, size=300)
    h = (
        pd.DataFrame({"src": [f"m{i}" for i in src], "dst": [f"m{i}" for i in dst], "weight": 1})
        .groupby(["src", "dst"], as_index=False)["weight"]
        .sum()
    )
    g = ig.Graph.DataFrame(h, directed=True, use_vids=False)
    expected = g.reciprocity(ignore_loops=True, mode="default")
    assert reciprocity(SimpleNamespace(help=h)) == pytest.approx(expected)  # type: ignore[arg-type]
