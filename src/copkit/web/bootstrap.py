"""Start Django from the command line: point it at a data dir, migrate, and serve."""

from __future__ import annotations

import os
from pathlib import Path


def django_setup(data_dir: Path | None = None) -> None:
    """Configure and start Django for a command, using ``data_dir`` when one is given.

    Must run before any Django model is imported.
    """
    if data_dir is not None:
        os.environ["COPKIT_DATA_DIR"] = str(data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copkit.web.settings")
    import django

    django.setup()


def migrate(*, verbosity: int = 0) -> None:
    """Create or update the database schema."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def serve(*, host: str, port: int, threads: int = 8) -> None:
    """Serve the web app with waitress, a production WSGI server, until interrupted."""
    from waitress import serve as waitress_serve

    from copkit.web.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="copkit")
