"""Pages: the communities a user may see, one community's report, and its downloads."""

from __future__ import annotations

from typing import Final

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from copkit.communities import selectors, services
from copkit.errors import ApplicationError

DOWNLOADS: Final = {
    "html": ("text/html; charset=utf-8", "html"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


@login_required
def community_list(request: HttpRequest) -> HttpResponse:
    communities = selectors.community_list_for(user=request.user)
    return render(request, "communities/list.html", {"communities": communities})


@login_required
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = selectors.community_get_for(user=request.user, slug=slug)
    report, problem = "", ""
    try:
        # The fragment comes from copkit's own templates, which escape every value.
        report = mark_safe(services.community_report_fragment(community=community))  # noqa: S308
    except ApplicationError as exc:
        problem = exc.message
    return render(
        request,
        "communities/detail.html",
        {
            "community": community,
            "report": report,
            "problem": problem,
            "formats": list(DOWNLOADS),
        },
    )


@login_required
def community_download(request: HttpRequest, slug: str, format: str) -> HttpResponse:  # noqa: A002
    community = selectors.community_get_for(user=request.user, slug=slug)
    if format not in DOWNLOADS:
        raise Http404("No such format.")
    try:
        body = services.community_report(community=community, format=format)
    except ApplicationError as exc:
        return render(
            request,
            "communities/detail.html",
            {"community": community, "report": "", "problem": exc.message, "formats": []},
            status=409,
        )
    content_type, extension = DOWNLOADS[format]
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{community.slug}-report.{extension}"'
    return response
