"""Member roles from what their messages do: ask, answer, get accepted, bridge, arrive."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Final

import igraph as ig
import numpy as np
import numpy.typing as npt
import pandas as pd

from copkit.community.analysis.data import CommunityData
from copkit.community.analysis.flows import help_given
from copkit.community.analysis.model import period_labels

__all__ = [
    "APPROXIMATE_ABOVE",
    "CONSTRAINT_CANDIDATES",
    "COORDINATOR_SOURCE_ROLES",
    "SAMPLED_SOURCES",
    "ROLE_RULES",
    "Role",
    "brokerage",
    "brokerage_started",
    "burt_constraint",
    "member_roles",
]

APPROXIMATE_ABOVE: Final = 2000
"""Above this many members in the reply graph, betweenness is estimated from a sample."""
CONSTRAINT_CANDIDATES: Final = 500
"""Above APPROXIMATE_ABOVE members, constraint is computed for this many best-connected."""
SAMPLED_SOURCES: Final = 256
"""Source members sampled (seeded) for the betweenness estimate (Brandes & Pich 2007)."""
COORDINATOR_SOURCE_ROLES: Final = frozenset(
    {"admin", "owner", "moderator", "coordinator", "facilitator", "primary_owner"}
)

ROLE_RULES: Final = {
    "expert": "gave help (replies or answers to a thread's author) at least 3 times, to at "
    "least 3 distinct people, and more often than they asked",
    "asker": "asked at least 2 questions (threads started; only those flagged as questions when "
    "the source flags questions), was helped by someone, and asked at least as often as they "
    "helped",
    "connector": "betweenness on the undirected reply graph > 0 and in the top 10 % of members "
    "in the graph or the top member (above "
    f"{APPROXIMATE_ABOVE} members estimated from shortest paths out of {SAMPLED_SOURCES} "
    "sampled members, scaled by members / sample)",
    "broker": "3 or more contacts and Burt's constraint in the lowest 10 % of members with 3 or "
    "more contacts (or the lowest of them); above "
    f"{APPROXIMATE_ABOVE} members, constraint is computed for the {CONSTRAINT_CANDIDATES} "
    "members with most contacts only (constraint is at least 1 / contacts, so the lowest "
    "values are among them)",
    "boundary_spanner": "contributed in 3 or more spaces, or has reply ties into 3 or more "
    "Leiden subgroups (own included)",
    "newcomer": "first contribution ever falls in the last period of the window",
    "coordinator": "the source names them admin, owner, moderator, coordinator or facilitator, "
    "or they created a space",
}
_CONCEPT: Final = {
    "expert": "expert",
    "asker": "asker",
    "connector": "connector",
    "broker": "broker",
    "boundary_spanner": "boundary_spanner",
    "newcomer": "newcomer",
    "coordinator": "coordinator",
}


@dataclass(frozen=True, slots=True)
class Role:
    """One role of one member, with the numbers and the rule that gave it."""

    role: str
    concept: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The role as the analysis JSON carries it."""
        return {"role": self.role, "concept": self.concept, "evidence": self.evidence}


def _top_share(
    values: pd.Series, share: float, ascending: bool = False, out_of: int | None = None
) -> pd.Index:
    """Members whose rank percentile (ties share the best rank) is within ``share``, or
    who rank first (so that a small community still has its top member)."""
    if values.empty:
        return values.index
    ranks = values.rank(method="min", ascending=ascending)
    return values.index[(ranks / (out_of or len(values)) <= share) | (ranks == 1)]


