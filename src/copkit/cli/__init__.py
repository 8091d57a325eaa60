"""The ``copkit`` command line (Typer).

Commands are thin: parse, call one service, print. Any :class:`~copkit.errors.CopkitError`
becomes a one-line message and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from copkit.cli import academy, analysis, attendance, badges, coursework, plans, report, web
from copkit.cli import community as community_cli
from copkit.errors import CopkitError

app = typer.Typer(
    name="copkit",
    help="Run a communities-of-practice course, analyse your community, plan its knowledge.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

for _module in (
    web,
    academy,
    attendance,
    coursework,
    badges,
    community_cli,
    analysis,
    report,
    plans,
):
    _module.register(app)


def main() -> None:
    """Entry point of the ``copkit`` script."""
    try:
        app()
    except CopkitError as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        sys.exit(1)
