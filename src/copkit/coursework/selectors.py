"""Reads: who may see what, worksheet answers as data, the assessment standing, the queue."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import User
from copkit.coursework.models import (
    Assignment,
    Review,
    StoredFile,
    Submission,
    Worksheet,
    WorksheetAnswer,
    WorksheetField,
)

__all__ = [
    "Access",
    "AssessmentStanding",
    "AssignmentState",
    "QueueItem",
    "assessment_standing",
    "cohort_access",
    "cohorts_for",
    "enrollment_visible",
    "learner_enrollment",
    "released_reviews",
    "review_queue",
    "stored_file_visible",
    "worksheet_answers",
    "worksheet_due_dates",
    "worksheets_for_cohort",
]


class Access(enum.IntEnum):
    """What a user is to a cohort; higher values see more."""

    NONE = 0
    LEARNER = 1
    FACILITATOR = 2
    STAFF = 3


def cohort_access(*, user: User, cohort: Cohort) -> Access:
    """Staff see all cohorts, facilitators their own, learners those they are enrolled in."""
    if not user.is_authenticated:
        return Access.NONE
    if user.is_program_staff:
        return Access.STAFF
    if cohort.facilitators.filter(pk=user.pk).exists():
        return Access.FACILITATOR
    if learner_enrollment(user=user, cohort=cohort) is not None:
        return Access.LEARNER
    return Access.NONE


def learner_enrollment(*, user: User, cohort: Cohort) -> Enrollment | None:
    """The user's active (enrolled) place in the cohort, if any."""
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(
        cohort=cohort, learner=user, status=Enrollment.Status.ENROLLED
    ).first()


def enrollment_visible(*, user: User, enrollment: Enrollment) -> bool:
    """A learner's records are visible to the learner, the cohort's facilitators and staff."""
    if not user.is_authenticated:
        return False
    if user.is_program_staff or enrollment.learner_id == user.pk:
        return True
    return enrollment.cohort.facilitators.filter(pk=user.pk).exists()


def stored_file_visible(*, user: User, stored: StoredFile) -> bool:
    return enrollment_visible(user=user, enrollment=stored.enrollment)


def cohorts_for(*, user: User) -> QuerySet[Cohort]:
    """Cohorts the user has coursework in."""
    if user.is_program_staff:
        return Cohort.objects.select_related("course")
    return (
        Cohort.objects.filter(
            Q(facilitators=user)
            | Q(enrollments__learner=user, enrollments__status=Enrollment.Status.ENROLLED)
        )
        .select_related("course")
        .distinct()
    )


def worksheets_for_cohort(*, cohort: Cohort) -> QuerySet[Worksheet]:
    return (
        Worksheet.objects.filter(topic__course=cohort.course)
        .select_related("topic")
        .prefetch_related("fields")
    )


def worksheet_due_dates(*, cohort: Cohort) -> dict[int, datetime]:
    """When each topic's worksheets are due in a cohort: the start of the topic's first
    scheduled class session (the session whose reminder lists them), by topic id."""
    due: dict[int, datetime] = {}
    sessions = cohort.sessions.filter(
        kind=Session.Kind.CLASS, status=Session.Status.SCHEDULED, topic__isnull=False
    ).order_by("starts_at")
    for topic_id, starts_at in sessions.values_list("topic_id", "starts_at"):
        due.setdefault(topic_id, starts_at)
    return due


AnswerValue = str | float | int


def _typed(answer: WorksheetAnswer) -> AnswerValue | None:
    field = answer.field
    if field.type == WorksheetField.Type.FILE:
        return answer.file.original_name if answer.file else None
    if not answer.text:
        return None
    if field.type == WorksheetField.Type.NUMBER:
        try:
            number = Decimal(answer.text)
        except InvalidOperation:
            return answer.text
        return int(number) if number == number.to_integral_value() else float(number)
    return answer.text


def worksheet_answers(*, enrollment: Enrollment) -> dict[str, dict[str, AnswerValue]]:
    """A learner's worksheet answers as data: ``{topic_slug: {field_key: value}}``.

    Values are ``str`` (short/long text, choice, link, and the original name of a file),
    ``int`` or ``float`` (number). Empty answers are left out; drafts are included (the
    knowledge management plan is filled from whatever the learner has written). When two
    worksheets of one topic use the same field key, the later worksheet's answer wins.
    """
    result: dict[str, dict[str, AnswerValue]] = {}
    answers = (
        WorksheetAnswer.objects.filter(response__enrollment=enrollment)
        .select_related("field__worksheet__topic", "file")
        .order_by("field__worksheet__position", "field__worksheet_id", "field__position")
    )
    for answer in answers:
        value = _typed(answer)
        if value is None:
            continue
        topic = answer.field.worksheet.topic.slug
        result.setdefault(topic, {})[answer.field.key] = value
    return result


@dataclass(frozen=True)
class AssignmentState:
    """One assessed assignment and where the learner's submission stands."""

    assignment_id: int
    title: str
    state: str  # a Submission.Status value, or "not_started"
    accepted: bool


@dataclass(frozen=True)
class AssessmentStanding:
    """Whether every assessed (published) assignment of the cohort is accepted.

    ``complete`` is what the completion rule reads. For learners not on the certification
    track nothing is assessed, so ``applies`` is False, ``complete`` True and nothing remains.
    """

    complete: bool
    remaining: list[str]
    assignments: list[AssignmentState]
    applies: bool


def assessment_standing(*, enrollment: Enrollment) -> AssessmentStanding:
    """The learner's standing on the cohort's assessed assignments (certification track)."""
    if not enrollment.is_certification:
        return AssessmentStanding(complete=True, remaining=[], assignments=[], applies=False)
    assessed = Assignment.objects.filter(
        cohort_id=enrollment.cohort_id, assessed=True, published_at__isnull=False
    ).order_by("due_at", "id")
    states = {
        s.assignment_id: s.status
        for s in Submission.objects.filter(enrollment=enrollment, assignment__in=assessed)
    }
    rows = [
        AssignmentState(
            assignment_id=a.pk,
            title=a.title,
            state=states.get(a.pk, "not_started"),
            accepted=states.get(a.pk) == Submission.Status.ACCEPTED,
        )
        for a in assessed
    ]
    remaining = [row.title for row in rows if not row.accepted]
    return AssessmentStanding(
        complete=not remaining, remaining=remaining, assignments=rows, applies=True
    )


@dataclass(frozen=True)
class QueueItem:
    submission: Submission
    waiting_seconds: float


def review_queue(*, user: User, now: datetime) -> list[QueueItem]:
    """Assessed certification-track submissions waiting for review, oldest first.

    Facilitators see their cohorts; staff see all.
    """
    waiting = Submission.objects.filter(
        status__in=[Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW],
        assignment__assessed=True,
        enrollment__track=Enrollment.Track.CERTIFICATION,
    ).select_related("assignment__cohort", "enrollment__learner")
    if not user.is_program_staff:
        waiting = waiting.filter(assignment__cohort__facilitators=user)
    items = [
        QueueItem(s, (now - s.last_submitted_at).total_seconds())
        for s in waiting.order_by("last_submitted_at", "id")
        if s.last_submitted_at is not None
    ]
    return items


def released_reviews(*, submission: Submission) -> QuerySet[Review]:
    """Reviews the learner may see: released ones only."""
    return (
        submission.reviews.filter(released_at__isnull=False)
        .select_related("version", "reviewer")
        .prefetch_related("scores")
    )
