"""Template context every page gets: the version and the main navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

import copkit


def site(request: HttpRequest) -> dict[str, Any]:
    nav = []
    for label, url_name in getattr(settings, "COPKIT_NAV", []):
        try:
            nav.append({"label": label, "url": reverse(url_name)})
        except NoReverseMatch:  # an app that is not installed contributes nothing
            continue
    return {"copkit_version": copkit.__version__, "copkit_nav": nav}
