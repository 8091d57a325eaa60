"""Participation levels: an activity view, a network view, and where they disagree.

The activity view ranks members by their contributions in the window; the network view
places them by k-core coreness on the undirected reply graph. Both map to the
Wenger-Trayner levels. Thresholds are module constants, quoted in every result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import igraph as ig
import numpy as np
import pandas as pd

from copkit.community.analysis.data import CommunityData
from copkit.community.analysis.model import LEVEL_RANK, LEVELS

__all__ = [
    "ACTIVE_SHARE",
    "ACTIVITY_RULE",
    "CORE_SHARE",
    "NETWORK_RULE",
    "ONION_CORE",
    "ONION_REGULAR",
    "MemberLevel",
    "ParticipationLevels",
    "activity_levels",
    "network_levels",
    "onion",
    "participation_levels",
    "period_levels",
    "reply_graph",
]

CORE_SHARE: Final = 0.15
"""Core: at most the top 15 % of active members (Wenger, McDermott & Snyder 2002: ~10-15 %)."""
ACTIVE_SHARE: Final = 0.35
"""Active: up to the top 35 % (the core plus another ~15-20 %, as in the 2002 book)."""
ONION_CORE: Final = 0.80
ONION_REGULAR: Final = 0.95
"""GrimoireLab's onion: core makes the first 80 % of activity, regular up to 95 %."""

ACTIVITY_RULE: Final = (
    "Active members are ranked by contributions in the window (rank percentile = (number of "
    "members with strictly more contributions + 1) / active members). core: rank percentile "
    f"<= {CORE_SHARE:.0%} and in the onion core (members with more contributions make less "
    f"than {ONION_CORE:.0%} of all contributions); active: rank percentile <= "
    f"{ACTIVE_SHARE:.0%} and in the onion core or regular ring (< {ONION_REGULAR:.0%}); "
    "occasional: contributed in 2 or more periods; transactional: every contribution in a "
    "single thread; peripheral: the rest. lurker: a known member with no contribution. "
    "Per period the same rule is applied to the period's contributions, with occasional = "
    "2 or more threads in the period and peripheral = one thread."
)
NETWORK_RULE: Final = (
    "k-core coreness k on the undirected reply graph (replies and answers between members, "
    "each pair counted once), kmax the largest k: core: k = kmax (kmax >= 2); active: k >= "
    "max(2, ceil(kmax / 2)); occasional: k >= 2; peripheral: k = 1; transactional: no reply "
    "ties (k = 0)."
)


@dataclass(frozen=True, slots=True)
class MemberLevel:
    """One member's level with both views and the numbers behind them."""

    member_id: str
    level: str
    activity_level: str
    network_level: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParticipationLevels:
    """Levels of every member (active members first, then lurkers)."""

    members: tuple[MemberLevel, ...]
    counts: dict[str, int]
    onion: dict[str, int]
    disagreements: tuple[MemberLevel, ...]
    activity_rule: str = ACTIVITY_RULE
    network_rule: str = NETWORK_RULE

    def by_member(self) -> dict[str, MemberLevel]:
        """The levels keyed by member id."""
        return {m.member_id: m for m in self.members}


def onion(contributions: pd.Series) -> pd.Series:
    """GrimoireLab's onion ring of each member: ``core``, ``regular`` or ``casual``.

    A member is in the core when the members with strictly more contributions make less
    than 80 % of all contributions, regular when they make less than 95 %; ties share a ring.

    Examples
    --------
    >>> import pandas as pd
    >>> onion(pd.Series({"a": 8, "b": 1, "c": 1})).to_dict()
    {'a': 'core', 'b': 'regular', 'c': 'regular'}
    """
    total = float(contributions.sum())
    if total <= 0:
        return pd.Series("casual", index=contributions.index, dtype=object)
    above = _strictly_above_sum(contributions) / total
    return pd.Series(
        np.where(above < ONION_CORE, "core", np.where(above < ONION_REGULAR, "regular", "casual")),
        index=contributions.index,
        dtype=object,
    )


def _strictly_above_sum(values: pd.Series) -> pd.Series:
    """For each value, the sum of the values strictly greater than it."""
    order = np.sort(values.to_numpy())[::-1]
    cum = np.concatenate([[0], np.cumsum(order)])
    # number of values strictly greater = index of first occurrence in descending order
    greater = len(order) - np.searchsorted(order[::-1], values.to_numpy(), side="right")
    return pd.Series(cum[greater], index=values.index, dtype=float)


