"""Reads on the academy: catalog, cohorts, schedules, a learner's enrollments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from copkit.academy.models import CalendarToken, Cohort, Course, Enrollment, Program, Session
from copkit.accounts.models import User


def program_list() -> QuerySet[Program]:
    """Programs with their courses, for the catalog."""
    return Program.objects.prefetch_related("courses")


def course_get(*, slug: str) -> Course:
    """A course by slug, or 404."""
    return get_object_or_404(
        Course.objects.select_related("program").prefetch_related("topics", "prerequisites"),
        slug=slug,
    )


def cohort_list(*, course: Course | None = None) -> QuerySet[Cohort]:
    """Cohorts annotated with ``enrolled_count`` and ``waitlisted_count``."""
    qs = Cohort.objects.select_related("course").annotate(
        enrolled_count=Count("enrollments", filter=Q(enrollments__status="enrolled")),
        waitlisted_count=Count("enrollments", filter=Q(enrollments__status="waitlisted")),
    )
    if course is not None:
        qs = qs.filter(course=course)
    return qs.order_by("starts_on", "slug")


def cohort_get(*, slug: str) -> Cohort:
    """A cohort by slug (with counts), or 404."""
    return get_object_or_404(cohort_list(), slug=slug)


def cohort_can_manage(*, user: User | object, cohort: Cohort) -> bool:
    """Staff manage every cohort; a facilitator manages the cohorts they facilitate."""
    if not getattr(user, "is_authenticated", False):
        return False
    assert isinstance(user, User)
    if user.is_program_staff:
        return True
    return cohort.facilitators.filter(pk=user.pk).exists()


def cohort_sessions(*, cohort: Cohort) -> QuerySet[Session]:
    """Every session of a cohort (cancelled ones too), in time order."""
    return cohort.sessions.select_related("topic").order_by("starts_at", "kind", "number")


@dataclass(frozen=True)
class MyEnrollment:
    """A learner's enrollment with its waitlist position (None unless waitlisted)."""

    enrollment: Enrollment
    position: int | None


def cohort_roster(*, cohort: Cohort) -> list[MyEnrollment]:
    """Enrollments of a cohort: enrolled, then the waitlist in order (with positions), then
    withdrawn."""
    order = {Enrollment.Status.ENROLLED: 0, Enrollment.Status.WAITLISTED: 1}
    rows = sorted(
        cohort.enrollments.select_related("learner").order_by("applied_at", "id"),
        key=lambda e: order.get(e.status, 2),  # type: ignore[call-overload]
    )
    result, waiting = [], 0
    for enrollment in rows:
        position = None
        if enrollment.status == Enrollment.Status.WAITLISTED:
            waiting += 1
            position = waiting
        result.append(MyEnrollment(enrollment, position))
    return result


def waitlist_position(*, enrollment: Enrollment) -> int | None:
    """1-based place on the waitlist, or None when not waitlisted."""
    if enrollment.status != Enrollment.Status.WAITLISTED:
        return None
    ahead = enrollment.cohort.enrollments.filter(status=Enrollment.Status.WAITLISTED).filter(
        Q(applied_at__lt=enrollment.applied_at)
        | Q(applied_at=enrollment.applied_at, id__lt=enrollment.id)
    )
    return ahead.count() + 1


def enrollment_list_for(*, user: User) -> list[MyEnrollment]:
    """The user's own enrollments, newest cohort first."""
    rows = user.enrollments.select_related("cohort", "cohort__course").order_by(
        "-cohort__starts_on"
    )
    return [MyEnrollment(e, waitlist_position(enrollment=e)) for e in rows]


def enrollment_get_for(*, user: User, pk: int) -> Enrollment:
    """An enrollment the user may act on: their own, or any for program staff; else 404."""
    qs = Enrollment.objects.select_related("cohort", "learner")
    if not user.is_program_staff:
        qs = qs.filter(learner=user)
    return get_object_or_404(qs, pk=pk)


def sessions_upcoming_for(*, user: User, now: datetime, limit: int = 5) -> QuerySet[Session]:
    """The next scheduled sessions of the user's enrolled or facilitated cohorts."""
    return feed_sessions_for(user=user).filter(starts_at__gte=now, status=Session.Status.SCHEDULED)[
        :limit
    ]


def feed_sessions_for(*, user: User) -> QuerySet[Session]:
    """Every session of the cohorts the user is enrolled in or facilitates."""
    return (
        Session.objects.filter(
            Q(cohort__enrollments__learner=user, cohort__enrollments__status="enrolled")
            | Q(cohort__facilitators=user)
        )
        .select_related("cohort", "cohort__course", "topic")
        .distinct()
        .order_by("starts_at")
    )


def facilitated_cohorts(*, user: User) -> QuerySet[Cohort]:
    """Cohorts the user facilitates, with counts."""
    return cohort_list().filter(facilitators=user)


def calendar_token_user(*, token: str) -> User | None:
    """The owner of an active (not revoked) calendar token, or None."""
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    return row.user if row is not None and row.user.is_active else None


def cohort_dates(*, cohort: Cohort) -> tuple[date | None, date | None]:
    """Local dates of the cohort's first and last scheduled session (graduation included)."""
    zone = ZoneInfo(cohort.timezone)
    starts = list(
        cohort.sessions.filter(status=Session.Status.SCHEDULED)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    if not starts:
        return None, None
    return starts[0].astimezone(zone).date(), starts[-1].astimezone(zone).date()
