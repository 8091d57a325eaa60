"""Academy fixtures: the seeded catalog, a cohort maker, and learners who meet prerequisites."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from copkit.academy import services
from copkit.academy.catalog import catalog_load
from copkit.academy.models import Cohort, Course, CourseCompletion
from copkit.academy.rules import Slot
from copkit.accounts.models import Role, User
from tests.conftest import make_user

COP = "communities-of-practice"
PREREQS = ("scientific-community-engagement-fundamentals", "content-design")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Hash test passwords quickly; real hashing is tested in tests/accounts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalog(db: None) -> Course:
    catalog_load()
    return Course.objects.get(slug=COP)


def complete_prerequisites(user: User) -> None:
    for slug in PREREQS:
        CourseCompletion.objects.get_or_create(
            learner=user,
            course=Course.objects.get(slug=slug),
            defaults={"completed_on": date(2025, 1, 1)},
        )


@pytest.fixture
def make_cohort(catalog: Course) -> Callable[..., Cohort]:
    def make(**overrides: Any) -> Cohort:
        args: dict[str, Any] = {
            "course": catalog,
            "slug": "cop-test",
            "name": "CoP test cohort",
            "starts_on": timezone.now().date() + timedelta(days=14),
            "timezone": "America/New_York",
            "slots": [Slot(1, time(12, 0)), Slot(3, time(12, 0))],
            "capacity": 20,
        }
        args.update(overrides)
        return services.cohort_create(**args)

    return make


@pytest.fixture
def cohort(make_cohort: Callable[..., Cohort]) -> Cohort:
    return make_cohort()


@pytest.fixture
def ready_learner(learner: User, catalog: Course) -> User:
    complete_prerequisites(learner)
    return learner


def apply(cohort: Cohort, user: User, *, now: datetime | None = None) -> Any:
    return services.enrollment_apply(
        cohort=cohort,
        learner=user,
        track="certification",
        community_name="Ocean Data Collaboration",
        community_url="https://ocean.example.org",
        community_role="Coordinator",
        now=now,
    )


def ready(username: str) -> User:
    user = make_user(username, Role.LEARNER)
    complete_prerequisites(user)
    return user
