"""Trajectories: the vectorised rule gives what the one-member rule gives, case by case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from copkit.community.analysis.model import LEVEL_RANK, Undefined
from copkit.community.analysis.trajectories import _classify, trajectories

PERIODS = ("p1", "p2", "p3", "p4", "p5")
ACTIVE_LEVELS = ("core", "active", "occasional", "peripheral", "transactional")


def frame(rows: dict[str, dict[str, str]]) -> pd.DataFrame:
    """Period levels from {member: {period: level}}."""
    return pd.DataFrame(
        [(m, p, lv) for m, by in rows.items() for p, lv in by.items()],
        columns=["member_id", "period", "level"],
    )


def one_at_a_time(
    pl: pd.DataFrame, periods: tuple[str, ...], spanners: set[str]
) -> dict[str, tuple[str, dict]]:
    """The rule applied member by member with :func:`_classify` (the reference)."""
    out = {}
    for mid, grp in pl.groupby("member_id"):
        by = dict(zip(grp["period"], grp["level"], strict=True))
        first = min(periods.index(p) for p in by)
        seq = [LEVEL_RANK[by[p]] if p in by else None for p in periods[first:]]
        kind, ev = _classify(seq, str(mid) in spanners)
        out[str(mid)] = ("undefined" if isinstance(kind, Undefined) else kind, ev)
    return out


def kinds(result: dict) -> dict[str, str]:
    return {
        m: "undefined" if isinstance(t.kind, Undefined) else str(t.kind) for m, t in result.items()
    }


def test_hand_made_members_get_the_trajectory_the_rules_say() -> None:
    rows = {
        # active in p1-p3, silent at the end: outbound
        "out": {"p1": "core", "p2": "active", "p3": "core"},
        # from peripheral up to core: inbound
        "in": {"p2": "peripheral", "p4": "occasional", "p5": "core"},
        # active or core in 3 of 4 periods since the first, core at the end: insider
        "ins": {"p2": "active", "p3": "occasional", "p4": "core", "p5": "core"},
        # steady occasional in three spaces: boundary; the same without spaces: peripheral
        "bnd": {"p1": "occasional", "p3": "occasional", "p5": "occasional"},
        "per": {"p1": "occasional", "p3": "occasional", "p5": "occasional"},
        # one period only: undefined
        "one": {"p4": "core"},
        # core then peripheral in the last two periods: outbound
        "fade": {"p1": "core", "p2": "active", "p4": "peripheral", "p5": "transactional"},
    }
    result = trajectories(frame(rows), PERIODS, {"bnd"})
    assert kinds(result) == {
        "out": "outbound",
        "in": "inbound",
        "ins": "insider",
        "bnd": "boundary",
        "per": "peripheral",
        "one": "undefined",
        "fade": "outbound",
    }
    assert result["in"].levels_by_period == {"p2": "peripheral", "p4": "occasional", "p5": "core"}
    assert result["in"].evidence == {
        "periods_active": 3,
        "periods_since_first": 4,
        "periods_active_or_core": 1,
        "first_level_rank": LEVEL_RANK["peripheral"],
        "latest_level_rank": LEVEL_RANK["core"],
    }
    assert result["one"].evidence == {"periods_active": 1, "periods_since_first": 2}
    assert result["one"].concept == "lpp"
    assert result["out"].concept == "trajectory_outbound"


@pytest.mark.parametrize("seed", range(5))
def test_vectorised_rule_equals_the_member_by_member_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_periods = int(rng.integers(1, 9))
    periods = tuple(f"2024-{i + 1:02d}" for i in range(n_periods))
    rows: dict[str, dict[str, str]] = {}
    for m in range(400):
        present = rng.random(n_periods) < rng.uniform(0.1, 0.9)
        if not present.any():
            continue
        levels = rng.choice(ACTIVE_LEVELS, size=n_periods)
        rows[f"m{m:03d}"] = {
            p: str(lv) for p, lv, on in zip(periods, levels, present, strict=True) if on
        }
    pl = frame(rows).sample(frac=1.0, random_state=seed)  # any row order
    spanners = {m for m in rows if rng.random() < 0.3}
    got = trajectories(pl, periods, spanners)
    expected = one_at_a_time(pl, periods, spanners)
    assert {m: (k, got[m].evidence) for m, k in kinds(got).items()} == expected
    for m, by in rows.items():
        assert list(got[m].levels_by_period.items()) == [(p, by[p]) for p in periods if p in by]


def test_no_period_levels_no_trajectories() -> None:
    assert trajectories(frame({}), PERIODS, set()) == {}


def test_a_period_outside_the_window_is_an_error() -> None:
    with pytest.raises(KeyError, match="p9"):
        trajectories(frame({"a": {"p9": "core"}}), PERIODS, set())
