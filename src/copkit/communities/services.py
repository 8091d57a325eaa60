"""Writes on communities: create one, analyse its store, render its report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from copkit.accounts.models import User
from copkit.communities.models import Community
from copkit.errors import ApplicationError, CopkitError

NOT_ANALYSED = "This community has not been analysed yet."


@transaction.atomic
def community_create(
    *,
    name: str,
    owner: User,
    store_path: Path,
    slug: str = "",
    shared_with_staff: bool = False,
) -> Community:
    """Register a community whose activity store is at ``store_path``."""
    slug = slug or slugify(name)
    if not slug:
        raise ApplicationError("Give the community a name with letters or digits.")
    if Community.objects.filter(slug=slug).exists():
        raise ApplicationError(f"A community with the address {slug!r} already exists.")
    community = Community(
        name=name,
        slug=slug,
        owner=owner,
        store_path=str(store_path),
        shared_with_staff=shared_with_staff,
    )
    community.full_clean()
    community.save()
    return community


def community_analyse(*, community: Community, **options: Any) -> Community:
    """Analyse the community's store and keep the resulting document.

    ``options`` go to ``copkit.community.analysis.analyze`` unchanged.
    """
    from copkit.community.analysis import analyze

    if not Path(community.store_path).exists():
        raise ApplicationError(f"The activity store {community.store_path} is missing.")
    try:
        result = analyze(Path(community.store_path), **options)
    except CopkitError as exc:
        raise ApplicationError(f"The analysis failed: {exc}") from exc
    community.analysis_json = result.to_json()
    community.analysed_at = timezone.now()
    community.save(update_fields=["analysis_json", "analysed_at"])
    return community


def community_report(*, community: Community, format: str) -> bytes:  # noqa: A002
    """Render the community's latest analysis as ``html``, ``md``, ``pdf`` or ``json``."""
    from copkit.community.report import ReportError, render

    if community.analysis_json is None:
        raise ApplicationError(NOT_ANALYSED)
    if format == "json":
        import json

        return json.dumps(community.analysis_json, indent=1, ensure_ascii=False).encode()
    try:
        return render(community.analysis_json, format, title=f"{community.name}: community report")
    except ReportError as exc:
        raise ApplicationError(str(exc)) from exc


def community_report_fragment(*, community: Community) -> str:
    """The report as an HTML fragment for the community's page."""
    from copkit.community.report import ReportError, render_fragment

    if community.analysis_json is None:
        raise ApplicationError(NOT_ANALYSED)
    try:
        return render_fragment(community.analysis_json, title=community.name)
    except ReportError as exc:
        raise ApplicationError(str(exc)) from exc
