"""Plan pages through the Django test client: the permission matrix over every view, and
the pages' behaviour with good and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from copkit.accounts.models import User
from copkit.plans import services
from copkit.plans.models import Feedback, Goal, Plan
from tests.coursework.factories import NOW
from tests.plans.conftest import World, plan_with_goal

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "learner", "peer", "other_facilitator", "facilitator", "staff"]


def client_for(world: World, who: str) -> Client:
    client = Client()
    user: User | None = {
        "anonymous": None,
        "learner": world.lena.learner,
        "peer": world.peer.learner,
        "other_facilitator": world.other_facilitator,
        "facilitator": world.facilitator,
        "staff": world.staff,
    }[who]
    if user is not None:
        client.force_login(user)
    return client


def url(world: World, name: str, **extra: Any) -> str:
    return reverse(
        f"plans:{name}", args=[world.cohort.slug, world.lena.learner.username, *extra.values()]
    )


# Reading: the learner and the cohort's reviewers; nobody else.
READ = {
    "anonymous": 302,
    "learner": 200,
    "peer": 403,
    "other_facilitator": 403,
    "facilitator": 200,
    "staff": 200,
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", ["detail", "download-md", "download-html"])
def test_who_may_read_a_plan(world: World, who: str, page: str) -> None:
    plan_with_goal(world)
    if page == "detail":
        address = url(world, "detail")
    else:
        address = url(world, "download", format=page.split("-")[1])
    response = client_for(world, who).get(address)
    assert response.status_code == READ[who]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", WHO)
def test_who_may_see_the_cohorts_list(world: World, who: str) -> None:
    plan_with_goal(world)
    expected = {**READ, "learner": 403}
    response = client_for(world, who).get(reverse("plans:cohort", args=[world.cohort.slug]))
    assert response.status_code == expected[who]
    if expected[who] == 200:
        rows = {row.enrollment.learner.username: row for row in response.context["rows"]}
        assert rows["lena"].state == "draft" and rows["lena"].goals == 1
        assert rows[world.peer.learner.username].state == "not started"


# Writing the plan: the learner only.
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", ["edit", "goal_add", "submit", "goal_edit", "goal_delete"])
def test_only_the_learner_changes_her_plan(world: World, who: str, action: str) -> None:
    plan = plan_with_goal(world)
    goal = plan.goals.get()
    data = {
        "edit": {"title": "Hijacked", "review": ""},
        "goal_add": {
            "new-goal": "x",
            "new-intervention": "y",
            "new-measure": "core_share",
            "new-target": "20",
            "new-owner": "me",
            "new-due_on": "2026-09-01",
        },
        "submit": {},
        "goal_edit": {
            "goal": "Hijacked",
            "intervention": "y",
            "measure": "core_share",
            "target": "20",
            "owner": "me",
            "due_on": "2026-09-01",
        },
        "goal_delete": {},
    }[action]
    address = (
        url(world, action, pk=goal.pk)
        if action.startswith("goal_e") or action == "goal_delete"
        else url(world, action)
    )
    response = client_for(world, who).post(address, data)
    plan.refresh_from_db()
    if who == "learner":
        assert response.status_code == 302
        assert response["Location"] == url(world, "detail")
        done = {
            "edit": lambda: plan.title == "Hijacked",
            "goal_add": lambda: plan.goals.count() == 2,
            "submit": lambda: plan.status == Plan.Status.SUBMITTED,
            "goal_edit": lambda: plan.goals.get().goal == "Hijacked",
            "goal_delete": lambda: not plan.goals.exists(),
        }
        assert done[action]()
    else:
        assert response.status_code in {302, 403}
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login"))
        assert plan.title != "Hijacked" and plan.status == Plan.Status.DRAFT
        assert Goal.objects.filter(plan=plan).count() == 1
        assert not Goal.objects.filter(goal="Hijacked").exists()


# Reviewing: the cohort's facilitators and staff only.
@pytest.mark.parametrize("who", WHO)
def test_only_reviewers_comment_and_reopen(world: World, who: str) -> None:
    plan = services.plan_submit(plan=plan_with_goal(world), now=NOW)
    client = client_for(world, who)
    commented = client.post(url(world, "feedback"), {"body": "Well done"})
    reopened = client.post(url(world, "reopen"))
    plan.refresh_from_db()
    if who in {"facilitator", "staff"}:
        assert commented.status_code == reopened.status_code == 302
        assert Feedback.objects.get(plan=plan).body == "Well done"
        assert plan.status == Plan.Status.DRAFT
        page = client_for(world, "learner").get(url(world, "detail")).content.decode()
        assert "Well done" in page  # the learner reads the feedback
        reviewer = world.facilitator if who == "facilitator" else world.staff
        assert f"reopened by {reviewer}" in page and "submitted by lena" in page
    else:
        expected = 302 if who == "anonymous" else 403
        assert commented.status_code == reopened.status_code == expected
        assert not Feedback.objects.exists()
        assert plan.status == Plan.Status.SUBMITTED


def test_the_learner_sees_six_sections_with_the_analysis_charts(world: World) -> None:
    plan_with_goal(world)
    page = client_for(world, "learner").get(url(world, "detail")).content.decode()
    for title in (
        "1. The community",
        "2. Participation and roles",
        "3. Knowledge flows",
        "4. What I wrote in the worksheets",
        "5. Goals and interventions",
        "6. Review and next steps",
    ):
        assert title in page
    assert '<title id="chart-levels-title">Participation levels</title>' in page
    assert page.count("<svg") >= 3  # levels, onion, response time (and the help network)
    assert "Open-source microscopy software" in page  # a worksheet answer
    assert "20.06 %" in page  # the goal's baseline
    assert "Add goal" in page and "Submit the plan" in page


def test_without_analysis_the_page_says_so(world: World) -> None:
    plan_with_goal(world, linked=False)
    page = client_for(world, "learner").get(url(world, "detail")).content.decode()
    assert "No analysis linked yet" in page
    assert "<svg" not in page


def test_a_bad_goal_is_shown_back_with_the_field_named(world: World) -> None:
    client = client_for(world, "learner")
    response = client.post(
        url(world, "goal_add"),
        {
            "new-goal": "More core members",
            "new-intervention": "Mentoring",
            "new-measure": "core_share",
            "new-target": "150",
            "new-owner": "Lena",
            "new-due_on": "2026-09-01",
        },
    )
    assert response.status_code == 400
    form = response.context["goal_form"]
    assert "target" in form.errors
    assert "between 0 % and 100 %" in form.errors["target"][0]
    assert not Goal.objects.exists()
    response = client.post(url(world, "goal_add"), {"new-goal": "x", "new-due_on": "soon"})
    assert response.status_code == 400
    assert {"intervention", "target", "owner", "due_on"} <= set(
        response.context["goal_form"].errors
    )


def test_a_good_goal_is_added_and_shown(world: World) -> None:
    client = client_for(world, "learner")
    response = client.post(
        url(world, "goal_add"),
        {
            "new-goal": "Answer newcomers within a day",
            "new-intervention": "A welcome rota",
            "new-measure": "newcomer_first_reply_share",
            "new-target": "90",
            "new-owner": "Lena",
            "new-due_on": "2026-09-01",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Answer newcomers within a day" in page and "90 %" in page


def test_a_submitted_plan_has_no_forms_for_the_learner(world: World) -> None:
    services.plan_submit(plan=plan_with_goal(world), now=NOW)
    page = client_for(world, "learner").get(url(world, "detail")).content.decode()
    assert "read-only" in page
    assert "Add goal" not in page and "Submit the plan" not in page
    review = client_for(world, "facilitator").get(url(world, "detail")).content.decode()
    assert "Leave feedback" in review and "Reopen the plan" in review


def test_a_reviewer_sees_a_plan_not_started(world: World) -> None:
    response = client_for(world, "facilitator").get(url(world, "detail"))
    assert response.status_code == 200
    assert "has not opened their plan yet" in response.content.decode()
    assert not Plan.objects.exists()  # looking does not create it


def test_unknown_cohort_or_learner(world: World) -> None:
    staff = client_for(world, "staff")
    assert staff.get(reverse("plans:detail", args=["nope", "lena"])).status_code == 404
    assert staff.get(reverse("plans:detail", args=[world.cohort.slug, "nobody"])).status_code == 404
    learner = client_for(world, "learner")
    assert (
        learner.get(reverse("plans:detail", args=[world.cohort.slug, "nobody"])).status_code == 403
    )
    assert learner.get(url(world, "download", format="docx")).status_code == 404


def test_the_dashboard_links_the_plan(world: World) -> None:
    page = client_for(world, "learner").get(reverse("dashboard")).content.decode()
    assert url(world, "detail") in page
    review = client_for(world, "facilitator").get(reverse("dashboard")).content.decode()
    assert reverse("plans:cohort", args=[world.cohort.slug]) in review
    home = client_for(world, "learner").get(reverse("plans:home")).content.decode()
    assert url(world, "detail") in home


def test_editing_a_goal_shows_it_and_a_submitted_plan_sends_back(world: World) -> None:
    plan = plan_with_goal(world)
    goal = plan.goals.get()
    client = client_for(world, "learner")
    form = client.get(url(world, "goal_edit", pk=goal.pk))
    assert form.status_code == 200
    assert 'value="Fewer unanswered questions"' in form.content.decode()
    services.plan_submit(plan=plan, now=NOW)
    response = client.get(url(world, "goal_edit", pk=goal.pk), follow=True)
    assert response.redirect_chain[-1][0] == url(world, "detail")
    assert services.PLAN_SUBMITTED in response.content.decode()
