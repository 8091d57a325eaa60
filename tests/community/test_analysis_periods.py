"""Period labels: the vectorised labeller gives period_label's label for every time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from copkit.community.analysis.model import PERIODS, period_label, period_labels


@pytest.mark.parametrize("period", PERIODS)
def test_period_labels_equal_period_label_time_by_time(period: str) -> None:
    rng = np.random.default_rng(7)
    # Random times over three years, plus the edges of ISO years (2020-W53, 2025-W01 ...).
    seconds = rng.integers(0, 3 * 365 * 86400, size=2000)
    times = pd.Timestamp("2020-12-20", tz="UTC") + pd.to_timedelta(seconds, unit="s")
    edges = pd.to_datetime(
        [
            "2020-12-31 23:59:59",
            "2021-01-03 12:00:00",
            "2021-01-04 00:00:00",
            "2024-12-30 00:00:00",
        ],
        utc=True,
    )
    series = pd.Series(times.append(edges))
    got = period_labels(series, period)  # type: ignore[arg-type]
    assert got.tolist() == [period_label(t, period) for t in series]  # type: ignore[arg-type]


def test_missing_times_have_no_label() -> None:
    series = pd.Series(pd.to_datetime(["2024-03-05", None], utc=True))
    assert period_labels(series, "quarter").tolist() == ["2024-Q1", None]
