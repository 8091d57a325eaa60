from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copkit.academy.models import Cohort, Course, Enrollment, Session
from copkit.accounts.models import User
from copkit.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path / "data")


def test_catalog_load_command(transactional_db: None, data_dir: str) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["catalog", "load", "--data-dir", data_dir])
        assert result.exit_code == 0, result.output
        assert (
            "Loaded program cmcp: 3 courses" in result.output
            and "7 syllabus topics" in result.output
        )
    assert Course.objects.count() == 3


def test_catalog_load_bad_file_is_one_line_error(
    transactional_db: None, data_dir: str, tmp_path: Path
) -> None:
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"courses": []}))
    result = runner.invoke(app, ["catalog", "load", "--data-dir", data_dir, "--file", str(bad)])
    assert result.exit_code == 1
    assert "the field 'program' is missing" in str(result.exception)


def test_demo_twice_then_cohort_list(transactional_db: None, data_dir: str) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["demo", "--no-serve", "--data-dir", data_dir])
        assert result.exit_code == 0, result.output
        assert "learner01" in result.output and "copkit-demo" in result.output
    demo = Cohort.objects.get(slug="cop-demo")
    assert demo.timezone == "America/New_York"
    assert demo.sessions.filter(kind=Session.Kind.CLASS).count() == 16
    assert demo.sessions.filter(kind=Session.Kind.GRADUATION).count() == 1
    assert demo.facilitators.count() == 2
    assert demo.enrollments.filter(status="enrolled").count() == 20
    tracks = set(demo.enrollments.values_list("track", flat=True))
    assert tracks == {Enrollment.Track.CERTIFICATION, Enrollment.Track.OPEN}
    assert Enrollment.objects.get(cohort=demo, learner__username="learner01").is_certification
    assert not Enrollment.objects.get(cohort=demo, learner__username="learner20").is_certification
    from django.utils import timezone

    assert 0 < demo.sessions.filter(starts_at__lt=timezone.now()).count() < 16
    nxt = Cohort.objects.get(slug="cop-next")
    assert nxt.status == "open" and nxt.enrollments.count() < nxt.capacity
    assert User.objects.filter(username__startswith="learner").count() == 20
    assert User.objects.get(username="staff").check_password("copkit-demo")
    assert User.objects.get(username="facilitator2").role == "facilitator"

    # A wide terminal, so that Rich does not truncate the status column.
    result = runner.invoke(app, ["cohort", "list", "--data-dir", data_dir], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.output.splitlines() if "cop-" in line}
    assert {"cop-demo", "cop-next"} <= set(lines)  # later builders add their own cohorts
    assert lines["cop-demo"][1] == "CoP" and "20/20" in lines["cop-demo"]
    assert "0/16" in lines["cop-next"] and "open" in lines["cop-next"]


def test_cohort_list_empty(transactional_db: None, data_dir: str) -> None:
    result = runner.invoke(app, ["cohort", "list", "--data-dir", data_dir])
    assert result.exit_code == 0 and "No cohorts yet." in result.output
