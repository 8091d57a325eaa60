"""`copkit plan list|export`: the cohort's knowledge management plans from the command line."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from copkit.cli.web import DataDir

out = Console()
plan = typer.Typer(help="Knowledge management plans: list and export.", no_args_is_help=True)


class Format(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


def _setup(data_dir: Path) -> None:
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    migrate()


@plan.command("list")
def list_(
    cohort: Annotated[str, typer.Option(help="Cohort slug.")],
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """List every enrolled learner of a cohort with the state of their plan."""
    _setup(data_dir)
    from copkit.plans.selectors import cohort_by_slug, plan_rows

    table = Table("learner", "state", "goals", "submitted", "title")
    for row in plan_rows(cohort=cohort_by_slug(cohort_slug=cohort)):
        submitted = row.plan.submitted_at if row.plan else None
        table.add_row(
            row.enrollment.learner.username,
            row.state,
            str(row.goals),
            f"{submitted:%Y-%m-%d %H:%M} UTC" if submitted else "",
            row.plan.title if row.plan else "",
        )
    out.print(table)


@plan.command("export")
def export(
    cohort: Annotated[str, typer.Option(help="Cohort slug.")],
    learner: Annotated[str, typer.Option(help="The learner's username.")],
    fmt: Annotated[Format, typer.Option("--format", help="html, md or pdf.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the plan.")],
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Write a learner's plan as self-contained HTML, Markdown or PDF."""
    _setup(data_dir)
    from copkit.plans.selectors import plan_by_learner
    from copkit.plans.services import plan_export

    body = plan_export(plan=plan_by_learner(cohort_slug=cohort, username=learner), format=fmt)
    out_file.write_bytes(body)
    out.print(f"Wrote the {fmt.value} plan of {learner} to {out_file} ({len(body):,} bytes)")


def register(app: typer.Typer) -> None:
    app.add_typer(plan, name="plan")
