"""Academy pages: thin views that parse a form, call one service or selector, and render.

Who may see what (tested as a matrix in ``tests/academy/test_views.py``):

| view | anonymous | learner | facilitator | staff |
| --- | --- | --- | --- | --- |
| catalog, course, cohort schedule, cohort feed | yes | yes | yes | yes |
| cohort roster on the cohort page | no | no | own cohorts | yes |
| apply | sign in | yes | no (403) | yes |
| withdraw | sign in | own | own | any |
| session reschedule/cancel | sign in | 403 | own cohorts | yes |
| cohort create/edit, waiver | sign in | 403 | 403 | yes |
| private feed | by its secret token only | | | |
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone as dj_timezone
from django.views.decorators.http import require_POST

from copkit.academy import rules, selectors, services
from copkit.academy.feeds import calendar_build
from copkit.academy.forms import ApplyForm, CohortForm, SessionForm, WaiverForm
from copkit.academy.models import Session
from copkit.accounts.models import Role, User
from copkit.accounts.permissions import role_required, staff_required
from copkit.errors import ApplicationError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "academy/catalog.html", {"programs": selectors.program_list()})


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = selectors.course_get(slug=slug)
    return render(
        request,
        "academy/course_detail.html",
        {"course": course, "cohorts": selectors.cohort_list(course=course)},
    )


def cohort_detail(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = selectors.cohort_get(slug=slug)
    manage = selectors.cohort_can_manage(user=request.user, cohort=cohort)
    mine = None
    if request.user.is_authenticated:
        mine = cohort.enrollments.filter(learner=_user(request)).first()
    context: dict[str, Any] = {
        "cohort": cohort,
        "sessions": selectors.cohort_sessions(cohort=cohort),
        "manage": manage,
        "roster": selectors.cohort_roster(cohort=cohort) if manage else None,
        "mine": mine,
        "mine_position": selectors.waitlist_position(enrollment=mine) if mine else None,
        "slots": services.cohort_slots(cohort=cohort),
        "now": dj_timezone.now(),
    }
    return render(request, "academy/cohort_detail.html", context)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def cohort_feed(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = selectors.cohort_get(slug=slug)
    body = calendar_build(name=cohort.name, sessions=selectors.cohort_sessions(cohort=cohort))
    return _ics(body, f"{cohort.slug}.ics")


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = selectors.calendar_token_user(token=token)
    if user is None:
        raise Http404("This calendar link is unknown or was reset.")
    body = calendar_build(
        name=f"copkit sessions of {user}", sessions=selectors.feed_sessions_for(user=user)
    )
    return _ics(body, "my-sessions.ics")


@require_POST
@login_required
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(user=_user(request))
    messages.success(request, "Your private calendar link was reset; the old one no longer works.")
    return redirect("dashboard")


def _cohort_form_submit(
    request: HttpRequest, form: CohortForm, *, cohort: Any = None
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    common: dict[str, Any] = {
        "name": data["name"],
        "starts_on": data["starts_on"],
        "timezone": data["timezone"],
        "slots": data["slots"],
        "capacity": data["capacity"],
        "facilitators": list(data["facilitators"]),
        "holidays": data["holidays"],
        "graduation_event_at": data["graduation_event_at"],
        "slack_channel_name": data["slack_channel_name"],
        "slack_channel_url": data["slack_channel_url"],
        "meeting_url": data["meeting_url"],
        "status": data["status"],
    }
    try:
        if cohort is None:
            cohort = services.cohort_create(course=data["course"], slug=data["slug"], **common)
        else:
            cohort = services.cohort_update(cohort=cohort, **common)
    except ApplicationError as exc:
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return None
    messages.success(request, f"Saved {cohort.name}: {cohort.sessions.count()} sessions planned.")
    return redirect("academy:cohort_detail", slug=cohort.slug)


@staff_required
def cohort_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"course": request.GET.get("course")}
    form = CohortForm(request.POST or None, initial=initial)
    if request.method == "POST" and (done := _cohort_form_submit(request, form)):
        return done
    return render(request, "academy/cohort_form.html", {"form": form, "cohort": None})


@staff_required
def cohort_edit(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = selectors.cohort_get(slug=slug)
    form = CohortForm(request.POST or None, initial=CohortForm.initial_for(cohort), editing=True)
    if request.method == "POST" and (done := _cohort_form_submit(request, form, cohort=cohort)):
        return done
    return render(request, "academy/cohort_form.html", {"form": form, "cohort": cohort})


@login_required
def session_edit(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort"), uid=uid)
    if not selectors.cohort_can_manage(user=request.user, cohort=session.cohort):
        raise PermissionDenied
    local = session.starts_at.astimezone(rules.timezone_get(session.cohort.timezone))
    initial = {
        "day": local.date(),
        "start_time": local.time().replace(tzinfo=None),
        "duration_minutes": session.duration_minutes,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "cancel":
                services.session_cancel(session=session)
            else:
                services.session_reschedule(
                    session=session,
                    day=data["day"],
                    start_time=data["start_time"],
                    duration_minutes=data["duration_minutes"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{session} updated; calendars will pick up the change.")
            return redirect("academy:cohort_detail", slug=session.cohort.slug)
    return render(request, "academy/session_form.html", {"form": form, "session": session})


@role_required(Role.LEARNER)
def enrollment_apply(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = selectors.cohort_get(slug=slug)
    user = _user(request)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.enrollment_apply(cohort=cohort, learner=user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if enrollment.status == enrollment.Status.ENROLLED:
                messages.success(request, f"You are enrolled in {cohort.name}.")
            else:
                position = selectors.waitlist_position(enrollment=enrollment)
                messages.success(
                    request, f"{cohort.name} is full: you are number {position} on the waitlist."
                )
            return redirect("dashboard")
    missing = services.prerequisites_missing(learner=user, course=cohort.course)
    return render(
        request, "academy/apply.html", {"form": form, "cohort": cohort, "missing": missing}
    )


@require_POST
@login_required
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get_for(user=_user(request), pk=pk)
    try:
        promoted = services.enrollment_withdraw(enrollment=enrollment, now=dj_timezone.now())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        note = f" {promoted[0].learner} moved up from the waitlist." if promoted else ""
        messages.success(request, f"Withdrawn from {enrollment.cohort.name}.{note}")
    return redirect("dashboard")


@staff_required
def waiver_create(request: HttpRequest) -> HttpResponse:
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            waiver = services.waiver_create(by=_user(request), **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Recorded: {waiver}.")
            return redirect("academy:waiver_create")
    return render(request, "academy/waiver_form.html", {"form": form})
