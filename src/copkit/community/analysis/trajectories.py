"""Trajectories: each member's level per period, Wenger's five trajectories, and the
moved-up / held / moved-down flows between consecutive periods."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from copkit.community.analysis.model import LEVEL_RANK, Undefined

__all__ = [
    "TRAJECTORY_KINDS",
    "TRAJECTORY_RULES",
    "Trajectory",
    "Transition",
    "level_transitions",
    "trajectories",
]

TRAJECTORY_KINDS: Final = ("peripheral", "inbound", "insider", "boundary", "outbound")
TRAJECTORY_RULES: Final = {
    "undefined": "contributed in fewer than 2 periods: no trajectory can be seen yet",
    "outbound": "reached active or core in some period, then contributed nothing or at most as "
    "peripheral in the last 2 periods of the window",
    "inbound": "first period at occasional or below, and the latest period's level is higher "
    "than the first (moving towards full participation)",
    "insider": "active or core in at least half of the periods since their first one, and "
    "active or core in their latest period",
    "boundary": "none of the above, and a boundary spanner (3+ spaces or 3+ subgroups)",
    "peripheral": "none of the above: keeps taking part without moving to full participation",
}
"""Rules are tried in this order; the first that matches gives the trajectory."""

_FULL: Final = LEVEL_RANK["active"]
_OCCASIONAL: Final = LEVEL_RANK["occasional"]
_PERIPHERAL: Final = LEVEL_RANK["peripheral"]
_NONE: Final = -100
"""Level rank of a period without contribution in the members x periods matrix."""


@dataclass(frozen=True, slots=True)
class Trajectory:
    """A member's trajectory with the levels it was read from."""

    kind: str | Undefined
    levels_by_period: dict[str, str]
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def concept(self) -> str:
        """The concept id of the trajectory (``lpp`` when undefined)."""
        return "lpp" if isinstance(self.kind, Undefined) else f"trajectory_{self.kind}"


def _classify(seq: list[int | None], boundary: bool) -> tuple[str | Undefined, dict[str, Any]]:
    """Trajectory of one member from their level rank per period (None = no contribution),
    from their first period to the end of the window."""
    active = [r for r in seq if r is not None]
    ev: dict[str, Any] = {"periods_active": len(active), "periods_since_first": len(seq)}
    if len(active) < 2:
        return Undefined(TRAJECTORY_RULES["undefined"]), ev
    tail = seq[-2:]
    full = [r is not None and r >= _FULL for r in seq]
    ev["periods_active_or_core"] = sum(full)
    latest = active[-1]
    if (
        max(active) >= _FULL
        and len(seq) >= 3
        and all(r is None or r <= _PERIPHERAL for r in tail)
        and any(full[:-2])
    ):
        return "outbound", ev
    if active[0] <= _OCCASIONAL and latest > active[0]:
        ev["first_level_rank"], ev["latest_level_rank"] = active[0], latest
        return "inbound", ev
    if sum(full) * 2 >= len(seq) and latest >= _FULL:
        return "insider", ev
    if boundary:
        return "boundary", ev
    return "peripheral", ev


