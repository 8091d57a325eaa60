"""Pure academy rules: meeting slots, session dates, prerequisites, waitlist order.

Nothing here touches the database; services and forms call these functions, tests check
them directly. Session times are built from a local date and a local wall-clock time in the
cohort's IANA zone (``datetime.combine(..., tzinfo=ZoneInfo(...))``), never by adding
seconds to midnight, so a session keeps its local time across a daylight-saving change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from copkit.errors import ApplicationError

__all__ = [
    "WEEKDAYS",
    "Slot",
    "MissingPrerequisite",
    "missing_prerequisites",
    "missing_prerequisites_message",
    "local_start",
    "session_starts",
    "start_date_error",
    "slot_parse",
    "slots_parse",
    "timezone_get",
    "holidays_parse",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MSG_NO_SLOTS = "Give at least one weekly meeting slot, for example 'Tuesday 16:00'."
MSG_BAD_TIMEZONE = "{name!r} is not a known IANA time zone; use a name like America/New_York."

_SLOT = re.compile(r"^\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly meeting time in the cohort's local time (weekday 0 = Monday)."""

    weekday: int
    start_time: time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.start_time:%H:%M}"


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_get(name: str) -> ZoneInfo:
    """Return the IANA zone called ``name``, or raise :class:`ApplicationError`."""
    cleaned = name.strip()
    if not cleaned or cleaned not in _zone_names():
        raise ApplicationError(MSG_BAD_TIMEZONE.format(name=name))
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - guarded above
        raise ApplicationError(MSG_BAD_TIMEZONE.format(name=name)) from exc


MSG_START_IN_PAST = "The start date {day} is in the past (today is {today} in {zone})."


def start_date_error(*, starts_on: date, timezone: str, now: datetime) -> str | None:
    """The refusal for a start date before today in the cohort's zone, else None."""
    today = now.astimezone(timezone_get(timezone)).date()
    if starts_on < today:
        return MSG_START_IN_PAST.format(day=starts_on.isoformat(), today=today, zone=timezone)
    return None


def slot_parse(text: str, *, line: int = 1) -> Slot:
    """Parse ``'Tuesday 16:00'`` (or ``'Tue 16:00'``) into a :class:`Slot`."""
    match = _SLOT.match(text)
    if match is None:
        raise ApplicationError(
            f"Line {line}: {text.strip()!r} is not a slot; write a weekday and a 24-hour time, "
            "for example 'Tuesday 16:00'."
        )
    word, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    days = [i for i, day in enumerate(WEEKDAYS) if len(word) >= 3 and day.lower().startswith(word)]
    if len(days) != 1:
        raise ApplicationError(f"Line {line}: {match.group(1)!r} is not a weekday.")
    if hour > 23 or minute > 59:
        raise ApplicationError(f"Line {line}: {hour}:{minute:02d} is not a time of day.")
    return Slot(weekday=days[0], start_time=time(hour, minute))


def slots_parse(text: str) -> list[Slot]:
    """Parse one slot per line; blank lines are ignored; at least one slot is required."""
    slots: set[Slot] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            slots.add(slot_parse(raw, line=number))
    if not slots:
        raise ApplicationError(MSG_NO_SLOTS)
    return sorted(slots)


def holidays_parse(text: str) -> list[tuple[date, str]]:
    """Parse one holiday per line: ``YYYY-MM-DD`` optionally followed by a note."""
    holidays: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        head, _, note = raw.strip().partition(" ")
        try:
            day = date.fromisoformat(head)
        except ValueError as exc:
            raise ApplicationError(
                f"Line {number}: {head!r} is not a date; write YYYY-MM-DD and an optional note."
            ) from exc
        holidays[day] = note.strip()
    return sorted(holidays.items())


def local_start(*, day: date, start_time: time, timezone: str) -> datetime:
    """The UTC instant of a local wall-clock time on a local date in ``timezone``.

    Refuses a time that does not exist that day (skipped when clocks go forward). A time that
    occurs twice (when clocks go back) means its first occurrence.
    """
    zone = timezone_get(timezone)
    local = datetime.combine(day, start_time, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ApplicationError(
            f"{start_time:%H:%M} does not exist on {day.isoformat()} in {timezone} (the clocks "
            "go forward); choose another time, or declare that date a holiday."
        )
    return instant


def session_starts(
    *,
    starts_on: date,
    slots: Sequence[Slot],
    timezone: str,
    count: int,
    holidays: Iterable[date] = (),
) -> list[datetime]:
    """Return the UTC start of each of ``count`` sessions, in order.

    Sessions fall on the weekly ``slots`` from ``starts_on`` on, in the local time of
    ``timezone``; a date in ``holidays`` is skipped and the series runs on, so the count
    stays right. Each start is built from the local date and wall-clock time, so it keeps its
    local time across a daylight-saving change.

    Raises
    ------
    ApplicationError
        When there are no slots, the zone is unknown or ``count`` is negative.
    """
    if not slots:
        raise ApplicationError(MSG_NO_SLOTS)
    if count < 0:
        raise ApplicationError("The number of sessions cannot be negative.")
    timezone_get(timezone)
    skipped = set(holidays)
    by_day: dict[int, list[time]] = {}
    for slot in sorted(set(slots)):
        by_day.setdefault(slot.weekday, []).append(slot.start_time)
    starts: list[datetime] = []
    day = starts_on
    while len(starts) < count:
        if day not in skipped:
            for start_time in by_day.get(day.weekday(), []):
                starts.append(local_start(day=day, start_time=start_time, timezone=timezone))
                if len(starts) == count:
                    break
        day += timedelta(days=1)
    return starts


@dataclass(frozen=True)
class MissingPrerequisite:
    """A prerequisite course a learner has neither completed nor had waived."""

    slug: str
    title: str


def missing_prerequisites(
    *,
    required: Iterable[tuple[str, str]],
    completed: Iterable[str],
    waived: Iterable[str],
) -> list[MissingPrerequisite]:
    """Return the prerequisites (slug, title) that are neither completed nor waived.

    A prerequisite is met when the learner completed the course or staff waived it.
    """
    met = set(completed) | set(waived)
    return [MissingPrerequisite(slug, title) for slug, title in required if slug not in met]


def missing_prerequisites_message(missing: Sequence[MissingPrerequisite]) -> str:
    """The refusal shown to a learner: exactly which prerequisite courses are missing."""
    titles = "; ".join(m.title for m in missing)
    return (
        f"You cannot apply yet. Missing prerequisites (neither completed nor waived): {titles}. "
        "Complete them, or ask the program staff for a waiver."
    )
