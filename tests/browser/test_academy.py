"""Critical learner journey: sign in, browse the catalog, apply to a CoP cohort, see it."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from copkit.academy import services
from copkit.academy.catalog import catalog_load
from copkit.academy.models import Course, CourseCompletion, Enrollment
from copkit.academy.rules import Slot
from copkit.accounts.models import Role
from copkit.accounts.services import user_create

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "copkit-demo"


@pytest.fixture
def demo_like(transactional_db: None) -> None:
    catalog_load()
    learner = user_create(
        username="learner05", email="l5@example.org", password=PASSWORD, role=Role.LEARNER
    )
    for slug in ("scientific-community-engagement-fundamentals", "content-design"):
        CourseCompletion.objects.create(
            learner=learner,
            course=Course.objects.get(slug=slug),
            completed_on=timezone.now().date() - timedelta(days=90),
        )
    services.cohort_create(
        course=Course.objects.get(slug="communities-of-practice"),
        slug="cop-next",
        name="CoP next cohort",
        starts_on=timezone.now().date() + timedelta(days=30),
        timezone="America/New_York",
        slots=[Slot(0, time(11, 0)), Slot(2, time(11, 0))],
        capacity=16,
    )


def test_learner_applies_to_a_cohort_and_sees_it_on_the_dashboard(
    page: Any, demo_like: None
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("learner05")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    assert "You are not in a cohort yet" in page.content()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.get_by_role("heading", name="Course catalog").wait_for()
    page.get_by_role("link", name="Communities of Practice").click()
    page.get_by_role("heading", name="Communities of Practice (CoP)").wait_for()
    assert "Coming soon!" in page.content()

    page.get_by_role("link", name="Apply to CoP next cohort").click()
    page.get_by_label("Not for certification").check()
    page.get_by_label("Community, collaboration or team you actively manage").fill(
        "Ocean Data Collaboration"
    )
    page.get_by_label("Its link").fill("https://ocean.example.org")
    page.get_by_label("Your role in it").fill("Program coordinator")
    page.get_by_role("button", name="Apply").click()

    page.wait_for_url("**/dashboard/")
    panel = page.locator("section", has_text="My cohorts")
    panel.get_by_role("link", name="CoP next cohort").wait_for()
    assert "Enrolled" in panel.inner_text()
    assert "You are enrolled in CoP next cohort." in page.content()
    assert Enrollment.objects.get(learner__username="learner05").track == "open"
