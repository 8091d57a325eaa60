"""Badge pages: public documents and verification, the learner's panel, staff issuing."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from copkit.academy.models import Cohort, Course, Enrollment, Program
from copkit.accounts.permissions import staff_required
from copkit.credentials import selectors, services
from copkit.credentials.forms import ReasonForm
from copkit.credentials.models import Award, StatusList
from copkit.errors import ApplicationError

STATUS_BADGE = {
    "valid": "ok",
    "revoked": "bad",
    "expired": "warn",
    "tampered": "bad",
    "invalid": "bad",
    "unverifiable": "warn",
}


def _json(data: Any, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"  # public documents verifiers fetch
    return response


@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    return _json(selectors.keyring().jwks(selectors.jwks_url()), "application/jwk-set+json")


@require_GET
def issuer(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug)
    return _json(selectors.issuer_profile(program=program))


@require_GET
def achievement(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    criteria = selectors.course_criteria(course=course)
    return render(
        request,
        "credentials/achievement.html",
        {
            "course": course,
            "criteria": criteria,
            "issuer_url": selectors.issuer_url(course.program),
        },
    )


@require_GET
def image(request: HttpRequest, slug: str) -> HttpResponse:
    from copkit.credentials.images import badge_svg

    course = get_object_or_404(Course, slug=slug)
    return HttpResponse(badge_svg(course.title), content_type="image/svg+xml")


@require_GET
def status_list(request: HttpRequest, slug: str) -> HttpResponse:
    status = get_object_or_404(StatusList.objects.select_related("program"), slug=slug)
    document = selectors.status_list_document(status_list=status, signed=True)
    response = _json(document)
    response["Cache-Control"] = "max-age=300"
    return response


def _issued(public_id: UUID) -> Award:
    award = get_object_or_404(
        Award.objects.select_related("enrollment__cohort__course", "enrollment__learner"),
        public_id=public_id,
    )
    if not award.jwt:
        raise Http404("no badge here")
    return award


@require_GET
def verify(request: HttpRequest, public_id: UUID) -> HttpResponse:
    award = _issued(public_id)
    if "application/jwt" in request.headers.get("Accept", ""):
        return HttpResponse(award.jwt, content_type="application/jwt")  # for `copkit badge verify`
    verification = selectors.award_verification(award=award, now=timezone.now())
    assert verification is not None
    return render(
        request,
        "credentials/verify.html",
        {
            "award": award,
            "verification": verification,
            "claims": selectors.signed_claims(verification),
            "status_class": STATUS_BADGE[verification.status],
        },
    )


@require_GET
def verify_json(request: HttpRequest, public_id: UUID) -> HttpResponse:
    award = _issued(public_id)
    verification = selectors.award_verification(award=award, now=timezone.now())
    assert verification is not None
    return _json(verification.to_dict())


@require_GET
def download(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    award = _issued(public_id)
    try:
        content, media_type, filename = selectors.award_export(award=award, fmt=fmt)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """Dashboard panel: a learner's own badges; program staff get the issuing page."""
    user = request.user
    if getattr(user, "is_program_staff", False):
        return "credentials/panel_staff.html", {}
    awards = list(selectors.awards_for_learner(user=user))
    if not awards:
        return None
    return "credentials/panel.html", {"awards": awards}


@staff_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    awards = list(selectors.award_list())
    with_award = {a.enrollment_id for a in awards}
    others = (
        Enrollment.objects.filter(
            track=Enrollment.Track.CERTIFICATION, status=Enrollment.Status.ENROLLED
        )
        .exclude(pk__in=with_award)
        .select_related("cohort", "learner")
        .order_by("cohort__slug", "learner__username")
    )
    return render(
        request,
        "credentials/manage.html",
        {
            "awards": awards,
            "others": others,
            "cohorts": Cohort.objects.order_by("-starts_on"),
            "form": ReasonForm(),
        },
    )


def _run(request: HttpRequest, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("credentials:manage")


@staff_required
@require_POST
def manage_evaluate(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    return _run(
        request,
        lambda: services.award_evaluate_cohort(cohort=cohort, actor=request.user),
        f"Evaluated {cohort.name}.",
    )


@staff_required
@require_POST
def manage_issue(request: HttpRequest, public_id: UUID) -> HttpResponse:
    award = get_object_or_404(Award, public_id=public_id)
    return _run(
        request,
        lambda: services.award_issue(award=award, actor=request.user),
        f"Issued the badge of {award.enrollment.learner}.",
    )


@staff_required
@require_POST
def manage_revoke(request: HttpRequest, public_id: UUID) -> HttpResponse:
    award = get_object_or_404(Award, public_id=public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Revoking a badge needs a reason.")
        return redirect("credentials:manage")
    return _run(
        request,
        lambda: services.award_revoke(
            award=award, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        f"Revoked the badge of {award.enrollment.learner}.",
    )


@staff_required
@require_POST
def manage_override(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "An override needs a reason.")
        return redirect("credentials:manage")
    return _run(
        request,
        lambda: services.award_override(
            enrollment=enrollment, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        f"{enrollment.learner} is now eligible by staff decision.",
    )
