"""Reads on plans: who may see and change which plan, and the cohort's list of plans.

A learner sees and edits only their own plan; the cohort's facilitators and program staff
see every plan of the cohort, comment on it and reopen it; nobody else sees it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import User
from copkit.coursework.selectors import Access, cohort_access
from copkit.errors import ApplicationError
from copkit.plans.models import Plan

__all__ = [
    "PlanAccess",
    "PlanRow",
    "cohort_by_slug",
    "cohort_for_review",
    "cohorts_to_review",
    "enrollment_for_plan",
    "plan_access",
    "plan_by_learner",
    "plan_for",
    "plan_rows",
    "plans_of_learner",
    "submitted_plan",
]


class PlanAccess(enum.Enum):
    """What a user may do with one enrollment's plan."""

    NONE = "none"
    OWNER = "owner"  # the learner: read, and edit while it is a draft
    REVIEWER = "reviewer"  # a facilitator of the cohort or program staff: read, comment, reopen


def plan_access(*, user: User, enrollment: Enrollment) -> PlanAccess:
    """The learner owns their plan; the cohort's facilitators and staff review it."""
    if not user.is_authenticated:
        return PlanAccess.NONE
    if enrollment.learner_id == user.pk:
        return PlanAccess.OWNER
    if cohort_access(user=user, cohort=enrollment.cohort) >= Access.FACILITATOR:
        return PlanAccess.REVIEWER
    return PlanAccess.NONE


def enrollment_for_plan(*, user: User, cohort_slug: str, username: str) -> Enrollment:
    """The enrolled learner ``username`` in cohort ``cohort_slug``, if ``user`` may see the plan.

    Raises ``Http404`` for an unknown cohort or learner and ``PermissionDenied`` (403) for a
    user with no access, as the coursework pages do.
    """
    enrollment = (
        Enrollment.objects.select_related("cohort__course", "learner")
        .filter(
            cohort__slug=cohort_slug,
            learner__username=username,
            status=Enrollment.Status.ENROLLED,
        )
        .first()
    )
    if enrollment is None:
        cohort = Cohort.objects.filter(slug=cohort_slug).first()
        if cohort is None or cohort_access(user=user, cohort=cohort) >= Access.FACILITATOR:
            raise Http404("No such learner in this cohort.")
        raise PermissionDenied  # who is enrolled stays private to the cohort's staff
    if plan_access(user=user, enrollment=enrollment) is PlanAccess.NONE:
        raise PermissionDenied
    return enrollment


def plan_for(*, enrollment: Enrollment) -> Plan | None:
    """The enrollment's plan, or None before the learner has opened it."""
    return (
        Plan.objects.select_related("community", "enrollment__cohort", "enrollment__learner")
        .filter(enrollment=enrollment)
        .first()
    )


@dataclass(frozen=True)
class PlanRow:
    """One learner of a cohort and where their plan stands."""

    enrollment: Enrollment
    plan: Plan | None
    goals: int
    feedback: int

    @property
    def state(self) -> str:
        if self.plan is None:
            return "not started"
        return self.plan.get_status_display().lower()


def plan_rows(*, cohort: Cohort) -> list[PlanRow]:
    """Every enrolled learner of ``cohort`` with their plan (check access before showing)."""
    enrollments = cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).select_related(
        "learner", "cohort"
    )
    plans = {
        p.enrollment_id: p
        for p in Plan.objects.filter(enrollment__cohort=cohort).annotate(
            goal_count=Count("goals", distinct=True),
            feedback_count=Count("feedback", distinct=True),
        )
    }
    rows = []
    for enrollment in enrollments.order_by("learner__username"):
        plan = plans.get(enrollment.pk)
        rows.append(
            PlanRow(
                enrollment=enrollment,
                plan=plan,
                goals=getattr(plan, "goal_count", 0),
                feedback=getattr(plan, "feedback_count", 0),
            )
        )
    return rows


def plans_of_learner(*, user: User) -> list[tuple[Enrollment, Plan | None]]:
    """The signed-in learner's enrollments (enrolled ones) with their plans."""
    if not user.is_authenticated:
        return []
    enrollments = Enrollment.objects.filter(
        learner=user, status=Enrollment.Status.ENROLLED
    ).select_related("cohort__course")
    plans = {p.enrollment_id: p for p in Plan.objects.filter(enrollment__in=enrollments)}
    return [(e, plans.get(e.pk)) for e in enrollments.order_by("-cohort__starts_on")]


def cohort_for_review(*, user: User, cohort_slug: str) -> Cohort:
    """Cohort ``cohort_slug`` if ``user`` facilitates it or is staff (404 unknown, 403 else)."""
    cohort = Cohort.objects.filter(slug=cohort_slug).select_related("course").first()
    if cohort is None:
        raise Http404("No such cohort.")
    if cohort_access(user=user, cohort=cohort) < Access.FACILITATOR:
        raise PermissionDenied
    return cohort


def cohorts_to_review(*, user: User) -> QuerySet[Cohort]:
    """The cohorts whose plans ``user`` reviews: all for staff, their own for facilitators."""
    if not user.is_authenticated:
        return Cohort.objects.none()
    cohorts = Cohort.objects.select_related("course").order_by("-starts_on")
    return cohorts if user.is_program_staff else cohorts.filter(facilitators=user)


def plan_by_learner(*, cohort_slug: str, username: str) -> Plan:
    """The plan of learner ``username`` in cohort ``cohort_slug``, for the command line.

    Unchecked (the command line runs as the operator). Raises ``ApplicationError`` naming
    what is missing.
    """
    if not Cohort.objects.filter(slug=cohort_slug).exists():
        raise ApplicationError(f"No cohort with slug {cohort_slug!r}.")
    plan = (
        Plan.objects.select_related(
            "community", "enrollment__cohort__course", "enrollment__learner"
        )
        .filter(enrollment__cohort__slug=cohort_slug, enrollment__learner__username=username)
        .first()
    )
    if plan is None:
        raise ApplicationError(
            f"{username!r} has no plan in {cohort_slug!r}; see `copkit plan list --cohort "
            f"{cohort_slug}`."
        )
    return plan


def cohort_by_slug(*, cohort_slug: str) -> Cohort:
    """Cohort ``cohort_slug`` for the command line; ``ApplicationError`` when unknown."""
    cohort = Cohort.objects.filter(slug=cohort_slug).first()
    if cohort is None:
        raise ApplicationError(f"No cohort with slug {cohort_slug!r}.")
    return cohort


def submitted_plan(*, enrollment: Enrollment) -> Plan | None:
    """The enrollment's plan if it is submitted (a reopened plan is a draft again)."""
    return Plan.objects.filter(enrollment=enrollment, status=Plan.Status.SUBMITTED).first()
