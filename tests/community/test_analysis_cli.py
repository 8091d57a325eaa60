"""`copkit analyze` through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copkit.cli import app
from copkit.cli.analysis import AnalyzeError
from copkit.community.errors import StoreError
from tests.community.test_analysis_fixtures import small_community

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_community(tmp_path_factory.mktemp("cli") / "s.duckdb")


def test_writes_the_json(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    result = runner.invoke(
        app, ["analyze", "--store", str(store), "--out", str(out), "--since", "2024-01-01"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "copkit-analysis"
    assert doc["window"]["since"] == "2024-01-01T00:00:00Z"
    assert doc["summary"]["threads"] == 5
    assert "4 active members" in result.output


def test_bad_input_is_one_clear_error_and_nothing_written(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    bad_date = runner.invoke(
        app, ["analyze", "--store", str(store), "--out", str(out), "--since", "2024-13-01"]
    )
    assert isinstance(bad_date.exception, AnalyzeError)
    assert "--since" in str(bad_date.exception)
    missing = runner.invoke(app, ["analyze", "--store", str(tmp_path / "x"), "--out", str(out)])
    assert isinstance(missing.exception, StoreError)
    reversed_window = runner.invoke(
        app,
        ["analyze", "--store", str(store), "--out", str(out)]
        + ["--since", "2024-02-01", "--until", "2024-01-01"],
    )
    assert isinstance(reversed_window.exception, AnalyzeError)
    no_folder = runner.invoke(
        app, ["analyze", "--store", str(store), "--out", str(tmp_path / "no" / "a.json")]
    )
    assert isinstance(no_folder.exception, AnalyzeError)
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_reports_go_through_the_renderer(store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"a.{fmt}"
    result = runner.invoke(
        app, ["analyze", "--store", str(store), "--out", str(out), "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
