"""The demo plans, on the minimal objects the academy and communities demos would make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rich.console import Console

from copkit.accounts.models import Role
from copkit.communities.services import community_create
from copkit.plans import demo
from copkit.plans.models import Feedback, Plan
from tests.conftest import make_user
from tests.coursework.factories import cohort_make, enroll

pytestmark = pytest.mark.django_db


def test_demo_makes_three_plans_once(analysis: dict[str, Any], tmp_path: Path) -> None:
    facilitator = make_user("facilitator1", Role.FACILITATOR)
    cohort = cohort_make(facilitators=[facilitator])
    cohort.slug = demo.COHORT
    cohort.save()
    learners = {name: make_user(name) for name in ("learner01", "learner02", "learner03")}
    for user in learners.values():
        enroll(cohort, user)
    community = community_create(
        name="Demo", slug=demo.COMMUNITY, owner=learners["learner01"], store_path=tmp_path
    )
    community.analysis_json = analysis
    community.save()

    now = timezone.now()
    lines = demo.build(now=now, out=Console(quiet=True))
    again = demo.build(now=now, out=Console(quiet=True))

    assert lines == again and f"/plans/{demo.COHORT}/" in lines[0]
    plans = {p.enrollment.learner.username: p for p in Plan.objects.all()}
    assert set(plans) == set(learners)
    linked = plans["learner01"]
    assert linked.community == community and linked.status == Plan.Status.DRAFT
    assert [g.baseline for g in linked.goals.all()] == [20.06, 47.0, 3.0]
    submitted = plans["learner02"]
    assert submitted.status == Plan.Status.SUBMITTED and submitted.goals.count() == 2
    assert Feedback.objects.get().plan == submitted
    assert Feedback.objects.get().author == facilitator
    assert plans["learner03"].community is None and plans["learner03"].goals.count() == 1


def test_demo_without_the_cohort_says_so() -> None:
    lines = demo.build(now=timezone.now(), out=Console(quiet=True))
    assert "no cohort 'cop-demo'" in lines[0]
    assert not Plan.objects.exists()
