"""The attendance demo builder, on the academy demo's conventions (made minimally here)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import Role
from copkit.attendance import demo
from copkit.attendance.models import AttendanceMark, EnrollmentOutcome
from copkit.attendance.rules import StandingStatus
from copkit.attendance.selectors import graduation_standing
from tests.attendance import factories as f
from tests.conftest import make_user

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=ZoneInfo("UTC"))


def _academy_demo() -> Cohort:
    make_user("staff", Role.STAFF)
    fac = make_user("facilitator1", Role.FACILITATOR)
    make_user("facilitator2", Role.FACILITATOR)
    first_day = (NOW - timedelta(weeks=5)).date()
    first_day -= timedelta(days=(first_day.weekday() - 1) % 7)  # a Tuesday
    start = datetime.combine(first_day, time(11, 0), tzinfo=f.NY)
    c = f.cohort(slug="cop-demo", facilitator=fac, start=start)
    for i in range(1, 21):
        f.enroll(c, f"learner{i:02d}", track="certification" if i <= 12 else "open")
    return c


@pytest.mark.slow
def test_demo_covers_every_case_and_is_idempotent(db) -> None:
    out = Console(quiet=True)
    assert "skipped" in demo.build(now=NOW, out=out)[0]
    c = _academy_demo()
    lines = demo.build(now=NOW, out=out)
    assert any("cop-2026-spring is closed with 4 graduates" in line for line in lines)

    def status(username: str) -> StandingStatus:
        e = Enrollment.objects.get(cohort=c, learner__username=username)
        return graduation_standing(enrollment=e, now=NOW).status

    assert status("learner01") is StandingStatus.ON_TRACK
    assert status("learner02") is StandingStatus.AT_RISK
    assert status("learner03") is StandingStatus.CANNOT_GRADUATE
    assert Enrollment.objects.get(cohort=c, learner__username="learner04").graduation_waiver
    # The latest held session is left for the facilitator to mark.
    e = Enrollment.objects.get(cohort=c, learner__username="learner01")
    assert "held, not marked yet" in graduation_standing(enrollment=e, now=NOW).remaining[0]

    outcomes = {
        o.enrollment.learner.username: (o.outcome, o.basis)
        for o in EnrollmentOutcome.objects.select_related("enrollment__learner")
    }
    assert outcomes == {
        "alum01": ("graduated", "rule"),
        "alum02": ("graduated", "rule"),
        "alum03": ("graduated", "rule"),
        "alum04": ("not_completed", "rule_not_met"),
        "alum05": ("graduated", "waiver"),
        "alum06": ("not_completed", "withdrawn"),
    }
    assert Cohort.objects.get(slug="cop-2026-spring").status == Cohort.Status.CLOSED

    marks = AttendanceMark.objects.count()
    demo.build(now=NOW, out=out)
    assert AttendanceMark.objects.count() == marks
    assert EnrollmentOutcome.objects.count() == 6
