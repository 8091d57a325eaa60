"""A graduate opens her badge's verification page from the dashboard and sees the claims."""

from __future__ import annotations

from typing import Any

import pytest

from copkit.credentials import services
from tests.conftest import PASSWORD
from tests.credentials.conftest import (  # noqa: F401 - fixtures used by name
    FakeAssessment,
    FakeStanding,
    Standings,
    cohort,
    data_dir,
    enroll,
    key_template,
    standings,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_graduate_sees_her_signed_claims(
    page: Any,
    standings: Standings,  # noqa: F811 - the fixture imported above
    enroll: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    settings: Any,
) -> None:
    settings.BASE_URL = live_server.url
    enrollment = enroll("grace")
    enrollment.learner.display_name = "Grace Hopper"
    enrollment.learner.save()
    standings[enrollment.pk] = (FakeStanding(True), FakeAssessment(True))
    award = services.award_evaluate(enrollment=enrollment)
    assert award is not None
    award = services.award_issue(award=award, actor=None)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "grace")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.click("#badges-panel a")
    page.wait_for_url(f"**/badges/{award.public_id}/")
    assert page.inner_text("#badge-status") == "valid"
    assert page.inner_text("#claim-recipient") == "Grace Hopper"
    assert "Communities of Practice: graduate" in page.inner_text("#claim-achievement")
    assert "Community Manager Certification Program" in page.inner_text("#claim-issuer")
    assert "at least 14 of the 16 planned sessions" in page.inner_text("#claim-criteria")
