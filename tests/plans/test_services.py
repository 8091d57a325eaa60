"""Plan services: goals and their validation, baselines, the draft -> submitted cycle."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail

from copkit.communities.services import community_create
from copkit.coursework import notifications
from copkit.coursework.models import Notification
from copkit.errors import ApplicationError
from copkit.plans import services
from copkit.plans.measures import MEASURES, measure_value
from copkit.plans.models import Plan
from copkit.plans.selectors import plan_rows
from tests.conftest import make_user
from tests.coursework.factories import NOW
from tests.plans.conftest import World, goal_fields, plan_with_goal

pytestmark = pytest.mark.django_db


def test_plan_start_makes_one_draft_per_enrollment(world: World) -> None:
    plan = services.plan_start(enrollment=world.lena)
    assert services.plan_start(enrollment=world.lena) == plan
    assert plan.status == Plan.Status.DRAFT
    assert Plan.objects.count() == 1


def test_a_goal_takes_its_baseline_from_the_linked_analysis(world: World) -> None:
    plan = plan_with_goal(world)
    goal = plan.goals.get()
    # the fixture's unanswered_share is 0.2006
    assert goal.baseline == pytest.approx(20.06)
    assert goal.baseline_note == ""


def test_without_analysis_the_baseline_says_why(world: World) -> None:
    plan = plan_with_goal(world, linked=False)
    goal = plan.goals.get()
    assert goal.baseline is None
    assert goal.baseline_note == "no analysis linked"


def test_linking_a_community_later_fills_the_baselines(world: World) -> None:
    plan = plan_with_goal(world, linked=False)
    services.plan_update(plan=plan, title=plan.title, community=world.community, review="")
    assert plan.goals.get().baseline == pytest.approx(20.06)


def test_an_undefined_measure_is_not_a_zero(analysis: dict[str, Any]) -> None:
    analysis["flows"]["newcomers"]["returned_30d_share"] = {"undefined": "no newcomers"}
    value = measure_value("newcomer_return_30d_share", analysis)
    assert value.value is None
    assert value.note == "not defined: no newcomers"


def test_every_measure_reads_the_example_analysis(analysis: dict[str, Any]) -> None:
    values = {m.key: measure_value(m.key, analysis).value for m in MEASURES}
    assert values == {
        "unanswered_share": 20.06,
        "median_first_response_hours": 1.9,
        "p90_first_response_hours": 15.8,
        "core_share": pytest.approx(100 * 3 / 26, abs=0.01),
        "newcomer_first_reply_share": 76.0,
        "newcomer_return_30d_share": 47.0,
        "absence_factor": 3.0,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target": 120.0}, "target"),
        ({"target": -1.0}, "target"),
        ({"measure": "absence_factor", "target": 2.5}, "target"),
        ({"measure": "happiness"}, "measure"),
        ({"goal": "   "}, "goal"),
        ({"intervention": ""}, "intervention"),
        ({"owner": " "}, "owner"),
        ({"due_on": date(2020, 1, 1)}, "due_on"),
        ({"due_on": date(2040, 1, 1)}, "due_on"),
    ],
)
def test_nonsense_goals_are_refused_naming_the_field(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    plan = services.plan_start(enrollment=world.lena)
    with pytest.raises(ApplicationError) as caught:
        services.plan_goal_add(plan=plan, fields=goal_fields(**overrides))
    assert caught.value.extra["field"] == field
    assert not plan.goals.exists()


def test_only_the_learners_own_community_can_be_linked(world: World, tmp_path: Any) -> None:
    other = community_create(name="Not hers", owner=make_user("otto"), store_path=tmp_path / "x")
    plan = services.plan_start(enrollment=world.lena)
    with pytest.raises(ApplicationError) as caught:
        services.plan_update(plan=plan, title="t", community=other, review="")
    assert caught.value.extra["field"] == "community"


def test_an_overlong_review_or_empty_title_is_refused(world: World) -> None:
    plan = services.plan_start(enrollment=world.lena)
    with pytest.raises(ApplicationError) as caught:
        services.plan_update(plan=plan, title="t", community=None, review="x" * 20_001)
    assert caught.value.extra["field"] == "review"
    with pytest.raises(ApplicationError) as caught:
        services.plan_update(plan=plan, title="   ", community=None, review="")
    assert caught.value.extra["field"] == "title"
    plan.refresh_from_db()
    assert plan.review == "" and plan.title == "Knowledge management plan"


def test_an_empty_plan_cannot_be_submitted(world: World) -> None:
    plan = services.plan_start(enrollment=world.lena)
    with pytest.raises(ApplicationError, match=services.NEEDS_A_GOAL):
        services.plan_submit(plan=plan, now=NOW)


def test_a_submitted_plan_is_read_only_until_reopened(world: World) -> None:
    plan = plan_with_goal(world)
    plan = services.plan_submit(plan=plan, now=NOW)
    assert plan.status == Plan.Status.SUBMITTED and plan.submitted_at == NOW
    goal = plan.goals.get()
    with pytest.raises(ApplicationError, match=services.PLAN_SUBMITTED):
        services.plan_goal_add(plan=plan, fields=goal_fields())
    with pytest.raises(ApplicationError, match=services.PLAN_SUBMITTED):
        services.plan_goal_delete(goal=goal)
    with pytest.raises(ApplicationError, match=services.PLAN_SUBMITTED):
        services.plan_update(plan=plan, title="x", community=None, review="")
    with pytest.raises(ApplicationError, match=services.PLAN_SUBMITTED):
        services.plan_submit(plan=plan, now=NOW)
    plan = services.plan_reopen(plan=plan, by=world.facilitator, now=NOW)
    assert plan.status == Plan.Status.DRAFT and plan.reopened_at == NOW
    history = [(e.action, e.actor) for e in plan.events.all()]
    assert history == [("submitted", world.lena.learner), ("reopened", world.facilitator)]
    services.plan_goal_delete(goal=goal)
    assert not plan.goals.exists()
    with pytest.raises(ApplicationError, match=services.NOT_SUBMITTED):
        services.plan_reopen(plan=plan, by=world.facilitator, now=NOW)


def test_changing_a_goals_measure_takes_a_new_baseline(world: World) -> None:
    plan = plan_with_goal(world)
    goal = plan.goals.get()
    fields = goal_fields(measure="median_first_response_hours", target=1.0)
    services.plan_goal_update(goal=goal, fields=fields)
    goal.refresh_from_db()
    assert (goal.measure, goal.baseline, goal.target) == ("median_first_response_hours", 1.9, 1.0)


def test_feedback_needs_words(world: World) -> None:
    plan = plan_with_goal(world)
    with pytest.raises(ApplicationError) as caught:
        services.plan_feedback_add(plan=plan, author=world.facilitator, body="  ", now=NOW)
    assert caught.value.extra["field"] == "body"
    note = services.plan_feedback_add(plan=plan, author=world.facilitator, body="Good", now=NOW)
    assert note.created_at == NOW and plan.feedback.count() == 1
    rows = {r.enrollment.pk: r for r in plan_rows(cohort=world.cohort)}
    assert (rows[world.lena.pk].goals, rows[world.lena.pk].feedback) == (1, 1)
    assert (rows[world.peer.pk].plan, rows[world.peer.pk].feedback) == (None, 0)


def test_submit_feedback_and_reopen_email_whom_they_concern(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    learner, facilitator = world.lena.learner, world.facilitator
    page = f"/plans/{world.cohort.slug}/{learner.username}/"
    plan = plan_with_goal(world)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_submit(plan=plan, now=NOW)
    (sent,) = mail.outbox  # the cohort's facilitator, not another cohort's
    assert sent.to == [facilitator.email] and "submitted a plan" in sent.subject
    assert page in sent.body
    notifications.plan_submitted_notify(plan=plan)  # the same submission: not again
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.plan_feedback_add(plan=plan, author=facilitator, body="Good", now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_reopen(plan=plan, by=facilitator, now=NOW)
    feedback, reopened = mail.outbox[1:]
    assert feedback.to == reopened.to == [learner.email]
    assert "Feedback on your plan" in feedback.subject and page in feedback.body
    assert "open to changes again" in reopened.subject and page in reopened.body

    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(plan=plan, now=NOW + timedelta(hours=1))
    assert mail.outbox[-1].to == [facilitator.email] and len(mail.outbox) == 4  # resubmitted

    notifications.preference_update(user=learner, session_reminders=True, announcements=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_feedback_add(plan=plan, author=facilitator, body="More", now=NOW)
    assert len(mail.outbox) == 4  # she asked for no announcements
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == ["plan_feedback", "plan_reopened", "plan_submitted", "plan_submitted"]


def test_the_demo_and_callers_who_ask_send_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    plan = plan_with_goal(world)
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.plan_submit(plan=plan, now=NOW, notify=False)
        services.plan_feedback_add(
            plan=plan, author=world.facilitator, body="Good", now=NOW, notify=False
        )
        services.plan_reopen(plan=plan, by=world.facilitator, now=NOW, notify=False)
    assert mail.outbox == []
