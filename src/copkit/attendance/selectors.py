"""Reads: current marks, standings against the graduation rule, outcomes, rosters, audit trail.

Every standing comes from :func:`copkit.attendance.rules.graduation_standing`; this module only
gathers the plain data it needs from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from copkit.academy.models import Cohort, Course, Enrollment, Session
from copkit.accounts.models import User
from copkit.attendance.models import AttendanceMark, EnrollmentOutcome, StaffWaiver, ZoomImport
from copkit.attendance.rules import (
    CourseRules,
    Mark,
    PlannedSession,
    Standing,
)
from copkit.attendance.rules import (
    graduation_standing as rule_standing,
)
from copkit.attendance.zoom import (
    ImportPreview,
    RosterEntry,
    ZoomReportError,
    match_participants,
    parse_participants_report,
)

__all__ = [
    "MatrixRow",
    "audit_trail",
    "cohort_get_for",
    "cohort_matrix",
    "cohorts_for",
    "course_rules",
    "current_marks",
    "enrollment_outcome",
    "graduation_event",
    "graduation_standing",
    "learner_enrollments",
    "planned_sessions",
    "report_preview",
    "roster_entries",
    "session_label",
    "zoom_import_preview",
]


def course_rules(course: Course) -> CourseRules:
    """The rule settings of a course."""
    return CourseRules(
        absence_allowance=course.absence_allowance,
        requires_graduation_event=course.requires_graduation_event,
        late_counts_as_attended=course.late_counts_as_attended,
        excused_counts_as_absence=course.excused_counts_as_absence,
    )


def planned_sessions(*, cohort: Cohort) -> list[Session]:
    """The cohort's class sessions that are not cancelled, in order."""
    return list(
        cohort.sessions.filter(kind=Session.Kind.CLASS)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at", "number")
    )


def graduation_event(*, cohort: Cohort) -> Session | None:
    """The cohort's graduation event, if one is scheduled."""
    return (
        cohort.sessions.filter(kind=Session.Kind.GRADUATION)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def session_label(session: Session) -> str:
    """``Session 3 (Tue 14 Oct 2026, 11:00 America/New_York)`` in the cohort's time zone."""
    local = session.starts_at.astimezone(ZoneInfo(session.cohort.timezone))
    name = (
        "Graduation event"
        if session.kind == Session.Kind.GRADUATION
        else f"Session {session.number}"
    )
    return f"{name} ({local:%a %d %b %Y, %H:%M} {session.cohort.timezone})"


def current_marks(
    *, enrollments: Iterable[Enrollment], sessions: Iterable[Session]
) -> dict[tuple[int, int], Mark]:
    """The current mark per (enrollment id, session id): the status of the latest event."""
    enrollment_ids = [e.pk for e in enrollments]
    session_ids = [s.pk for s in sessions]
    marks: dict[tuple[int, int], Mark] = {}
    rows = (
        AttendanceMark.objects.filter(enrollment_id__in=enrollment_ids, session_id__in=session_ids)
        .order_by("at", "id")
        .values_list("enrollment_id", "session_id", "status")
    )
    for enrollment_id, session_id, status in rows:
        marks[(enrollment_id, session_id)] = Mark(status)
    return marks


def _standing(
    *,
    enrollment: Enrollment,
    sessions: list[Session],
    event: Session | None,
    marks: dict[tuple[int, int], Mark],
    rules: CourseRules,
    now: datetime,
) -> Standing:
    planned = [
        PlannedSession(number=s.number, label=session_label(s), past=s.starts_at <= now)
        for s in sessions
    ]
    by_number = {s.number: marks.get((enrollment.pk, s.pk), Mark.UNMARKED) for s in sessions}
    event_mark = marks.get((enrollment.pk, event.pk), Mark.UNMARKED) if event else Mark.UNMARKED
    return rule_standing(
        sessions=planned,
        marks=by_number,
        rules=rules,
        graduation_event=event_mark,
        graduation_event_scheduled=event is not None,
    )


def graduation_standing(*, enrollment: Enrollment, now: datetime | None = None) -> Standing:
    """Where an enrollment stands against the graduation rule, right now.

    Parameters
    ----------
    enrollment
        Any enrollment; the cohort's planned class sessions and graduation event are read.
    now
        Only used to say which unmarked sessions have already been held.

    Returns
    -------
    Standing
        As computed by :func:`copkit.attendance.rules.graduation_standing`.
    """
    cohort = enrollment.cohort
    sessions = planned_sessions(cohort=cohort)
    event = graduation_event(cohort=cohort)
    marks = current_marks(
        enrollments=[enrollment], sessions=[*sessions, *([event] if event else [])]
    )
    return _standing(
        enrollment=enrollment,
        sessions=sessions,
        event=event,
        marks=marks,
        rules=course_rules(cohort.course),
        now=now or timezone.now(),
    )


def enrollment_outcome(*, enrollment: Enrollment) -> EnrollmentOutcome | None:
    """The outcome recorded when the cohort closed, or ``None`` while it is open."""
    return EnrollmentOutcome.objects.select_related("waiver").filter(enrollment=enrollment).first()


@dataclass(frozen=True)
class MatrixRow:
    """One learner's line of the cohort matrix."""

    enrollment: Enrollment
    marks: tuple[Mark, ...]
    graduation_event: Mark
    standing: Standing
    waiver: StaffWaiver | None
    outcome: EnrollmentOutcome | None


def _matrix_enrollments(cohort: Cohort) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(cohort=cohort)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .select_related("learner", "cohort", "cohort__course")
        .order_by("learner__username")
    )


