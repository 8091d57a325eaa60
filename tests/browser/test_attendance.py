"""A facilitator marks a session in the browser; the learner then sees the absences left."""

from __future__ import annotations

import pytest

from copkit.accounts.models import Role
from tests.attendance import factories as f
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_facilitator_marks_then_learner_sees_absences_left(page, transactional_db) -> None:
    facilitator = make_user("fiona", Role.FACILITATOR)
    c = f.cohort(facilitator=facilitator)
    lena = f.enroll(c, "lena")
    f.enroll(c, "otto")

    _sign_in(page, "fiona")
    page.click("text=Attendance")
    page.click(f"text={c.name}")
    page.click("table.matrix thead >> text=1")
    page.click("text=Mark all unmarked present")
    page.wait_for_selector("text=Marked 2 learners present")
    # The exception, keyboard only: focus lena's "Absent" radio and choose it with Space.
    page.focus(f'input[name="status_{lena.pk}"][value="absent"]')
    page.keyboard.press("Space")
    page.fill(f'input[name="reason_{lena.pk}"]', "no show")
    page.click("text=Save marks")
    page.wait_for_selector("text=1 marks changed")
    page.click("button:has-text('Sign out')")

    _sign_in(page, "lena")
    panel = page.locator("section[aria-label=Attendance]")
    assert "1 absence left" in " ".join(panel.inner_text().split())
    page.goto("/attendance/")
    body = " ".join(page.locator("main").inner_text().split())
    assert "1 absence left (1 used of 2 permitted)" in body
    assert "On track" in body
