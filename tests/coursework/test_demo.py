"""The demo builder, on the minimal academy objects the academy demo would have made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rich.console import Console

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import Role
from copkit.coursework import demo, selectors
from copkit.coursework.models import (
    CoworkingCheckIn,
    CoworkingGoal,
    PlaybookRevision,
    Submission,
    Worksheet,
)
from tests.conftest import make_user
from tests.coursework.factories import cohort_make, course_make, enroll

pytestmark = pytest.mark.django_db


def _academy_demo() -> Cohort:
    course = course_make(topics=7)
    facilitator = make_user("facilitator1", Role.FACILITATOR)
    make_user("staff", Role.STAFF)
    starts = (timezone.now() - timedelta(weeks=5)).date()
    cohort = cohort_make(course=course, facilitators=[facilitator], starts_on=starts)
    cohort.slug = "cop-demo"
    cohort.save()
    for n in range(1, 21):
        enroll(cohort, make_user(f"learner{n:02d}"), track="certification" if n <= 12 else "open")
    return cohort


def test_demo_builds_every_state_and_is_idempotent() -> None:
    cohort = _academy_demo()
    now = timezone.now()
    lines = demo.build(now=now, out=Console(quiet=True))
    assert "7 worksheets added" in lines[0]
    assert Worksheet.objects.count() == 7
    assert Worksheet.objects.filter(fields__isnull=True).count() == 0
    states = set(Submission.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "in_review", "changes_requested", "accepted"}
    coworking = cohort.sessions.filter(kind=Session.Kind.COWORKING)
    assert coworking.count() == 8
    assert CoworkingGoal.objects.count() == 20 * coworking.filter(starts_at__lte=now).count()
    assert CoworkingCheckIn.objects.exists() and PlaybookRevision.objects.exists()
    learner01 = Enrollment.objects.get(learner__username="learner01")
    answers = selectors.worksheet_answers(enrollment=learner01)
    assert answers["topic-1"]["is_cop"] == "Partly"
    standing = selectors.assessment_standing(enrollment=learner01)
    assert standing.applies and not standing.complete  # the later assignments remain

    counts = (Worksheet.objects.count(), Submission.objects.count(), CoworkingGoal.objects.count())
    demo.build(now=now, out=Console(quiet=True))
    assert counts == (
        Worksheet.objects.count(),
        Submission.objects.count(),
        CoworkingGoal.objects.count(),
    )


def test_demo_without_the_academy_cohort_says_so() -> None:
    lines = demo.build(now=timezone.now(), out=Console(quiet=True))
    assert "no cohort 'cop-demo'" in lines[0]
