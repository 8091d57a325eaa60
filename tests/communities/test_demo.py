"""The demo community builder: a synthetic store, a community for learner01, idempotent."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import override_settings
from rich.console import Console

from copkit.accounts.models import User
from copkit.communities import demo
from copkit.communities.models import Community

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_build_makes_the_demo_community_once(tmp_path: Path) -> None:
    out = Console(file=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    with override_settings(DATA_DIR=tmp_path):
        lines = demo.build(now=NOW, out=out)
        again = demo.build(now=NOW, out=out)
    community = Community.objects.get(slug=demo.SLUG)
    assert community.owner.username == "learner01"
    assert User.objects.get(username="learner01").check_password(demo.PASSWORD)
    assert community.shared_with_staff
    store = tmp_path / "communities" / f"{demo.SLUG}.duckdb"
    assert Path(community.store_path) == store and store.exists()
    assert Community.objects.count() == 1
    assert f"/communities/{demo.SLUG}/" in lines[0]
    assert community.analysis_json is not None
    assert community.analysis_json["format"] == "copkit-analysis"
    assert len(again) == 1
