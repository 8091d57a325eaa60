"""`copkit attendance import` and `copkit export attendance`."""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from copkit.cli.web import DataDir
from copkit.errors import ApplicationError, CopkitError

if TYPE_CHECKING:
    from copkit.academy.models import Session

out = Console()

attendance_app = typer.Typer(help="Attendance: import meeting reports.", no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ExportTable(StrEnum):
    OUTCOMES = "outcomes"
    MATRIX = "matrix"


def _setup(data_dir: Path) -> None:
    """Start Django on the data dir; refuse a data dir whose database has no attendance tables."""
    from copkit.web.bootstrap import django_setup

    django_setup(data_dir)
    from django.db import connection

    if "attendance_attendancemark" not in connection.introspection.table_names():
        raise CopkitError(
            f"The database of {data_dir} has no attendance tables yet: run "
            f"`copkit serve --data-dir {data_dir}` (or `copkit demo`) once to create them."
        )


def _session(cohort_slug: str, number: int, graduation: bool) -> Session:
    from copkit.academy.models import Cohort, Session

    cohort = Cohort.objects.select_related("course").filter(slug=cohort_slug).first()
    if cohort is None:
        raise ApplicationError(f"No cohort with slug {cohort_slug!r}.")
    kind = Session.Kind.GRADUATION if graduation else Session.Kind.CLASS
    session = cohort.sessions.filter(kind=kind, number=number).first()
    if session is None:
        raise ApplicationError(
            f"{cohort} has no {'graduation event' if graduation else f'session {number}'}."
        )
    return session


@attendance_app.command("import")
def import_report(
    report: Annotated[Path, typer.Argument(help="Zoom participants report (CSV).")],
    cohort: Annotated[str, typer.Option(help="Cohort slug.")],
    session: Annotated[int, typer.Option(help="Session number (1-based).")] = 0,
    graduation: Annotated[
        bool, typer.Option("--graduation", help="The report is of the graduation event.")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Record the marks (else preview).")
    ] = False,
    min_minutes: Annotated[int, typer.Option(help="Minutes that count as attended.")] = 60,
    timezone: Annotated[
        str, typer.Option(help="Time zone of the report (default: the cohort's).")
    ] = "",
    missing_absent: Annotated[
        bool, typer.Option("--missing-absent", help="Mark learners not in the report absent.")
    ] = False,
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Match a Zoom participants report to a session's learners; --apply records the marks."""
    if not graduation and session < 1:
        raise ApplicationError("Give --session N (1-based) or --graduation.")
    try:
        text = report.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ApplicationError(f"Cannot read {report}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise ApplicationError(f"{report} is not a UTF-8 text (CSV) file.") from exc
    _setup(data_dir)
    from copkit.attendance.selectors import report_preview, session_label
    from copkit.attendance.services import zoom_preview_apply
    from copkit.attendance.zoom import ZoomReportError

    target = _session(cohort, 1 if graduation else session, graduation)
    try:
        preview = report_preview(
            session=target, text=text, min_minutes=min_minutes, timezone_name=timezone
        )
    except ZoomReportError as exc:
        raise ZoomReportError(f"{report.name}: {exc} Nothing was applied.") from exc
    table = Table(title=f"{session_label(target)}: at least {min_minutes} minutes count")
    for column in ("learner", "matched by", "minutes", "mark"):
        table.add_column(column)
    for m in preview.matched:
        table.add_row(m.entry.label, m.matched_by, str(m.minutes), m.proposed.value)
    out.print(table)
    missing_note = "marked absent" if missing_absent else "left unmarked"
    out.print(
        f"Not in the report ({missing_note}): "
        + (", ".join(e.label for e in preview.missing) or "none")
    )
    out.print(
        "Unmatched: "
        + (
            ", ".join(
                f"{p.name} (line{'s' if len(p.lines) > 1 else ''} {', '.join(map(str, p.lines))})"
                for p in preview.unmatched
            )
            or "none"
        )
    )
    out.print(
        "Ambiguous: "
        + (
            "; ".join(
                f"{p.name} could be {' or '.join(c.label for c in cands)}"
                for p, cands in preview.ambiguous
            )
            or "none"
        )
    )
    for note in preview.notes:
        out.print(note)
    if not apply:
        out.print("[yellow]Nothing applied.[/] Run again with --apply to record these marks.")
        return
    result = zoom_preview_apply(
        session=target,
        preview=preview,
        by=None,
        source=f"command line ({getpass.getuser()}): {report.name}",
        mark_missing_absent=missing_absent,
    )
    out.print(f"[green]Applied:[/] {result.marked} marks recorded.")
    for line in result.kept:
        out.print(line)


def export_attendance(
    cohort: Annotated[str, typer.Option(help="Cohort slug.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or xlsx.")] = ExportFormat.CSV,
    table: Annotated[
        ExportTable, typer.Option(help="CSV only: outcomes or matrix (XLSX holds both).")
    ] = ExportTable.OUTCOMES,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="File to write (CSV: default stdout).")
    ] = None,
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Export a cohort's attendance matrix and outcomes as CSV or XLSX."""
    _setup(data_dir)
    from copkit.academy.models import Cohort
    from copkit.attendance import exports

    obj = Cohort.objects.select_related("course").filter(slug=cohort).first()
    if obj is None:
        raise ApplicationError(f"No cohort with slug {cohort!r}.")
    if fmt is ExportFormat.XLSX:
        if out_file is None:
            out_file = Path(f"{obj.slug}-attendance.xlsx")
        data = exports.tables_xlsx(
            {
                "Outcomes": exports.outcomes_table(cohort=obj),
                "Matrix": exports.matrix_table(cohort=obj),
            }
        )
        _write(out_file, data)
        out.print(f"Wrote {out_file}")
        return
    builder = exports.outcomes_table if table is ExportTable.OUTCOMES else exports.matrix_table
    text = exports.table_csv(builder(cohort=obj))
    if out_file is None:
        typer.echo(text, nl=False)
    else:
        _write(out_file, text.encode())
        out.print(f"Wrote {out_file}")


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CopkitError(f"Cannot write {path}: {exc.strerror}.") from exc


def register(app: typer.Typer) -> None:
    """Add `attendance import` and `export attendance` (sharing an `export` group if present)."""
    app.add_typer(attendance_app, name="attendance")
    export_app = next(
        (
            g.typer_instance
            for g in app.registered_groups
            if g.name == "export" and g.typer_instance
        ),
        None,
    )
    if export_app is None:
        export_app = typer.Typer(help="Export data as files.", no_args_is_help=True)
        app.add_typer(export_app, name="export")
    export_app.command("attendance")(export_attendance)
