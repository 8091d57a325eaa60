"""Zoom participants reports: parse them and match them to a cohort's learners (pure).

A participants report is a CSV file with the columns ``Name (Original Name)``, ``User Email``,
``Join Time``, ``Leave Time``, ``Duration (Minutes)`` and (optionally) ``Guest``; Zoom may put a
few lines of meeting details above that header, which are skipped. A person who rejoins
appears on several rows: their minutes are summed (overlapping connections, such as a laptop
and a phone at once, count once). Times without a zone are read in the time zone given
(the cohort's, by default).

Nothing here touches the database: :func:`parse_participants_report` turns text into a
:class:`ZoomReport` or raises :class:`ZoomReportError` naming the line and column;
:func:`match_participants` turns a report and a roster into an :class:`ImportPreview`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from copkit.attendance.rules import Mark
from copkit.errors import CopkitError

__all__ = [
    "ImportPreview",
    "LearnerMatch",
    "Participant",
    "RosterEntry",
    "ZoomReport",
    "ZoomReportError",
    "ZoomRow",
    "match_participants",
    "normalise_name",
    "parse_participants_report",
]

COLUMNS = {
    "name": "Name (Original Name)",
    "email": "User Email",
    "join": "Join Time",
    "leave": "Leave Time",
    "minutes": "Duration (Minutes)",
    "guest": "Guest",
}
REQUIRED = ("name", "email", "join", "leave", "minutes")
DATE_FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
EXAMPLE_DATE = "11/29/2026 09:58:12 AM"
# How far outside a session's planned time a join or leave may fall before the report is taken
# to be in another time zone (or for another meeting).
WINDOW_SLACK = timedelta(hours=1)
MAX_ROWS = 5000


class ZoomReportError(CopkitError):
    """A participants report that cannot be read; the message names the line and column."""


@dataclass(frozen=True)
class ZoomRow:
    """One row of a participants report (one connection of one person)."""

    line: int
    name: str
    original_name: str
    email: str
    join: datetime
    leave: datetime
    minutes: int
    guest: bool


@dataclass(frozen=True)
class ZoomReport:
    rows: tuple[ZoomRow, ...]


def _header_index(cells: list[str]) -> dict[str, int] | None:
    lowered = [c.strip().lstrip("\ufeff").casefold() for c in cells]
    if COLUMNS["name"].casefold() not in lowered and COLUMNS["join"].casefold() not in lowered:
        return None
    return {
        key: lowered.index(col.casefold())
        for key, col in COLUMNS.items()
        if col.casefold() in lowered
    }


def _parse_time(value: str, *, line: int, column: str, tz: ZoneInfo) -> datetime:
    text = value.strip()
    if not text:
        raise ZoomReportError(f'line {line}, column "{column}": the time is empty.')
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None:
        for fmt in DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - zone attached below
                break
            except ValueError:
                continue
    if parsed is None:
        raise ZoomReportError(
            f'line {line}, column "{column}": {text!r} is not a date and time '
            f"(expected for example {EXAMPLE_DATE})."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _split_name(value: str) -> tuple[str, str]:
    match = re.fullmatch(r"\s*(.*?)\s*\((.+)\)\s*", value)
    if match and match.group(1):
        return match.group(1), match.group(2).strip()
    return value.strip(), ""


def parse_participants_report(text: str, *, tz: ZoneInfo) -> ZoomReport:
    """Read a Zoom participants report.

    Parameters
    ----------
    text
        The CSV text (a leading byte-order mark and meeting-detail lines are allowed).
    tz
        The time zone of times written without one (Zoom writes the account's zone).

    Raises
    ------
    ZoomReportError
        Missing columns, empty or bad times, a leave before a join, a bad duration, a row with
        neither name nor e-mail, or the same row twice; the message names the line and column.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    index: dict[str, int] | None = None
    rows: list[ZoomRow] = []
    seen: dict[tuple[str, str, datetime, datetime], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if index is None:
                index = _header_index(cells)
                if index is not None:
                    missing = [COLUMNS[k] for k in REQUIRED if k not in index]
                    if missing:
                        raise ZoomReportError(
                            f"line {line}: the report has no "
                            + ", ".join(f'"{m}"' for m in missing)
                            + " column; export the participants report from Zoom with all "
                            "columns."
                        )
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ZoomReportError(f"line {line}: more than {MAX_ROWS} rows; is this a report?")

            columns = index

            def cell(key: str, cells: list[str] = cells, columns: dict[str, int] = columns) -> str:
                pos = columns.get(key)
                return cells[pos].strip() if pos is not None and pos < len(cells) else ""

            name, original = _split_name(cell("name"))
            email = cell("email").casefold()
            if not name and not email:
                raise ZoomReportError(
                    f'line {line}, columns "{COLUMNS["name"]}" and "{COLUMNS["email"]}": '
                    "both are empty."
                )
            join = _parse_time(cell("join"), line=line, column=COLUMNS["join"], tz=tz)
            leave = _parse_time(cell("leave"), line=line, column=COLUMNS["leave"], tz=tz)
            if leave < join:
                raise ZoomReportError(
                    f'line {line}, column "{COLUMNS["leave"]}": leaves before joining '
                    f"({cell('leave')} is before {cell('join')})."
                )
            raw_minutes = cell("minutes")
            if not raw_minutes.isdigit():
                raise ZoomReportError(
                    f'line {line}, column "{COLUMNS["minutes"]}": {raw_minutes!r} is not a '
                    "whole number of minutes."
                )
            key = (name.casefold(), email, join, leave)
            if key in seen:
                raise ZoomReportError(
                    f"line {line}: the same row as line {seen[key]} (same participant, join and "
                    "leave time); remove the duplicate and upload again."
                )
            seen[key] = line
            rows.append(
                ZoomRow(
                    line=line,
                    name=name,
                    original_name=original,
                    email=email,
                    join=join,
                    leave=leave,
                    minutes=int(raw_minutes),
                    guest=cell("guest").casefold() in {"yes", "true", "1"},
                )
            )
    except csv.Error as exc:
        raise ZoomReportError(f"line {reader.line_num}: not a readable CSV file ({exc}).") from exc
    if index is None:
        raise ZoomReportError(
            f'no header row with "{COLUMNS["name"]}" and "{COLUMNS["join"]}": '
            "is this a Zoom participants report?"
        )
    if not rows:
        raise ZoomReportError("the report has a header but no participants.")
    return ZoomReport(rows=tuple(rows))


def normalise_name(name: str) -> str:
    """Case-fold, strip accents and collapse spaces so that names compare as people mean them.

    >>> normalise_name("  José   ÁLVAREZ ")
    'jose alvarez'
    """
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class RosterEntry:
    """A learner who may appear in the report: a key (the enrollment id), e-mail and names."""

    key: int
    label: str
    email: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Participant:
    """The rows of one person in the report (grouped by e-mail, else by name)."""

    name: str
    email: str
    lines: tuple[int, ...]
    minutes: int
    first_join: datetime
    guest: bool


@dataclass(frozen=True)
class LearnerMatch:
    """A learner found in the report, with the minutes attended and the proposed mark."""

    entry: RosterEntry
    participants: tuple[Participant, ...]
    matched_by: str
    minutes: int
    proposed: Mark


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: nothing is applied until the user confirms."""

    matched: tuple[LearnerMatch, ...]
    missing: tuple[RosterEntry, ...]
    unmatched: tuple[Participant, ...]
    ambiguous: tuple[tuple[Participant, tuple[RosterEntry, ...]], ...]
    min_minutes: int
    notes: tuple[str, ...] = field(default=())


def _minutes(rows: Sequence[ZoomRow]) -> tuple[int, bool]:
    """Minutes attended: Zoom's durations summed, or the union of overlapping connections."""
    spans = sorted((r.join, r.leave) for r in rows)
    overlap = any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
    if not overlap:
        return sum(r.minutes for r in rows), False
    total = timedelta(0)
    start, end = spans[0]
    for s, e in spans[1:]:
        if s <= end:
            end = max(end, e)
        else:
            total += end - start
            start, end = s, e
    total += end - start
    return math.ceil(total.total_seconds() / 60), True


def _participant(rows: Sequence[ZoomRow]) -> Participant:
    minutes, _ = _minutes(rows)
    first = rows[0]
    return Participant(
        name=first.name + (f" ({first.original_name})" if first.original_name else ""),
        email=first.email,
        lines=tuple(r.line for r in rows),
        minutes=minutes,
        first_join=min(r.join for r in rows),
        guest=all(r.guest for r in rows),
    )


def match_participants(
    report: ZoomReport,
    *,
    roster: Sequence[RosterEntry],
    session_start: datetime,
    session_minutes: int,
    min_minutes: int = 60,
    late_after_minutes: int = 15,
) -> ImportPreview:
    """Match a report to the roster: by e-mail first, then by name.

    Parameters
    ----------
    report
        A parsed participants report.
    roster
        The learners enrolled in the cohort.
    session_start, session_minutes
        When the session was planned; a report whose times fall outside it (with an hour's
        slack) is refused as being in another time zone or for another meeting.
    min_minutes
        Minutes in the meeting that count as attended (60 of 90 by default).
    late_after_minutes
        A learner who attended enough but first joined later than this is proposed *late*.

    Raises
    ------
    ZoomReportError
        When a time falls outside the session, naming the line and column.
    """
    if min_minutes < 1:
        raise ZoomReportError("the minimum number of minutes must be at least 1.")
    window_start = session_start - WINDOW_SLACK
    window_end = session_start + timedelta(minutes=session_minutes) + WINDOW_SLACK
    for row in report.rows:
        for column, value in ((COLUMNS["join"], row.join), (COLUMNS["leave"], row.leave)):
            if not window_start <= value <= window_end:
                local = value.astimezone(session_start.tzinfo)
                raise ZoomReportError(
                    f'line {row.line}, column "{column}": {local:%Y-%m-%d %H:%M} is not during '
                    f"the session ({session_start:%Y-%m-%d %H:%M} {session_start.tzname()}, "
                    f"{session_minutes} minutes). Was the report exported in another time zone, "
                    "or for another meeting? Choose the report's time zone and try again."
                )

    groups: dict[str, list[ZoomRow]] = {}
    for row in report.rows:
        key = (
            f"e:{row.email}" if row.email else f"n:{normalise_name(row.original_name or row.name)}"
        )
        groups.setdefault(key, []).append(row)

    by_email: dict[str, list[RosterEntry]] = {}
    by_name: dict[str, list[RosterEntry]] = {}
    for entry in roster:
        if entry.email:
            by_email.setdefault(entry.email.casefold(), []).append(entry)
        for name in {normalise_name(n) for n in entry.names if n.strip()}:
            by_name.setdefault(name, []).append(entry)

    found: dict[int, tuple[RosterEntry, list[ZoomRow], list[Participant], set[str]]] = {}
    unmatched: list[Participant] = []
    ambiguous: list[tuple[Participant, tuple[RosterEntry, ...]]] = []
    for rows in groups.values():
        participant = _participant(rows)
        candidates: list[RosterEntry] = []
        how = ""
        if rows[0].email and rows[0].email in by_email:
            candidates, how = by_email[rows[0].email], "e-mail"
        else:
            names = {normalise_name(r.name) for r in rows} | {
                normalise_name(r.original_name) for r in rows if r.original_name
            }
            seen_keys: dict[int, RosterEntry] = {}
            for name in names:
                for entry in by_name.get(name, []):
                    seen_keys[entry.key] = entry
            candidates, how = list(seen_keys.values()), "name"
        if len(candidates) == 1:
            entry = candidates[0]
            slot = found.setdefault(entry.key, (entry, [], [], set()))
            slot[1].extend(rows)
            slot[2].append(participant)
            slot[3].add(how)
        elif candidates:
            ambiguous.append((participant, tuple(candidates)))
        else:
            unmatched.append(participant)

    notes: list[str] = []
    matched: list[LearnerMatch] = []
    late_after = session_start + timedelta(minutes=late_after_minutes)
    for entry, rows, participants, hows in found.values():
        minutes, overlapped = _minutes(rows)
        if overlapped:
            notes.append(f"{entry.label}: overlapping connections counted once.")
        first_join = min(r.join for r in rows)
        if minutes < min_minutes:
            proposed = Mark.ABSENT
        elif first_join > late_after:
            proposed = Mark.LATE
        else:
            proposed = Mark.PRESENT
        matched.append(
            LearnerMatch(
                entry=entry,
                participants=tuple(participants),
                matched_by=" and ".join(sorted(hows)),
                minutes=minutes,
                proposed=proposed,
            )
        )
    matched.sort(key=lambda m: m.entry.label.casefold())
    missing = tuple(
        sorted((e for e in roster if e.key not in found), key=lambda e: e.label.casefold())
    )
    return ImportPreview(
        matched=tuple(matched),
        missing=missing,
        unmatched=tuple(unmatched),
        ambiguous=tuple(ambiguous),
        min_minutes=min_minutes,
        notes=tuple(notes),
    )
