"""Fixtures for the Django side: a course, a cohort, enrollments, and the two standings.

The graduation rule (``copkit.attendance``) and the assessed assignments
(``copkit.coursework``) are teammates' apps. These tests isolate that dependency: the
``standings`` fixture installs ``copkit.attendance.selectors`` / ``copkit.coursework.selectors``
modules whose selectors answer from a table the test fills in. Production code imports the
real modules; nothing here is used outside the tests.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from copkit.academy.models import Cohort, Course, Enrollment, Program, Session
from copkit.accounts.models import Role, User
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


Standings = dict[int, tuple[FakeStanding, FakeAssessment]]


@pytest.fixture
def standings(monkeypatch: pytest.MonkeyPatch) -> Standings:
    table: Standings = {}
    attendance = types.ModuleType("copkit.attendance.selectors")
    coursework = types.ModuleType("copkit.coursework.selectors")
    attendance.graduation_standing = lambda *, enrollment: table[enrollment.pk][0]  # type: ignore[attr-defined]
    coursework.assessment_standing = lambda *, enrollment: table[enrollment.pk][1]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "copkit.attendance.selectors", attendance)
    monkeypatch.setitem(sys.modules, "copkit.coursework.selectors", coursework)
    return table


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
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
