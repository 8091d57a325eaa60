from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from copkit.academy import selectors, services
from copkit.academy.catalog import catalog_load
from copkit.academy.models import (
    Cohort,
    Course,
    Enrollment,
    PrerequisiteWaiver,
    Program,
    Session,
    SyllabusTopic,
)
from copkit.academy.rules import Slot
from copkit.accounts.models import User
from copkit.errors import ApplicationError
from tests.academy.conftest import apply, ready


def test_catalog_load_holds_everything_the_course_page_says(catalog: Course) -> None:
    cop = catalog
    assert cop.program.slug == "cmcp"
    assert cop.kind == Course.Kind.ELECTIVE and cop.open_to_non_certification
    assert [c.slug for c in cop.prerequisites.order_by("slug")] == [
        "content-design",
        "scientific-community-engagement-fundamentals",
    ]
    assert cop.requires_active_community
    assert (cop.weeks, cop.sessions_per_week, cop.session_minutes) == (8, 2, 90)
    assert cop.planned_sessions == 16
    assert "two absences are permitted" in cop.graduation_requirements
    assert cop.absence_allowance == 2 and cop.requires_graduation_event
    assert cop.topics.count() == 7
    assert cop.topics.first().title.startswith("Defining communities of practice")  # type: ignore[union-attr]
    assert all(t.objectives for t in cop.topics.all())
    assert "knowledge management plan" in cop.outputs
    assert "Cultivating Communities of Practice" in cop.course_text
    assert cop.instructors.splitlines() == [
        "Lou Woodley, CSCCE Director",
        "Camille Santistevan, Director of Learning",
    ]
    assert len(cop.included_for_all.splitlines()) == 4
    assert len(cop.included_for_certification.splitlines()) == 2
    assert cop.price == ""
    for slug in ("scientific-community-engagement-fundamentals", "content-design"):
        prerequisite = Course.objects.get(slug=slug)
        assert prerequisite.required_by.get() == cop
        assert not prerequisite.format_published


def test_catalog_load_twice_is_idempotent(catalog: Course) -> None:
    result = catalog_load()
    assert result.courses == [
        "scientific-community-engagement-fundamentals",
        "content-design",
        "communities-of-practice",
    ]
    assert (Program.objects.count(), Course.objects.count(), SyllabusTopic.objects.count()) == (
        1,
        3,
        7,
    )


def test_catalog_load_bad_file_names_the_place(db: None, tmp_path: Path) -> None:
    bad = tmp_path / "catalog.json"
    bad.write_text('{"program": {"slug": "x"}')
    with pytest.raises(ApplicationError, match=r"catalog.json: line 1, column \d+: not valid JSON"):
        catalog_load(path=bad)
    bad.write_text(json.dumps({"program": {"slug": "x", "name": "X"}, "courses": [{"slug": "a"}]}))
    with pytest.raises(ApplicationError, match=r"courses\[0\]: the field 'title' is missing"):
        catalog_load(path=bad)
    assert not Program.objects.exists()  # nothing half-written


def test_cohort_create_generates_sixteen_sessions_and_graduation(cohort: Cohort) -> None:
    classes = cohort.sessions.filter(kind=Session.Kind.CLASS).order_by("number")
    assert classes.count() == 16
    assert cohort.sessions.filter(kind=Session.Kind.GRADUATION).count() == 1
    zone = ZoneInfo("America/New_York")
    assert {s.starts_at.astimezone(zone).time() for s in classes} == {time(12, 0)}
    graduation = cohort.sessions.get(kind=Session.Kind.GRADUATION)
    assert graduation.starts_at > classes.last().starts_at  # type: ignore[union-attr]


