"""The dashboard panel: the communities the signed-in user may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from copkit.communities.selectors import community_list_for


def panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    communities = list(community_list_for(user=request.user)[:10])
    if not communities:
        return None
    return "communities/panel.html", {"communities": communities}
