"""`copkit plan list|export` through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from copkit.cli import app
from copkit.errors import ApplicationError
from copkit.plans import services
from tests.coursework.factories import NOW
from tests.plans.conftest import World, plan_with_goal

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COPKIT_DATA_DIR", str(tmp_path))  # django_setup sets it; restore after
    return tmp_path


def test_list_shows_every_learner_and_their_plans_state(world: World, data_dir: Path) -> None:
    services.plan_submit(plan=plan_with_goal(world), now=NOW)
    result = runner.invoke(
        app, ["plan", "list", "--cohort", world.cohort.slug, "--data-dir", str(data_dir)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    lena = next(line for line in lines if "lena" in line)
    assert "submitted" in lena and "Plan for the" in lena
    peer = next(line for line in lines if world.peer.learner.username in line)
    assert "not started" in peer


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_export_writes_the_plan(world: World, data_dir: Path, fmt: str) -> None:
    plan_with_goal(world)
    out = data_dir / f"plan.{fmt}"
    result = runner.invoke(
        app,
        ["plan", "export", "--cohort", world.cohort.slug, "--learner", "lena", "--format", fmt,
         "--out", str(out), "--data-dir", str(data_dir)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Fewer unanswered questions" in text
    assert text.startswith("# Plan for" if fmt == "md" else "<!doctype html>")


def test_export_of_a_missing_plan_or_cohort_says_which(world: World, data_dir: Path) -> None:
    for cohort, learner, message in (
        (world.cohort.slug, world.peer.learner.username, "has no plan"),
        ("no-such-cohort", "lena", "No cohort with slug 'no-such-cohort'"),
    ):
        result = runner.invoke(
            app,
            ["plan", "export", "--cohort", cohort, "--learner", learner, "--format", "md",
             "--out", str(data_dir / "x.md"), "--data-dir", str(data_dir)],
        )  # fmt: skip
        assert isinstance(result.exception, ApplicationError)
        assert message in str(result.exception)
    assert not (data_dir / "x.md").exists()


def test_an_unknown_format_is_refused(world: World, data_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["plan", "export", "--cohort", world.cohort.slug, "--learner", "lena", "--format", "docx",
         "--out", str(data_dir / "x"), "--data-dir", str(data_dir)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "docx" in result.output