def test_cohort_create_with_holiday_and_graduation_time(
    make_cohort: Callable[..., Cohort],
) -> None:
    start = timezone.now().date() + timedelta(days=30)
    holiday = start + timedelta(days=(1 - start.weekday()) % 7)  # first Tuesday
    grad = datetime(2040, 1, 1, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    cohort = make_cohort(starts_on=start, holidays=[(holiday, "closed")], graduation_event_at=grad)
    zone = ZoneInfo("America/New_York")
    days = [s.starts_at.astimezone(zone).date() for s in cohort.sessions.filter(kind="class")]
    assert len(days) == 16 and holiday not in days
    assert cohort.sessions.get(kind="graduation").starts_at == grad


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "not a known IANA time zone"),
        ({"starts_on": date(2020, 1, 6)}, "is in the past"),
        ({"slots": []}, "at least one weekly meeting slot"),
    ],
)
def test_cohort_create_refuses_bad_input_and_saves_nothing(
    make_cohort: Callable[..., Cohort], overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        make_cohort(**overrides)
    assert not Cohort.objects.exists() and not Session.objects.exists()


def test_cohort_update_refuses_capacity_below_enrolled(cohort: Cohort) -> None:
    for name in ("ana", "ben", "cy"):
        apply(cohort, ready(name))
    with pytest.raises(ApplicationError, match="Capacity 2 is below the 3 learners"):
        _update(cohort, capacity=2)
    cohort.refresh_from_db()
    assert cohort.capacity == 20


def _update(cohort: Cohort, **changes: object) -> Cohort:
    args: dict[str, object] = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "timezone": cohort.timezone,
        "slots": services.cohort_slots(cohort=cohort),
        "capacity": cohort.capacity,
        "facilitators": list(cohort.facilitators.all()),
        "holidays": [],
        "graduation_event_at": None,
    }
    args.update(changes)
    return services.cohort_update(cohort=cohort, **args)  # type: ignore[arg-type]


def test_cohort_update_of_schedule_keeps_uids_and_bumps_sequence(cohort: Cohort) -> None:
    before = {s.number: (s.uid, s.sequence) for s in cohort.sessions.filter(kind="class")}
    _update(cohort, slots=[Slot(1, time(14, 0)), Slot(3, time(14, 0))])
    after = {s.number: (s.uid, s.sequence) for s in cohort.sessions.filter(kind="class")}
    assert {n: u for n, (u, _) in after.items()} == {n: u for n, (u, _) in before.items()}
    assert all(after[n][1] == before[n][1] + 1 for n in before)
    # An edit that does not touch the schedule changes no session.
    _update(cohort, name="Renamed")
    assert {s.number: (s.uid, s.sequence) for s in cohort.sessions.filter(kind="class")} == after


