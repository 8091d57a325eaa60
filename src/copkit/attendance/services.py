"""Writes: attendance marks (append-only), Zoom imports, waivers and cohort close.

Every write checks who may make it and is atomic: either all of it happens or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import User
from copkit.attendance.models import (
    AttendanceMark,
    EnrollmentOutcome,
    MarkStatus,
    StaffWaiver,
    ZoomImport,
)
from copkit.attendance.rules import Mark
from copkit.attendance.selectors import (
    cohort_matrix,
    current_marks,
    report_preview,
    session_label,
    zoom_import_preview,
)
from copkit.attendance.zoom import ImportPreview
from copkit.errors import ApplicationError

__all__ = [
    "ImportResult",
    "attendance_mark",
    "attendance_mark_session",
    "cohort_close",
    "waiver_grant",
    "zoom_import_apply",
    "zoom_import_create",
    "zoom_preview_apply",
]

MARKABLE_KINDS = (Session.Kind.CLASS, Session.Kind.GRADUATION)
NOT_YET_HELD = "{session} has not started yet: only 'excused' can be recorded in advance."
CLOSED_NEEDS_STAFF = (
    "{cohort} is closed: only program staff may correct its marks, with a reason; "
    "then close it again to recalculate the outcomes."
)


def _can_manage(user: User | None, cohort: Cohort) -> bool:
    if user is None:  # the command line, run by whoever administers the server
        return True
    if user.is_program_staff:
        return True
    return user.is_facilitator and cohort.facilitators.filter(pk=user.pk).exists()


def _check_markable(
    *,
    enrollment: Enrollment,
    session: Session,
    status: Mark,
    by: User | None,
    reason: str,
    now: datetime,
) -> None:
    cohort = session.cohort
    if not _can_manage(by, cohort):
        raise ApplicationError(
            "Only the cohort's facilitators and program staff may mark attendance."
        )
    if enrollment.cohort_id != session.cohort_id:
        raise ApplicationError(f"{enrollment.learner} is not enrolled in {cohort}.")
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ApplicationError(
            f"{enrollment.learner} is {enrollment.get_status_display().lower()}, not enrolled."
        )
    if session.kind not in MARKABLE_KINDS:
        raise ApplicationError(f"{session} is {session.get_kind_display().lower()}: no attendance.")
    if session.status == Session.Status.CANCELLED:
        raise ApplicationError(f"{session} was cancelled: it needs no attendance.")
    if session.starts_at > now and status not in (Mark.EXCUSED, Mark.UNMARKED):
        raise ApplicationError(NOT_YET_HELD.format(session=session_label(session)))
    if cohort.status == Cohort.Status.CLOSED:
        staff_or_cli = by is None or by.is_program_staff
        if not staff_or_cli or not reason.strip():
            raise ApplicationError(CLOSED_NEEDS_STAFF.format(cohort=cohort))


def _record(
    *,
    enrollment: Enrollment,
    session: Session,
    status: Mark,
    previous: Mark,
    by: User | None,
    source: str,
    reason: str,
    now: datetime,
) -> AttendanceMark | None:
    if status == previous:
        return None
    return AttendanceMark.objects.create(
        enrollment=enrollment,
        session=session,
        status=status.value,
        previous_status=previous.value,
        by=by,
        source=source,
        reason=reason.strip()[:500],
        at=now,
    )


def _lock(session: Session) -> None:
    """Serialise marking per session, so that each event's previous status is the current one."""
    list(Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True))


@transaction.atomic
def attendance_mark(
    *,
    enrollment: Enrollment,
    session: Session,
    status: str,
    by: User | None,
    source: str = "roster",
    reason: str = "",
    now: datetime | None = None,
) -> AttendanceMark | None:
    """Record one learner's attendance at one session as a new event.

    Returns the new event, or ``None`` when the status is already the current one (nothing is
    written). Raises :class:`ApplicationError` when the user may not mark this cohort, the
    learner is not enrolled, the session is cancelled or has not started (only *excused* may be
    recorded in advance), or the cohort is closed and the user is not staff giving a reason.
    """
    now = now or timezone.now()
    if status not in MarkStatus.values:
        raise ApplicationError(
            f"Unknown attendance status {status!r}; choose one of {', '.join(MarkStatus.values)}."
        )
    mark = Mark(status)
    _lock(session)
    _check_markable(
        enrollment=enrollment, session=session, status=mark, by=by, reason=reason, now=now
    )
    previous = current_marks(enrollments=[enrollment], sessions=[session]).get(
        (enrollment.pk, session.pk), Mark.UNMARKED
    )
    return _record(
        enrollment=enrollment,
        session=session,
        status=mark,
        previous=previous,
        by=by,
        source=source,
        reason=reason,
        now=now,
    )


