"""Tiny ORM builders for attendance tests: a course, a cohort with sessions, enrollments."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from copkit.academy.models import Cohort, Course, Enrollment, Program, Session
from copkit.accounts.models import Role, User
from tests.conftest import make_user

NY = ZoneInfo("America/New_York")
START = datetime(2026, 9, 1, 11, 0, tzinfo=NY)  # a Tuesday, 11:00 in New York


def course(slug: str = "communities-of-practice", **settings: object) -> Course:
    program, _ = Program.objects.get_or_create(slug="cmcp", defaults={"name": "CMCP"})
    obj, _ = Course.objects.get_or_create(
        slug=slug, defaults={"program": program, "title": "Communities of Practice", **settings}
    )
    return obj


def cohort(
    *,
    slug: str = "cop-test",
    sessions: int = 16,
    graduation: bool = True,
    facilitator: User | None = None,
    start: datetime = START,
    **course_settings: object,
) -> Cohort:
    """A cohort with ``sessions`` class sessions twice a week (Tue/Thu) and a graduation event."""
    c = Cohort.objects.create(
        course=course(**course_settings),
        slug=slug,
        name=slug.replace("-", " ").title(),
        status=Cohort.Status.RUNNING,
        starts_on=start.date(),
        timezone="America/New_York",
    )
    for n in range(1, sessions + 1):
        week, second = divmod(n - 1, 2)
        Session.objects.create(
            cohort=c,
            kind=Session.Kind.CLASS,
            number=n,
            starts_at=start + timedelta(weeks=week, days=2 * second),
        )
    if graduation:
        Session.objects.create(
            cohort=c,
            kind=Session.Kind.GRADUATION,
            number=1,
            starts_at=start + timedelta(weeks=(sessions + 1) // 2, days=1),
        )
    if facilitator is not None:
        c.facilitators.add(facilitator)
    return c


def enroll(c: Cohort, user: User | str, track: str = Enrollment.Track.CERTIFICATION) -> Enrollment:
    if isinstance(user, str):
        user = make_user(user, Role.LEARNER)
    return Enrollment.objects.create(
        cohort=c,
        learner=user,
        track=track,
        status=Enrollment.Status.ENROLLED,
        community_name="A community",
        community_role="manager",
        applied_at=datetime(2026, 8, 1, tzinfo=NY),
        enrolled_at=datetime(2026, 8, 2, tzinfo=NY),
    )


def session(c: Cohort, number: int) -> Session:
    return Session.objects.get(cohort=c, kind=Session.Kind.CLASS, number=number)


def after_course(c: Cohort) -> datetime:
    last = c.sessions.order_by("-starts_at").first()
    assert last is not None
    return last.starts_at + timedelta(days=1)


__all__ = ["NY", "START", "after_course", "cohort", "date", "enroll", "session"]
