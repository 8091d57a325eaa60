"""The measures a plan's goal can track, read from a ``copkit-analysis`` document.

Each measure is one number of the analysis (``docs/analysis-json.md``) in the unit a
community manager thinks in (shares as percentages, times in hours), with the concept it
rests on (an id of :mod:`copkit.theory`) and the range a target may take. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from copkit.community.report.values import undefined_reason

__all__ = ["MEASURES", "Measure", "MeasureValue", "measure", "measure_value"]


@dataclass(frozen=True)
class MeasureValue:
    """A measure's value in one analysis: ``value``, or ``None`` with ``note`` saying why."""

    value: float | None
    note: str = ""


@dataclass(frozen=True)
class Measure:
    """A goal's measure: what it is, its unit, its concept and the range of a target."""

    key: str
    label: str
    unit: str
    concept: str
    lower_is_better: bool
    minimum: float
    maximum: float
    read: Callable[[Mapping[str, Any]], Any]
    scale: float = 1.0

    def format(self, value: float | None) -> str:
        """Write ``value`` in the measure's unit (``—`` for no value)."""
        if value is None:
            return "—"
        number = f"{value:.2f}".rstrip("0").rstrip(".")
        return f"{number} %" if self.unit == "%" else f"{number} {self.unit}"


def _ttfr(result: Mapping[str, Any]) -> Mapping[str, Any]:
    overall: Mapping[str, Any] = result["flows"]["time_to_first_response"]["overall"]
    return overall


def _core_share(result: Mapping[str, Any]) -> Any:
    core, active = result["levels"]["counts"].get("core"), result["summary"]["active_members"]
    for value in (core, active):
        if undefined_reason(value) is not None:
            return value
    if not active:
        return {"undefined": "no member was active in the window"}
    return core / active


MEASURES: Final[tuple[Measure, ...]] = (
    Measure(
        "unanswered_share",
        "Share of threads nobody answered",
        "%",
        "time_to_first_response",
        True,
        0,
        100,
        lambda r: _ttfr(r)["unanswered_share"],
        scale=100,
    ),
    Measure(
        "median_first_response_hours",
        "Median time to first response",
        "hours",
        "time_to_first_response",
        True,
        0,
        24 * 365,
        lambda r: _ttfr(r)["median_hours"],
    ),
    Measure(
        "p90_first_response_hours",
        "Time to first response, 90th percentile",
        "hours",
        "time_to_first_response",
        True,
        0,
        24 * 365,
        lambda r: _ttfr(r)["p90_hours"],
    ),
    Measure(
        "core_share",
        "Share of active members in the core group",
        "%",
        "core",
        False,
        0,
        100,
        _core_share,
        scale=100,
    ),
    Measure(
        "newcomer_first_reply_share",
        "Newcomers whose first post got a reply",
        "%",
        "newcomer_experience",
        False,
        0,
        100,
        lambda r: r["flows"]["newcomers"]["first_post_replied_share"],
        scale=100,
    ),
    Measure(
        "newcomer_return_30d_share",
        "Newcomers who came back within 30 days",
        "%",
        "newcomer_experience",
        False,
        0,
        100,
        lambda r: r["flows"]["newcomers"]["returned_30d_share"],
        scale=100,
    ),
    Measure(
        "absence_factor",
        "Absence factor (fewest members giving half the answers)",
        "members",
        "absence_factor",
        False,
        1,
        100_000,
        lambda r: r["flows"]["concentration"]["absence_factor"],
    ),
)
"""Every measure a goal can use, in the order the form offers them."""

_BY_KEY: Final = {m.key: m for m in MEASURES}


def measure(key: str) -> Measure:
    """Return the measure named ``key``.

    Raises
    ------
    KeyError
        When no measure has that key.
    """
    return _BY_KEY[key]


def measure_value(key: str, result: Mapping[str, Any] | None) -> MeasureValue:
    """The value of measure ``key`` in the analysis ``result`` (``None``: no analysis linked).

    Examples
    --------
    >>> doc = {"flows": {"time_to_first_response": {"overall": {"unanswered_share": 0.2}}}}
    >>> measure_value("unanswered_share", doc)
    MeasureValue(value=20.0, note='')
    >>> measure_value("unanswered_share", None).note
    'no analysis linked'
    """
    if result is None:
        return MeasureValue(None, "no analysis linked")
    spec = measure(key)
    try:
        raw = spec.read(result)
    except (KeyError, TypeError):
        return MeasureValue(None, "the analysis does not contain this measure; analyse again")
    if (reason := undefined_reason(raw)) is not None:
        return MeasureValue(None, f"not defined: {reason}")
    if not isinstance(raw, int | float) or isinstance(raw, bool):
        return MeasureValue(None, "the analysis does not contain this measure; analyse again")
    return MeasureValue(round(float(raw) * spec.scale, 2))
