"""``analyze()``: every measure over one store, as one JSON-serialisable result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from copkit.community.analysis.data import CommunityData, load_community
from copkit.community.analysis.flows import (
    Concentration,
    HelpNetwork,
    NewcomerExperience,
    ResponseStats,
    ResponseTimes,
    Subgroups,
    answer_concentration,
    help_given,
    help_network,
    newcomer_experience,
    reciprocity,
    space_flows,
    subgroups,
    time_to_first_response,
)
from copkit.community.analysis.levels import (
    ParticipationLevels,
    participation_levels,
    period_levels,
    reply_graph,
)
from copkit.community.analysis.model import (
    LEVELS,
    Number,
    Options,
    Period,
    Undefined,
    jsonable,
    period_label,
)
from copkit.community.analysis.roles import Role, brokerage_started, member_roles
from copkit.community.analysis.trajectories import (
    TRAJECTORY_KINDS,
    TRAJECTORY_RULES,
    Trajectory,
    Transition,
    level_transitions,
    trajectories,
)
from copkit.community.errors import UndefinedMeasureError
from copkit.theory import CONCEPTS

__all__ = ["FORMAT", "VERSION", "AnalysisResult", "analyze"]

FORMAT: Final = "copkit-analysis"
VERSION: Final = 1


@dataclass(frozen=True, eq=False)
class AnalysisResult:
    """Everything :func:`analyze` measured, with the evidence behind each label."""

    data: CommunityData
    generated_at: datetime
    levels: ParticipationLevels
    roles: dict[str, tuple[Role, ...]]
    trajectories: dict[str, Trajectory]
    period_levels: pd.DataFrame
    transitions: tuple[Transition, ...]
    response_times: ResponseTimes
    help_network: HelpNetwork
    concentration: Concentration
    reciprocity: Number
    newcomers: NewcomerExperience
    subgroups: Subgroups
    space_flows: tuple[tuple[str, str, int], ...]
    help_given: pd.Series = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The result in the documented JSON contract (``docs/analysis-json.md``)."""
        d = self.data
        return {
            "format": FORMAT,
            "version": VERSION,
            "generated_at": _iso(self.generated_at),
            "store": {"path": d.store_path, "sources": list(d.sources)},
            "window": {
                "since": _iso(d.options.since),
                "until": _iso(d.options.until),
                "period": d.options.period,
            },
            "options": {"exclude_bots": d.options.exclude_bots, "period": d.options.period},
            "summary": self._summary(),
            "concepts": {cid: c.to_json() for cid, c in CONCEPTS.items()},
            "levels": {
                "rule": {
                    "activity": self.levels.activity_rule,
                    "network": self.levels.network_rule,
                },
                "counts": dict(self.levels.counts),
                "onion": dict(self.levels.onion),
                "disagreements": [
                    {
                        "member_id": m.member_id,
                        "activity_level": m.activity_level,
                        "network_level": m.network_level,
                    }
                    for m in self.levels.disagreements
                ],
            },
            "members": self._members(),
            "periods": self._periods(),
            "transitions": [
                {
                    "from": t.from_period,
                    "to": t.to_period,
                    "moved_up": t.moved_up,
                    "held": t.held,
                    "moved_down": t.moved_down,
                    "entered": t.entered,
                    "left": t.left,
                    "flows": [
                        {"from_level": a, "to_level": b, "members": n} for a, b, n in t.flows
                    ],
                }
                for t in self.transitions
            ],
            "trajectories": {
                "counts": self._trajectory_counts(),
                "rules": dict(TRAJECTORY_RULES),
            },
            "flows": self._flows(),
            "subgroups": [
                {
                    "id": g.id,
                    "size": g.size,
                    "top_members": list(g.top_members),
                    "internal_ties": g.internal_ties,
                    "external_ties": g.external_ties,
                    "spaces": list(g.spaces),
                }
                for g in self.subgroups.groups
            ],
        }

    def _summary(self) -> dict[str, Any]:
        d = self.data
        s = d.stats
        return {
            "members": len(self.levels.members),
            "active_members": len(s),
            "activities": int(s["contributions"].sum()) if len(s) else 0,
            "threads": len(d.threads),
            "spaces": int(d.member_space["space_id"].nunique()) if len(d.member_space) else 0,
            "bots_excluded": d.bots_excluded,
            "first_activity": _iso(s["first_at"].min()) if len(s) else None,
            "last_activity": _iso(s["last_at"].max()) if len(s) else None,
        }

    def _members(self) -> list[dict[str, Any]]:
        d = self.data
        st_ = d.stats
        stats = dict(
            zip(
                st_.index.astype(str).tolist(),
                zip(
                    st_["contributions"].tolist(),
                    st_["threads_started"].tolist(),
                    st_["replies"].tolist(),
                    _iso_all(st_["first_at"]),
                    _iso_all(st_["last_at"]),
                    strict=True,
                ),
                strict=True,
            )
        )
        names = dict(zip(d.members.index.astype(str), d.members["display_name"], strict=True))
        h = d.help
        helped = _to_dict(h.groupby("src")["dst"].nunique()) if not h.empty else {}
        accepted = _to_dict(d.accepted["n"]) if not d.accepted.empty else {}
        given = _to_dict(self.help_given)
        groups = self.subgroups.membership
        out = []
        for lv in self.levels.members:
            mid = lv.member_id
            st = stats.get(mid)
            contributions, started, replies, first_seen, last_seen = st or (0, 0, 0, None, None)
            traj = self.trajectories.get(mid)
            if traj is None:
                reason = "no contribution in the window" if st is None else "no period levels"
                traj = Trajectory(Undefined(reason), {}, {})
            kind = traj.kind.to_json() if isinstance(traj.kind, Undefined) else traj.kind
            out.append(
                {
                    "member_id": mid,
                    "display_name": str(names.get(mid, mid)),
                    "level": lv.level,
                    "activity_level": lv.activity_level,
                    "network_level": lv.network_level,
                    "activities": contributions,
                    "threads_started": started,
                    "replies": replies,
                    "answers": int(given.get(mid, 0)),
                    "accepted": int(accepted.get(mid, 0)),
                    "people_helped": int(helped.get(mid, 0)),
                    "first_seen": first_seen,
                    "last_seen": last_seen,
                    "roles": [r.to_json() for r in self.roles.get(mid, ())],
                    "trajectory": {
                        "kind": kind,
                        "concept": traj.concept,
                        "levels_by_period": traj.levels_by_period,
                        "evidence": {**traj.evidence},
                    },
                    "evidence": {**lv.evidence, "subgroup": groups.get(mid)},
                }
            )
        return out

    def _periods(self) -> list[dict[str, Any]]:
        d = self.data
        mp = d.member_period
        pl = self.period_levels
        nc_periods = (
            pd.Series(
                [_label(t, d.options.period) for t in d.newcomers["first_at"]], dtype=object
            ).value_counts()
            if len(d.newcomers)
            else pd.Series(dtype=int)
        )
        out = []
        for p in d.periods:
            sel = mp[mp["period"] == p]
            lv = pl[pl["period"] == p]["level"].value_counts()
            out.append(
                {
                    "period": p,
                    "active_members": len(sel),
                    "activities": int(sel["n"].sum()),
                    "levels": {k: int(lv.get(k, 0)) for k in LEVELS if k != "lurker"},
                    "newcomers": int(nc_periods.get(p, 0)),
                }
            )
        return out

    def _trajectory_counts(self) -> dict[str, int]:
        counts = {k: 0 for k in (*TRAJECTORY_KINDS, "undefined")}
        for t in self.trajectories.values():
            counts["undefined" if isinstance(t.kind, Undefined) else t.kind] += 1
        return counts

    def _flows(self) -> dict[str, Any]:
        rt = self.response_times
        nc = self.newcomers
        caf = self.concentration.absence_factor
        return {
            "time_to_first_response": {
                "overall": _stats(rt.overall),
                "by_space": [
                    {"space_id": sid, "space": name, **_stats(st)} for sid, name, st in rt.by_space
                ],
                "by_period": [{"period": p, **_stats(st)} for p, st in rt.by_period],
            },
            "help_network": {
                "nodes": list(self.help_network.nodes),
                "edges": list(self.help_network.edges),
            },
            "concentration": {
                "absence_factor": caf.to_json() if isinstance(caf, Undefined) else caf,
                "absence_factor_rule": self.concentration.rule,
                "gini": jsonable(self.concentration.gini),
            },
            "reciprocity": jsonable(self.reciprocity),
            "newcomers": {
                "count": nc.count,
                "first_post_replied_share": jsonable(nc.first_post_replied_share),
                "median_hours_to_first_reply": jsonable(nc.median_hours_to_first_reply),
                "returned_30d_share": jsonable(nc.returned_30d_share),
                "returned_90d_share": jsonable(nc.returned_90d_share),
            },
            "between_subgroups": [
                {"from": a, "to": b, "weight": w} for a, b, w in self.subgroups.between
            ],
            "between_spaces": [{"from": a, "to": b, "weight": w} for a, b, w in self.space_flows],
        }


