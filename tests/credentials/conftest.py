"""Fixtures for the Django side: a course, a cohort, enrollments, and the two standings.

The graduation rule (``copkit.attendance``) and the assessed assignments
(``copkit.coursework``) are teammates' apps. These tests isolate that dependency: the
``standings`` fixture makes ``graduation_standing``, ``enrollment_outcome`` and
``assessment_standing`` answer from a table the test fills in (by replacing credentials' own
``services._standings`` for the test). Production code always calls the real selectors;
``test_integration.py`` runs them for real.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from copkit.academy.models import Cohort, Course, Enrollment, Program, Session
from copkit.accounts.models import Role, User
from copkit.credentials import services
from tests.conftest import make_user


@dataclass(frozen=True)
class FakeStanding:
    eligible: bool
    remaining: list[str] = field(default_factory=list)
    attended: int = 15
    planned: int = 16


@dataclass(frozen=True)
class FakeAssessment:
    complete: bool
    remaining: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FakeOutcome:
    outcome: str
    basis: str


class Standings(dict[int, tuple[FakeStanding, FakeAssessment]]):
    """Enrollment pk -> (graduation standing, assessment standing); ``outcomes`` by pk too."""

    def __init__(self) -> None:
        super().__init__()
        self.outcomes: dict[int, FakeOutcome] = {}


@pytest.fixture
def standings(monkeypatch: pytest.MonkeyPatch) -> Standings:
    table = Standings()
    # Patched at credentials' own seam: the other apps' selectors stay untouched, so a module
    # that imports them while a test runs (a view, a dashboard panel) keeps the real ones.
    monkeypatch.setattr(
        services,
        "_standings",
        lambda enrollment: services._Standings(
            graduation=table[enrollment.pk][0],
            assessment=table[enrollment.pk][1],
            outcome=table.outcomes.get(enrollment.pk),
        ),
    )
    return table


@pytest.fixture(scope="session")
def key_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RS256 and one EdDSA key, generated once per run (RSA generation is slow)."""
    from copkit.credentials.keys import KeyRing

    directory = tmp_path_factory.mktemp("key-template") / "keys"
    ring = KeyRing(directory, environ={})
    ring.active("RS256")
    ring.active("EdDSA")
    return directory


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path, key_template: Path) -> Path:
    shutil.copytree(key_template, tmp_path / "keys")
    settings.DATA_DIR = tmp_path
    # Fast hashing: these tests create many users; password hashing is tested in accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BASE_URL = "http://testserver"
    return tmp_path


@pytest.fixture
def cohort(db: None) -> Cohort:
    program = Program.objects.create(slug="cmcp", name="Community Manager Certification Program")
    course = Course.objects.create(
        program=program,
        slug="communities-of-practice",
        title="Communities of Practice",
        summary="Cultivate a community of practice.",
    )
    cohort = Cohort.objects.create(
        course=course,
        slug="cop-2026-spring",
        name="CoP spring 2026",
        status=Cohort.Status.CLOSED,
        starts_on=date(2026, 3, 2),
        timezone="America/New_York",
        graduation_event_at=datetime(2026, 4, 30, 18, tzinfo=UTC),
    )
    start = datetime(2026, 3, 2, 14, tzinfo=UTC)
    for number in range(1, 17):
        Session.objects.create(
            cohort=cohort, number=number, starts_at=start + timedelta(days=3 * number)
        )
    return cohort


EnrollFn = Callable[..., Enrollment]


@pytest.fixture
def enroll(cohort: Cohort) -> EnrollFn:
    def make(username: str, track: str = Enrollment.Track.CERTIFICATION) -> Enrollment:
        user = User.objects.filter(username=username).first() or make_user(username, Role.LEARNER)
        return Enrollment.objects.create(
            cohort=cohort,
            learner=user,
            track=track,
            status=Enrollment.Status.ENROLLED,
            community_name="Open Lab",
            community_role="manager",
            applied_at=datetime(2026, 2, 1, tzinfo=UTC),
        )

    return make
