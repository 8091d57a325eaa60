"""`copkit catalog load` and `copkit cohort list`: the academy from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from copkit.cli.web import DataDir

out = Console()
catalog_app = typer.Typer(help="The program and course catalog.", no_args_is_help=True)
cohort_app = typer.Typer(help="Cohorts of a course.", no_args_is_help=True)


@catalog_app.command("load")
def catalog_load(
    data_dir: DataDir = Path("copkit-data"),
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A catalog JSON file; default: the built-in seed."),
    ] = None,
) -> None:
    """Load (or update) the program, its courses and syllabus topics; safe to repeat."""
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    migrate()
    from copkit.academy.catalog import catalog_load as load

    result = load(path=file)
    out.print(
        f"Loaded program {result.program}: {len(result.courses)} courses "
        f"({', '.join(result.courses)}), {result.topics} syllabus topics."
    )


@cohort_app.command("list")
def cohort_list(data_dir: DataDir = Path("copkit-data")) -> None:
    """Print each cohort's slug, course, dates and counts."""
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    migrate()
    from copkit.academy import selectors

    headers = ("slug", "course", "first", "last", "sessions", "seats", "waitlist", "status")
    rows = []
    for cohort in selectors.cohort_list():
        first, last = selectors.cohort_dates(cohort=cohort)
        rows.append(
            (
                cohort.slug,
                cohort.course.short_name or cohort.course.title,
                first.isoformat() if first else "-",
                last.isoformat() if last else "-",
                str(cohort.sessions.filter(kind="class").count()),
                f"{cohort.enrolled_count}/{cohort.capacity}",  # type: ignore[attr-defined]
                str(cohort.waitlisted_count),  # type: ignore[attr-defined]
                cohort.status,
            )
        )
    if not rows:
        out.print("No cohorts yet.")
        return
    table = Table(
        title="Cohorts (dates local to each cohort's time zone)", box=None, padding=(0, 1)
    )
    for index, header in enumerate(headers):
        width = max(len(header), *(len(row[index]) for row in rows))
        table.add_column(header, min_width=width, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
    app.add_typer(cohort_app, name="cohort")