def test_cohort_update_more_capacity_promotes_waitlist(make_cohort: Callable[..., Cohort]) -> None:
    cohort = make_cohort(capacity=1)
    apply(cohort, ready("ana"))
    waiting = apply(cohort, ready("ben"))
    assert waiting.status == Enrollment.Status.WAITLISTED
    _update(cohort, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == Enrollment.Status.ENROLLED


def test_reschedule_and_cancel_bump_sequence_and_keep_uid(cohort: Cohort) -> None:
    session = cohort.sessions.get(kind="class", number=3)
    uid = session.uid
    services.session_reschedule(session=session, day=date(2040, 3, 13), start_time=time(10, 0))
    session.refresh_from_db()
    assert session.starts_at == datetime(2040, 3, 13, 14, 0, tzinfo=UTC)  # EDT in 2040
    assert session.sequence == 1
    services.session_cancel(session=session)
    session.refresh_from_db()
    assert (session.uid, session.status, session.sequence) == (uid, "cancelled", 2)
    with pytest.raises(ApplicationError, match="already cancelled"):
        services.session_cancel(session=session)


def test_apply_refusal_lists_exactly_the_missing_prerequisites(
    cohort: Cohort, learner: User, staff: User
) -> None:
    with pytest.raises(ApplicationError) as caught:
        apply(cohort, learner)
    assert caught.value.extra["missing"] == [
        "Content Design",
        "Scientific Community Engagement Fundamentals",
    ]
    services.waiver_create(
        learner=learner,
        course=Course.objects.get(slug="content-design"),
        reason="Equivalent course at her university",
        by=staff,
    )
    with pytest.raises(ApplicationError) as caught:
        apply(cohort, learner)
    assert caught.value.extra["missing"] == ["Scientific Community Engagement Fundamentals"]
    assert "Content Design" not in caught.value.message
    assert not Enrollment.objects.exists()


def test_waiver_needs_staff_and_a_reason(
    learner: User, facilitator: User, staff: User, catalog: Course
) -> None:
    course = Course.objects.get(slug="content-design")
    with pytest.raises(ApplicationError, match="Only program staff"):
        services.waiver_create(learner=learner, course=course, reason="x", by=facilitator)
    with pytest.raises(ApplicationError, match="Give the reason"):
        services.waiver_create(learner=learner, course=course, reason="  ", by=staff)
    with pytest.raises(ApplicationError, match="not a prerequisite"):
        services.waiver_create(learner=learner, course=catalog, reason="x", by=staff)
    assert not PrerequisiteWaiver.objects.exists()


def test_apply_needs_the_attestation(cohort: Cohort, ready_learner: User) -> None:
    with pytest.raises(ApplicationError, match="actively manage"):
        services.enrollment_apply(
            cohort=cohort,
            learner=ready_learner,
            track="open",
            community_name=" ",
            community_role="",
        )


def test_second_application_is_refused(cohort: Cohort, ready_learner: User) -> None:
    apply(cohort, ready_learner)
    with pytest.raises(ApplicationError, match="already applied to this cohort"):
        apply(cohort, ready_learner)
    assert Enrollment.objects.count() == 1


def test_closed_cohort_refuses_applications(cohort: Cohort, ready_learner: User) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.RUNNING)
    with pytest.raises(ApplicationError, match="not open for applications"):
        apply(cohort, ready_learner)


def test_full_cohort_waitlists_and_withdrawal_promotes_the_first(
    make_cohort: Callable[..., Cohort],
) -> None:
    cohort = make_cohort(capacity=2)
    t0 = timezone.now()
    seated = [apply(cohort, ready(n), now=t0 + timedelta(minutes=i)) for i, n in enumerate("ab")]
    waiting = [
        apply(cohort, ready(n), now=t0 + timedelta(minutes=5 + i)) for i, n in enumerate("cde")
    ]
    assert [e.status for e in seated] == ["enrolled", "enrolled"]
    assert [e.status for e in waiting] == ["waitlisted"] * 3
    assert [selectors.waitlist_position(enrollment=e) for e in waiting] == [1, 2, 3]
    promoted = services.enrollment_withdraw(enrollment=seated[0])
    assert [e.learner.username for e in promoted] == ["c"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["c@example.org"]
    assert "seat" in mail.outbox[0].subject
    for e in waiting:
        e.refresh_from_db()
    assert [e.status for e in waiting] == ["enrolled", "waitlisted", "waitlisted"]
    assert [selectors.waitlist_position(enrollment=e) for e in waiting[1:]] == [1, 2]
    # Withdrawing from the waitlist frees no seat.
    assert services.enrollment_withdraw(enrollment=waiting[1]) == []
    with pytest.raises(ApplicationError, match="already withdrawn"):
        services.enrollment_withdraw(enrollment=waiting[1])


def test_calendar_token_reset_revokes_the_old_one(learner: User) -> None:
    first = services.calendar_token_get_or_create(user=learner)
    assert services.calendar_token_get_or_create(user=learner) == first
    second = services.calendar_token_reset(user=learner)
    assert selectors.calendar_token_user(token=first.token) is None
    assert selectors.calendar_token_user(token=second.token) == learner


def test_cohort_dates_are_local(cohort: Cohort) -> None:
    first, last = selectors.cohort_dates(cohort=cohort)
    assert first is not None and last is not None
    assert first.weekday() in (1, 3) and (last - first).days > 7 * 7
