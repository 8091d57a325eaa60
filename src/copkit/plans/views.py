"""Plan pages: thin views that check who asks, parse a form, call one service, render."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from copkit.academy.models import Enrollment
from copkit.accounts.models import User
from copkit.errors import ApplicationError
from copkit.plans import selectors, services
from copkit.plans.documents import plan_document, report_css
from copkit.plans.forms import FeedbackForm, GoalForm, PlanForm
from copkit.plans.models import Goal, Plan
from copkit.plans.selectors import PlanAccess

DOWNLOADS: Final = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _fail(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal beside the field it names, else above the form."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _enrollment(
    request: HttpRequest, slug: str, username: str, need: PlanAccess | None = None
) -> tuple[Enrollment, PlanAccess]:
    enrollment = selectors.enrollment_for_plan(
        user=_user(request), cohort_slug=slug, username=username
    )
    access = selectors.plan_access(user=_user(request), enrollment=enrollment)
    if need is not None and access is not need:
        raise PermissionDenied
    return enrollment, access


def _own_plan(request: HttpRequest, slug: str, username: str) -> Plan:
    enrollment, _ = _enrollment(request, slug, username, PlanAccess.OWNER)
    return services.plan_start(enrollment=enrollment)


def _plan_of(enrollment: Enrollment, access: PlanAccess) -> Plan | None:
    """The learner's plan (started on first sight); a reviewer's view starts nothing."""
    if access is PlanAccess.OWNER:
        return services.plan_start(enrollment=enrollment)
    return selectors.plan_for(enrollment=enrollment)


def _page(
    request: HttpRequest,
    enrollment: Enrollment,
    access: PlanAccess,
    *,
    plan_form: PlanForm | None = None,
    goal_form: GoalForm | None = None,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = _plan_of(enrollment, access)
    context: dict[str, Any] = {
        "enrollment": enrollment,
        "plan": plan,
        "owner": access is PlanAccess.OWNER,
        "reviewer": access is PlanAccess.REVIEWER,
        "formats": list(DOWNLOADS),
    }
    if plan is not None:
        editable = access is PlanAccess.OWNER and not plan.is_submitted
        context |= {
            "doc": plan_document(plan=plan),
            "report_css": report_css("screen"),
            "editable": editable,
            "feedback": plan.feedback.select_related("author"),
            "events": plan.events.select_related("actor"),
        }
        if editable:
            context["plan_form"] = plan_form or PlanForm(
                learner=enrollment.learner,
                initial={"title": plan.title, "community": plan.community, "review": plan.review},
            )
            context["goal_form"] = goal_form or GoalForm(prefix="new")
        if access is PlanAccess.REVIEWER:
            context["feedback_form"] = feedback_form or FeedbackForm()
    return render(request, "plans/detail.html", context, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "plans/home.html",
        {
            "own": selectors.plans_of_learner(user=user),
            "cohorts": selectors.cohorts_to_review(user=user),
        },
    )


@login_required
def cohort(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.cohort_for_review(user=_user(request), cohort_slug=slug)
    rows = selectors.plan_rows(cohort=found)
    return render(request, "plans/cohort.html", {"cohort": found, "rows": rows})


@login_required
def detail(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    enrollment, access = _enrollment(request, slug, username)
    return _page(request, enrollment, access)


@login_required
@require_POST
def plan_edit(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    enrollment, access = _enrollment(request, slug, username, PlanAccess.OWNER)
    plan = services.plan_start(enrollment=enrollment)
    form = PlanForm(request.POST, learner=enrollment.learner)
    if form.is_valid():
        try:
            services.plan_update(plan=plan, **form.cleaned_data)
        except ApplicationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Plan saved.")
            return redirect("plans:detail", slug, username)
    return _page(request, enrollment, access, plan_form=form, status=400)


@login_required
@require_POST
def goal_add(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    enrollment, access = _enrollment(request, slug, username, PlanAccess.OWNER)
    plan = services.plan_start(enrollment=enrollment)
    form = GoalForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.plan_goal_add(plan=plan, fields=services.GoalFields(**form.cleaned_data))
        except ApplicationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Goal added.")
            return redirect("plans:detail", slug, username)
    return _page(request, enrollment, access, goal_form=form, status=400)


@login_required
def goal_edit(request: HttpRequest, slug: str, username: str, pk: int) -> HttpResponse:
    plan = _own_plan(request, slug, username)
    goal = get_object_or_404(Goal, pk=pk, plan=plan)
    if plan.is_submitted:
        messages.error(request, services.PLAN_SUBMITTED)
        return redirect("plans:detail", slug, username)
    initial = {f: getattr(goal, f) for f in GoalForm.base_fields}
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_goal_update(goal=goal, fields=services.GoalFields(**form.cleaned_data))
        except ApplicationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Goal saved.")
            return redirect("plans:detail", slug, username)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "plans/goal_form.html", {"plan": plan, "goal": goal, "form": form}, status=status
    )


@login_required
@require_POST
def goal_delete(request: HttpRequest, slug: str, username: str, pk: int) -> HttpResponse:
    plan = _own_plan(request, slug, username)
    goal = get_object_or_404(Goal, pk=pk, plan=plan)
    try:
        services.plan_goal_delete(goal=goal)
        messages.success(request, "Goal removed.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("plans:detail", slug, username)


@login_required
@require_POST
def submit(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    plan = _own_plan(request, slug, username)
    try:
        services.plan_submit(plan=plan, now=timezone.now())
        messages.success(request, "Plan submitted: your facilitators can now read it.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("plans:detail", slug, username)


def _reviewed_plan(request: HttpRequest, slug: str, username: str) -> tuple[Enrollment, Plan]:
    """The plan a facilitator of the cohort (or staff) reviews; 404 before it is started."""
    enrollment, _ = _enrollment(request, slug, username, PlanAccess.REVIEWER)
    plan = selectors.plan_for(enrollment=enrollment)
    if plan is None:
        raise Http404("This learner has not started a plan.")
    return enrollment, plan


@login_required
@require_POST
def reopen(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    _, plan = _reviewed_plan(request, slug, username)
    try:
        services.plan_reopen(plan=plan, by=_user(request), now=timezone.now())
        messages.success(request, "Plan reopened: the learner can change it again.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("plans:detail", slug, username)


@login_required
@require_POST
def feedback(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    enrollment, plan = _reviewed_plan(request, slug, username)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.plan_feedback_add(
                plan=plan, author=_user(request), body=form.cleaned_data["body"], now=timezone.now()
            )
        except ApplicationError as exc:
            _fail(form, exc)
        else:
            messages.success(request, "Feedback saved.")
            return redirect("plans:detail", slug, username)
    return _page(request, enrollment, PlanAccess.REVIEWER, feedback_form=form, status=400)


@login_required
def download(request: HttpRequest, slug: str, username: str, format: str) -> HttpResponse:  # noqa: A002
    enrollment, access = _enrollment(request, slug, username)
    if format not in DOWNLOADS:
        raise Http404("No such format.")
    plan = _plan_of(enrollment, access)
    if plan is None:
        raise Http404("This learner has not started a plan.")
    body = services.plan_export(plan=plan, format=format)
    response = HttpResponse(body, content_type=DOWNLOADS[format])
    name = f"plan-{enrollment.cohort.slug}-{enrollment.learner.username}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
