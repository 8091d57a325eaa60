"""Demo badges: graduates of the closed cohort ``cop-2026-spring`` get theirs, one is revoked.

Runs last in ``COPKIT_DEMO_BUILDERS``: the attendance demo makes the cohort and its outcomes,
the coursework demo the assessed assignments. Learners who are not yet eligible get no badge.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from rich.console import Console

from copkit.academy.models import Cohort
from copkit.credentials import services
from copkit.credentials.models import Award
from copkit.errors import ApplicationError

COHORT = "cop-2026-spring"
REVOKE_REASON = "Demo: revoked to show how a revoked badge verifies."


def build(*, now: datetime, out: Console) -> list[str]:
    """Evaluate the closed demo cohort, issue every eligible badge, revoke one (idempotent)."""
    cohort = Cohort.objects.filter(slug=COHORT).first()
    if cohort is None:
        return [f"Badges: no cohort {COHORT!r} in the demo, so no badges were issued."]
    staff = get_user_model().objects.filter(username="staff").first()
    try:
        services.award_evaluate_cohort(cohort=cohort, actor=staff)
    except ApplicationError as exc:
        return [f"Badges: not issued ({exc.message})"]
    for award in Award.objects.filter(enrollment__cohort=cohort, status=Award.Status.ELIGIBLE):
        services.award_issue(award=award, actor=staff, now=now)
    awards = Award.objects.filter(enrollment__cohort=cohort).order_by(
        "enrollment__learner__username"
    )
    issued = [a for a in awards if a.status == Award.Status.ISSUED]
    if not any(a.status == Award.Status.REVOKED for a in awards) and len(issued) > 1:
        services.award_revoke(award=issued[-1], actor=staff, reason=REVOKE_REASON)
    lines = []
    for award in awards.select_related("enrollment__learner"):
        award.refresh_from_db()
        if award.status in (Award.Status.ISSUED, Award.Status.REVOKED):
            lines.append(
                f"Badge of {award.enrollment.learner.username} ({award.get_status_display()}): "
                f"/badges/{award.public_id}/"
            )
    return lines or [f"Badges: nobody in {COHORT!r} is eligible yet."]
