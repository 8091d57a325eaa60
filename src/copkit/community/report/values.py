"""How the report writes numbers, shares, hours, dates and undefined measures.

A measure undefined for its input arrives as ``{"undefined": "<reason>"}``; every formatter
writes it as ``not defined: <reason>``, never as 0 or a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "UNDEFINED_PREFIX",
    "fmt_count",
    "fmt_hours",
    "fmt_share",
    "fmt_value",
    "undefined_reason",
]

UNDEFINED_PREFIX: Final = "not defined: "


def undefined_reason(value: Any) -> str | None:
    """Return the reason when ``value`` is an undefined measure, else None.

    Examples
    --------
    >>> undefined_reason({"undefined": "no replies"})
    'no replies'
    >>> undefined_reason(3) is None
    True
    """
    if isinstance(value, Mapping) and "undefined" in value:
        return str(value["undefined"])
    return None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def fmt_count(value: Any) -> str:
    """Write a count with thousands separators.

    >>> fmt_count(12345)
    '12,345'
    """
    if (reason := undefined_reason(value)) is not None:
        return UNDEFINED_PREFIX + reason
    if _number(value):
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    return fmt_value(value)


def fmt_share(value: Any) -> str:
    """Write a fraction between 0 and 1 as a percentage.

    >>> fmt_share(0.4567)
    '45.7 %'
    >>> fmt_share({"undefined": "no newcomers"})
    'not defined: no newcomers'
    """
    if (reason := undefined_reason(value)) is not None:
        return UNDEFINED_PREFIX + reason
    if _number(value):
        return f"{100 * value:.1f} %"
    return fmt_value(value)


def fmt_hours(value: Any) -> str:
    """Write a duration given in hours, switching to days above 48 hours.

    >>> fmt_hours(1.25)
    '1.2 h'
    >>> fmt_hours(72)
    '3.0 days'
    """
    if (reason := undefined_reason(value)) is not None:
        return UNDEFINED_PREFIX + reason
    if _number(value):
        if value < 1:
            return f"{60 * value:.0f} min"
        if value <= 48:
            return f"{value:.1f} h"
        return f"{value / 24:.1f} days"
    return fmt_value(value)


def fmt_value(value: Any) -> str:
    """Write any value of the analysis document in plain words.

    >>> fmt_value(0.71234)
    '0.712'
    >>> fmt_value("2024-06-28T17:41:00Z")
    '2024-06-28 17:41 UTC'
    >>> fmt_value(True)
    'yes'
    """
    if (reason := undefined_reason(value)) is not None:
        return UNDEFINED_PREFIX + reason
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, str):
        return _datetime(value) or value
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(fmt_value(v) for v in value)
    return str(value)


def _datetime(text: str) -> str | None:
    """Rewrite an ISO 8601 UTC timestamp as ``YYYY-MM-DD HH:MM UTC``; None if it is not one."""
    if len(text) < 16 or text[4] != "-" or "T" not in text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
