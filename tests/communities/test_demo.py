"""The demo community builder: a synthetic store, a community for learner01, idempotent."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import override_settings
from rich.console import Console

from copkit.accounts.models import User
from copkit.communities import demo
from copkit.communities.models import Community
from copkit.communities.services import ANALYSIS_MISSING, community_analyse

ANALYSIS_INSTALLED = importlib.util.find_spec("copkit.community.analysis") is not None
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
    if ANALYSIS_INSTALLED:
        assert community.analysis_json is not None
        assert community.analysis_json["format"] == "copkit-analysis"
        assert len(again) == 1
    else:
        assert community.analysis_json is None
        assert "no report yet" in lines[-1]
        assert "no report yet" in again[-1]


@pytest.mark.django_db
@pytest.mark.skipif(ANALYSIS_INSTALLED, reason="the analysis engine is installed")
def test_analyse_without_the_engine_says_why(tmp_path: Path) -> None:
    from copkit.communities.services import community_create
    from copkit.errors import ApplicationError
    from tests.conftest import make_user

    community = community_create(name="X", owner=make_user("x"), store_path=tmp_path / "s")
    with pytest.raises(ApplicationError, match="not installed"):
        community_analyse(community=community)
    assert ANALYSIS_MISSING.startswith("The analysis engine")