def _rank_percentile(values: pd.Series) -> pd.Series:
    n = len(values)
    sorted_desc = np.sort(values.to_numpy())[::-1]
    greater = n - np.searchsorted(sorted_desc[::-1], values.to_numpy(), side="right")
    return pd.Series((greater + 1) / n, index=values.index, dtype=float)


def activity_levels(
    contributions: pd.Series, threads: pd.Series, periods: pd.Series | None
) -> pd.DataFrame:
    """The activity view: a level per member from contributions, threads and periods.

    ``periods`` is the number of periods each member contributed in, or ``None`` for the
    per-period rule (occasional = two or more threads). Returns columns ``level``,
    ``rank_percentile``, ``onion`` and ``share`` (of all contributions).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.Series({"a": 20, "b": 5, "c": 2, "d": 1, "e": 1, "f": 1, "g": 1})
    >>> t = pd.Series({"a": 9, "b": 4, "c": 2, "d": 2, "e": 1, "f": 1, "g": 1})
    >>> p = pd.Series({"a": 3, "b": 2, "c": 2, "d": 1, "e": 1, "f": 1, "g": 1})
    >>> activity_levels(c, t, p)["level"].tolist()[:5]
    ['core', 'active', 'occasional', 'peripheral', 'transactional']
    """
    if contributions.empty:
        return pd.DataFrame(
            columns=["level", "rank_percentile", "onion", "share"], index=contributions.index
        )
    pct = _rank_percentile(contributions)
    ring = onion(contributions)
    multi_thread = threads.reindex(contributions.index).fillna(1) >= 2
    if periods is None:
        rest = np.where(multi_thread, "occasional", "peripheral")
    else:
        several = periods.reindex(contributions.index).fillna(1) >= 2
        rest = np.where(
            several, "occasional", np.where(multi_thread, "peripheral", "transactional")
        )
    level = np.where(
        (pct <= CORE_SHARE) & (ring == "core"),
        "core",
        np.where((pct <= ACTIVE_SHARE) & (ring != "casual"), "active", rest),
    )
    return pd.DataFrame(
        {
            "level": level,
            "rank_percentile": pct,
            "onion": ring,
            "share": contributions / float(contributions.sum()),
        },
        index=contributions.index,
    )


