"""Writes on the academy: cohorts, sessions, enrollment, waivers, calendar tokens.

Every function here is a service: keyword-only arguments, one transaction, and an
:class:`~copkit.errors.ApplicationError` with a message for the user when it refuses.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone as dj_timezone

from copkit.academy import rules
from copkit.academy.models import (
    CalendarToken,
    Cohort,
    Course,
    Enrollment,
    Holiday,
    MeetingSlot,
    PrerequisiteWaiver,
    Session,
)
from copkit.accounts.models import User
from copkit.errors import ApplicationError

MSG_CAPACITY_BELOW = "Capacity {capacity} is below the {enrolled} learners already enrolled."
MSG_ALREADY_APPLIED = "You have already applied to this cohort (your status: {status})."
MSG_NOT_OPEN = "This cohort is not open for applications."
MSG_ATTESTATION = (
    "Tell us the community, collaboration or team you actively manage: its name and your role."
)
MSG_NOT_OPEN_TRACK = "This course is for certification participants only."

# --------------------------------------------------------------------------- cohorts


def _validate_schedule(
    *, starts_on: date, zone_name: str, slots: list[rules.Slot], check_start: bool, now: datetime
) -> None:
    try:
        rules.timezone_get(zone_name)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, extra={"field": "timezone"}) from exc
    if not slots:
        raise ApplicationError(rules.MSG_NO_SLOTS, extra={"field": "slots"})
    error = rules.start_date_error(starts_on=starts_on, timezone=zone_name, now=now)
    if check_start and error:
        raise ApplicationError(error, extra={"field": "starts_on"})


@transaction.atomic
def cohort_create(
    *,
    course: Course,
    slug: str,
    name: str,
    starts_on: date,
    timezone: str,
    slots: list[rules.Slot],
    capacity: int = 20,
    facilitators: list[User] | None = None,
    holidays: list[tuple[date, str]] | None = None,
    graduation_event_at: datetime | None = None,
    slack_channel_name: str = "",
    slack_channel_url: str = "",
    meeting_url: str = "",
    status: str = Cohort.Status.OPEN,
    now: datetime | None = None,
    allow_past_start: bool = False,
) -> Cohort:
    """Create a cohort with its weekly slots and holidays, and generate its sessions.

    Refuses an unknown time zone, a start date before today (in the cohort's zone) unless
    ``allow_past_start`` (used by the demo to build a running cohort), and no slots.
    """
    now = now or dj_timezone.now()
    _validate_schedule(
        starts_on=starts_on,
        zone_name=timezone,
        slots=slots,
        check_start=not allow_past_start,
        now=now,
    )
    if Cohort.objects.filter(slug=slug).exists():
        raise ApplicationError(
            f"A cohort with the slug {slug!r} already exists.", extra={"field": "slug"}
        )
    cohort = Cohort(
        course=course,
        slug=slug,
        name=name,
        starts_on=starts_on,
        timezone=timezone.strip(),
        capacity=capacity,
        status=status,
        graduation_event_at=graduation_event_at,
        slack_channel_name=slack_channel_name,
        slack_channel_url=slack_channel_url,
        meeting_url=meeting_url,
    )
    cohort.full_clean()
    cohort.save()
    cohort.facilitators.set(facilitators or [])
    _slots_set(cohort=cohort, slots=slots)
    _holidays_set(cohort=cohort, holidays=holidays or [])
    cohort_sessions_generate(cohort=cohort)
    return cohort


def _slots_set(*, cohort: Cohort, slots: list[rules.Slot]) -> None:
    cohort.slots.all().delete()
    MeetingSlot.objects.bulk_create(
        MeetingSlot(cohort=cohort, weekday=s.weekday, start_time=s.start_time) for s in slots
    )


def _holidays_set(*, cohort: Cohort, holidays: list[tuple[date, str]]) -> None:
    cohort.holidays.all().delete()
    Holiday.objects.bulk_create(Holiday(cohort=cohort, date=d, note=n) for d, n in holidays)


def cohort_slots(*, cohort: Cohort) -> list[rules.Slot]:
    """The cohort's weekly slots as pure values."""
    return [rules.Slot(s.weekday, s.start_time) for s in cohort.slots.all()]


@transaction.atomic
def cohort_update(
    *,
    cohort: Cohort,
    name: str,
    starts_on: date,
    timezone: str,
    slots: list[rules.Slot],
    capacity: int,
    facilitators: list[User],
    holidays: list[tuple[date, str]],
    graduation_event_at: datetime | None,
    slack_channel_name: str = "",
    slack_channel_url: str = "",
    meeting_url: str = "",
    status: str | None = None,
    now: datetime | None = None,
) -> Cohort:
    """Edit a cohort; a changed schedule regenerates its sessions (UIDs kept, SEQUENCE bumped).

    Refuses a capacity below the number of enrolled learners, an unknown zone and a changed
    start date in the past. A larger capacity offers the new seats to the waitlist.
    """
    now = now or dj_timezone.now()
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _validate_schedule(
        starts_on=starts_on,
        zone_name=timezone,
        slots=slots,
        check_start=starts_on != cohort.starts_on,
        now=now,
    )
    enrolled = cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    if capacity < enrolled:
        raise ApplicationError(
            MSG_CAPACITY_BELOW.format(capacity=capacity, enrolled=enrolled),
            extra={"field": "capacity"},
        )
    old_schedule = (
        cohort.starts_on,
        cohort.timezone,
        cohort_slots(cohort=cohort),
        sorted(cohort.holidays.values_list("date", flat=True)),
        cohort.graduation_event_at,
    )
    cohort.name = name
    cohort.starts_on = starts_on
    cohort.timezone = timezone.strip()
    cohort.capacity = capacity
    cohort.graduation_event_at = graduation_event_at
    cohort.slack_channel_name = slack_channel_name
    cohort.slack_channel_url = slack_channel_url
    cohort.meeting_url = meeting_url
    if status is not None:
        cohort.status = status
    cohort.full_clean()
    cohort.save()
    cohort.facilitators.set(facilitators)
    _slots_set(cohort=cohort, slots=slots)
    _holidays_set(cohort=cohort, holidays=holidays)
    new_schedule = (
        starts_on,
        cohort.timezone,
        sorted(set(slots)),
        sorted(d for d, _ in holidays),
        graduation_event_at,
    )
    if new_schedule != old_schedule:
        cohort_sessions_generate(cohort=cohort)
    _waitlist_promote(cohort=cohort, now=now)
    return cohort


@transaction.atomic
def cohort_sessions_generate(*, cohort: Cohort) -> list[Session]:
    """(Re)generate the class sessions and the graduation event from the course format.

    Class session ``n`` keeps its UID when regenerated; when its time changes its SEQUENCE is
    bumped. Topics are not assigned here (the course page does not say which session covers
    which topic); staff set a session's topic in the admin. The graduation event is at
    ``graduation_event_at`` or, when that is empty, at the next meeting slot after the last
    class session.
    """
    course = cohort.course
    count = course.planned_sessions
    starts = rules.session_starts(
        starts_on=cohort.starts_on,
        slots=cohort_slots(cohort=cohort),
        timezone=cohort.timezone,
        count=count + 1,
        holidays=cohort.holidays.values_list("date", flat=True),
    )
    sessions: list[Session] = []
    for number, starts_at in enumerate(starts[:count], start=1):
        sessions.append(
            _session_put(
                cohort=cohort,
                kind=Session.Kind.CLASS,
                number=number,
                starts_at=starts_at,
                minutes=course.session_minutes,
                title=f"{course.short_name or course.title} session {number}",
            )
        )
    cohort.sessions.filter(kind=Session.Kind.CLASS, number__gt=count).delete()
    graduation_at = cohort.graduation_event_at or starts[count]
    sessions.append(
        _session_put(
            cohort=cohort,
            kind=Session.Kind.GRADUATION,
            number=1,
            starts_at=graduation_at,
            minutes=cohort.graduation_event_minutes,
            title=f"{course.short_name or course.title} graduation event",
        )
    )
    return sessions


def _session_put(
    *,
    cohort: Cohort,
    kind: str,
    number: int,
    starts_at: datetime,
    minutes: int,
    title: str,
) -> Session:
    session = cohort.sessions.filter(kind=kind, number=number).first()
    if session is None:
        return Session.objects.create(
            cohort=cohort,
            kind=kind,
            number=number,
            starts_at=starts_at,
            duration_minutes=minutes,
            title=title,
        )
    changed = session.starts_at != starts_at or session.duration_minutes != minutes
    session.starts_at = starts_at
    session.duration_minutes = minutes
    if changed:
        session.sequence += 1
    session.save()
    return session


@transaction.atomic
def session_reschedule(
    *, session: Session, day: date, start_time: time, duration_minutes: int | None = None
) -> Session:
    """Move a session to a local date and time in its cohort's zone; bump its SEQUENCE."""
    session.starts_at = rules.local_start(
        day=day, start_time=start_time, timezone=session.cohort.timezone
    )
    if duration_minutes is not None:
        if duration_minutes <= 0:
            raise ApplicationError("A session lasts at least one minute.")
        session.duration_minutes = duration_minutes
    session.status = Session.Status.SCHEDULED
    session.sequence += 1
    session.save()
    return session


@transaction.atomic
def session_cancel(*, session: Session) -> Session:
    """Cancel a session: it keeps its UID and shows as cancelled in every feed."""
    if session.status == Session.Status.CANCELLED:
        raise ApplicationError("This session is already cancelled.")
    session.status = Session.Status.CANCELLED
    session.sequence += 1
    session.save()
    return session


# --------------------------------------------------------------------------- enrollment


def prerequisites_missing(*, learner: User, course: Course) -> list[rules.MissingPrerequisite]:
    """The prerequisite courses ``learner`` has neither completed nor had waived."""
    return rules.missing_prerequisites(
        required=[(c.slug, c.title) for c in course.prerequisites.order_by("title")],
        completed=learner.completions.values_list("course__slug", flat=True),
        waived=learner.prerequisite_waivers.values_list("course__slug", flat=True),
    )


@transaction.atomic
def enrollment_apply(
    *,
    cohort: Cohort,
    learner: User,
    track: str,
    community_name: str,
    community_url: str = "",
    community_role: str,
    now: datetime | None = None,
) -> Enrollment:
    """Apply ``learner`` to ``cohort``: enrolled while seats are free, else waitlisted.

    Refuses a second application, a closed cohort, a missing attestation and missing
    prerequisites (the refusal lists each one in ``extra["missing"]``).
    """
    now = now or dj_timezone.now()
    cohort = Cohort.objects.select_for_update().select_related("course").get(pk=cohort.pk)
    course = cohort.course
    existing = cohort.enrollments.filter(learner=learner).first()
    if existing is not None:
        raise ApplicationError(
            MSG_ALREADY_APPLIED.format(status=existing.get_status_display().lower())
        )
    if cohort.status != Cohort.Status.OPEN:
        raise ApplicationError(MSG_NOT_OPEN)
    if track not in Enrollment.Track.values:
        raise ApplicationError(f"Unknown track {track!r}.")
    if track == Enrollment.Track.OPEN and not course.open_to_non_certification:
        raise ApplicationError(MSG_NOT_OPEN_TRACK)
    if course.requires_active_community and not (community_name.strip() and community_role.strip()):
        raise ApplicationError(MSG_ATTESTATION)
    missing = prerequisites_missing(learner=learner, course=course)
    if missing:
        raise ApplicationError(
            rules.missing_prerequisites_message(missing),
            extra={"missing": [m.title for m in missing]},
        )
    enrolled = cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    has_seat = enrolled < cohort.capacity
    enrollment = Enrollment(
        cohort=cohort,
        learner=learner,
        track=track,
        status=Enrollment.Status.ENROLLED if has_seat else Enrollment.Status.WAITLISTED,
        community_name=community_name.strip(),
        community_url=community_url.strip(),
        community_role=community_role.strip(),
        applied_at=now,
        enrolled_at=now if has_seat else None,
    )
    enrollment.full_clean()
    enrollment.save()
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, now: datetime | None = None) -> list[Enrollment]:
    """Withdraw an enrollment; a freed seat goes to the first on the waitlist.

    Returns the enrollments promoted from the waitlist (each promoted learner is e-mailed).
    """
    now = now or dj_timezone.now()
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise ApplicationError("This enrollment is already withdrawn.")
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.withdrawn_at = now
    enrollment.save()
    return _waitlist_promote(cohort=enrollment.cohort, now=now)


