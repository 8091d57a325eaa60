"""Demo plans in cohort ``cop-demo``: learner01's draft linked to the demo community's
analysis (so its charts show), learner02's submitted plan with a facilitator's feedback, and
learner03's draft with no analysis linked.

Listed after the communities builder in ``settings.COPKIT_DEMO_BUILDERS``. Idempotent: a
plan that already has goals is left as it is, and feedback is written once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from django.db import transaction
from rich.console import Console

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import User
from copkit.communities.models import Community
from copkit.plans import services
from copkit.plans.models import Plan

COHORT: Final = "cop-demo"
COMMUNITY: Final = "demo-community"
FEEDBACK: Final = (
    "A clear plan. The unanswered-threads goal is well chosen; say who will watch the queue "
    "when the owner is away, and consider a newcomer goal for the next review."
)

#: (goal, intervention, measure, target, owner, weeks after the cohort starts)
GOALS: Final = [
    (
        "Fewer questions go unanswered",
        "A weekly rota of two members who answer or route every open question; a monthly "
        "round-up of open threads in the newsletter.",
        "unanswered_share",
        10.0,
        "Community manager",
        16,
    ),
    (
        "Newcomers come back",
        "A welcome thread each month, with a named buddy from the active group for every "
        "newcomer's first question.",
        "newcomer_return_30d_share",
        90.0,
        "Onboarding working group",
        20,
    ),
    (
        "Answering does not rest on a few people",
        "Invite five active members to host a themed Q&A week each and credit them publicly.",
        "absence_factor",
        6.0,
        "Core group",
        24,
    ),
]

#: learner -> (link the demo community, number of goals, submit)
PLANS: Final = {
    "learner01": (True, 3, False),
    "learner02": (False, 2, True),
    "learner03": (False, 1, False),
}


def _plan(enrollment: Enrollment, *, link: bool, goals: int, submit: bool, now: datetime) -> Plan:
    plan = services.plan_start(enrollment=enrollment)
    if plan.goals.exists() or plan.is_submitted:
        return plan
    community = (
        Community.objects.filter(slug=COMMUNITY, owner=enrollment.learner).first() if link else None
    )
    plan = services.plan_update(
        plan=plan,
        title=f"Knowledge management plan for {enrollment.community_name}",
        community=community,
        review="Review the plan with the core group every quarter, with a fresh analysis of "
        "the community; report progress in the annual members' survey.",
    )
    for goal, intervention, measure, target, owner, weeks in GOALS[:goals]:
        services.plan_goal_add(
            plan=plan,
            fields=services.GoalFields(
                goal=goal,
                intervention=intervention,
                measure=measure,
                target=target,
                owner=owner,
                due_on=enrollment.cohort.starts_on + timedelta(weeks=weeks),
            ),
        )
    if submit:
        plan = services.plan_submit(plan=plan, now=now, notify=False)
    return plan


def build(*, now: datetime, out: Console) -> list[str]:
    """Create the demo plans once; return lines to print."""
    cohort = Cohort.objects.filter(slug=COHORT).first()
    if cohort is None:
        return [f"Plans: no cohort {COHORT!r} (run the academy demo first); skipped"]
    reviewer = cohort.facilitators.order_by("username").first()
    made = []
    with transaction.atomic():
        for username, (link, goals, submit) in PLANS.items():
            enrollment = Enrollment.objects.filter(
                cohort=cohort, learner__username=username, status=Enrollment.Status.ENROLLED
            ).first()
            if enrollment is None:
                continue
            plan = _plan(enrollment, link=link, goals=goals, submit=submit, now=now)
            if submit and reviewer is not None and not plan.feedback.exists():
                services.plan_feedback_add(
                    plan=plan, author=reviewer, body=FEEDBACK, now=now, notify=False
                )
            made.append(username)
    if not made:
        return [f"Plans: no demo learners enrolled in {COHORT!r}; skipped"]
    lines = [f"Plans: /plans/{COHORT}/ ({', '.join(made)} have one)"]
    if isinstance(reviewer, User):
        lines.append(f"  a submitted plan with feedback: /plans/{COHORT}/learner02/ ({reviewer})")
    return lines
