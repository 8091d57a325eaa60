"""The review journey in a real browser: a learner submits an assessed assignment, a
facilitator requests changes, the learner resubmits, the facilitator accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from copkit.accounts.models import Role
from copkit.coursework.models import Submission
from tests.conftest import PASSWORD, make_user
from tests.coursework.factories import assignment_make, cohort_make, enroll

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _sign_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()


def _review(page: Any, *, decision: str, feedback: str, clarity: str, use: str) -> None:
    page.goto("/coursework/queue/")
    page.get_by_role("link", name="lena").click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_label("Clarity").select_option(clarity)
    page.get_by_label("Evidence").select_option(use)
    page.get_by_label("Feedback").fill(feedback)
    page.get_by_label(decision).check()
    page.get_by_role("button", name="Release to the learner").click()


def test_submit_request_changes_resubmit_accept(
    page: Any, settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed
    learner = make_user("lena", Role.LEARNER)
    facilitator = make_user("fatima", Role.FACILITATOR)
    cohort = cohort_make(facilitators=[facilitator])
    enroll(cohort, learner, track="certification")
    assignment = assignment_make(cohort)
    url = f"/coursework/assignments/{assignment.pk}/"
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.4\n% a plan\n")

    _sign_in(page, "lena")
    page.goto(url)
    page.get_by_label("Text").fill("Our domain is open microscopy.")
    page.get_by_label("Attachments").set_input_files(str(plan))
    page.get_by_role("button", name="Submit", exact=True).click()
    assert page.locator("#status").inner_text() == "Submitted"
    _sign_out(page)

    _sign_in(page, "fatima")
    _review(
        page,
        decision="Request changes",
        feedback="Say more about your core group.",
        clarity="1",
        use="0",
    )
    assert page.locator("#status").inner_text() == "Changes requested"
    _sign_out(page)

    _sign_in(page, "lena")
    page.goto(url)
    assert "Say more about your core group." in page.content()
    page.get_by_label("Text").fill("Our domain is open microscopy; the core group is six people.")
    page.get_by_role("button", name="Submit a new version").click()
    assert page.locator("#status").inner_text() == "Submitted"
    _sign_out(page)

    _sign_in(page, "fatima")
    _review(page, decision="Accept", feedback="Clear and concrete.", clarity="2", use="3")
    assert page.locator("#status").inner_text() == "Accepted"
    _sign_out(page)

    submission = Submission.objects.get()
    assert submission.status == "accepted"
    assert [v.number for v in submission.versions.all()] == [1, 2]
    assert submission.versions.get(number=1).files.get().original_name == "plan.pdf"
