from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from copkit.academy import rules
from copkit.academy.rules import Slot
from copkit.errors import ApplicationError

TUE_THU_NOON = [Slot(1, time(12, 0)), Slot(3, time(12, 0))]


def test_new_york_cohort_keeps_local_time_across_the_dst_change() -> None:
    # US daylight saving time ends on Sunday 2026-11-01.
    starts = rules.session_starts(
        starts_on=date(2026, 10, 13), slots=TUE_THU_NOON, timezone="America/New_York", count=16
    )
    zone = ZoneInfo("America/New_York")
    local = [s.astimezone(zone) for s in starts]
    assert len(starts) == 16
    assert all(d.time() == time(12, 0) for d in local)
    assert all(d.weekday() in (1, 3) for d in local)
    assert starts[0] == datetime(2026, 10, 13, 16, 0, tzinfo=UTC)  # EDT, UTC-4
    assert starts[-1] == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)  # EST, UTC-5
    assert {s.utcoffset() for s in starts} == {datetime.now(UTC).utcoffset()}


def test_berlin_cohort_keeps_local_time_across_the_spring_change() -> None:
    # Central European Summer Time starts on Sunday 2026-03-29.
    slots = [Slot(0, time(9, 30)), Slot(2, time(9, 30))]
    starts = rules.session_starts(
        starts_on=date(2026, 3, 2), slots=slots, timezone="Europe/Berlin", count=16
    )
    local = [s.astimezone(ZoneInfo("Europe/Berlin")) for s in starts]
    assert all(d.time() == time(9, 30) for d in local)
    assert starts[0] == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # CET, UTC+1
    assert starts[-1] == datetime(2026, 4, 22, 7, 30, tzinfo=UTC)  # CEST, UTC+2


def test_holidays_are_skipped_and_the_count_stays_right() -> None:
    holidays = [date(2026, 11, 26), date(2026, 11, 24)]  # a Thursday and a Tuesday
    starts = rules.session_starts(
        starts_on=date(2026, 10, 13),
        slots=TUE_THU_NOON,
        timezone="America/New_York",
        count=16,
        holidays=holidays,
    )
    local_days = [s.astimezone(ZoneInfo("America/New_York")).date() for s in starts]
    assert len(starts) == 16
    assert not set(holidays) & set(local_days)
    assert local_days[-1] == date(2026, 12, 10)  # one week later than without holidays


def test_several_slots_on_one_day_and_start_midweek() -> None:
    slots = [Slot(4, time(15, 0)), Slot(4, time(9, 0))]
    starts = rules.session_starts(starts_on=date(2026, 6, 5), slots=slots, timezone="UTC", count=3)
    assert starts == [
        datetime(2026, 6, 5, 9, tzinfo=UTC),
        datetime(2026, 6, 5, 15, tzinfo=UTC),
        datetime(2026, 6, 12, 9, tzinfo=UTC),
    ]


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "America/new york", "../etc/passwd"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(ApplicationError, match="not a known IANA time zone"):
        rules.timezone_get(name)


def test_no_slots_is_refused() -> None:
    with pytest.raises(ApplicationError, match="at least one weekly meeting slot"):
        rules.session_starts(starts_on=date(2026, 1, 1), slots=[], timezone="UTC", count=16)


def test_slots_parse() -> None:
    assert rules.slots_parse("Thu 12:00\n\ntuesday 9:05\nThursday 12:00") == [
        Slot(1, time(9, 5)),
        Slot(3, time(12, 0)),
    ]
    assert str(Slot(1, time(9, 5))) == "Tuesday 09:05"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one"),
        ("Tue 12:00\nsometime", "Line 2: 'sometime' is not a slot"),
        ("Tu 12:00", "'Tu' is not a weekday"),
        ("Funday 12:00", "'Funday' is not a weekday"),
        ("Mon 25:00", "25:00 is not a time of day"),
    ],
)
def test_bad_slots_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        rules.slots_parse(text)


def test_holidays_parse() -> None:
    assert rules.holidays_parse("2026-11-26 Thanksgiving\n\n2026-11-24") == [
        (date(2026, 11, 24), ""),
        (date(2026, 11, 26), "Thanksgiving"),
    ]
    with pytest.raises(ApplicationError, match="Line 1: '26/11/2026' is not a date"):
        rules.holidays_parse("26/11/2026 Thanksgiving")


def test_missing_prerequisites_lists_exactly_what_is_missing() -> None:
    required = [("fund", "Fundamentals"), ("cd", "Content Design")]
    assert rules.missing_prerequisites(required=required, completed=[], waived=[]) == [
        rules.MissingPrerequisite("fund", "Fundamentals"),
        rules.MissingPrerequisite("cd", "Content Design"),
    ]
    assert rules.missing_prerequisites(required=required, completed=["fund"], waived=["cd"]) == []
    missing = rules.missing_prerequisites(required=required, completed=["fund"], waived=[])
    message = rules.missing_prerequisites_message(missing)
    assert "Content Design" in message and "Fundamentals" not in message


ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@given(
    zone=st.sampled_from(ZONES),
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2035, 12, 31)),
    weekdays=st.sets(st.integers(0, 6), min_size=1, max_size=3),
    count=st.integers(1, 20),
    holiday_offsets=st.sets(st.integers(0, 120), max_size=10),
)
def test_session_starts_properties(
    zone: str, start: date, weekdays: set[int], count: int, holiday_offsets: set[int]
) -> None:
    slots = [Slot(day, time(12, 0)) for day in weekdays]
    holidays = {start + timedelta(days=offset) for offset in holiday_offsets}
    starts = rules.session_starts(
        starts_on=start, slots=slots, timezone=zone, count=count, holidays=holidays
    )
    local = [s.astimezone(ZoneInfo(zone)) for s in starts]
    assert len(starts) == count
    assert starts == sorted(set(starts))
    assert all(s.tzinfo is UTC for s in starts)
    assert all(d.time() == time(12, 0) and d.weekday() in weekdays for d in local)
    assert not {d.date() for d in local} & holidays
    assert local[0].date() >= start


def test_local_start_refuses_a_time_skipped_by_the_clocks() -> None:
    # 2026-03-08: clocks in New York go from 02:00 straight to 03:00.
    with pytest.raises(ApplicationError, match="02:30 does not exist on 2026-03-08"):
        rules.local_start(day=date(2026, 3, 8), start_time=time(2, 30), timezone="America/New_York")
    # 2026-11-01: 01:30 happens twice; the first (EDT) is meant.
    first = rules.local_start(
        day=date(2026, 11, 1), start_time=time(1, 30), timezone="America/New_York"
    )
    assert first == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
