"""A cohort with a learner, her community (analysed), a peer, and the cohort's staff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import Role, User
from copkit.communities.models import Community
from copkit.communities.services import community_create
from copkit.coursework import services as coursework
from copkit.plans import services
from copkit.plans.models import Plan
from copkit.plans.services import GoalFields
from tests.conftest import make_user
from tests.coursework.factories import NOW, cohort_make, enroll, worksheet_make

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"


@pytest.fixture(autouse=True)
def _fast(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def analysis() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


@dataclass
class World:
    cohort: Cohort
    lena: Enrollment
    peer: Enrollment
    community: Community
    facilitator: User
    other_facilitator: User
    staff: User


@pytest.fixture
def world(
    learner: User, facilitator: User, staff: User, analysis: dict[str, Any], tmp_path: Path
) -> World:
    cohort = cohort_make(facilitators=[facilitator])
    lena = enroll(cohort, learner)
    peer = enroll(cohort)
    cohort_make(facilitators=[make_user("oscar", Role.FACILITATOR)])
    community = community_create(name="Microscopy Forum", owner=learner, store_path=tmp_path / "s")
    community.analysis_json = analysis
    community.save()
    worksheet = worksheet_make(cohort.course.topics.get(position=1))
    coursework.worksheet_save(
        worksheet=worksheet,
        enrollment=lena,
        values={"domain": "Open-source microscopy software", "members": "120"},
        files={},
        submit=False,
        now=NOW,
    )
    return World(
        cohort=cohort,
        lena=lena,
        peer=peer,
        community=community,
        facilitator=facilitator,
        other_facilitator=User.objects.get(username="oscar"),
        staff=staff,
    )


def goal_fields(**overrides: Any) -> GoalFields:
    fields: dict[str, Any] = {
        "goal": "Fewer unanswered questions",
        "intervention": "A weekly answering rota",
        "measure": "unanswered_share",
        "target": 10.0,
        "owner": "Lena",
        "due_on": date(2026, 9, 1),
    }
    return GoalFields(**(fields | overrides))


def plan_with_goal(world: World, *, linked: bool = True) -> Plan:
    plan = services.plan_start(enrollment=world.lena)
    plan = services.plan_update(
        plan=plan,
        title="Plan for the Microscopy Forum",
        community=world.community if linked else None,
        review="Review every quarter.",
    )
    services.plan_goal_add(plan=plan, fields=goal_fields())
    return plan
