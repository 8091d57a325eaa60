"""Knowledge flows: response times, the help network, concentration, reciprocity,
newcomers, subgroups and the flows between subgroups and spaces."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Final

import igraph as ig
import numpy as np
import numpy.typing as npt
import pandas as pd

from copkit.community.analysis.data import CommunityData
from copkit.community.analysis.model import Number, Undefined
from copkit.community.errors import UndefinedMeasureError

__all__ = [
    "ABSENCE_FACTOR_RULE",
    "LEIDEN_ITERATIONS",
    "LEIDEN_RESOLUTION",
    "SUBGROUPS_LISTED",
    "Concentration",
    "HelpNetwork",
    "NewcomerExperience",
    "ResponseStats",
    "ResponseTimes",
    "Subgroup",
    "Subgroups",
    "absence_factor",
    "answer_concentration",
    "gini",
    "help_network",
    "leiden_membership",
    "newcomer_experience",
    "reciprocity",
    "response_stats",
    "space_flows",
    "subgroups",
    "time_to_first_response",
]

ABSENCE_FACTOR_RULE: Final = (
    "CHAOSS Contributor Absence Factor: the smallest number of members who together gave at "
    "least 50 % of all help (replies and answers to the author of a thread started by someone "
    "else), members sorted by help given, most first."
)
LEIDEN_RESOLUTION: Final = 1.0
"""Resolution of the modularity Leiden maximises (1 = Newman-Girvan modularity)."""
LEIDEN_ITERATIONS: Final = 5
"""Leiden iterations: on the 1 M benchmark community five reach a higher weighted modularity
(0.0254) than leidenalg's default two did (0.0253); iterating until stable gains 1 % more
(0.0256) at twenty times the cost on 10 M activities."""
SUBGROUPS_LISTED: Final = 30
"""Subgroups listed in a result (largest first); flows are counted among these."""
_HOUR: Final = 3600.0


@dataclass(frozen=True, slots=True)
class ResponseStats:
    """Time to first response over a set of threads; unanswered threads are never dropped."""

    threads: int
    answered: int
    unanswered: int
    unanswered_share: Number
    median_hours: Number
    mean_hours: Number
    p90_hours: Number


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Time to first response overall, by space and by period."""

    overall: ResponseStats
    by_space: tuple[tuple[str, str, ResponseStats], ...]
    by_period: tuple[tuple[str, ResponseStats], ...]


def response_stats(hours: pd.Series) -> ResponseStats:
    """Summarise first-response times in hours (NaN = unanswered).

    The p90 interpolates linearly between order statistics (numpy's default).

    Examples
    --------
    >>> import pandas as pd
    >>> s = response_stats(pd.Series([1.0, 2.0, 6.0, float("nan")]))
    >>> (s.threads, s.answered, s.unanswered_share, s.median_hours, s.mean_hours)
    (4, 3, 0.25, 2.0, 3.0)
    >>> response_stats(pd.Series([float("nan")])).median_hours
    Undefined(reason='no thread got a response from someone other than its author')
    """
    n = len(hours)
    answered = hours.dropna().to_numpy(dtype=float)
    if n == 0:
        none = Undefined("no thread started in the window")
        return ResponseStats(0, 0, 0, none, none, none, none)
    share = (n - len(answered)) / n
    if len(answered) == 0:
        no = Undefined("no thread got a response from someone other than its author")
        return ResponseStats(n, 0, n, share, no, no, no)
    return ResponseStats(
        threads=n,
        answered=len(answered),
        unanswered=n - len(answered),
        unanswered_share=share,
        median_hours=float(np.median(answered)),
        mean_hours=float(np.mean(answered)),
        p90_hours=float(np.percentile(answered, 90)),
    )


def time_to_first_response(data: CommunityData) -> ResponseTimes:
    """Time from each thread's start to the first reply by someone other than its author.

    Bots are excluded (with the default options) and unanswered threads stay in the
    denominator: the unanswered share is always reported beside median, mean and p90.

    Parameters
    ----------
    data : CommunityData

    Returns
    -------
    ResponseTimes
        Overall, by space (spaces with threads, most threads first) and by period.

    References
    ----------
    CHAOSS, Time to First Response.
    """
    th = data.threads
    hours = (th["first_response_at"] - th["created_at"]).dt.total_seconds() / _HOUR
    by_space = []
    if not th.empty:
        sizes = th["space_id"].value_counts()
        for space_id in sizes.index:
            sel = th["space_id"] == space_id
            name = str(data.spaces["name"].get(space_id, space_id))
            by_space.append((str(space_id), name, response_stats(hours[sel])))
    by_period = [(p, response_stats(hours[th["period"] == p])) for p in data.periods]
    return ResponseTimes(response_stats(hours), tuple(by_space), tuple(by_period))


