"""Small builders for coursework tests: the academy objects are made directly with the ORM."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from copkit.academy.models import Cohort, Course, Enrollment, Program, Session, SyllabusTopic
from copkit.accounts.models import Role, User
from copkit.coursework import services
from copkit.coursework.models import Assignment, Worksheet, WorksheetField
from tests.conftest import make_user

_counter = itertools.count(1)
NY = "America/New_York"


def course_make(*, topics: int = 3) -> Course:
    n = next(_counter)
    program, _ = Program.objects.get_or_create(slug="cmcp", defaults={"name": "CMCP"})
    course = Course.objects.create(program=program, slug=f"cop-{n}", title=f"CoP {n}")
    for i in range(1, topics + 1):
        SyllabusTopic.objects.create(course=course, position=i, slug=f"topic-{i}", title=f"T{i}")
    return course


def cohort_make(
    *,
    course: Course | None = None,
    facilitators: list[User] = (),  # type: ignore[assignment]
    starts_on: date | None = None,
    status: str = Cohort.Status.RUNNING,
) -> Cohort:
    course = course or course_make()
    n = next(_counter)
    cohort = Cohort.objects.create(
        course=course,
        slug=f"cohort-{n}",
        name=f"Cohort {n}",
        status=status,
        starts_on=starts_on or date(2026, 3, 2),
        timezone=NY,
        meeting_url="https://meet.example.org/cop",
    )
    cohort.facilitators.set(facilitators)
    return cohort


def enroll(cohort: Cohort, user: User | None = None, *, track: str = "certification") -> Enrollment:
    user = user or make_user(f"learner{next(_counter)}", Role.LEARNER)
    return Enrollment.objects.create(
        cohort=cohort,
        learner=user,
        track=track,
        status=Enrollment.Status.ENROLLED,
        community_name="Open Microscopy Forum",
        community_role="coordinator",
        applied_at=datetime(2026, 1, 5, tzinfo=ZoneInfo("UTC")),
    )


def session_make(
    cohort: Cohort,
    *,
    starts_at: datetime,
    kind: str = Session.Kind.CLASS,
    number: int = 1,
    topic: SyllabusTopic | None = None,
) -> Session:
    return Session.objects.create(
        cohort=cohort,
        kind=kind,
        number=number,
        starts_at=starts_at,
        topic=topic,
        title=f"{kind} {number}",
    )


def worksheet_make(topic: SyllabusTopic) -> Worksheet:
    worksheet = services.worksheet_create(topic=topic, title="Your domain", prompt="**Why?**")
    services.worksheet_field_add(
        worksheet=worksheet,
        label="Domain",
        key="domain",
        type=WorksheetField.Type.SHORT_TEXT,
        required=True,
    )
    services.worksheet_field_add(
        worksheet=worksheet, label="Members", key="members", type=WorksheetField.Type.NUMBER
    )
    services.worksheet_field_add(
        worksheet=worksheet,
        label="Stage",
        key="stage",
        type=WorksheetField.Type.CHOICE,
        choices="potential\ncoalescing\nmaturing",
    )
    services.worksheet_field_add(
        worksheet=worksheet, label="Website", key="website", type=WorksheetField.Type.LINK
    )
    services.worksheet_field_add(
        worksheet=worksheet, label="Map", key="map", type=WorksheetField.Type.FILE
    )
    return worksheet


def assignment_make(
    cohort: Cohort,
    *,
    assessed: bool = True,
    published: bool = True,
    due_at: datetime | None = None,
) -> Assignment:
    assignment = services.assignment_create(
        cohort=cohort,
        title=f"Assignment {next(_counter)}",
        topic=cohort.course.topics.first(),
        instructions="Describe your community's **domain**.",
        due_at=due_at or datetime(2026, 3, 20, 17, 0, tzinfo=ZoneInfo(NY)),
        assessed=assessed,
    )
    if assessed:
        services.rubric_criterion_add(
            assignment=assignment, title="Clarity", levels_text="0: Missing\n1: Vague\n2: Clear"
        )
        services.rubric_criterion_add(
            assignment=assignment, title="Evidence", levels_text="0: None\n3: Concrete examples"
        )
    if published:
        assignment.published_at = datetime(2026, 3, 3, tzinfo=ZoneInfo("UTC"))
        assignment.save()
    return assignment


PDF = b"%PDF-1.4\n% a tiny test pdf\n"


def pdf(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("UTC"))
WEEK = timedelta(days=7)
