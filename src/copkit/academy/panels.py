"""The academy's panel on the signed-in dashboard: my cohorts, next sessions, my status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone as dj_timezone

from copkit.academy import selectors, services
from copkit.accounts.models import User


def panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """The signed-in user's enrollments, facilitated cohorts, next sessions and feed link."""
    user = request.user
    if not isinstance(user, User):
        return None
    token = services.calendar_token_get_or_create(user=user)
    context = {
        "enrollments": selectors.enrollment_list_for(user=user),
        "facilitated": list(selectors.facilitated_cohorts(user=user)),
        "upcoming": list(selectors.sessions_upcoming_for(user=user, now=dj_timezone.now())),
        "feed_url": request.build_absolute_uri(
            reverse("academy:personal_feed", args=[token.token])
        ),
        "all_cohorts": list(selectors.cohort_list()) if user.is_program_staff else [],
    }
    return "academy/panel.html", context
