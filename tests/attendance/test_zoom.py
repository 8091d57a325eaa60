"""Zoom participants reports: parsing (pure) and matching to a roster."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from copkit.attendance.rules import Mark
from copkit.attendance.zoom import (
    RosterEntry,
    ZoomReportError,
    match_participants,
    parse_participants_report,
)

NY = ZoneInfo("America/New_York")
FIXTURE = Path(__file__).parent / "fixtures" / "zoom" / "participants.csv"
HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
START = datetime(2026, 9, 1, 11, 0, tzinfo=NY)
ROSTER = [
    RosterEntry(1, "Ana Lopez", "ana@example.org", ("Ana Lopez", "ana")),
    RosterEntry(2, "Ben Okafor", "ben@example.org", ("Ben Okafor", "ben")),
    RosterEntry(3, "Carla Diaz", "carla@uni.example", ("Carla Diaz", "carla")),
    RosterEntry(4, "Dan", "dan@example.org", ("dan",)),
    RosterEntry(5, "Eve", "eve@example.org", ("eve",)),
    RosterEntry(6, "Sam Lee", "sam1@example.org", ("Sam Lee", "sam1")),
    RosterEntry(7, "Sam Lee", "sam2@example.org", ("Sam Lee", "sam2")),
]


def preview(text: str | None = None, **kwargs):
    report = parse_participants_report(text or FIXTURE.read_text(encoding="utf-8"), tz=NY)
    return match_participants(
        report, roster=ROSTER, session_start=START, session_minutes=90, **kwargs
    )


def test_real_shaped_report_is_matched() -> None:
    p = preview()
    got = {m.entry.key: (m.matched_by, m.minutes, m.proposed) for m in p.matched}
    assert got == {
        1: ("e-mail", 93, Mark.PRESENT),
        2: ("e-mail", 86, Mark.PRESENT),  # rejoined: 46 + 40 minutes
        3: ("name", 65, Mark.LATE),  # "Carla (Carla Díaz)": original name, accents ignored
        4: ("e-mail", 40, Mark.ABSENT),  # under 60 minutes
    }
    assert [e.key for e in p.missing] == [5, 6, 7]
    assert sorted(u.name for u in p.unmatched) == ["Fatima (Fatima Host)", "iPhone de Eva"]
    ((who, candidates),) = p.ambiguous
    assert who.name == "Sam Lee" and {c.key for c in candidates} == {6, 7}


def test_min_minutes_is_a_parameter() -> None:
    p = preview(min_minutes=30)
    assert {m.entry.key: m.proposed for m in p.matched}[4] is Mark.PRESENT


def test_overlapping_connections_count_once() -> None:
    text = HEADER + (
        "Ana,ana@example.org,09/01/2026 11:00 AM,09/01/2026 12:00 PM,60,No\n"
        "Ana (phone),ana@example.org,09/01/2026 11:30 AM,09/01/2026 12:10 PM,40,No\n"
    )
    (m,) = preview(text).matched
    assert m.minutes == 70
    assert "overlapping" in preview(text).notes[0]


def test_iso_times_with_offsets_are_converted() -> None:
    text = HEADER + "Ana,ana@example.org,2026-09-01T15:00:00Z,2026-09-01T16:30:00Z,90,No\n"
    (m,) = preview(text).matched
    assert m.proposed is Mark.PRESENT


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name (Original Name),User Email,Leave Time,Duration (Minutes)\n", 'no "Join Time"'),
        ("hello,world\n1,2\n", "no header row"),
        (HEADER, "no participants"),
        (
            HEADER + "Ana,ana@example.org,13/45/2026 10:00,09/01/2026 12:00 PM,60,No\n",
            "line 2, column \"Join Time\": '13/45/2026 10:00' is not a date",
        ),
        (
            HEADER + "Ana,ana@example.org,09/01/2026 11:00 AM,,60,No\n",
            'line 2, column "Leave Time": the time is empty',
        ),
        (
            HEADER + "Ana,ana@example.org,09/01/2026 12:00 PM,09/01/2026 11:00 AM,60,No\n",
            'line 2, column "Leave Time": leaves before joining',
        ),
        (
            HEADER + "Ana,ana@example.org,09/01/2026 11:00 AM,09/01/2026 12:00 PM,sixty,No\n",
            'line 2, column "Duration (Minutes)"',
        ),
        (
            HEADER + ",,09/01/2026 11:00 AM,09/01/2026 12:00 PM,60,No\n",
            "line 2, columns",
        ),
        (
            HEADER
            + "Ana,ana@example.org,09/01/2026 11:00 AM,09/01/2026 12:00 PM,60,No\n"
            + "Ben,ben@example.org,09/01/2026 11:00 AM,09/01/2026 12:00 PM,60,No\n"
            + "Ana,ana@example.org,09/01/2026 11:00 AM,09/01/2026 12:00 PM,60,No\n",
            "line 4: the same row as line 2",
        ),
    ],
)
def test_malformed_reports_name_line_and_column(text: str, message: str) -> None:
    with pytest.raises(ZoomReportError) as info:
        preview(text)
    assert message in str(info.value)


def test_report_in_another_time_zone_is_refused_then_read_with_its_zone() -> None:
    # The same meeting exported by an account set to UTC: 15:00 UTC is 11:00 in New York.
    text = HEADER + "Ana,ana@example.org,09/01/2026 03:00 PM,09/01/2026 04:30 PM,90,No\n"
    with pytest.raises(ZoomReportError, match='line 2, column "Join Time": .*another time zone'):
        preview(text)
    report = parse_participants_report(text, tz=ZoneInfo("UTC"))
    (m,) = match_participants(
        report, roster=ROSTER, session_start=START, session_minutes=90
    ).matched
    assert m.proposed is Mark.PRESENT
