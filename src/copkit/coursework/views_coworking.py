"""Pages for co-working, the playbook, the cohort's Slack channel and notification
preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.permissions import staff_required
from copkit.coursework import coworking, notifications, selectors
from copkit.coursework.forms import (
    ChannelForm,
    CheckInForm,
    CoworkingSessionForm,
    GoalForm,
    PlaybookSectionForm,
    PreferenceForm,
)
from copkit.coursework.guards import request_user as _user
from copkit.coursework.guards import require_access as _access
from copkit.coursework.guards import require_enrollment as _enrollment
from copkit.coursework.models import CoworkingGoal, CoworkingPair, Notification, PlaybookSection
from copkit.coursework.selectors import Access
from copkit.errors import ApplicationError


@login_required
def coworking_page(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    access = _access(request, cohort, Access.LEARNER)
    if access >= Access.FACILITATOR:
        sessions = cohort.sessions.filter(kind=Session.Kind.COWORKING).order_by("starts_at")
        overview = []
        for session in sessions:
            groups: dict[int, list[CoworkingPair]] = {}
            for pair in session.coworking_pairs.select_related("enrollment__learner"):
                groups.setdefault(pair.group, []).append(pair)
            goals = {
                g.enrollment_id: g
                for g in session.coworking_goals.prefetch_related("checkins__by__learner")
            }
            overview.append(
                {
                    "session": session,
                    "groups": [
                        [(p.enrollment, goals.get(p.enrollment_id)) for p in members]
                        for members in groups.values()
                    ],
                }
            )
        return render(
            request,
            "coursework/coworking_facilitator.html",
            {"cohort": cohort, "overview": overview, "session_form": CoworkingSessionForm()},
        )
    enrollment = _enrollment(request, cohort)
    return render(
        request,
        "coursework/coworking.html",
        {
            "cohort": cohort,
            "rows": coworking.coworking_overview(cohort=cohort, enrollment=enrollment),
            "goal_form": GoalForm(),
            "checkin_form": CheckInForm(),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def coworking_session_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    _access(request, cohort, Access.FACILITATOR)
    form = CoworkingSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the session: " + form.errors.as_text())
    else:
        try:
            session = coworking.coworking_session_create(
                cohort=cohort,
                local_date=form.cleaned_data["date"],
                local_time=form.cleaned_data["time"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                title=form.cleaned_data["title"],
            )
            messages.success(request, f"{session} scheduled.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:coworking", cohort.slug)


@login_required
@require_POST
def pairs_assign(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    _access(request, session.cohort, Access.FACILITATOR)
    try:
        groups = coworking.coworking_pairs_assign(session=session)
        messages.success(request, f"{len(groups)} pairs assigned.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:coworking", session.cohort.slug)


@login_required
@require_POST
def goal_set(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("cohort"), pk=pk)
    enrollment = _enrollment(request, session.cohort)
    form = GoalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your goal for the week.")
    else:
        try:
            coworking.coworking_goal_set(
                session=session, enrollment=enrollment, text=form.cleaned_data["text"]
            )
            messages.success(request, "Goal saved.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:coworking", session.cohort.slug)


@login_required
@require_POST
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(CoworkingGoal.objects.select_related("session__cohort"), pk=pk)
    cohort = goal.session.cohort
    enrollment = _enrollment(request, cohort)
    if enrollment not in coworking.pair_members(session=goal.session, enrollment=goal.enrollment):
        raise PermissionDenied
    form = CheckInForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether the goal was met.")
    else:
        try:
            coworking.coworking_checkin(
                goal=goal,
                by=enrollment,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
            messages.success(request, "Check-in saved.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:coworking", cohort.slug)


@login_required
def playbook(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), slug=slug)
    access = _access(request, cohort, Access.LEARNER)
    now = timezone.now()
    if access >= Access.FACILITATOR:
        rows = [
            (e, coworking.playbook_progress(enrollment=e, now=now))
            for e in cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).select_related(
                "learner"
            )
        ]
        weeks = max((len(p) for _, p in rows), default=0)
        return render(
            request,
            "coursework/playbooks_cohort.html",
            {"cohort": cohort, "rows": rows, "weeks": range(1, weeks + 1)},
        )
    enrollment = _enrollment(request, cohort)
    book = coworking.playbook_for(enrollment=enrollment)
    return render(
        request,
        "coursework/playbook.html",
        {
            "cohort": cohort,
            "enrollment": enrollment,
            "editable": True,
            "sections": [
                (
                    s,
                    PlaybookSectionForm(
                        initial={"body": s.body, "status": s.status}, prefix=f"s{s.pk}"
                    ),
                )
                for s in book.sections.all()
            ],
            "progress": coworking.playbook_progress(enrollment=enrollment, now=now),
        },
    )


@login_required
@require_POST
def playbook_section(request: HttpRequest, pk: int) -> HttpResponse:
    section = get_object_or_404(
        PlaybookSection.objects.select_related("playbook__enrollment__cohort"), pk=pk
    )
    enrollment = section.playbook.enrollment
    if enrollment.learner_id != _user(request).pk:
        raise PermissionDenied
    form = PlaybookSectionForm(request.POST, prefix=f"s{section.pk}")
    if not form.is_valid():
        messages.error(request, "Check the section: " + form.errors.as_text())
    else:
        try:
            coworking.playbook_section_update(
                section=section,
                body=form.cleaned_data["body"],
                status=form.cleaned_data["status"],
                now=timezone.now(),
            )
            messages.success(request, f"{section.title} saved.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:playbook", enrollment.cohort.slug)


@login_required
def playbook_of(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment.objects.select_related("cohort", "learner"), pk=pk)
    if not selectors.enrollment_visible(user=_user(request), enrollment=enrollment):
        raise PermissionDenied
    book = coworking.playbook_for(enrollment=enrollment)
    return render(
        request,
        "coursework/playbook.html",
        {
            "cohort": enrollment.cohort,
            "enrollment": enrollment,
            "editable": False,
            "sections": [(s, None) for s in book.sections.all()],
            "progress": coworking.playbook_progress(enrollment=enrollment, now=timezone.now()),
        },
    )


@staff_required
def channel(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    form = ChannelForm(
        request.POST or None,
        initial={
            "slack_channel_name": cohort.slack_channel_name,
            "slack_channel_url": cohort.slack_channel_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["clear_webhook"]:
                notifications.channel_webhook_clear(cohort=cohort)
            elif data["webhook_url"]:
                notifications.channel_webhook_set(cohort=cohort, url=data["webhook_url"])
        except ApplicationError as exc:
            form.add_error("webhook_url", exc.message)
        else:
            cohort.slack_channel_name = data["slack_channel_name"]
            cohort.slack_channel_url = data["slack_channel_url"]
            cohort.save(update_fields=["slack_channel_name", "slack_channel_url"])
            messages.success(request, "Slack channel saved.")
            return redirect("coursework:channel", cohort.slug)
    return render(
        request,
        "coursework/channel.html",
        {
            "cohort": cohort,
            "form": form,
            "webhook_set": notifications.channel_webhook_is_set(cohort=cohort),
            "log": Notification.objects.filter(cohort=cohort).select_related("recipient")[:100],
            "failures": Notification.objects.filter(
                cohort=cohort, status=Notification.Status.FAILED
            ).count(),
        },
    )


@staff_required
@require_POST
def channel_test(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    try:
        notifications.slack_test_post(cohort=cohort, user=_user(request))
        messages.success(request, "Test message posted to Slack.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:channel", cohort.slug)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = notifications.preference_for(user=_user(request))
    form = PreferenceForm(
        request.POST or None,
        initial={
            "session_reminders": preference.session_reminders,
            "announcements": preference.announcements,
        },
    )
    if request.method == "POST" and form.is_valid():
        notifications.preference_update(
            user=_user(request),
            session_reminders=form.cleaned_data["session_reminders"],
            announcements=form.cleaned_data["announcements"],
        )
        messages.success(request, "Preferences saved.")
        return redirect("coursework:preferences")
    return render(request, "coursework/preferences.html", {"form": form})