def burt_constraint(graph: ig.Graph, vertices: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Burt's constraint of ``vertices`` in the undirected graph ``graph`` (edge ``weight``),
    as igraph's ``Graph.constraint`` computes it, in NumPy.

    ``c_i = sum over contacts j of (p_ij + sum over contacts q of p_iq p_qj) ** 2`` with
    ``p_ij = w_ij / (total weight of i's ties)``; ``NaN`` for a vertex without ties. The
    indirect terms of one vertex are gathered from its contacts' ties in one vectorised step,
    so high-degree members (the candidates above :data:`APPROXIMATE_ABOVE` members) cost
    what their two-step neighbourhood holds, without igraph's per-tie bookkeeping.

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph.Famous("Zachary"); g.es["weight"] = [1] * g.ecount()
    >>> bool(np.allclose(burt_constraint(g, range(34)), g.constraint(weights="weight")))
    True

    References
    ----------
    Burt (2004), Structural holes and good ideas.
    """
    ids = np.asarray(vertices, dtype=np.int64).reshape(-1)
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    weight = np.asarray(graph.es["weight"], dtype=np.float64) if graph.ecount() else np.empty(0)
    keep = edges[:, 0] != edges[:, 1]
    edges, weight = edges[keep], weight[keep]
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    both = np.concatenate([weight, weight])
    order = np.lexsort((dst, src))
    src, dst, both = src[order], dst[order], both[order]
    start = np.searchsorted(src, np.arange(n + 1))
    strength = np.bincount(src, weights=both, minlength=n)
    share = both / strength[src]  # p_ij of each directed tie, row by row
    out = np.full(len(ids), np.nan)
    for k, i in enumerate(ids):
        a, b = start[i], start[i + 1]
        if a == b:
            continue
        contacts, p_i = dst[a:b], share[a:b]
        first, count = start[contacts], start[contacts + 1] - start[contacts]
        offset = np.repeat(first - (np.cumsum(count) - count), count)
        ties = np.arange(int(count.sum())) + offset  # every tie of every contact
        indirect = np.bincount(dst[ties], weights=np.repeat(p_i, count) * share[ties], minlength=n)
        out[k] = float(np.sum((p_i + indirect[contacts]) ** 2))
    return out


def brokerage(graph: ig.Graph) -> pd.DataFrame:
    """Betweenness (approximate on large graphs), normalised betweenness, degree and Burt's
    constraint of every member in the undirected reply graph.

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph.Famous("Zachary"); g.vs["name"] = [str(i) for i in range(34)]
    >>> g.es["weight"] = [1] * g.ecount()
    >>> b = brokerage(g)
    >>> b.sort_values("betweenness", ascending=False).index[:2].tolist()
    ['0', '33']
    """
    if graph.vcount() == 0:
        return pd.DataFrame(columns=["betweenness", "betweenness_norm", "degree", "constraint"])
    btw, constraint = _broker_scores(graph)
    return _broker_frame(graph, btw, constraint)


def _broker_scores(graph: ig.Graph) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Betweenness and constraint of every vertex (the two costly measures of :func:`brokerage`)."""
    n = graph.vcount()
    constraint = np.full(n, np.nan)
    if n > APPROXIMATE_ABOVE:
        sample = np.random.default_rng(0).choice(n, size=SAMPLED_SOURCES, replace=False)
        raw = graph.betweenness(directed=False, sources=sample.tolist())
        btw = np.asarray(raw, dtype=float) * (n / SAMPLED_SOURCES)
        degree = np.asarray(graph.degree())
        best = np.argsort(-degree, kind="stable")[:CONSTRAINT_CANDIDATES]
        constraint[best] = burt_constraint(graph, best)
    else:
        btw = np.asarray(graph.betweenness(directed=False), dtype=float)
        constraint[:] = graph.constraint(weights="weight")
    return btw, constraint


def _broker_frame(
    graph: ig.Graph, btw: npt.NDArray[np.float64], constraint: npt.NDArray[np.float64]
) -> pd.DataFrame:
    n = graph.vcount()
    pairs = (n - 1) * (n - 2) / 2
    return pd.DataFrame(
        {
            "betweenness": btw,
            "betweenness_norm": btw / pairs if pairs > 0 else 0.0,
            "degree": np.asarray(graph.degree()),
            "constraint": constraint,
        },
        index=pd.Index(graph.vs["name"], name="member_id"),
    )


def _send_scores(graph: ig.Graph, pipe: Connection) -> None:  # pragma: no cover - in the child
    try:
        pipe.send(("ok", _broker_scores(graph)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        pipe.send(("error", exc))
    finally:
        pipe.close()


def brokerage_started(graph: ig.Graph) -> Callable[[], pd.DataFrame]:
    """Start :func:`brokerage` of ``graph`` and return the function that waits for it.

    Betweenness and constraint are the slowest measures and run in igraph and NumPy, which
    hold the interpreter lock; on a system that can fork, a forked process computes them on
    the other core while the caller goes on with the other measures (the child shares the
    graph's memory until either writes to it). Elsewhere, in a daemon process (which may not
    have children) and for graphs of up to :data:`APPROXIMATE_ABOVE` members (where forking
    costs more than it saves), the waiting function computes them itself. Either way the
    result is :func:`brokerage`'s.
    """
    can_fork = "fork" in mp.get_all_start_methods() and not mp.current_process().daemon
    if graph.vcount() <= APPROXIMATE_ABOVE or not can_fork:
        return lambda: brokerage(graph)
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send_scores, args=(graph, send), daemon=True)
    child.start()
    send.close()

    def wait() -> pd.DataFrame:
        try:
            status, value = receive.recv()
        finally:
            receive.close()
            child.join()
        if status != "ok":
            raise value
        return _broker_frame(graph, *value)

    return wait


def member_roles(
    data: CommunityData,
    graph: ig.Graph,
    membership: dict[str, int],
    broker_scores: pd.DataFrame | None = None,
) -> dict[str, tuple[Role, ...]]:
    """Roles of each member (members without a role are absent), see :data:`ROLE_RULES`.

    Parameters
    ----------
    data : CommunityData
    graph : igraph.Graph
        The undirected reply graph (:func:`~copkit.community.analysis.levels.reply_graph`).
    membership : dict
        Member id -> Leiden subgroup (:func:`~copkit.community.analysis.flows.subgroups`).
    broker_scores : pandas.DataFrame, optional
        :func:`brokerage` of ``graph`` if already computed.

    References
    ----------
    Zhang, Ackerman & Adamic (2007) for askers and answerers; Freeman (1977) betweenness;
    Burt (2004) constraint; Wenger (1998) boundary trajectories; Lave & Wenger (1991)
    newcomers; Wenger, McDermott & Snyder (2002) coordinators.
    """
    stats = data.stats
    roles: dict[str, list[Role]] = {}

    def add(mid: Any, role: str, evidence: dict[str, Any]) -> None:
        evidence = {**evidence, "rule": ROLE_RULES[role]}
        roles.setdefault(str(mid), []).append(Role(role, _CONCEPT[role], evidence))

    h = data.help
    idx = stats.index
    table = pd.DataFrame(
        {
            "answers": help_given(data).reindex(idx).to_numpy(),
            "questions": stats["questions"].to_numpy(),
            "helped": _count(h.groupby("src")["dst"].nunique() if len(h) else None, idx),
            "helpers": _count(h.groupby("dst")["src"].nunique() if len(h) else None, idx),
            "accepted": _count(data.accepted["n"] if len(data.accepted) else None, idx),
        },
        index=idx,
    )
    a, q = table["answers"], table["questions"]
    experts = table[(a >= 3) & (table["helped"] >= 3) & (a > q)]
    for r in experts.itertuples():
        add(
            r.Index,
            "expert",
            {
                "answers": int(r.answers),
                "people_helped": int(r.helped),
                "accepted": int(r.accepted),
                "asked": int(r.questions),
            },
        )
    askers = table[(q >= 2) & (table["helpers"] >= 1) & (q >= a)]
    for r in askers.itertuples():
        add(
            r.Index,
            "asker",
            {"questions": int(r.questions), "helped_by": int(r.helpers), "answers": int(r.answers)},
        )

    b = broker_scores if broker_scores is not None else brokerage(graph)
    if not b.empty:
        # Rank percentile over everyone in the graph; ties share the best rank.
        ranks = b["betweenness"].rank(method="min", ascending=False) / len(b)
        top = (ranks <= 0.10) | (ranks * len(b) == 1)
        for mid in sorted(b.index[(b["betweenness"] > 0) & top]):
            add(
                mid,
                "connector",
                {
                    "betweenness": round(float(b.at[mid, "betweenness"]), 3),
                    "betweenness_norm": round(float(b.at[mid, "betweenness_norm"]), 6),
                    "rank_percentile": round(float(ranks[mid]), 6),
                    "approximate": graph.vcount() > APPROXIMATE_ABOVE,
                },
            )
        wide = b[(b["degree"] >= 3) & b["constraint"].notna()]
        out_of = int((b["degree"] >= 3).sum())
        for mid in sorted(_top_share(wide["constraint"], 0.10, ascending=True, out_of=out_of)):
            add(
                mid,
                "broker",
                {
                    "constraint": round(float(wide.at[mid, "constraint"]), 6),
                    "contacts": int(wide.at[mid, "degree"]),
                },
            )

    spans = pd.DataFrame(
        {
            "spaces": stats["spaces"].to_numpy(),
            "groups": _count(_groups_touched(graph, membership), stats.index),
        },
        index=stats.index,
    )
    spans = spans[(spans["spaces"] >= 3) | (spans["groups"] >= 3)]
    for r in spans.itertuples():
        add(
            r.Index,
            "boundary_spanner",
            {"spaces": int(r.spaces), "subgroups_reached": int(r.groups)},
        )

    if data.periods and not data.newcomers.empty:
        last = data.periods[-1]
        first = data.newcomers["first_at"]
        arrived = first[period_labels(first, data.options.period) == last]
        for mid, at in arrived.items():
            add(mid, "newcomer", {"first_contribution": f"{at:%Y-%m-%dT%H:%M:%SZ}", "period": last})

    m = data.members
    candidates = m[(m["spaces_created"] > 0) | m["source_roles"].notna()]
    for mid, row in candidates.iterrows():
        src_roles = [str(r) for r in (row["source_roles"] if _is_list(row["source_roles"]) else [])]
        named = sorted(COORDINATOR_SOURCE_ROLES.intersection(r.lower() for r in src_roles))
        created = int(row["spaces_created"])
        if named or created:
            add(mid, "coordinator", {"source_roles": named, "spaces_created": created})
    return {mid: tuple(r) for mid, r in roles.items()}


def _count(values: pd.Series | None, index: pd.Index) -> npt.NDArray[np.int64]:
    """``values`` aligned on ``index``, 0 where missing."""
    if values is None:
        return np.zeros(len(index), dtype=np.int64)
    out: npt.NDArray[np.int64] = values.reindex(index).fillna(0).to_numpy(dtype=np.int64)
    return out


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _groups_touched(graph: ig.Graph, membership: dict[str, int]) -> pd.Series:
    """Number of distinct subgroups each member of ``graph`` has ties into, own included."""
    if graph.ecount() == 0 or not membership:
        return pd.Series(dtype=int)
    names = graph.vs["name"]
    group = np.array([membership.get(n, -1) for n in names], dtype=np.int64)  # -1: none
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    member = np.concatenate([edges[:, 0], edges[:, 1], np.arange(len(names))])
    reached = np.concatenate([group[edges[:, 1]], group[edges[:, 0]], group])
    member, reached = member[reached >= 0], reached[reached >= 0]
    width = int(group.max()) + 1
    pairs = np.unique(member * width + reached)
    return pd.Series(np.bincount(pairs // width, minlength=len(names)), index=names)
