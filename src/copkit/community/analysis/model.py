"""Shared types of the analysis: options, periods and the explicit *undefined* marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import pandas as pd

from copkit.community.errors import UndefinedMeasureError

__all__ = [
    "LEVELS",
    "LEVEL_RANK",
    "PERIODS",
    "Number",
    "Options",
    "Period",
    "Undefined",
    "jsonable",
    "period_label",
]

Period = Literal["week", "month", "quarter"]
PERIODS: Final = ("week", "month", "quarter")

LEVELS: Final = ("core", "active", "occasional", "peripheral", "transactional", "lurker")
"""The participation levels, from most to least engaged (Wenger-Trayner, plus lurkers)."""

LEVEL_RANK: Final = {
    "core": 4,
    "active": 3,
    "occasional": 2,
    "peripheral": 1,
    "transactional": 0,
    "lurker": -1,
}


@dataclass(frozen=True, slots=True)
class Undefined:
    """A measure that has no value for this input, with the reason (never a silent 0)."""

    reason: str

    def to_json(self) -> dict[str, str]:
        """``{"undefined": reason}`` as the analysis JSON carries it."""
        return {"undefined": self.reason}

    @classmethod
    def of(cls, error: UndefinedMeasureError) -> Undefined:
        """The marker for a measure that raised :class:`UndefinedMeasureError`."""
        return cls(str(error))


Number = float | Undefined


@dataclass(frozen=True, slots=True)
class Options:
    """What part of the store an analysis looks at, and how."""

    since: datetime | None = None
    until: datetime | None = None
    period: Period = "month"
    exclude_bots: bool = True

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware (UTC inside copkit)")
        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {self.period!r}")
        if self.since and self.until and self.since >= self.until:
            raise ValueError("since must be before until")


_TRUNC: Final = {"week": "W", "month": "M", "quarter": "Q"}


def period_label(start: pd.Timestamp | datetime, period: Period) -> str:
    """The label of the period that starts at ``start``: ``2024-01``, ``2024-W03``, ``2024-Q1``.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> period_label(datetime(2024, 4, 1, tzinfo=UTC), "quarter")
    '2024-Q2'
    >>> period_label(datetime(2024, 1, 15, tzinfo=UTC), "week")
    '2024-W03'
    """
    ts = pd.Timestamp(start)
    if period == "month":
        return f"{ts.year:04d}-{ts.month:02d}"
    if period == "quarter":
        return f"{ts.year:04d}-Q{(ts.month - 1) // 3 + 1}"
    iso = ts.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def period_starts(first: pd.Timestamp, last: pd.Timestamp, period: Period) -> list[pd.Timestamp]:
    """Every period start from the one holding ``first`` to the one holding ``last``."""
    first = pd.Timestamp(first).tz_localize(None) if pd.Timestamp(first).tzinfo else first
    last = pd.Timestamp(last).tz_localize(None) if pd.Timestamp(last).tzinfo else last
    if period == "month":
        rng = pd.period_range(first, last, freq="M")
    elif period == "quarter":
        rng = pd.period_range(first, last, freq="Q")
    else:
        rng = pd.period_range(first, last, freq="W-SUN")
    return [p.start_time for p in rng]


def trunc_unit(period: Period) -> str:
    """The Ibis truncation unit of a period."""
    return _TRUNC[period]


def jsonable(value: Number) -> float | dict[str, str]:
    """A number, or the undefined object of the JSON contract."""
    if isinstance(value, Undefined):
        return value.to_json()
    return float(value)
