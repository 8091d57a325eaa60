"""`copkit report` (render a saved analysis) and `copkit synthetic` (make a test community)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from copkit.community.errors import StoreError
from copkit.community.report import FORMATS, ReportError, render

out = Console()


def report(
    analysis: Annotated[Path, typer.Argument(help="An analysis saved as JSON (copkit analyze).")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the report.")],
    format: Annotated[  # noqa: A002
        str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")
    ] = "html",
) -> None:
    """Render a saved analysis as an HTML, Markdown or PDF report."""
    try:
        document = json.loads(analysis.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"{analysis}: no such file.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{analysis}: not a JSON file ({exc}).") from exc
    body = render(document, format)
    out_path.write_bytes(body)
    out.print(f"Wrote the {format} report to {out_path} ({len(body):,} bytes)")


def synthetic(
    store: Annotated[Path, typer.Argument(help="The DuckDB store file to create.")],
    members: Annotated[int, typer.Option(help="Human members, lurkers included.")] = 500,
    activities: Annotated[int, typer.Option(help="Posts, replies and answers.")] = 10_000,
    months: Annotated[int, typer.Option(help="Length of the time line.")] = 12,
    seed: Annotated[int, typer.Option(help="The same seed gives the same community.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Generate a realistic synthetic community into a new activity store."""
    from copkit.community.synthetic import generate_store

    if store.is_dir():
        raise StoreError(f"{store} is a folder: give the path of a file to create.")
    summary = generate_store(
        store,
        members=members,
        activities=activities,
        months=months,
        seed=seed,
        overwrite=overwrite,
    )
    out.print(
        f"Wrote {summary.activities:,} activities in {summary.threads:,} threads by "
        f"{summary.members:,} members ({summary.lurkers:,} lurkers) and {summary.bots} bots "
        f"to {summary.path}"
    )


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(synthetic)
