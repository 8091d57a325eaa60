"""The plan's downloads: HTML that stands alone, Markdown with every section, a real PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from copkit.plans import services
from copkit.plans.documents import TITLES
from tests.coursework.factories import NOW
from tests.plans.conftest import World, plan_with_goal

pytestmark = pytest.mark.django_db


def test_markdown_has_every_section_the_goal_and_the_figures(world: World) -> None:
    plan = plan_with_goal(world)
    text = services.plan_export(plan=plan, format="md").decode()
    assert text.startswith("# Plan for the Microscopy Forum\n")
    for number, title in enumerate(TITLES.values(), start=1):
        assert f"\n## {number}. {title}\n" in text
    assert "### Goal 1: Fewer unanswered questions" in text
    assert "- **Baseline**: 20.06 %" in text and "- **Target**: 10 %" in text
    assert "| core | 3 |" in text  # the levels table under the onion chart
    assert "Open-source microscopy software" in text
    assert "Review every quarter." in text


def test_markdown_keeps_a_learners_html_as_text(world: World) -> None:
    plan = plan_with_goal(world)
    plan = services.plan_update(
        plan=plan, title="<b>Plan</b>", community=None, review="<script>x</script>"
    )
    text = services.plan_export(plan=plan, format="md").decode()
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "No analysis linked yet" in text


def test_html_is_self_contained(world: World) -> None:
    plan = plan_with_goal(world)
    html = services.plan_export(plan=plan, format="html").decode()
    assert html.startswith("<!doctype html>")
    assert "<title>Plan for the Microscopy Forum</title>" in html
    assert ".copkit-report" in html  # the report's stylesheet, inline
    assert "<svg" in html
    # nothing fetched from elsewhere: no stylesheet, script, image or frame by address
    assert not re.search(r"<(link|script|img|iframe)\b", html)
    assert not re.search(r"url\((?!#)", html)  # only references inside the page
    assert 'href="/' not in html  # no links back into the site


def test_html_escapes_what_the_learner_wrote(world: World) -> None:
    plan = plan_with_goal(world)
    plan = services.plan_update(
        plan=plan, title="t", community=None, review="<script>alert(1)</script>"
    )
    html = services.plan_export(plan=plan, format="html").decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


@pytest.mark.slow
def test_pdf_is_a_real_pdf_with_the_title(world: World, tmp_path: Path) -> None:
    plan = plan_with_goal(world)
    pdf = services.plan_export(plan=plan, format="pdf")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 - fixed argv on a file the test wrote
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Plan for the Microscopy Forum" in text
    for title in TITLES.values():
        assert title in text
    assert "Fewer unanswered questions" in text


def test_a_linked_community_not_analysed_or_unreadable_says_so(world: World) -> None:
    plan = plan_with_goal(world)
    world.community.analysis_json = None
    world.community.save()
    plan.refresh_from_db()
    text = services.plan_export(plan=plan, format="md").decode()
    assert "Microscopy Forum is linked but not analysed yet" in text
    assert "- **Now**: no analysis linked" in text
    world.community.analysis_json = {"format": "copkit-analysis", "version": 1, "concepts": {}}
    world.community.save()
    plan.refresh_from_db()
    text = services.plan_export(plan=plan, format="md").decode()
    assert "cannot be read by this version of copkit" in text
    assert "- **Baseline**: 20.06 %" in text  # the baseline stays what it was


def test_sections_list_no_member_one_by_one(world: World) -> None:
    plan = plan_with_goal(world)
    text = services.plan_export(plan=plan, format="md").decode()
    assert "Members on whom the two views disagree" not in text
    assert "Who helped whom" not in text
    assert "is listed below" not in text
    assert "| expert |" in text  # notable roles: counts, with the most active few named


def test_every_export_carries_the_feedback_as_text(world: World) -> None:
    plan = plan_with_goal(world)
    assert "Feedback" not in services.plan_export(plan=plan, format="md").decode()
    for body in ("Tie goal 1 to the onboarding thread.", "<script>alert(2)</script>\nThanks"):
        services.plan_feedback_add(plan=plan, author=world.facilitator, body=body, now=NOW)
    text = services.plan_export(plan=plan, format="md").decode()
    feedback = text.split("## Feedback", 1)[1]
    assert f"**{world.facilitator}** · 2026" in feedback
    assert feedback.index("onboarding thread") < feedback.index("&lt;script&gt;alert(2)")
    html = services.plan_export(plan=plan, format="html").decode()
    assert '<h2 id="feedback-h">Feedback</h2>' in html and "onboarding thread" in html
    assert "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