@transaction.atomic
def attendance_mark_session(
    *,
    session: Session,
    statuses: Mapping[int, str],
    by: User | None,
    reasons: Mapping[int, str] | None = None,
    source: str = "roster",
    now: datetime | None = None,
) -> int:
    """Record a whole roster at once: ``statuses`` maps enrollment id to status.

    All or nothing: the first refusal raises :class:`ApplicationError` and nothing is written.
    Returns how many marks changed.
    """
    now = now or timezone.now()
    reasons = reasons or {}
    _lock(session)
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.filter(
            cohort=session.cohort, pk__in=list(statuses)
        ).select_related("learner", "cohort")
    }
    unknown = set(statuses) - set(enrollments)
    if unknown:
        raise ApplicationError(f"Not enrollments of {session.cohort}: {sorted(unknown)}.")
    previous = current_marks(enrollments=enrollments.values(), sessions=[session])
    changed = 0
    for enrollment_id, status in statuses.items():
        if status not in MarkStatus.values:
            raise ApplicationError(f"Unknown attendance status {status!r}.")
        enrollment = enrollments[enrollment_id]
        mark = Mark(status)
        old = previous.get((enrollment_id, session.pk), Mark.UNMARKED)
        if mark == old:
            continue
        reason = reasons.get(enrollment_id, "")
        _check_markable(
            enrollment=enrollment, session=session, status=mark, by=by, reason=reason, now=now
        )
        _record(
            enrollment=enrollment,
            session=session,
            status=mark,
            previous=old,
            by=by,
            source=source,
            reason=reason,
            now=now,
        )
        changed += 1
    return changed


@dataclass(frozen=True)
class ImportResult:
    """What an applied import changed."""

    marked: int
    kept: tuple[str, ...]


