"""The site's own pages: home and the signed-in dashboard that apps fill with panels."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


def _panels(request: HttpRequest) -> list[dict[str, Any]]:
    panels = []
    for dotted in settings.COPKIT_DASHBOARD_PANELS:
        result = import_string(dotted)(request)
        if result is not None:
            template, context = result
            panels.append({"template": template, "context": context})
    return panels


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"panels": _panels(request)})