def trajectories(
    period_levels: pd.DataFrame, periods: tuple[str, ...], boundary_spanners: set[str]
) -> dict[str, Trajectory]:
    """Wenger's five trajectories read from each member's level per period.

    Parameters
    ----------
    period_levels : pandas.DataFrame
        Columns ``member_id``, ``period``, ``level``
        (:func:`~copkit.community.analysis.levels.period_levels`).
    periods : tuple of str
        Every period of the window, in order.
    boundary_spanners : set of str
        Members with the boundary-spanner role.

    Returns
    -------
    dict
        Member id -> :class:`Trajectory`; the rules are :data:`TRAJECTORY_RULES`, applied
        to every member at once on a members x periods matrix of level ranks (the same
        result as :func:`_classify` on each member's sequence, which states the rules one
        member at a time).

    References
    ----------
    Wenger (1998), ch. 6, Trajectories; Lave & Wenger (1991).

    Examples
    --------
    >>> import pandas as pd
    >>> pl = pd.DataFrame({"member_id": ["a", "a", "a"], "period": ["p1", "p2", "p3"],
    ...                    "level": ["peripheral", "occasional", "core"]})
    >>> trajectories(pl, ("p1", "p2", "p3"), set())["a"].kind
    'inbound'
    """
    if period_levels.empty:
        return {}
    n_periods = len(periods)
    col = pd.Index(periods).get_indexer(period_levels["period"])
    if (col < 0).any():
        unknown = sorted(set(period_levels["period"][col < 0]))
        raise KeyError(f"periods not in the window: {', '.join(map(str, unknown))}")
    row, members = pd.factorize(period_levels["member_id"].astype(str), sort=True)
    rank = period_levels["level"].map(LEVEL_RANK).to_numpy(dtype=np.int64)
    n = len(members)
    present = np.zeros((n, n_periods), dtype=bool)
    present[row, col] = True
    ranks = np.full((n, n_periods), _NONE, dtype=np.int64)
    ranks[row, col] = rank
    full = present & (ranks >= _FULL)

    steps = np.arange(n_periods)
    first = present.argmax(axis=1)
    last = n_periods - 1 - present[:, ::-1].argmax(axis=1)
    since_first = n_periods - first
    active = present.sum(axis=1)
    n_full = full.sum(axis=1)
    first_rank = ranks[np.arange(n), first]
    latest = ranks[np.arange(n), last]
    best = np.where(present, ranks, _NONE).max(axis=1)
    quiet_tail = (~present | (ranks <= _PERIPHERAL))[:, max(n_periods - 2, 0) :].all(axis=1)
    full_before_tail = (full & (steps < n_periods - 2)).any(axis=1)
    boundary = members.isin(list(boundary_spanners))

    defined = active >= 2
    outbound = (best >= _FULL) & (since_first >= 3) & quiet_tail & full_before_tail
    inbound = (first_rank <= _OCCASIONAL) & (latest > first_rank)
    insider = (n_full * 2 >= since_first) & (latest >= _FULL)
    kind = np.select(  # the first rule that holds, in the order of TRAJECTORY_RULES
        [~defined, outbound, inbound, insider, boundary],
        ["undefined", "outbound", "inbound", "insider", "boundary"],
        "peripheral",
    )

    order = np.lexsort((col, row))
    labels = np.asarray(period_levels["period"], dtype=object)[order].tolist()
    levels = np.asarray(period_levels["level"], dtype=object)[order].tolist()
    bounds = np.searchsorted(row[order], np.arange(n + 1)).tolist()
    undefined = Undefined(TRAJECTORY_RULES["undefined"])
    out: dict[str, Trajectory] = {}
    columns = (kind, active, since_first, n_full, first_rank, latest)
    rows = zip(members.tolist(), *(c.tolist() for c in columns), strict=True)
    for i, (mid, k, n_active, since, n_core, first_r, latest_r) in enumerate(rows):
        ev: dict[str, Any] = {"periods_active": n_active, "periods_since_first": since}
        if k != "undefined":
            ev["periods_active_or_core"] = n_core
        if k == "inbound":
            ev["first_level_rank"], ev["latest_level_rank"] = first_r, latest_r
        a, b = bounds[i], bounds[i + 1]
        by_period = dict(zip(labels[a:b], levels[a:b], strict=True))
        out[str(mid)] = Trajectory(undefined if k == "undefined" else k, by_period, ev)
    return out


@dataclass(frozen=True, slots=True)
class Transition:
    """Level changes between two consecutive periods."""

    from_period: str
    to_period: str
    moved_up: int
    held: int
    moved_down: int
    entered: int
    left: int
    flows: tuple[tuple[str, str, int], ...]


def level_transitions(period_levels: pd.DataFrame, periods: tuple[str, ...]) -> list[Transition]:
    """Moved up / held / moved down between each pair of consecutive periods.

    A member contributing in neither period is not counted; one contributing only in the
    later period *entered*, only in the earlier one *left*. ``flows`` count members per
    (from level, to level), with ``absent`` for entered and left.

    References
    ----------
    Orbit model (moved-up / held / moved-down); Wenger-Trayner on movement between levels.

    Examples
    --------
    >>> import pandas as pd
    >>> pl = pd.DataFrame({"member_id": ["a", "a", "b", "c"], "period": ["p1", "p2", "p1", "p2"],
    ...                    "level": ["peripheral", "core", "active", "active"]})
    >>> t = level_transitions(pl, ("p1", "p2"))[0]
    >>> (t.moved_up, t.held, t.moved_down, t.entered, t.left)
    (1, 0, 0, 1, 1)
    """
    wide = period_levels.pivot(index="member_id", columns="period", values="level")
    out = []
    for a, b in zip(periods, periods[1:], strict=False):
        la = wide[a] if a in wide else pd.Series(dtype=object)
        lb = wide[b] if b in wide else pd.Series(dtype=object)
        pair = pd.DataFrame({"a": la, "b": lb}).dropna(how="all").fillna("absent")
        ra = pair["a"].map(LEVEL_RANK)
        rb = pair["b"].map(LEVEL_RANK)
        both = (pair["a"] != "absent") & (pair["b"] != "absent")
        flows = pair.groupby(["a", "b"]).size().sort_values(ascending=False)
        out.append(
            Transition(
                from_period=a,
                to_period=b,
                moved_up=int((both & (rb > ra)).sum()),
                held=int((both & (rb == ra)).sum()),
                moved_down=int((both & (rb < ra)).sum()),
                entered=int((pair["a"] == "absent").sum()),
                left=int((pair["b"] == "absent").sum()),
                flows=tuple((str(x), str(y), int(n)) for (x, y), n in flows.items()),
            )
        )
    return out
