"""The demo builder: graduates of cop-2026-spring get badges, one revoked, idempotently."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console

from copkit.academy.models import Enrollment
from copkit.accounts.models import Role
from copkit.credentials.demo import build
from copkit.credentials.models import Award
from tests.conftest import make_user
from tests.credentials.conftest import EnrollFn, FakeAssessment, FakeStanding, Standings

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_without_the_cohort_nothing_happens(db: None) -> None:
    assert build(now=NOW, out=Console(quiet=True)) == [
        "Badges: no cohort 'cop-2026-spring' in the demo, so no badges were issued."
    ]


def test_graduates_get_badges_one_revoked(standings: Standings, enroll: EnrollFn) -> None:
    make_user("staff", Role.STAFF)
    graduated = (FakeStanding(True), FakeAssessment(True))
    for name in ("learner01", "learner02", "learner03"):
        standings[enroll(name).pk] = graduated
    standings[enroll("learner04").pk] = (FakeStanding(False, ["3 absences"]), FakeAssessment(True))
    standings[enroll("learner13", Enrollment.Track.OPEN).pk] = graduated
    lines = build(now=NOW, out=Console(quiet=True))
    statuses = dict(Award.objects.values_list("enrollment__learner__username", "status"))
    assert statuses == {"learner01": "issued", "learner02": "issued", "learner03": "revoked"}
    assert len(lines) == 3 and all("/badges/" in line for line in lines)
    assert build(now=NOW, out=Console(quiet=True)) == lines  # idempotent
    assert Award.objects.filter(status=Award.Status.REVOKED).count() == 1
