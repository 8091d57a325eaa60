"""Demo attendance: marks for the running cohort ``cop-demo`` and a closed spring cohort.

``cop-demo`` (made by the academy demo) gets marks for its past sessions, covering every case:
on track, at risk (no absence left), cannot graduate, and waived; its most recent session is
left unmarked so that a facilitator can mark it. ``cop-2026-spring`` is a closed cohort of the
CoP course with recorded outcomes: graduated, not completed, graduated by a staff waiver and
withdrawn. Running the builder twice changes nothing the first run made.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from rich.console import Console

from copkit.academy.models import Cohort, Course, Enrollment, Session
from copkit.accounts.models import Role, User
from copkit.accounts.services import user_create
from copkit.attendance.models import AttendanceMark, EnrollmentOutcome, StaffWaiver
from copkit.attendance.rules import Mark
from copkit.attendance.selectors import planned_sessions
from copkit.attendance.services import attendance_mark, cohort_close, waiver_grant

DEMO_COHORT = "cop-demo"
SPRING_COHORT = "cop-2026-spring"
COURSE = "communities-of-practice"
PASSWORD = "copkit-demo"  # noqa: S105 - the documented demo password

# cop-demo: which of the marked past sessions (by position, 0-based) each learner missed.
DEMO_ABSENCES: dict[str, tuple[int, ...]] = {
    "learner02": (1, 4),  # at risk: both absences used
    "learner03": (0, 2, 5),  # cannot graduate: three absences
    "learner04": (1, 3, 6),  # cannot graduate by the rule, but waived by staff
    "learner07": (3,),
    "learner10": (2,),
    "learner14": (0, 1),  # at risk
    "learner17": (4,),
}
DEMO_EXCUSED: dict[str, tuple[int, ...]] = {"learner05": (2,), "learner12": (5,)}
DEMO_LATE: dict[str, tuple[int, ...]] = {"learner01": (3,), "learner08": (0, 6)}
DEMO_WAIVER = (
    "learner04",
    "Documented family emergency during weeks 1-4; completed make-up work agreed with the "
    "facilitators.",
)

# cop-2026-spring: (username, track, absences among 16 sessions, at the graduation event)
SPRING: list[tuple[str, str, tuple[int, ...], Mark]] = [
    ("alum01", Enrollment.Track.CERTIFICATION, (), Mark.PRESENT),
    ("alum02", Enrollment.Track.CERTIFICATION, (3, 11), Mark.PRESENT),
    ("alum03", Enrollment.Track.OPEN, (7,), Mark.LATE),
    ("alum04", Enrollment.Track.CERTIFICATION, (2, 5, 9), Mark.PRESENT),
    ("alum05", Enrollment.Track.CERTIFICATION, (1, 8, 12, 13), Mark.PRESENT),
    ("alum06", Enrollment.Track.OPEN, (), Mark.UNMARKED),
]
SPRING_WAIVER = (
    "alum05",
    "Hospitalised for two weeks; attended the recordings and met with the facilitators.",
)
SPRING_WITHDRAWN = "alum06"


def _user(username: str, role: str, first: str = "", last: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            email=f"{username}@example.org",
            password=PASSWORD,
            role=role,
            first_name=first,
            last_name=last,
        )
    return user


def _mark(enrollment: Enrollment, session: Session, mark: Mark, by: User | None) -> None:
    if AttendanceMark.objects.filter(enrollment=enrollment, session=session).exists():
        return
    attendance_mark(
        enrollment=enrollment,
        session=session,
        status=mark.value,
        by=by,
        source="demo",
        now=session.starts_at + timedelta(minutes=session.duration_minutes + 30),
    )


def _marker(cohort: Cohort) -> User | None:
    facilitator = cohort.facilitators.order_by("username").first()
    return facilitator or User.objects.filter(role=Role.STAFF).order_by("username").first()


def _demo_cohort(cohort: Cohort, *, now: datetime, staff: User | None) -> int:
    by = _marker(cohort)
    ended = [
        s
        for s in planned_sessions(cohort=cohort)
        if s.starts_at + timedelta(minutes=s.duration_minutes) <= now
    ]
    to_mark = ended[:-1]  # the latest session is left for the facilitator to mark
    enrollments = Enrollment.objects.filter(
        cohort=cohort, status=Enrollment.Status.ENROLLED
    ).select_related("learner")
    for e in enrollments:
        name = e.learner.username
        for i, s in enumerate(to_mark):
            if i in DEMO_ABSENCES.get(name, ()):
                mark = Mark.ABSENT
            elif i in DEMO_EXCUSED.get(name, ()):
                mark = Mark.EXCUSED
            elif i in DEMO_LATE.get(name, ()):
                mark = Mark.LATE
            else:
                mark = Mark.PRESENT
            _mark(e, s, mark, by)
    username, reason = DEMO_WAIVER
    waived = enrollments.filter(learner__username=username).first()
    if (
        waived is not None
        and staff is not None
        and not StaffWaiver.objects.filter(enrollment=waived).exists()
    ):
        waiver_grant(enrollment=waived, reason=reason, by=staff, now=now)
    return len(to_mark)


def _spring_start(now: datetime) -> date:
    start = date(2026, 3, 3)
    latest = (now - timedelta(weeks=30)).date()
    if start > latest:
        start = latest - timedelta(days=(latest.weekday() - 1) % 7)  # back to a Tuesday
    return start


def _spring_cohort(course: Course, *, now: datetime, staff: User | None) -> Cohort | None:
    if Cohort.objects.filter(slug=SPRING_COHORT).exists():
        return None
    zone = ZoneInfo("America/New_York")
    starts_on = _spring_start(now)
    cohort = Cohort.objects.create(
        course=course,
        slug=SPRING_COHORT,
        name="CoP · Spring 2026",
        status=Cohort.Status.RUNNING,
        starts_on=starts_on,
        timezone="America/New_York",
        capacity=20,
    )
    facilitators = list(User.objects.filter(username__in=["facilitator1", "facilitator2"]))
    cohort.facilitators.add(*facilitators)
    first = datetime.combine(starts_on, time(11, 0), tzinfo=zone)
    sessions = []
    for n in range(1, 17):
        week, second = divmod(n - 1, 2)
        day = starts_on + timedelta(weeks=week, days=2 * second)
        sessions.append(
            Session.objects.create(
                cohort=cohort,
                kind=Session.Kind.CLASS,
                number=n,
                starts_at=datetime.combine(day, time(11, 0), tzinfo=zone),
            )
        )
    event = Session.objects.create(
        cohort=cohort,
        kind=Session.Kind.GRADUATION,
        number=1,
        title="Graduation event",
        starts_at=first + timedelta(weeks=8, days=2),
    )
    cohort.graduation_event_at = event.starts_at
    cohort.save(update_fields=["graduation_event_at"])
    by = facilitators[0] if facilitators else staff
    names = ["Ada", "Bea", "Cy", "Dev", "Eli", "Fay"]
    for (username, track, absences, at_event), first_name in zip(SPRING, names, strict=True):
        learner = _user(username, Role.LEARNER, first_name, "Alumna")
        enrollment = Enrollment.objects.create(
            cohort=cohort,
            learner=learner,
            track=track,
            status=Enrollment.Status.ENROLLED,
            community_name=f"{first_name}'s research community",
            community_role="community manager",
            applied_at=first - timedelta(weeks=6),
            enrolled_at=first - timedelta(weeks=5),
        )
        if username == SPRING_WITHDRAWN:
            for s in sessions[:3]:
                _mark(enrollment, s, Mark.PRESENT, by)
            enrollment.status = Enrollment.Status.WITHDRAWN
            enrollment.withdrawn_at = sessions[3].starts_at
            enrollment.save(update_fields=["status", "withdrawn_at"])
            continue
        for i, s in enumerate(sessions):
            _mark(enrollment, s, Mark.ABSENT if i in absences else Mark.PRESENT, by)
        _mark(enrollment, event, at_event, by)
    if staff is not None:
        username, reason = SPRING_WAIVER
        waiver_grant(
            enrollment=Enrollment.objects.get(cohort=cohort, learner__username=username),
            reason=reason,
            by=staff,
            now=event.starts_at + timedelta(days=1),
        )
    cohort_close(cohort=cohort, by=staff, now=event.starts_at + timedelta(days=2))
    return cohort


@transaction.atomic
def build(*, now: datetime, out: Console) -> list[str]:
    """Add the attendance part of the demo (idempotent); return lines to print."""
    course = Course.objects.filter(slug=COURSE).first()
    demo = Cohort.objects.filter(slug=DEMO_COHORT).select_related("course").first()
    if course is None or demo is None:
        return [
            f"Attendance demo skipped: course {COURSE!r} or cohort {DEMO_COHORT!r} is missing "
            "(the academy demo makes them)."
        ]
    staff = User.objects.filter(username="staff").first() or (
        User.objects.filter(role=Role.STAFF).order_by("username").first()
    )
    marked = _demo_cohort(demo, now=now, staff=staff)
    spring = _spring_cohort(course, now=now, staff=staff)
    lines = [
        f"Attendance: {DEMO_COHORT} is marked for its first {marked} sessions; "
        "learner02 is at risk, learner03 cannot graduate, learner04 has a waiver.",
        "  Facilitators: /attendance/cohorts/cop-demo/ (the latest session is left to mark).",
    ]
    if (
        spring is not None
        or EnrollmentOutcome.objects.filter(enrollment__cohort__slug=SPRING_COHORT).exists()
    ):
        graduated = EnrollmentOutcome.objects.filter(
            enrollment__cohort__slug=SPRING_COHORT, outcome=EnrollmentOutcome.Outcome.GRADUATED
        ).count()
        lines.append(
            f"Attendance: {SPRING_COHORT} is closed with {graduated} graduates "
            f"(alum05 by a staff waiver); alumni sign in as alum01 … alum06 / {PASSWORD}."
        )
    return lines
