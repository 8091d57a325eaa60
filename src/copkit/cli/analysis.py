"""`copkit analyze`: analyse an activity store and write the JSON or a report."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from copkit.errors import CopkitError

out = Console()


class ReportFormat(StrEnum):
    """What `copkit analyze` writes."""

    json = "json"
    html = "html"
    md = "md"
    pdf = "pdf"


class PeriodChoice(StrEnum):
    """Period length for levels over time and trajectories."""

    week = "week"
    month = "month"
    quarter = "quarter"


class AnalyzeError(CopkitError):
    """A bad option of `copkit analyze` (the message says which and what to do)."""


def _day(value: str | None, option: str) -> datetime | None:
    """``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 datetime; naive means UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        except ValueError:
            raise AnalyzeError(
                f"{option} {value!r}: not a date; write YYYY-MM-DD or an ISO 8601 datetime"
            ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _render(doc: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    from copkit.community.report import render

    data: bytes = render(doc, fmt)
    return data


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` completely or not at all."""
    if not path.parent.is_dir():
        raise AnalyzeError(f"--out {path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def analyze(
    store: Annotated[Path, typer.Option(help="The activity store (a DuckDB file).")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the result.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="json, or a report: html, md, pdf.")
    ] = ReportFormat.json,
    since: Annotated[
        str | None, typer.Option(help="Start of the window (YYYY-MM-DD, UTC), inclusive.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="End of the window (YYYY-MM-DD, UTC), exclusive.")
    ] = None,
    period: Annotated[
        PeriodChoice, typer.Option(help="Period for levels over time and trajectories.")
    ] = PeriodChoice.month,
    bots: Annotated[
        bool, typer.Option("--include-bots/--exclude-bots", help="Count bots (off by default).")
    ] = False,
) -> None:
    """Measure participation levels, roles, trajectories and knowledge flows of a community."""
    from copkit.community.analysis import analyze as run

    start, end = _day(since, "--since"), _day(until, "--until")
    if start and end and start >= end:
        raise AnalyzeError(f"--since {since} is not before --until {until}")
    with out.status("Analysing …"):
        result = run(store, since=start, until=end, period=period.value, exclude_bots=not bots)
        doc = result.to_json()
        data = _render(doc, fmt.value)
    _write_atomically(out_path, data)
    s = doc["summary"]
    out.print(
        f"[bold green]Analysed[/] {s['active_members']} active members, {s['activities']} "
        f"contributions, {s['threads']} threads -> {out_path}"
    )


def register(app: typer.Typer) -> None:
    app.command()(analyze)
