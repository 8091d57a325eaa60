"""The demo community: a synthetic community, analysed, owned by demo learner ``learner01``.

Listed last in ``settings.COPKIT_DEMO_BUILDERS``. Running it again reuses the store and the
community; an analysis missing from a previous run (for example before the analysis engine
was installed) is made now.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final

from django.conf import settings
from rich.console import Console

from copkit.accounts.models import Role, User
from copkit.accounts.services import user_create
from copkit.communities.models import Community
from copkit.communities.services import community_analyse, community_create
from copkit.community.synthetic import generate_store
from copkit.errors import ApplicationError

SLUG: Final = "demo-community"
NAME: Final = "Research Software Community (synthetic demo)"
OWNER: Final = "learner01"
PASSWORD: Final = "copkit-demo"  # noqa: S105 - the published demo password
MEMBERS: Final = 180
ACTIVITIES: Final = 4000
MONTHS: Final = 9
SEED: Final = 2024


def _owner() -> User:
    user = User.objects.filter(username=OWNER).first()
    if user is None:  # the academy builder normally makes it; stand alone without it
        user = user_create(
            username=OWNER, email=f"{OWNER}@example.org", password=PASSWORD, role=Role.LEARNER
        )
    return user


def build(*, now: datetime, out: Console) -> list[str]:
    """Create (once) and analyse (when possible) the demo community; return lines to print."""
    store = Path(settings.DATA_DIR) / "communities" / f"{SLUG}.duckdb"
    store.parent.mkdir(parents=True, exist_ok=True)
    if not store.exists():
        generate_store(
            store, members=MEMBERS, activities=ACTIVITIES, months=MONTHS, seed=SEED, end=now
        )
    community = Community.objects.filter(slug=SLUG).first()
    if community is None:
        community = community_create(
            name=NAME, slug=SLUG, owner=_owner(), store_path=store, shared_with_staff=True
        )
    lines = [f"Demo community: /communities/{SLUG}/ (sign in as {OWNER} / {PASSWORD})"]
    if community.analysis_json is None:
        try:
            community_analyse(community=community)
        except ApplicationError as exc:
            lines.append(f"[yellow]The demo community has no report yet:[/] {exc.message}")
    return lines
