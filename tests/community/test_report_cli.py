"""`copkit report` and `copkit synthetic` through Typer's CliRunner."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from copkit.cli import app, main
from copkit.community.report import ReportError
from copkit.community.synthetic import generate_store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"
runner = CliRunner()


@pytest.mark.parametrize(("fmt", "start"), [("html", b"<!doctype html>"), ("md", b"# Community")])
def test_report_renders_a_saved_analysis(tmp_path: Path, fmt: str, start: bytes) -> None:
    out = tmp_path / f"r.{fmt}"
    result = runner.invoke(app, ["report", str(FIXTURE), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(start)
    assert f"Wrote the {fmt} report" in result.output


def test_report_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["report", str(bad), "--out", str(tmp_path / "x.html")])
    assert isinstance(result.exception, ReportError)
    assert "bad.json: not a JSON file" in str(result.exception)
    missing = runner.invoke(app, ["report", str(tmp_path / "nope.json"), "--out", "x"])
    assert "nope.json: no such file" in str(missing.exception)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"format": "other"}')
    result = runner.invoke(app, ["report", str(wrong), "--out", str(tmp_path / "x.html")])
    assert "Not a copkit analysis" in str(result.exception)
    assert not (tmp_path / "x.html").exists()


def test_main_prints_one_line_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["copkit", "report", str(FIXTURE), "--format", "docx", "--out", "x"]
    )
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Unknown report format 'docx'" in err and "Traceback" not in err


def test_synthetic_writes_a_store(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    args = ["synthetic", str(store), "--members", "40", "--activities", "400", "--months", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wrote 400 activities" in result.output
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM activities").fetchone() == (400,)
    again = runner.invoke(app, args)
    assert "already exists" in str(again.exception)


def test_synthetic_matches_the_python_api(tmp_path: Path) -> None:
    runner.invoke(app, ["synthetic", str(tmp_path / "a.duckdb"), "--members", "30", "--seed", "5"])
    generate_store(tmp_path / "b.duckdb", members=30, seed=5)
    sql = "SELECT sum(hash(activity_id, actor_id, created_at)) FROM activities"
    with (
        duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True) as a,
        duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as b,
    ):
        assert a.execute(sql).fetchone() == b.execute(sql).fetchone()
