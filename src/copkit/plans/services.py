"""Writes on plans: start one, edit it and its goals, submit, reopen, comment, export.

Every rule lives here: a submitted plan cannot change until it is reopened; a linked
community must be the learner's own; a goal's target must make sense for its measure.
Refusals are :class:`~copkit.errors.ApplicationError` whose ``extra["field"]`` names the
form field at fault, so that a view can show the message beside it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Final

from django.db import transaction
from django.db.models import Max

from copkit.academy.models import Enrollment
from copkit.accounts.models import User
from copkit.communities.models import Community
from copkit.coursework import notifications
from copkit.errors import ApplicationError
from copkit.plans.measures import MEASURES, measure_value
from copkit.plans.models import DEFAULT_TITLE, Event, Feedback, Goal, Plan

__all__ = [
    "GoalFields",
    "NEEDS_A_GOAL",
    "NOT_SUBMITTED",
    "PLAN_SUBMITTED",
    "plan_export",
    "plan_feedback_add",
    "plan_goal_add",
    "plan_goal_delete",
    "plan_goal_update",
    "plan_reopen",
    "plan_start",
    "plan_submit",
    "plan_update",
]

PLAN_SUBMITTED: Final = (
    "This plan is submitted and read-only; a facilitator can reopen it for changes."
)
NOT_SUBMITTED: Final = "Only a submitted plan can be reopened."
NEEDS_A_GOAL: Final = "Add at least one goal before submitting the plan."
NOT_YOUR_COMMUNITY: Final = "Link one of your own communities."
MAX_REVIEW: Final = 20_000
"""The longest review and next steps text, in characters."""
MAX_YEARS_AHEAD: Final = 5
"""A goal may be due at most this many years after the cohort starts."""


def _refuse(message: str, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, {"field": field} if field else None)


def _draft(plan_id: int) -> Plan:
    """The plan read afresh and locked, so that a submit cannot slip between check and write."""
    plan = Plan.objects.select_for_update().select_related("enrollment__cohort").get(pk=plan_id)
    if plan.is_submitted:
        raise _refuse(PLAN_SUBMITTED)
    return plan


def plan_start(*, enrollment: Enrollment) -> Plan:
    """The enrollment's plan, created (empty, as a draft) the first time."""
    plan, _ = Plan.objects.get_or_create(enrollment=enrollment)
    return plan


