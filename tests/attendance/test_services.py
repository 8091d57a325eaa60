"""Services: append-only marks, rosters, Zoom import apply, waivers and closing a cohort."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import Role
from copkit.attendance.models import APPEND_ONLY, AttendanceMark, EnrollmentOutcome
from copkit.attendance.rules import Mark, StandingStatus
from copkit.attendance.selectors import (
    enrollment_outcome,
    graduation_event,
    graduation_standing,
    report_preview,
)
from copkit.attendance.services import (
    attendance_mark,
    attendance_mark_session,
    cohort_close,
    waiver_grant,
    zoom_preview_apply,
)
from copkit.errors import ApplicationError
from tests.attendance import factories as f
from tests.conftest import make_user

FIXTURE = Path(__file__).parent / "fixtures" / "zoom" / "participants.csv"


@pytest.fixture
def setup(facilitator):
    c = f.cohort(facilitator=facilitator)
    return c, f.enroll(c, "ana"), facilitator


def mark_all(c: Cohort, e: Enrollment, by, absent=(), event: Mark | None = Mark.PRESENT) -> None:
    now = f.after_course(c)
    for n in range(1, 17):
        status = "absent" if n in absent else "present"
        attendance_mark(enrollment=e, session=f.session(c, n), status=status, by=by, now=now)
    if event is not None:
        attendance_mark(
            enrollment=e, session=graduation_event(cohort=c), status=event.value, by=by, now=now
        )


def test_marks_are_events_and_the_latest_counts(setup) -> None:
    c, e, fac = setup
    s1 = f.session(c, 1)
    now = f.after_course(c)
    attendance_mark(enrollment=e, session=s1, status="absent", by=fac, now=now)
    assert attendance_mark(enrollment=e, session=s1, status="absent", by=fac, now=now) is None
    attendance_mark(
        enrollment=e, session=s1, status="excused", by=fac, reason="doctor's note", now=now
    )
    events = list(AttendanceMark.objects.order_by("id").values_list("previous_status", "status"))
    assert events == [("unmarked", "absent"), ("absent", "excused")]
    assert graduation_standing(enrollment=e).absences_used == 1


def test_marks_cannot_be_changed_or_deleted(setup) -> None:
    c, e, fac = setup
    m = attendance_mark(
        enrollment=e, session=f.session(c, 1), status="present", by=fac, now=f.after_course(c)
    )
    assert m is not None
    m.status = "absent"
    with pytest.raises(ApplicationError, match="append-only"):
        m.save()
    with pytest.raises(ApplicationError, match=APPEND_ONLY):
        m.delete()
    with pytest.raises(ApplicationError, match=APPEND_ONLY):
        AttendanceMark.objects.filter(pk=m.pk).update(status="absent")
    with pytest.raises(ApplicationError, match=APPEND_ONLY):
        AttendanceMark.objects.all().delete()
    assert AttendanceMark.objects.get().status == "present"


def test_who_may_mark(setup, learner) -> None:
    c, e, _ = setup
    other = make_user("otherfac", Role.FACILITATOR)
    for user in (learner, other):
        with pytest.raises(ApplicationError, match="Only the cohort's facilitators"):
            attendance_mark(
                enrollment=e,
                session=f.session(c, 1),
                status="present",
                by=user,
                now=f.after_course(c),
            )


def test_future_sessions_take_only_excused(setup) -> None:
    c, e, fac = setup
    before = f.START - timedelta(days=1)
    with pytest.raises(ApplicationError, match="has not started yet"):
        attendance_mark(enrollment=e, session=f.session(c, 1), status="present", by=fac, now=before)
    assert attendance_mark(
        enrollment=e, session=f.session(c, 1), status="excused", by=fac, now=before
    )


def test_unknown_status_and_cancelled_session_are_refused(setup) -> None:
    c, e, fac = setup
    now = f.after_course(c)
    with pytest.raises(ApplicationError, match="Unknown attendance status"):
        attendance_mark(enrollment=e, session=f.session(c, 1), status="asleep", by=fac, now=now)
    s2 = f.session(c, 2)
    s2.status = "cancelled"
    s2.save()
    with pytest.raises(ApplicationError, match="cancelled"):
        attendance_mark(enrollment=e, session=s2, status="present", by=fac, now=now)
    # A cancelled session is not planned: 15 remain.
    assert graduation_standing(enrollment=e).planned == 15


def test_roster_is_all_or_nothing(setup) -> None:
    c, e, fac = setup
    other = f.enroll(c, "ben")
    other.status = Enrollment.Status.WITHDRAWN
    other.save()
    with pytest.raises(ApplicationError, match="withdrawn"):
        attendance_mark_session(
            session=f.session(c, 1),
            statuses={e.pk: "present", other.pk: "present"},
            by=fac,
            now=f.after_course(c),
        )
    assert AttendanceMark.objects.count() == 0


def test_standing_uses_planned_sessions(setup) -> None:
    c, e, fac = setup
    attendance_mark_session(
        session=f.session(c, 1), statuses={e.pk: "absent"}, by=fac, now=f.after_course(c)
    )
    attendance_mark_session(
        session=f.session(c, 2), statuses={e.pk: "absent"}, by=fac, now=f.after_course(c)
    )
    s = graduation_standing(enrollment=e, now=f.after_course(c))
    assert s.status is StandingStatus.AT_RISK and s.planned == 16 and s.absences_left == 0
    assert "Session 3 (" in s.remaining[0] and "held, not marked yet" in s.remaining[0]


def test_zoom_apply_marks_matched_and_keeps_existing(setup) -> None:
    c, ana, fac = setup
    ben = f.enroll(c, "ben")
    dan = f.enroll(c, "dan")
    eve = f.enroll(c, "eve")
    now = f.after_course(c)
    s1 = f.session(c, 1)
    attendance_mark(enrollment=ben, session=s1, status="excused", by=fac, now=now)
    preview = report_preview(session=s1, text=FIXTURE.read_text("utf-8"), min_minutes=60)
    result = zoom_preview_apply(
        session=s1, preview=preview, by=fac, source="test", mark_missing_absent=True, now=now
    )
    assert result.marked == 3  # ana present, dan absent, eve absent (missing)
    assert result.kept == ("ben: kept excused (the report says present)",)
    last = {m.enrollment_id: m for m in AttendanceMark.objects.filter(session=s1)}
    assert last[ana.pk].status == "present" and "93 minutes" in last[ana.pk].reason
    assert last[dan.pk].status == "absent"
    assert last[eve.pk].reason == "not in the participants report"


def test_close_refuses_while_anything_is_unmarked(setup, staff) -> None:
    c, e, fac = setup
    mark_all(c, e, fac, event=None)
    with pytest.raises(ApplicationError, match="cannot close yet.*the graduation event"):
        cohort_close(cohort=c, by=staff, now=f.after_course(c))
    assert not EnrollmentOutcome.objects.exists()


def test_close_records_outcomes_and_waivers_survive_recalculation(setup, staff) -> None:
    c, ana, fac = setup
    ben = f.enroll(c, "ben")
    mark_all(c, ana, fac, absent=(1, 2))
    mark_all(c, ben, fac, absent=(1, 2, 3))
    with pytest.raises(ApplicationError, match="Only program staff"):
        cohort_close(cohort=c, by=fac)
    with pytest.raises(ApplicationError, match="Only program staff"):
        waiver_grant(enrollment=ben, reason="x", by=fac)
    with pytest.raises(ApplicationError, match="Give the reason"):
        waiver_grant(enrollment=ben, reason="  ", by=staff)
    cohort_close(cohort=c, by=staff, now=f.after_course(c))
    c.refresh_from_db()
    assert c.status == Cohort.Status.CLOSED and c.closed_at is not None
    assert enrollment_outcome(enrollment=ana).outcome == "graduated"
    not_done = enrollment_outcome(enrollment=ben)
    assert not_done.outcome == "not_completed" and not_done.basis == "rule_not_met"
    assert "3 absences, more than the 2 permitted" in not_done.reasons
    waiver_grant(enrollment=ben, reason="Medical leave, documented", by=staff)
    with pytest.raises(ApplicationError, match="already has a waiver"):
        waiver_grant(enrollment=ben, reason="again", by=staff)
    cohort_close(cohort=c, by=staff, now=f.after_course(c))
    again = enrollment_outcome(enrollment=ben)
    assert again.outcome == "graduated" and again.basis == "waiver"
    assert again.waiver.reason == "Medical leave, documented" and not again.eligible


def test_closed_cohort_marks_need_staff_and_a_reason(setup, staff) -> None:
    c, e, fac = setup
    mark_all(c, e, fac)
    cohort_close(cohort=c, by=staff, now=f.after_course(c))
    s1 = f.session(c, 1)
    with pytest.raises(ApplicationError, match="is closed"):
        attendance_mark(enrollment=e, session=s1, status="absent", by=fac)
    with pytest.raises(ApplicationError, match="is closed"):
        attendance_mark(enrollment=e, session=s1, status="absent", by=staff)
    assert attendance_mark(
        enrollment=e, session=s1, status="absent", by=staff, reason="left after 10 minutes"
    )


def test_withdrawn_enrollment_is_not_completed(setup, staff) -> None:
    c, ana, fac = setup
    ben = f.enroll(c, "ben")
    mark_all(c, ana, fac)
    ben.status = Enrollment.Status.WITHDRAWN
    ben.save()
    cohort_close(cohort=c, by=staff, now=f.after_course(c))
    outcome = enrollment_outcome(enrollment=ben)
    assert (outcome.outcome, outcome.basis) == ("not_completed", "withdrawn")
