"""A learner opens her knowledge management plan from the dashboard, links her analysed
community, adds a goal and sees it with its baseline."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from copkit.accounts.models import Role
from copkit.communities.services import community_create
from copkit.plans.models import Goal
from tests.conftest import PASSWORD, make_user
from tests.coursework.factories import cohort_make, enroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"


def test_learner_adds_a_goal_to_her_plan(
    page: Any, settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed
    learner = make_user("lena", Role.LEARNER)
    cohort = cohort_make(facilitators=[make_user("fatima", Role.FACILITATOR)])
    enroll(cohort, learner)
    community = community_create(name="Microscopy Forum", owner=learner, store_path=tmp_path)
    community.analysis_json = json.loads(FIXTURE.read_text())
    community.save()

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Start your plan").click()
    page.get_by_role("heading", name="1. The community").wait_for()
    assert page.get_by_text("No analysis linked yet").first.is_visible()

    page.get_by_label("Linked community").select_option(label="Microscopy Forum")
    page.get_by_role("button", name="Save plan").click()
    page.get_by_role("img", name="Participation levels").wait_for()

    page.get_by_label("Goal:", exact=True).fill("Fewer questions go unanswered")
    page.get_by_label("Intervention:").fill("A weekly answering rota")
    page.get_by_label("Measure:").select_option("unanswered_share")
    page.get_by_label("Target:").fill("10")
    page.get_by_label("Owner:").fill("Lena and the core group")
    page.get_by_label("Due date:").fill("2026-09-01")
    page.get_by_role("button", name="Add goal").click()

    heading = page.get_by_role("heading", name="Goal 1: Fewer questions go unanswered")
    heading.wait_for()
    assert page.get_by_text("Goal added.").is_visible()
    goal = page.locator(".plan-goal").first
    assert "20.06 %" in goal.inner_text()  # the baseline, from the linked analysis
    assert "10 %" in goal.inner_text()
    assert Goal.objects.get().owner == "Lena and the core group"
    if shot := os.environ.get("COPKIT_SCREENSHOT"):
        page.screenshot(path=shot, full_page=True)