def _waitlist_promote(*, cohort: Cohort, now: datetime) -> list[Enrollment]:
    enrolled = cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).count()
    free = cohort.capacity - enrolled
    if free <= 0:
        return []
    promoted = list(
        cohort.enrollments.filter(status=Enrollment.Status.WAITLISTED).order_by("applied_at", "id")[
            :free
        ]
    )
    for enrollment in promoted:
        enrollment.status = Enrollment.Status.ENROLLED
        enrollment.enrolled_at = now
        enrollment.save()
        _seat_offered_mail(enrollment=enrollment)
    return promoted


def _seat_offered_mail(*, enrollment: Enrollment) -> None:
    learner = enrollment.learner
    if not learner.email:
        return
    url = settings.BASE_URL + reverse("academy:cohort_detail", args=[enrollment.cohort.slug])
    send_mail(
        subject=f"A seat is yours in {enrollment.cohort.name}",
        message=(
            f"Hello {learner},\n\nA seat has opened in {enrollment.cohort.name} and it is now "
            f"yours: you moved from the waitlist to enrolled.\n\nSchedule: {url}\n\n"
            "If you can no longer take part, withdraw from your dashboard so that the next "
            "person on the waitlist gets the seat.\n"
        ),
        from_email=None,
        recipient_list=[learner.email],
        fail_silently=True,
    )