def help_given(data: CommunityData) -> pd.Series:
    """Help given by each active member (0 for members who gave none)."""
    given = data.help.groupby("src")["weight"].sum() if not data.help.empty else pd.Series()
    return given.reindex(data.stats.index).fillna(0).astype(int)


def absence_factor(values: pd.Series) -> int:
    """CHAOSS Contributor Absence Factor: fewest members with at least 50 % of the total.

    Raises
    ------
    UndefinedMeasureError
        If the total is zero.

    Examples
    --------
    >>> import pandas as pd
    >>> absence_factor(pd.Series([1000, 202, 90, 33, 332, 343, 42, 433]))
    2
    """
    total = float(values.sum())
    if total <= 0:
        raise UndefinedMeasureError("nobody gave any help in the window")
    cum = np.cumsum(np.sort(values.to_numpy(dtype=float))[::-1])
    return int(np.searchsorted(cum, total * 0.5, side="left") + 1)


def gini(values: pd.Series) -> float:
    """Gini coefficient of non-negative values (0 = equal; (n-1)/n = one holds everything).

    Raises
    ------
    UndefinedMeasureError
        If there are no values or their total is zero.

    Examples
    --------
    >>> import pandas as pd
    >>> gini(pd.Series([1, 1, 1, 1]))
    0.0
    >>> gini(pd.Series([0, 0, 0, 4]))
    0.75
    """
    x = np.sort(values.to_numpy(dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        raise UndefinedMeasureError("nobody gave any help in the window")
    i = np.arange(1, n + 1)
    return float((2.0 * np.sum(i * x)) / (n * x.sum()) - (n + 1.0) / n)


@dataclass(frozen=True, slots=True)
class Concentration:
    """How concentrated helping is."""

    absence_factor: int | Undefined
    gini: Number
    rule: str = ABSENCE_FACTOR_RULE


def answer_concentration(data: CommunityData) -> Concentration:
    """CHAOSS Contributor Absence Factor (50 %) and Gini of help given by active members.

    The Gini runs over every active member of the window, including those who helped
    nobody, so it says how few of the community carry the answering.

    References
    ----------
    CHAOSS, Contributor Absence Factor; Gini (1912).
    """
    given = help_given(data)
    try:
        caf: int | Undefined = absence_factor(given)
        g: Number = gini(given)
    except UndefinedMeasureError as exc:
        caf = g = Undefined.of(exc)
    return Concentration(caf, g)


def reciprocity(data: CommunityData) -> float:
    """Share of directed help ties (helper -> asker, each pair once) that are returned.

    Raises
    ------
    UndefinedMeasureError
        If there is no help tie.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> h = pd.DataFrame({"src": ["a", "b", "a", "c"], "dst": ["b", "a", "c", "c"]})
    >>> reciprocity(SimpleNamespace(help=h))  # a->b and b->a returned, a->c not; c->c ignored
    0.6666666666666666

    References
    ----------
    Wasserman & Faust (1994).
    """
    h = data.help
    pairs = h.loc[h["src"] != h["dst"], ["src", "dst"]].drop_duplicates()
    if pairs.empty:
        raise UndefinedMeasureError("no help ties in the window")
    ties = pd.MultiIndex.from_frame(pairs)
    back = pd.MultiIndex.from_arrays([pairs["dst"], pairs["src"]])
    return float(back.isin(ties).mean())


@dataclass(frozen=True, slots=True)
class HelpNetwork:
    """The help network among its top members: nodes and weighted edges answerer -> asker."""

    nodes: tuple[dict[str, Any], ...]
    edges: tuple[dict[str, Any], ...]


def help_network(data: CommunityData, levels: dict[str, str], top: int = 50) -> HelpNetwork:
    """The help network (answerer -> asker) restricted to the ``top`` members by help
    given plus help received, for display.

    References
    ----------
    Zhang, Ackerman & Adamic (2007), the help-seeking network.
    """
    h = data.help
    if h.empty:
        return HelpNetwork((), ())
    given = h.groupby("src")["weight"].sum()
    got = h.groupby("dst")["weight"].sum()
    both = given.add(got, fill_value=0).sort_values(ascending=False, kind="stable")
    keep = set(both.index[:top])
    names = data.members["display_name"]
    nodes = tuple(
        {
            "member_id": str(m),
            "display_name": str(names.get(m, m)),
            "answers_given": int(given.get(m, 0)),
            "questions_asked": int(data.stats["questions"].get(m, 0)),
            "level": levels.get(str(m), "lurker"),
        }
        for m in both.index[:top]
    )
    sub = h[h["src"].isin(keep) & h["dst"].isin(keep)]
    sub = sub.sort_values(["weight", "src", "dst"], ascending=[False, True, True])
    edges = tuple(
        {"from": str(r.src), "to": str(r.dst), "weight": int(r.weight)}
        for r in sub.itertuples(index=False)
    )
    return HelpNetwork(nodes, edges)


@dataclass(frozen=True, slots=True)
class NewcomerExperience:
    """How newcomers of the window were received and whether they came back."""

    count: int
    first_post_replied_share: Number
    median_hours_to_first_reply: Number
    returned_30d_share: Number
    returned_90d_share: Number


def newcomer_experience(data: CommunityData) -> NewcomerExperience:
    """Newcomers (first contribution ever in the window): share whose first contribution got
    a reply from someone else, median hours to it, and share who contributed again within
    30 and 90 days.

    A return share counts only newcomers observable for the whole 30 (90) days, i.e. whose
    first contribution is at least that long before the end of the window; it is undefined
    when there are none.

    References
    ----------
    Lave & Wenger (1991) on legitimate peripheral participation; CHAOSS, New Contributors.
    """
    nc = data.newcomers
    n = len(nc)
    if n == 0:
        none = Undefined("no newcomer in the window")
        return NewcomerExperience(0, none, none, none, none)
    replied = nc["first_reply_at"].notna()
    hours = (nc["first_reply_at"] - nc["first_at"]).dt.total_seconds()[replied] / _HOUR
    median: Number = (
        float(hours.median())
        if len(hours)
        else Undefined("no newcomer's first contribution got a reply")
    )
    return NewcomerExperience(
        count=n,
        first_post_replied_share=float(replied.mean()),
        median_hours_to_first_reply=median,
        returned_30d_share=_returned(data, 30),
        returned_90d_share=_returned(data, 90),
    )


def _returned(data: CommunityData, days: int) -> Number:
    nc = data.newcomers
    end = data.window_end
    horizon = pd.Timedelta(days=days)
    observable = nc[nc["first_at"] + horizon <= end] if end is not None else nc.iloc[0:0]
    if observable.empty:
        return Undefined(f"no newcomer can be followed for {days} days before the window ends")
    back = observable["next_at"].notna() & (
        observable["next_at"] - observable["first_at"] <= horizon
    )
    return float(back.mean())


@dataclass(frozen=True, slots=True)
class Subgroup:
    """One Leiden subgroup of the reply graph."""

    id: int
    size: int
    top_members: tuple[str, ...]
    internal_ties: int
    external_ties: int
    spaces: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Subgroups:
    """Subgroups (largest first, ids 0, 1, ...), each member's subgroup, and the help flowing
    between listed subgroups."""

    groups: tuple[Subgroup, ...]
    membership: dict[str, int]
    between: tuple[tuple[int, int, int], ...]
    modularity: Number


def leiden_membership(graph: ig.Graph, seed: int = 42) -> list[int]:
    """Leiden subgroup of each vertex of ``graph``: igraph's C implementation maximising
    weighted modularity (edge attribute ``weight``) at resolution :data:`LEIDEN_RESOLUTION`,
    :data:`LEIDEN_ITERATIONS` iterations; seeded, so the same graph always gives the same
    subgroups.

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1] * g.ecount()
    >>> m = leiden_membership(g)
    >>> m[0] != m[33], round(g.modularity(m), 2)
    (True, 0.42)
    """
    # A generator of its own: the seed decides, and the global random state is left alone.
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311 - not for secrets
    try:
        found = graph.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=LEIDEN_RESOLUTION,
            n_iterations=LEIDEN_ITERATIONS,
        )
    finally:
        ig.set_random_number_generator(random)
    return list(found.membership)


def subgroups(data: CommunityData, graph: ig.Graph, seed: int = 42) -> Subgroups:
    """Leiden subgroups (modularity, weighted by ties) of the undirected reply graph
    (:func:`leiden_membership`).

    Subgroups are numbered by size, largest first; the first :data:`SUBGROUPS_LISTED` are
    listed. ``between`` counts help ties (answerer -> asker) from one listed subgroup to
    another.

    References
    ----------
    Traag, Waltman & van Eck (2019), From Louvain to Leiden.
    """
    if graph.ecount() == 0:
        return Subgroups((), {}, (), Undefined("no reply ties in the window"))
    raw = np.asarray(leiden_membership(graph, seed))
    sizes = np.bincount(raw)
    order = sorted(range(len(sizes)), key=lambda c: (-sizes[c], c))
    renum = np.empty(len(sizes), dtype=int)
    renum[order] = np.arange(len(sizes))
    memb = renum[raw]
    names = graph.vs["name"]
    membership = {str(n): int(c) for n, c in zip(names, memb, strict=True)}
    strength = np.asarray(graph.strength(weights="weight"))
    el = np.asarray(graph.get_edgelist()) if graph.ecount() else np.empty((0, 2), int)
    w = np.asarray(graph.es["weight"])
    ca, cb = memb[el[:, 0]], memb[el[:, 1]]
    internal = np.bincount(ca[ca == cb], weights=w[ca == cb], minlength=len(sizes))
    external = np.bincount(ca[ca != cb], weights=w[ca != cb], minlength=len(sizes))
    external += np.bincount(cb[ca != cb], weights=w[ca != cb], minlength=len(sizes))
    group_of = pd.Series(memb, index=pd.Index([str(n) for n in names]))
    ms = data.member_space.assign(group=_lookup(group_of, data.member_space["member_id"]))
    ms = ms[ms["group"] >= 0]
    groups = []
    for c in range(min(len(sizes), SUBGROUPS_LISTED)):
        idx = np.flatnonzero(memb == c)
        top = idx[np.argsort(-strength[idx], kind="stable")][:5]
        sp = ms[ms["group"] == c].groupby("space_id")["n"].sum().sort_values(ascending=False)
        groups.append(
            Subgroup(
                id=c,
                size=int(len(idx)),
                top_members=tuple(str(names[i]) for i in top),
                internal_ties=int(internal[c]),
                external_ties=int(external[c]),
                spaces=tuple(str(data.spaces["name"].get(s, s)) for s in sp.index[:3]),
            )
        )
    between: tuple[tuple[int, int, int], ...] = ()
    if not data.help.empty:
        h = data.help.assign(
            a=_lookup(group_of, data.help["src"]), b=_lookup(group_of, data.help["dst"])
        )
        listed = (h["a"] >= 0) & (h["b"] >= 0)
        listed &= (h["a"] < SUBGROUPS_LISTED) & (h["b"] < SUBGROUPS_LISTED)
        h = h[listed & (h["a"] != h["b"])]
        agg = h.groupby(["a", "b"])["weight"].sum().sort_values(ascending=False)
        between = tuple((int(a), int(b), int(v)) for (a, b), v in agg.items())
    quality = graph.modularity(raw.tolist(), weights="weight", resolution=LEIDEN_RESOLUTION)
    return Subgroups(tuple(groups), membership, between, float(quality))


def _lookup(values: pd.Series, keys: pd.Series) -> npt.NDArray[np.int64]:
    """``values`` (non-negative integers) at each of ``keys`` by hash lookup; -1 if absent."""
    at = values.index.get_indexer(keys)
    return np.where(at >= 0, values.to_numpy(dtype=np.int64)[at], -1)


def space_flows(data: CommunityData) -> tuple[tuple[str, str, int], ...]:
    """Help flowing between spaces: weight(A -> B) is the help given in space B by members
    whose main space (most contributions) is A, for A != B; largest first."""
    ms = data.member_space
    if ms.empty or data.help_space.empty:
        return ()
    main = ms.sort_values(["n", "space_id"], ascending=[False, True]).drop_duplicates("member_id")
    home = main.set_index("member_id")["space_id"]
    hs = data.help_space.assign(home=data.help_space["src"].map(home)).dropna(subset=["home"])
    hs = hs[hs["home"] != hs["space_id"]]
    agg = hs.groupby(["home", "space_id"])["weight"].sum().sort_values(ascending=False)
    return tuple((str(a), str(b), int(v)) for (a, b), v in agg.items())
