"""`copkit demo` and `copkit serve`: the web app on a data dir."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console()

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir", help="Where the SQLite database and keys live.", envvar="COPKIT_DATA_DIR"
    ),
]


def demo(
    port: Annotated[int, typer.Option(help="Port to serve on (127.0.0.1).")] = 8000,
    data_dir: DataDir = Path("copkit-data"),
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after building.")] = True,
) -> None:
    """Create the database, load the program, courses, a demo cohort and community, and serve."""
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    from django.utils import timezone

    from copkit.web.demo import demo_build

    with out.status("Creating or updating the database …"):
        migrate()
    lines = demo_build(now=timezone.now(), out=out)
    url = f"http://127.0.0.1:{port}/"
    out.print(f"[bold green]Demo ready[/] in {data_dir.resolve()}")
    for line in lines:
        out.print(line)
    if serve:
        _serve(port=port, url=url)


def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Serve an existing data dir (migrating it first if needed)."""
    from copkit.web.bootstrap import django_setup, migrate

    django_setup(data_dir)
    migrate()
    _serve(port=port, url=f"http://{host}:{port}/", host=host)


def _serve(*, port: int, url: str, host: str = "127.0.0.1") -> None:
    from copkit.web.bootstrap import serve as wsgi_serve

    out.print(f"Serving copkit at [link={url}]{url}[/link] (Ctrl+C to stop)")
    wsgi_serve(host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
