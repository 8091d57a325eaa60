"""Shared types of the analysis: options, periods and the explicit *undefined* marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

import numpy as np
import numpy.typing as npt
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
    "period_labels",
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
_FREQ: Final = {"week": "W-SUN", "month": "M", "quarter": "Q"}
"""pandas period frequencies (weeks start on Monday, as ISO weeks do)."""


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


def period_labels(times: pd.Series, period: Period) -> npt.NDArray[np.object_]:
    """:func:`period_label` of the period holding each time in ``times`` (any time in the
    period, not only its start; ``None`` for a missing time), computed once per distinct
    period: a window has a few dozen periods and may have millions of rows.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-09", "2024-01-31"], utc=True))
    >>> period_labels(s, "month").tolist()
    ['2024-01', '2024-02', '2024-01']
    >>> period_labels(s, "week").tolist()
    ['2024-W01', '2024-W06', '2024-W05']
    """
    t = pd.Series(times)
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    codes, uniques = pd.factorize(pd.to_datetime(t).dt.to_period(_FREQ[period]))
    labels = [period_label(p.start_time, period) for p in uniques]
    out: npt.NDArray[np.object_] = np.array([*labels, None], dtype=object)[codes]
    return out


def period_starts(first: pd.Timestamp, last: pd.Timestamp, period: Period) -> list[pd.Timestamp]:
    """Every period start from the one holding ``first`` to the one holding ``last``."""
    first = pd.Timestamp(first).tz_localize(None) if pd.Timestamp(first).tzinfo else first
    last = pd.Timestamp(last).tz_localize(None) if pd.Timestamp(last).tzinfo else last
    rng = pd.period_range(first, last, freq=_FREQ[period])
    return [p.start_time for p in rng]


def trunc_unit(period: Period) -> str:
    """The Ibis truncation unit of a period."""
    return _TRUNC[period]


def jsonable(value: Number) -> float | dict[str, str]:
    """A number, or the undefined object of the JSON contract."""
    if isinstance(value, Undefined):
        return value.to_json()
    return float(value)
