"""A community manager opens their community's report in Chromium."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from copkit.accounts.models import Role
from copkit.communities.services import community_create
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "analysis-example.json"


def test_manager_reads_the_report_and_downloads_it(page: object, tmp_path: Path) -> None:
    owner = make_user("olga", Role.LEARNER)
    community = community_create(name="Research Software Guild", owner=owner, store_path=tmp_path)
    community.analysis_json = json.loads(FIXTURE.read_text())
    community.save()

    p = page  # a playwright Page
    p.goto("/")  # type: ignore[attr-defined]
    p.get_by_role("link", name="Communities").first.click()  # type: ignore[attr-defined]
    p.fill("#id_username", "olga")  # type: ignore[attr-defined]
    p.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    p.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    p.get_by_role("link", name="Research Software Guild").click()  # type: ignore[attr-defined]
    heading = p.get_by_role("heading", name="Levels of participation")  # type: ignore[attr-defined]
    heading.wait_for()
    chart = p.get_by_role("img", name="Participation levels")  # type: ignore[attr-defined]
    assert chart.is_visible()
    assert p.locator("svg.chart").count() == 7  # type: ignore[attr-defined]
    if shot := os.environ.get("COPKIT_SCREENSHOT"):
        p.screenshot(path=shot, full_page=True)  # type: ignore[attr-defined]
    with p.expect_download() as download_info:  # type: ignore[attr-defined]
        p.get_by_role("link", name="MD").click()  # type: ignore[attr-defined]
    download = download_info.value
    assert download.suggested_filename == "research-software-guild-report.md"
    assert Path(download.path()).read_text().startswith("# Research Software Guild")