@transaction.atomic
def waiver_create(*, learner: User, course: Course, reason: str, by: User) -> PrerequisiteWaiver:
    """Record that staff member ``by`` waived prerequisite ``course`` for ``learner``."""
    if not by.is_program_staff:
        raise ApplicationError("Only program staff may waive a prerequisite.")
    if not reason.strip():
        raise ApplicationError("Give the reason for the waiver; it is kept on record.")
    if not course.required_by.exists():
        raise ApplicationError(f"{course.title} is not a prerequisite of any course.")
    if PrerequisiteWaiver.objects.filter(learner=learner, course=course).exists():
        raise ApplicationError(f"{course.title} is already waived for {learner}.")
    return PrerequisiteWaiver.objects.create(
        learner=learner, course=course, reason=reason.strip(), waived_by=by
    )


# --------------------------------------------------------------------------- calendar tokens


@transaction.atomic
def calendar_token_get_or_create(*, user: User) -> CalendarToken:
    """The user's active private-feed token, made on first use."""
    token = user.calendar_tokens.filter(revoked_at__isnull=True).first()
    if token is None:
        token = CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))
    return token


@transaction.atomic
def calendar_token_reset(*, user: User, now: datetime | None = None) -> CalendarToken:
    """Revoke the user's feed token(s) and issue a new one: old links stop working."""
    user.calendar_tokens.filter(revoked_at__isnull=True).update(revoked_at=now or dj_timezone.now())
    return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(32))
