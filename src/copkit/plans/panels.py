"""The dashboard panel: a learner's plans, and the cohorts whose plans a facilitator reviews."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from copkit.accounts.models import User
from copkit.plans.selectors import cohorts_to_review, plans_of_learner


def panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    user: User = request.user  # type: ignore[assignment]
    own = plans_of_learner(user=user)
    cohorts = list(cohorts_to_review(user=user)[:10])
    if not own and not cohorts:
        return None
    return "plans/panel.html", {"own": own, "cohorts": cohorts}