def _text(value: str, field: str, label: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise _refuse(f"{label} cannot be empty.", field)
    if len(value) > max_length:
        raise _refuse(f"{label} is too long: at most {max_length} characters.", field)
    return value


def _baseline(plan: Plan, measure_key: str) -> tuple[float | None, str]:
    analysis = plan.community.analysis_json if plan.community else None
    value = measure_value(measure_key, analysis)
    return value.value, value.note[:300]


@transaction.atomic
def plan_update(*, plan: Plan, title: str, community: Community | None, review: str) -> Plan:
    """Change the plan's title, linked community and review text (a draft only).

    Linking another community (or none) takes every goal's baseline from its analysis anew.
    """
    plan = _draft(plan.pk)
    if community is not None and community.owner_id != plan.enrollment.learner_id:
        raise _refuse(NOT_YOUR_COMMUNITY, "community")
    plan.title = _text(title or DEFAULT_TITLE, "title", "The title", 200)
    plan.review = review.strip()
    if len(plan.review) > MAX_REVIEW:
        raise _refuse(f"The review is too long: at most {MAX_REVIEW:,} characters.", "review")
    relinked = plan.community_id != (community.pk if community else None)
    plan.community = community
    plan.save()
    if relinked:
        for goal in plan.goals.all():
            goal.baseline, goal.baseline_note = _baseline(plan, goal.measure)
            goal.save(update_fields=["baseline", "baseline_note"])
    return plan


@dataclass(frozen=True)
class GoalFields:
    """What the learner gives for a goal (a form's cleaned data)."""

    goal: str
    intervention: str
    measure: str
    target: float
    owner: str
    due_on: date


def _checked(plan: Plan, given: GoalFields) -> GoalFields:
    """``given`` with its text trimmed, or the refusal naming the first field at fault."""
    spec = next((m for m in MEASURES if m.key == given.measure), None)
    if spec is None:
        raise _refuse("Choose a measure from the list.", "measure")
    if not spec.minimum <= given.target <= spec.maximum:
        raise _refuse(
            f"The target for {spec.label.lower()} must be between "
            f"{spec.format(spec.minimum)} and {spec.format(spec.maximum)}.",
            "target",
        )
    if spec.unit == "members" and given.target != int(given.target):
        raise _refuse(f"The target for {spec.label.lower()} is a whole number.", "target")
    starts = plan.enrollment.cohort.starts_on
    if given.due_on < starts:
        raise _refuse(f"The due date cannot be before the cohort starts ({starts}).", "due_on")
    latest = starts + timedelta(days=365 * MAX_YEARS_AHEAD)
    if given.due_on > latest:
        raise _refuse(
            f"The due date is too far ahead: plan at most {MAX_YEARS_AHEAD} years, until {latest}.",
            "due_on",
        )
    return GoalFields(
        goal=_text(given.goal, "goal", "The goal", 300),
        intervention=_text(given.intervention, "intervention", "The intervention", 5000),
        measure=given.measure,
        target=float(given.target),
        owner=_text(given.owner, "owner", "The owner", 200),
        due_on=given.due_on,
    )


@transaction.atomic
def plan_goal_add(*, plan: Plan, fields: GoalFields) -> Goal:
    """Add a goal to a draft plan; its baseline is the measure's value in the analysis now."""
    plan = _draft(plan.pk)
    checked = _checked(plan, fields)
    baseline, note = _baseline(plan, checked.measure)
    position = (plan.goals.aggregate(top=Max("position"))["top"] or 0) + 1
    created: Goal = Goal.objects.create(
        plan=plan, position=position, baseline=baseline, baseline_note=note, **asdict(checked)
    )
    plan.save(update_fields=["updated_at"])
    return created


@transaction.atomic
def plan_goal_update(*, goal: Goal, fields: GoalFields) -> Goal:
    """Change a goal of a draft plan; a new measure takes a new baseline."""
    plan = _draft(goal.plan_id)
    checked = _checked(plan, fields)
    if checked.measure != goal.measure:
        goal.baseline, goal.baseline_note = _baseline(plan, checked.measure)
    for name, value in asdict(checked).items():
        setattr(goal, name, value)
    goal.save()
    plan.save(update_fields=["updated_at"])
    return goal


@transaction.atomic
def plan_goal_delete(*, goal: Goal) -> None:
    """Remove a goal from a draft plan."""
    _draft(goal.plan_id)
    goal.delete()


@transaction.atomic
def plan_submit(*, plan: Plan, now: datetime, notify: bool = True) -> Plan:
    """Submit a draft plan with at least one goal; it becomes read-only to the learner. The
    cohort's facilitators are e-mailed once it is saved (unless ``notify`` is false)."""
    plan = _draft(plan.pk)
    if not plan.goals.exists():
        raise _refuse(NEEDS_A_GOAL)
    plan.status = Plan.Status.SUBMITTED
    plan.submitted_at = now
    plan.save(update_fields=["status", "submitted_at", "updated_at"])
    Event.objects.create(
        plan=plan, at=now, actor=plan.enrollment.learner, action=Event.Action.SUBMITTED
    )
    if notify:
        transaction.on_commit(lambda: notifications.plan_submitted_notify(plan=plan))
    return plan


@transaction.atomic
def plan_reopen(*, plan: Plan, by: User, now: datetime, notify: bool = True) -> Plan:
    """Return a submitted plan to draft so that the learner can change it; the learner is
    e-mailed once it is saved (unless ``notify`` is false).

    The view has checked that ``by`` facilitates the cohort or is program staff.
    """
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_submitted:
        raise _refuse(NOT_SUBMITTED)
    plan.status = Plan.Status.DRAFT
    plan.reopened_at = now
    plan.save(update_fields=["status", "reopened_at", "updated_at"])
    Event.objects.create(plan=plan, at=now, actor=by, action=Event.Action.REOPENED)
    if notify:
        transaction.on_commit(lambda: notifications.plan_reopened_notify(plan=plan, by=by))
    return plan


def plan_feedback_add(
    *, plan: Plan, author: User, body: str, now: datetime, notify: bool = True
) -> Feedback:
    """Leave a comment on a plan (the view has checked that ``author`` reviews its cohort);
    the learner is e-mailed once it is saved (unless ``notify`` is false)."""
    text = _text(body, "body", "The feedback", 10_000)
    feedback = Feedback.objects.create(plan=plan, author=author, body=text, created_at=now)
    if notify:
        transaction.on_commit(lambda: notifications.plan_feedback_notify(feedback=feedback))
    return feedback


def plan_export(*, plan: Plan, format: str) -> bytes:  # noqa: A002
    """The plan as a self-contained ``html`` page, ``md`` or ``pdf`` document."""
    from copkit.plans.documents import plan_document, render

    return render(plan_document(plan=plan), format)
