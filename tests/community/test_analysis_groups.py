"""Subgroups a member reaches (the boundary-spanner rule), counted on the reply graph."""

from __future__ import annotations

import igraph as ig

from copkit.community.analysis.roles import _groups_touched


def test_subgroups_reached_count_own_and_neighbours_groups_once() -> None:
    g = ig.Graph(n=5, edges=[(0, 1), (0, 2), (0, 3), (1, 2), (3, 4)])
    g.vs["name"] = ["a", "b", "c", "d", "e"]
    membership = {"a": 0, "b": 0, "c": 1, "d": 2, "e": 2}
    got = _groups_touched(g, membership).to_dict()
    assert got == {"a": 3, "b": 2, "c": 2, "d": 2, "e": 1}


def test_a_member_without_a_subgroup_counts_the_subgroups_it_reaches() -> None:
    g = ig.Graph(n=3, edges=[(0, 1), (1, 2)])
    g.vs["name"] = ["a", "b", "c"]
    got = _groups_touched(g, {"a": 0, "b": 1}).to_dict()
    assert got == {"a": 2, "b": 2, "c": 1}  # c reaches b's subgroup, has none of its own