def reply_graph(data: CommunityData) -> ig.Graph:
    """The undirected reply graph of active members (vertex attribute ``name``, edge ``weight``).

    Vertices are the members with a reply tie, in the order of their ids; an edge joins two
    members who replied to each other in either direction, weighted by the number of replies.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> ties = pd.DataFrame({"src": ["b", "a", "c"], "dst": ["a", "b", "a"], "weight": [2, 1, 4]})
    >>> g = reply_graph(SimpleNamespace(ties=ties))
    >>> g.vs["name"], sorted((g.vs[e.source]["name"], g.vs[e.target]["name"], e["weight"])
    ...                      for e in g.es)
    (['a', 'b', 'c'], [('a', 'b', 3), ('a', 'c', 4)])
    """
    ties = data.ties
    if ties.empty:
        g = ig.Graph()
        g.vs["name"] = []
        return g
    n = len(ties)
    codes, names = pd.factorize(pd.concat([ties["src"], ties["dst"]], ignore_index=True), sort=True)
    lo = np.minimum(codes[:n], codes[n:]).astype(np.int64)
    hi = np.maximum(codes[:n], codes[n:]).astype(np.int64)
    pairs, which = np.unique(lo * len(names) + hi, return_inverse=True)
    weight = np.bincount(which, weights=ties["weight"].to_numpy(dtype=np.float64))
    edges = np.column_stack([pairs // len(names), pairs % len(names)])
    g = ig.Graph(n=len(names), edges=edges.tolist(), directed=False)
    g.vs["name"] = [str(m) for m in names]
    g.es["weight"] = np.rint(weight).astype(np.int64).tolist()
    return g


def network_levels(graph: ig.Graph, members: pd.Index) -> pd.DataFrame:
    """The network view: k-core coreness mapped to a level (see :data:`NETWORK_RULE`).

    Examples
    --------
    >>> import igraph as ig, pandas as pd
    >>> g = ig.Graph.Famous("Zachary"); g.vs["name"] = [str(i) for i in range(34)]
    >>> lv = network_levels(g, pd.Index([str(i) for i in range(34)]))
    >>> lv.loc[["0", "33", "11"], "level"].tolist()
    ['core', 'core', 'peripheral']
    """
    k = pd.Series(0, index=members, dtype=int)
    if graph.vcount():
        cores = pd.Series(graph.coreness(), index=graph.vs["name"], dtype=int)
        k.update(cores.reindex(members).dropna().astype(int))
    kmax = int(k.max()) if len(k) else 0
    half = max(2, math.ceil(kmax / 2))
    level = np.where(
        (k == kmax) & (kmax >= 2),
        "core",
        np.where(
            k >= half,
            "active",
            np.where(k >= 2, "occasional", np.where(k == 1, "peripheral", "transactional")),
        ),
    )
    return pd.DataFrame({"level": level, "coreness": k}, index=members)


def period_levels(data: CommunityData) -> pd.DataFrame:
    """Each member's level in each period they contributed in (columns member_id, period, level)."""
    mp = data.member_period
    if mp.empty:
        return pd.DataFrame(columns=["member_id", "period", "level"])
    parts = []
    for period, grp in mp.groupby("period", sort=True):
        counts = grp.set_index("member_id")["n"]
        threads = grp.set_index("member_id")["threads"]
        lv = activity_levels(counts, threads, None)
        parts.append(pd.DataFrame({"member_id": lv.index, "period": period, "level": lv["level"]}))
    return pd.concat(parts, ignore_index=True)


def participation_levels(data: CommunityData, graph: ig.Graph | None = None) -> ParticipationLevels:
    """Participation level of every member, from activity share and network coreness.

    The member's ``level`` is the activity view; the network view is given beside it and
    the members on whom the two views differ by two levels or more are listed.

    Parameters
    ----------
    data : CommunityData
        The aggregated store (:func:`~copkit.community.analysis.data.load_community`).
    graph : igraph.Graph, optional
        The reply graph, if already built (:func:`reply_graph`).

    Returns
    -------
    ParticipationLevels
        Levels, counts per level, the GrimoireLab onion counts and the disagreements.

    References
    ----------
    Wenger-Trayner, E. & B., Levels of participation; Wenger, McDermott & Snyder (2002) for
    the proportions; GrimoireLab's onion for the 80/95 % cut; Seidman (1983) for k-cores.

    Examples
    --------
    See ``tests/community/test_analysis_levels.py`` for hand-computed communities.
    """
    stats = data.stats
    graph = graph if graph is not None else reply_graph(data)
    act = activity_levels(stats["contributions"], stats["threads"], stats["periods"])
    net = network_levels(graph, stats.index)
    members: list[MemberLevel] = []
    disagreements: list[MemberLevel] = []
    table = pd.DataFrame(
        {
            "member_id": stats.index.astype(object),
            "contributions": stats["contributions"].to_numpy(),
            "threads": stats["threads"].to_numpy(),
            "periods": stats["periods"].to_numpy(),
            "a": act["level"].to_numpy(),
            "share": act["share"].to_numpy(),
            "pct": act["rank_percentile"].to_numpy(),
            "onion": act["onion"].to_numpy(),
            "n": net["level"].to_numpy(),
            "k": net["coreness"].to_numpy(),
        }
    ).sort_values(["contributions", "member_id"], ascending=[False, True])
    columns = ["member_id", "a", "n", "contributions", "share", "pct", "onion", "k"]
    rows = zip(*(table[c].tolist() for c in [*columns, "threads", "periods"]), strict=True)
    for mid, a, n, contributions, share, pct, ring, k, threads, periods in rows:
        ml = MemberLevel(
            member_id=str(mid),
            level=a,
            activity_level=a,
            network_level=n,
            evidence={
                "contributions": contributions,
                "activity_share": round(share, 6),
                "rank_percentile": round(pct, 6),
                "onion": ring,
                "coreness": k,
                "threads": threads,
                "periods_active": periods,
            },
        )
        members.append(ml)
        if abs(LEVEL_RANK[a] - LEVEL_RANK[n]) >= 2:
            disagreements.append(ml)
    lurkers = data.members.index.difference(stats.index)
    for mid in sorted(lurkers):
        members.append(MemberLevel(str(mid), "lurker", "lurker", "lurker", {"contributions": 0}))
    counts = {lv: 0 for lv in LEVELS}
    for m in members:
        counts[m.level] += 1
    rings = act["onion"].value_counts() if len(act) else pd.Series(dtype=int)
    return ParticipationLevels(
        members=tuple(members),
        counts=counts,
        onion={r: int(rings.get(r, 0)) for r in ("core", "regular", "casual")},
        disagreements=tuple(disagreements),
    )