def cohort_matrix(
    *, cohort: Cohort, now: datetime | None = None
) -> tuple[list[Session], Session | None, list[MatrixRow]]:
    """Learners x planned sessions with current marks and standings (few queries).

    Withdrawn enrollments are included (their outcome is "not completed"); waitlisted are not.
    """
    now = now or timezone.now()
    sessions = planned_sessions(cohort=cohort)
    event = graduation_event(cohort=cohort)
    enrollments = list(_matrix_enrollments(cohort))
    marks = current_marks(
        enrollments=enrollments, sessions=[*sessions, *([event] if event else [])]
    )
    waivers = {w.enrollment_id: w for w in StaffWaiver.objects.filter(enrollment__cohort=cohort)}
    outcomes = {
        o.enrollment_id: o for o in EnrollmentOutcome.objects.filter(enrollment__cohort=cohort)
    }
    rules = course_rules(cohort.course)
    rows = [
        MatrixRow(
            enrollment=e,
            marks=tuple(marks.get((e.pk, s.pk), Mark.UNMARKED) for s in sessions),
            graduation_event=marks.get((e.pk, event.pk), Mark.UNMARKED) if event else Mark.UNMARKED,
            standing=_standing(
                enrollment=e, sessions=sessions, event=event, marks=marks, rules=rules, now=now
            ),
            waiver=waivers.get(e.pk),
            outcome=outcomes.get(e.pk),
        )
        for e in enrollments
    ]
    return sessions, event, rows


def learner_enrollments(*, user: User) -> list[Enrollment]:
    """The signed-in learner's own enrollments (never anyone else's)."""
    return list(
        Enrollment.objects.filter(learner=user)
        .exclude(status=Enrollment.Status.WAITLISTED)
        .select_related("cohort", "cohort__course")
        .order_by("-cohort__starts_on")
    )


def cohorts_for(*, user: User) -> QuerySet[Cohort]:
    """Cohorts whose attendance the user may manage: all for staff, their own for facilitators."""
    cohorts = Cohort.objects.select_related("course").order_by("-starts_on", "slug")
    if user.is_program_staff:
        return cohorts
    if user.is_facilitator:
        return cohorts.filter(facilitators=user)
    return cohorts.none()


def cohort_get_for(*, user: User, slug: str) -> Cohort:
    """A cohort the user may manage (404 when unknown, 403 when not theirs)."""
    cohort = get_object_or_404(Cohort.objects.select_related("course"), slug=slug)
    if user.is_program_staff:
        return cohort
    if user.is_facilitator and cohort.facilitators.filter(pk=user.pk).exists():
        return cohort
    raise PermissionDenied


def roster_entries(*, cohort: Cohort) -> list[RosterEntry]:
    """The enrolled learners as the Zoom matcher sees them."""
    entries = []
    for e in Enrollment.objects.filter(
        cohort=cohort, status=Enrollment.Status.ENROLLED
    ).select_related("learner"):
        user = e.learner
        names = tuple(
            n for n in (user.get_full_name(), user.display_name, user.username) if n.strip()
        )
        entries.append(RosterEntry(key=e.pk, label=str(user), email=user.email, names=names))
    return entries


def report_preview(
    *, session: Session, text: str, min_minutes: int, timezone_name: str = ""
) -> ImportPreview:
    """What importing a Zoom participants report for ``session`` would do (nothing is written).

    Raises :class:`~copkit.attendance.zoom.ZoomReportError` for a malformed report.
    """
    cohort = session.cohort
    zone = _zone(timezone_name or cohort.timezone)
    report = parse_participants_report(text, tz=zone)
    return match_participants(
        report,
        roster=roster_entries(cohort=cohort),
        session_start=session.starts_at.astimezone(ZoneInfo(cohort.timezone)),
        session_minutes=session.duration_minutes,
        min_minutes=min_minutes,
    )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoomReportError(
            f"unknown time zone {name!r}; use an IANA name such as America/New_York."
        ) from exc


def zoom_import_preview(*, zoom_import: ZoomImport) -> ImportPreview:
    """Parse and match a stored upload again (the same text, so the same result)."""
    return report_preview(
        session=zoom_import.session,
        text=zoom_import.content,
        min_minutes=zoom_import.min_minutes,
        timezone_name=zoom_import.timezone,
    )


def audit_trail(*, cohort: Cohort, learner: str = "") -> QuerySet[AttendanceMark]:
    """Every attendance event of a cohort, newest first (optionally for one username)."""
    marks = AttendanceMark.objects.filter(session__cohort=cohort).select_related(
        "enrollment__learner", "session", "session__cohort", "by"
    )
    if learner:
        marks = marks.filter(
            Q(enrollment__learner__username__iexact=learner)
            | Q(enrollment__learner__last_name__iexact=learner)
        )
    return marks.order_by("-at", "-id")
