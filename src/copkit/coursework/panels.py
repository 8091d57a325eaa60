"""The coursework panel on the dashboard: a learner's next steps, a facilitator's queue."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone

from copkit.accounts.models import User
from copkit.coursework import selectors
from copkit.coursework.models import Notification


def panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_authenticated:
        return None
    cohorts = list(selectors.cohorts_for(user=user)[:10])
    queue = (
        selectors.review_queue(user=user, now=timezone.now())
        if user.is_program_staff or user.is_facilitator
        else []
    )
    failed = (
        Notification.objects.filter(status=Notification.Status.FAILED)
        .values("cohort__slug", "cohort__name")
        .annotate(count=Count("id"))
        .order_by("cohort__name")
        if user.is_program_staff
        else []
    )
    if not cohorts and not queue:
        return None
    return "coursework/panel.html", {
        "cohorts": cohorts,
        "waiting": len(queue),
        "failed": list(failed),
    }
