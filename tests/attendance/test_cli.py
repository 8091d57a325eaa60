"""`copkit attendance import` and `copkit export attendance` through Typer's CliRunner."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from copkit.attendance.models import AttendanceMark
from copkit.attendance.zoom import ZoomReportError
from copkit.cli import app, main
from copkit.errors import ApplicationError
from tests.attendance import factories as f

FIXTURE = Path(__file__).parent / "fixtures" / "zoom" / "participants.csv"
runner = CliRunner()


@pytest.fixture
def cohort(db, tmp_path, monkeypatch, facilitator):
    monkeypatch.setenv("COPKIT_DATA_DIR", str(tmp_path))
    c = f.cohort(facilitator=facilitator)
    ana = f.enroll(c, "ana")
    ana.learner.first_name, ana.learner.last_name = "Ana", "Lopez"
    ana.learner.save()
    f.enroll(c, "dan")
    f.enroll(c, "eve")
    return c


def _run(tmp_path: Path, *args: str):
    return runner.invoke(app, [*args, "--data-dir", str(tmp_path)])


def test_import_previews_then_applies(cohort, tmp_path) -> None:
    result = _run(
        tmp_path, "attendance", "import", str(FIXTURE), "--cohort", "cop-test", "--session", "1"
    )
    assert result.exit_code == 0, result.output
    assert "Nothing applied" in result.output and "iPhone de Eva" in result.output
    assert not AttendanceMark.objects.exists()
    result = _run(
        tmp_path,
        "attendance",
        "import",
        str(FIXTURE),
        "--cohort",
        "cop-test",
        "--session",
        "1",
        "--apply",
        "--missing-absent",
    )
    assert result.exit_code == 0, result.output
    assert "Applied: 3 marks recorded" in result.output
    statuses = dict(AttendanceMark.objects.values_list("enrollment__learner__username", "status"))
    assert statuses == {"ana": "present", "dan": "absent", "eve": "absent"}
    assert AttendanceMark.objects.filter(by=None, source__startswith="command line").count() == 3


def test_import_errors_apply_nothing(cohort, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Name (Original Name),User Email,Join Time\nAna,a@x.org,soon\n")
    result = _run(
        tmp_path,
        "attendance",
        "import",
        str(bad),
        "--cohort",
        "cop-test",
        "--session",
        "1",
        "--apply",
    )
    assert isinstance(result.exception, ZoomReportError)
    assert 'no "Leave Time", "Duration (Minutes)" column' in str(result.exception)
    assert "Nothing was applied" in str(result.exception)
    result = _run(
        tmp_path, "attendance", "import", str(FIXTURE), "--cohort", "nope", "--session", "1"
    )
    assert isinstance(result.exception, ApplicationError) and "No cohort" in str(result.exception)
    result = _run(
        tmp_path, "attendance", "import", str(FIXTURE), "--cohort", "cop-test", "--session", "40"
    )
    assert "has no session 40" in str(result.exception)
    assert not AttendanceMark.objects.exists()


def test_errors_are_one_line_and_exit_1(cohort, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "copkit",
            "attendance",
            "import",
            str(tmp_path / "missing.csv"),
            "--cohort",
            "cop-test",
            "--session",
            "1",
        ],
    )
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error:") and "Cannot read" in err and "Traceback" not in err


def test_export_csv_and_xlsx(cohort, tmp_path) -> None:
    result = _run(tmp_path, "export", "attendance", "--cohort", "cop-test", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["learner"] for r in rows] == ["ana", "dan", "eve"]
    assert rows[0]["outcome"] == "open" and rows[0]["sessions_planned"] == "16"
    out = tmp_path / "m.csv"
    result = _run(
        tmp_path,
        "export",
        "attendance",
        "--cohort",
        "cop-test",
        "--table",
        "matrix",
        "--out",
        str(out),
    )
    assert out.read_text().startswith("learner,name,session 1,")
    book_path = tmp_path / "a.xlsx"
    result = _run(
        tmp_path,
        "export",
        "attendance",
        "--cohort",
        "cop-test",
        "--format",
        "xlsx",
        "--out",
        str(book_path),
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(book_path).sheetnames == ["Outcomes", "Matrix"]


def test_a_data_dir_without_database_is_a_clear_error(db, tmp_path, monkeypatch) -> None:
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *a, **k: [])
    result = _run(tmp_path, "export", "attendance", "--cohort", "cop-test")
    assert "has no attendance tables yet" in str(result.exception)
