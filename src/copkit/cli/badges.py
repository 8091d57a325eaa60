"""`copkit badge verify|list|export|rotate-key`: Open Badges 3.0 from the command line."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from copkit.cli.web import DataDir
from copkit.errors import CopkitError

out = Console()
badge = typer.Typer(
    help="Verify, list and export Open Badges 3.0 credentials.", no_args_is_help=True
)

MAX_FETCH = 5 * 1024 * 1024
COLOURS = {"pass": "green", "fail": "red", "warn": "yellow", "skip": "yellow"}


class Format(StrEnum):
    json = "json"
    jwt = "jwt"
    png = "png"
    svg = "svg"


def fetch(url: str) -> bytes:
    """Read ``url`` over HTTP(S) with a timeout and a size limit."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise CopkitError(f"only http(s) addresses can be fetched, not {url!r}")
    accept = "application/jwt, application/json;q=0.9, */*;q=0.1"
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - scheme checked
        data: bytes = response.read(MAX_FETCH + 1)
    if len(data) > MAX_FETCH:
        raise CopkitError(f"{url} is larger than {MAX_FETCH // (1024 * 1024)} MiB")
    return data


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        try:
            return fetch(source)
        except (OSError, ValueError) as exc:
            raise CopkitError(f"cannot read {source}: {exc}") from exc
    path = Path(source)
    if not path.is_file():
        raise CopkitError(f"{source}: no such file")
    return path.read_bytes()


@badge.command("verify")
def verify(
    source: Annotated[str, typer.Argument(help="A file (JSON, JWT, PNG, SVG) or a badge URL.")],
    key: Annotated[
        list[Path] | None, typer.Option(help="A trusted JWK or JWK set file (offline).")
    ] = None,
    status_list: Annotated[
        list[Path] | None, typer.Option(help="A status list credential file (offline).")
    ] = None,
    offline: Annotated[bool, typer.Option(help="Never fetch keys or status lists.")] = False,
    subject: Annotated[
        str | None, typer.Option(help="Expected earner: subject id or e-mail address.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Verify a badge: schema, signature, dates, status; say exactly which check failed."""
    from copkit.credentials.keys import public_key_from_jwk
    from copkit.credentials.verify import verify_credential

    keys = {}
    for path in key or []:
        document = json.loads(path.read_text(encoding="utf-8"))
        for jwk in document.get("keys", [document]):
            public = public_key_from_jwk(jwk)
            keys[jwk.get("kid") or public.thumbprint()] = public
            keys[public.thumbprint()] = public
    lists = {}
    for path in status_list or []:
        document = json.loads(path.read_text(encoding="utf-8"))
        lists[document.get("id", str(path))] = document
    result = verify_credential(
        _read(source),
        now=datetime.now(UTC),
        keys=keys,
        status_lists=lists,
        fetch=None if offline else fetch,
        expected_subject=subject,
    )
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
    else:
        for check in result.checks:
            colour = COLOURS[check.outcome]
            out.print(
                f"[{colour}]{check.outcome:>4}[/] {escape(check.name)}: {escape(check.reason)}"
            )
        out.print(f"[bold]{result.status.upper()}[/]")
    if not result.ok:
        raise typer.Exit(1)


@badge.command("list")
def list_(data_dir: DataDir = Path("copkit-data")) -> None:
    """List every award with its status."""
    from copkit.web.bootstrap import django_setup

    django_setup(data_dir)
    from copkit.credentials.selectors import award_list

    table = Table("id", "learner", "cohort", "status", "issued")
    for award in award_list():
        table.add_row(
            str(award.public_id),
            award.enrollment.learner.username,
            award.enrollment.cohort.slug,
            award.get_status_display(),
            f"{award.issued_at:%Y-%m-%d}" if award.issued_at else "",
        )
    out.print(table)


@badge.command("export")
def export(
    award_id: Annotated[str, typer.Argument(metavar="ID", help="The badge id (see badge list).")],
    fmt: Annotated[Format, typer.Option("--format", help="json, jwt, png or svg.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the file.")],
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Write an issued badge as JSON, JWT, or a baked PNG or SVG."""
    import uuid

    from copkit.web.bootstrap import django_setup

    django_setup(data_dir)
    from copkit.credentials.models import Award
    from copkit.credentials.selectors import award_export

    try:
        award = Award.objects.select_related("enrollment__cohort__course").get(
            public_id=uuid.UUID(award_id)
        )
    except (ValueError, Award.DoesNotExist) as exc:
        raise CopkitError(f"no badge with id {award_id!r}; see `copkit badge list`") from exc
    content, _media, _name = award_export(award=award, fmt=fmt.value)
    out_file.write_bytes(content)
    out.print(f"Wrote {out_file} ({len(content)} bytes)")


@badge.command("rotate-key")
def rotate_key(
    alg: Annotated[str, typer.Option(help="RS256 or EdDSA.")] = "RS256",
    data_dir: DataDir = Path("copkit-data"),
) -> None:
    """Make a new signing key; old keys stay published so old badges keep verifying."""
    from copkit.credentials.keys import KeyRing

    new = KeyRing(data_dir.resolve() / "keys").rotate(alg)
    out.print(f"New {alg} key {new.thumbprint} is active; older keys stay in the JWK set.")


def register(app: typer.Typer) -> None:
    app.add_typer(badge, name="badge")
