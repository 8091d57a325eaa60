"""The academy's part of ``copkit demo``: catalog, demo users, and two CoP cohorts.

Idempotent: users, cohorts, completions, waivers and enrollments that exist are kept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from rich.console import Console

from copkit.academy import rules, services
from copkit.academy.catalog import catalog_load
from copkit.academy.models import Cohort, Course, CourseCompletion, Enrollment, PrerequisiteWaiver
from copkit.accounts.models import Role, User
from copkit.accounts.services import user_create

PASSWORD = "copkit-demo"  # noqa: S105 - the published demo password, printed by `copkit demo`
COP = "communities-of-practice"
FUNDAMENTALS = "scientific-community-engagement-fundamentals"
CONTENT_DESIGN = "content-design"
CERTIFICATION_LEARNERS = range(1, 13)  # learner01-learner12; learner13-learner20 are open track
WAIVED_LEARNERS = (19, 20)

_COMMUNITIES = [
    ("Open Microscopy Forum", "https://forum.example.org/microscopy", "Community manager"),
    ("Ocean Data Collaboration", "https://ocean.example.org", "Program coordinator"),
    ("Research Software Engineers Network", "https://rse.example.org", "Community lead"),
    ("Citizen Science Birders", "https://birds.example.org", "Volunteer coordinator"),
]


def _user(username: str, role: str, first: str, last: str) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(
        username=username,
        email=f"{username}@demo.copkit.invalid",
        password=PASSWORD,
        role=role,
        first_name=first,
        last_name=last,
    )


def _cohort(
    *,
    course: Course,
    slug: str,
    name: str,
    starts_on: date,
    zone: str,
    slots: list[rules.Slot],
    capacity: int,
    facilitators: list[User],
    now: datetime,
) -> Cohort:
    cohort = Cohort.objects.filter(slug=slug).first()
    if cohort is not None:
        return cohort
    return services.cohort_create(
        course=course,
        slug=slug,
        name=name,
        starts_on=starts_on,
        timezone=zone,
        slots=slots,
        capacity=capacity,
        facilitators=facilitators,
        slack_channel_name=f"#{slug}",
        meeting_url="https://meet.example.org/" + slug,
        now=now,
        allow_past_start=True,
    )


@transaction.atomic
def build(*, now: datetime, out: Console) -> list[str]:
    """Create the catalog, demo users and the cohorts ``cop-demo`` (running) and ``cop-next``."""
    catalog_load()
    cop = Course.objects.get(slug=COP)
    prereqs = {c.slug: c for c in Course.objects.filter(slug__in=[FUNDAMENTALS, CONTENT_DESIGN])}
    staff = _user("staff", Role.STAFF, "Sam", "Staff")
    facilitators = [
        _user("facilitator1", Role.FACILITATOR, "Fran", "Facilitator"),
        _user("facilitator2", Role.FACILITATOR, "Felix", "Facilitator"),
    ]
    learners = [_user(f"learner{n:02d}", Role.LEARNER, "Learner", f"{n:02d}") for n in range(1, 21)]
    for n, learner in enumerate(learners, start=1):
        done_on = now.date() - timedelta(days=120)
        CourseCompletion.objects.get_or_create(
            learner=learner, course=prereqs[FUNDAMENTALS], defaults={"completed_on": done_on}
        )
        if n in WAIVED_LEARNERS:
            PrerequisiteWaiver.objects.get_or_create(
                learner=learner,
                course=prereqs[CONTENT_DESIGN],
                defaults={
                    "reason": "Completed an equivalent content design course elsewhere (demo).",
                    "waived_by": staff,
                },
            )
        else:
            CourseCompletion.objects.get_or_create(
                learner=learner, course=prereqs[CONTENT_DESIGN], defaults={"completed_on": done_on}
            )
    ny = "America/New_York"
    local_today = now.astimezone(rules.timezone_get(ny)).date()
    demo = _cohort(
        course=cop,
        slug="cop-demo",
        name="CoP demo cohort",
        starts_on=local_today - timedelta(weeks=5),
        zone=ny,
        slots=[rules.Slot(1, time(12, 0)), rules.Slot(3, time(12, 0))],
        capacity=20,
        facilitators=facilitators,
        now=now,
    )
    for n, learner in enumerate(learners, start=1):
        if not demo.enrollments.filter(learner=learner).exists():
            name, url, role = _COMMUNITIES[n % len(_COMMUNITIES)]
            services.enrollment_apply(
                cohort=demo,
                learner=learner,
                track=(
                    Enrollment.Track.CERTIFICATION
                    if n in CERTIFICATION_LEARNERS
                    else Enrollment.Track.OPEN
                ),
                community_name=name,
                community_url=url,
                community_role=role,
                now=now - timedelta(weeks=6) + timedelta(minutes=n),
            )
    if demo.status != Cohort.Status.RUNNING:
        demo.status = Cohort.Status.RUNNING
        demo.save(update_fields=["status"])
    _cohort(
        course=cop,
        slug="cop-next",
        name="CoP next cohort",
        starts_on=local_today + timedelta(weeks=6),
        zone=ny,
        slots=[rules.Slot(0, time(11, 0)), rules.Slot(2, time(11, 0))],
        capacity=16,
        facilitators=facilitators[:1],
        now=now,
    )
    past = demo.sessions.filter(starts_at__lt=now).count()
    return [
        f"Academy: program cmcp, 3 courses; cohort cop-demo ({past} of "
        f"{demo.sessions.count()} sessions past), cohort cop-next open for applications",
        "  Catalog: /catalog/   CoP course: /catalog/communities-of-practice/",
        "  Cohort: /cohorts/cop-demo/   Calendar feed: /cohorts/cop-demo/calendar.ics",
        "  Apply as a learner: /cohorts/cop-next/apply/ (learner19 and learner20 have a waiver)",
        f"  Logins (password {PASSWORD}): staff, facilitator1, facilitator2, "
        "learner01 … learner20 (learner01-12 certification track, learner13-20 open track)",
    ]
