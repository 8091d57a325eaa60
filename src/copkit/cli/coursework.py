"""`copkit reminders send`: send due session reminders and announcements (for a scheduler)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from copkit.cli.web import DataDir
from copkit.errors import CopkitError

out = Console()
reminders = typer.Typer(help="Session reminders and cohort announcements (Slack and e-mail).")


class BadTimeError(CopkitError):
    """--now is not an ISO 8601 date-time with a time zone."""


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadTimeError(
            f"--now {value!r} is not an ISO 8601 date-time; write e.g. 2026-03-02T09:00+00:00."
        ) from None
    if parsed.tzinfo is None:
        raise BadTimeError(f"--now {value!r} has no time zone; add one, e.g. +00:00 or Z.")
    return parsed


@reminders.command("send")
def send(
    data_dir: DataDir = Path("copkit-data"),
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time (ISO 8601 with a zone).")
    ] = None,
) -> None:
    """Send what is due and not yet sent; running it twice sends nothing twice."""
    moment = _parse_now(now)
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    migrate()
    from django.utils import timezone

    from copkit.coursework.notifications import reminders_send

    run = reminders_send(now=moment or timezone.now())
    out.print(f"sent {len(run.sent)}, failed {len(run.failed)}, already sent {run.skipped}")
    for key in run.failed:
        out.print(f"[red]failed[/] {key} (recorded; retried on the next run)")


def register(app: typer.Typer) -> None:
    app.add_typer(reminders, name="reminders")