@transaction.atomic
def zoom_preview_apply(
    *,
    session: Session,
    preview: ImportPreview,
    by: User | None,
    source: str,
    mark_missing_absent: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Apply a confirmed preview: mark the matched learners (and, if asked, the missing absent).

    Learners who already have a mark for the session keep it (listed in ``kept``); correct
    those on the roster.
    """
    now = now or timezone.now()
    wanted: dict[int, Mark] = {m.entry.key: m.proposed for m in preview.matched}
    if mark_missing_absent:
        wanted.update({e.key: Mark.ABSENT for e in preview.missing})
    enrollments = {
        e.pk: e
        for e in Enrollment.objects.filter(
            cohort=session.cohort, pk__in=list(wanted)
        ).select_related("learner")
    }
    _lock(session)
    existing = current_marks(enrollments=enrollments.values(), sessions=[session])
    kept: list[str] = []
    marked = 0
    minutes = {m.entry.key: m.minutes for m in preview.matched}
    for key, mark in wanted.items():
        enrollment = enrollments[key]
        old = existing.get((key, session.pk), Mark.UNMARKED)
        if old is not Mark.UNMARKED:
            if old != mark:
                kept.append(f"{enrollment.learner}: kept {old} (the report says {mark})")
            continue
        _check_markable(
            enrollment=enrollment, session=session, status=mark, by=by, reason=source, now=now
        )
        reason = (
            f"{minutes[key]} minutes in the meeting (at least {preview.min_minutes} count)"
            if key in minutes
            else "not in the participants report"
        )
        _record(
            enrollment=enrollment,
            session=session,
            status=mark,
            previous=old,
            by=by,
            source=source,
            reason=reason,
            now=now,
        )
        marked += 1
    return ImportResult(marked=marked, kept=tuple(kept))


def zoom_import_create(
    *,
    session: Session,
    filename: str,
    content: str,
    min_minutes: int,
    timezone_name: str,
    mark_missing_absent: bool,
    by: User,
    now: datetime | None = None,
) -> ZoomImport:
    """Store an uploaded report for preview; a malformed report raises and nothing is stored."""
    if not _can_manage(by, session.cohort):
        raise ApplicationError("Only the cohort's facilitators and program staff may import.")
    report_preview(
        session=session, text=content, min_minutes=min_minutes, timezone_name=timezone_name
    )
    return ZoomImport.objects.create(
        cohort=session.cohort,
        session=session,
        filename=filename[:255],
        content=content,
        min_minutes=min_minutes,
        timezone=timezone_name or session.cohort.timezone,
        mark_missing_absent=mark_missing_absent,
        uploaded_by=by,
        uploaded_at=now or timezone.now(),
    )


@transaction.atomic
def zoom_import_apply(
    *, zoom_import: ZoomImport, by: User, now: datetime | None = None
) -> ImportResult:
    """Apply a previewed upload once; applying it again is refused."""
    zoom_import = ZoomImport.objects.select_for_update().get(pk=zoom_import.pk)
    if zoom_import.applied_at is not None:
        raise ApplicationError("This report was already applied.")
    if not _can_manage(by, zoom_import.cohort):
        raise ApplicationError("Only the cohort's facilitators and program staff may import.")
    now = now or timezone.now()
    result = zoom_preview_apply(
        session=zoom_import.session,
        preview=zoom_import_preview(zoom_import=zoom_import),
        by=by,
        source=f"Zoom report {zoom_import.filename}",
        mark_missing_absent=zoom_import.mark_missing_absent,
        now=now,
    )
    zoom_import.applied_at = now
    zoom_import.save(update_fields=["applied_at"])
    return result


@transaction.atomic
def waiver_grant(
    *, enrollment: Enrollment, reason: str, by: User, now: datetime | None = None
) -> StaffWaiver:
    """Waive the graduation rule for one enrollment (program staff only, with a reason).

    The waiver survives any recalculation: closing the cohort again keeps the learner graduated.
    """
    if not by.is_program_staff:
        raise ApplicationError("Only program staff may waive the graduation rule.")
    if not reason.strip():
        raise ApplicationError("Give the reason for the waiver; it is kept with the outcome.")
    if StaffWaiver.objects.filter(enrollment=enrollment).exists():
        raise ApplicationError(
            f"{enrollment.learner} already has a waiver for {enrollment.cohort}."
        )
    return StaffWaiver.objects.create(
        enrollment=enrollment, reason=reason.strip(), by=by, at=now or timezone.now()
    )


@transaction.atomic
def cohort_close(
    *, cohort: Cohort, by: User | None, now: datetime | None = None
) -> list[EnrollmentOutcome]:
    """Close a cohort and record each enrollment's outcome (again, if already closed).

    Refused while an enrolled learner has an unmarked planned session or (when the course
    requires it) an unmarked graduation event: unmarked never counts silently. An enrollment
    with a staff waiver is graduated whatever its marks; a withdrawn one is not completed.
    """
    if by is not None and not by.is_program_staff:
        raise ApplicationError("Only program staff may close a cohort.")
    now = now or timezone.now()
    sessions, event, rows = cohort_matrix(cohort=cohort, now=now)
    if not sessions:
        raise ApplicationError(f"{cohort} has no planned class sessions to close on.")
    open_items = []
    for row in rows:
        if row.enrollment.status == Enrollment.Status.ENROLLED and row.standing.remaining:
            open_items.append(f"{row.enrollment.learner}: " + ", ".join(row.standing.remaining))
    if open_items:
        raise ApplicationError(
            f"{cohort} cannot close yet; mark these first: "
            + "; ".join(open_items[:10])
            + (f" and {len(open_items) - 10} more" if len(open_items) > 10 else ""),
            extra={"open": open_items},
        )
    outcomes = []
    for row in rows:
        st = row.standing
        if row.waiver is not None:
            outcome, basis, reasons = (
                EnrollmentOutcome.Outcome.GRADUATED,
                EnrollmentOutcome.Basis.WAIVER,
                "\n".join(st.reasons),
            )
        elif row.enrollment.status == Enrollment.Status.WITHDRAWN:
            outcome, basis, reasons = (
                EnrollmentOutcome.Outcome.NOT_COMPLETED,
                EnrollmentOutcome.Basis.WITHDRAWN,
                "withdrew from the cohort",
            )
        elif st.eligible:
            outcome, basis, reasons = (
                EnrollmentOutcome.Outcome.GRADUATED,
                EnrollmentOutcome.Basis.RULE,
                "",
            )
        else:
            outcome, basis, reasons = (
                EnrollmentOutcome.Outcome.NOT_COMPLETED,
                EnrollmentOutcome.Basis.RULE_NOT_MET,
                "\n".join(st.reasons),
            )
        record, _ = EnrollmentOutcome.objects.update_or_create(
            enrollment=row.enrollment,
            defaults={
                "outcome": outcome,
                "basis": basis,
                "reasons": reasons,
                "sessions_planned": st.planned,
                "sessions_attended": st.attended,
                "absences": st.absences_used,
                "graduation_event": st.graduation_event_attended,
                "eligible": st.eligible,
                "waiver": row.waiver,
                "recorded_at": now,
                "recorded_by": by,
            },
        )
        outcomes.append(record)
    cohort.status = Cohort.Status.CLOSED
    cohort.closed_at = cohort.closed_at or now
    cohort.save(update_fields=["status", "closed_at"])
    return outcomes