def _to_dict(series: pd.Series) -> dict[str, Any]:
    return {str(k): v for k, v in series.items()}


def _stats(s: ResponseStats) -> dict[str, Any]:
    return {
        "threads": s.threads,
        "answered": s.answered,
        "unanswered": s.unanswered,
        "unanswered_share": jsonable(s.unanswered_share),
        "median_hours": jsonable(s.median_hours),
        "mean_hours": jsonable(s.mean_hours),
        "p90_hours": jsonable(s.p90_hours),
    }


def _label(ts: Any, period: Period) -> str:
    return period_label(ts, period)


def _iso_all(times: pd.Series) -> list[str | None]:
    """:func:`_iso` of every time in ``times`` (UTC-aware or naive UTC), vectorised."""
    t = pd.Series(times)
    if not isinstance(t.dtype, pd.DatetimeTZDtype):
        t = pd.to_datetime(t).dt.tz_localize("UTC")
    text = t.dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [None if pd.isna(v) else str(v) for v in text.tolist()]


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, datetime) and pd.isna(value)):
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return str(ts.strftime("%Y-%m-%dT%H:%M:%SZ"))


def analyze(
    store: str | Path,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    period: Period = "month",
    exclude_bots: bool = True,
) -> AnalysisResult:
    """Analyse the community in the activity store ``store``.

    Parameters
    ----------
    store : str or Path
        A DuckDB activity store (``copkit import``).
    since, until : datetime, optional
        Timezone-aware window ``[since, until)``; the whole store by default.
    period : {"month", "week", "quarter"}
        Period length for levels over time and trajectories.
    exclude_bots : bool
        Drop members flagged as bots before measuring (the default).

    Returns
    -------
    AnalysisResult
        Call :meth:`AnalysisResult.to_json` for the documented JSON.

    Raises
    ------
    StoreError
        If ``store`` is missing or not an activity store.
    ValueError
        If the options are inconsistent (naive datetimes, ``since >= until``, bad period).
    """
    options = Options(since=since, until=until, period=period, exclude_bots=exclude_bots)
    data = load_community(store, options)
    graph = reply_graph(data)
    broker_scores = brokerage_started(graph)  # on the other core while the rest is measured
    levels = participation_levels(data, graph)
    groups = subgroups(data, graph)
    plevels = period_levels(data)
    transitions = tuple(level_transitions(plevels, data.periods))
    try:
        recip: Number = reciprocity(data)
    except UndefinedMeasureError as exc:
        recip = Undefined.of(exc)
    level_of = {m.member_id: m.level for m in levels.members}
    response_times = time_to_first_response(data)
    helpers = help_network(data, level_of)
    concentration = answer_concentration(data)
    newcomers = newcomer_experience(data)
    flows = space_flows(data)
    roles = member_roles(data, graph, groups.membership, broker_scores())
    spanners = {m for m, rs in roles.items() if any(r.role == "boundary_spanner" for r in rs)}
    return AnalysisResult(
        data=data,
        generated_at=datetime.now(tz=UTC),
        levels=levels,
        roles=roles,
        trajectories=trajectories(plevels, data.periods, spanners),
        period_levels=plevels,
        transitions=transitions,
        response_times=response_times,
        help_network=helpers,
        concentration=concentration,
        reciprocity=recip,
        newcomers=newcomers,
        subgroups=groups,
        space_flows=flows,
        help_given=help_given(data),
    )
