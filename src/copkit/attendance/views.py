"""Attendance pages: thin views over the selectors and services.

Who sees what: learners their own attendance; facilitators the cohorts they facilitate
(rosters, matrix, Zoom import, exports); program staff everything, plus the audit trail,
waivers and closing a cohort.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import User
from copkit.accounts.permissions import facilitator_required, staff_required
from copkit.attendance import exports
from copkit.attendance.forms import RosterForm, WaiverForm, ZoomUploadForm
from copkit.attendance.models import ZoomImport
from copkit.attendance.rules import Mark
from copkit.attendance.selectors import (
    audit_trail,
    cohort_get_for,
    cohort_matrix,
    cohorts_for,
    current_marks,
    enrollment_outcome,
    graduation_standing,
    learner_enrollments,
    session_label,
    zoom_import_preview,
)
from copkit.attendance.services import (
    attendance_mark_session,
    cohort_close,
    waiver_grant,
    zoom_import_apply,
    zoom_import_create,
)
from copkit.errors import CopkitError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _session(cohort: Cohort, number: int | None) -> Session:
    if number is None:
        return get_object_or_404(
            Session.objects.select_related("cohort"), cohort=cohort, kind=Session.Kind.GRADUATION
        )
    return get_object_or_404(
        Session.objects.select_related("cohort"),
        cohort=cohort,
        kind=Session.Kind.CLASS,
        number=number,
    )


def _roster_url(session: Session) -> str:
    if session.kind == Session.Kind.GRADUATION:
        return reverse("attendance:graduation", args=[session.cohort.slug])
    return reverse("attendance:roster", args=[session.cohort.slug, session.number])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My attendance (for anyone enrolled) and, for facilitators and staff, their cohorts."""
    user = _user(request)
    mine = [
        {
            "enrollment": e,
            "standing": graduation_standing(enrollment=e),
            "outcome": enrollment_outcome(enrollment=e),
        }
        for e in learner_enrollments(user=user)
    ]
    return render(
        request,
        "attendance/home.html",
        {"mine": mine, "cohorts": list(cohorts_for(user=user))},
    )


@facilitator_required
def cohort_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The cohort matrix: learners x sessions, with each learner's standing."""
    cohort = cohort_get_for(user=_user(request), slug=slug)
    sessions, event, rows = cohort_matrix(cohort=cohort)
    return render(
        request,
        "attendance/cohort.html",
        {"cohort": cohort, "sessions": sessions, "event": event, "rows": rows},
    )


@facilitator_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """Mark one session: everyone present in one click, then the exceptions."""
    user = _user(request)
    cohort = cohort_get_for(user=user, slug=slug)
    session = _session(cohort, number)
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort, status=Enrollment.Status.ENROLLED)
        .select_related("learner")
        .order_by("learner__username")
    )
    marks = current_marks(enrollments=enrollments, sessions=[session])
    current = {e.pk: marks[(e.pk, session.pk)] for e in enrollments if (e.pk, session.pk) in marks}
    form = RosterForm(request.POST or None, enrollments=enrollments, current=current)
    if request.method == "POST":
        try:
            if "all_present" in request.POST:
                statuses = {e.pk: "present" for e in enrollments if e.pk not in current}
                changed = attendance_mark_session(
                    session=session, statuses=statuses, by=user, source="roster: all present"
                )
                messages.success(request, f"Marked {changed} learners present; now the exceptions.")
                return redirect(_roster_url(session))
            if form.is_valid():
                changed = attendance_mark_session(
                    session=session, statuses=form.statuses(), reasons=form.reasons(), by=user
                )
                messages.success(request, f"Saved: {changed} marks changed.")
                return redirect(_roster_url(session))
        except CopkitError as exc:
            messages.error(request, str(exc))
    return render(
        request,
        "attendance/roster.html",
        {
            "cohort": cohort,
            "session": session,
            "label": session_label(session),
            "form": form,
            "unmarked": len(enrollments) - len(current),
        },
    )


@facilitator_required
@require_http_methods(["GET", "POST"])
def zoom_upload(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """Upload a Zoom participants report; the next page previews it."""
    user = _user(request)
    cohort = cohort_get_for(user=user, slug=slug)
    session = _session(cohort, number)
    form = ZoomUploadForm(
        request.POST or None, request.FILES or None, initial={"timezone": cohort.timezone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            upload = zoom_import_create(
                session=session,
                filename=getattr(request.FILES.get("report"), "name", "") or "report.csv",
                content=form.cleaned_data["report"],
                min_minutes=form.cleaned_data["min_minutes"],
                timezone_name=form.cleaned_data["timezone"],
                mark_missing_absent=form.cleaned_data["mark_missing_absent"],
                by=user,
            )
        except CopkitError as exc:
            form.add_error("report", f"Nothing was imported: {exc}")
        else:
            return redirect("attendance:import_preview", slug=cohort.slug, pk=upload.pk)
    return render(
        request,
        "attendance/import_upload.html",
        {"cohort": cohort, "session": session, "label": session_label(session), "form": form},
    )


@facilitator_required
@require_http_methods(["GET", "POST"])
def zoom_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Show what the import would do; apply it only when confirmed."""
    user = _user(request)
    cohort = cohort_get_for(user=user, slug=slug)
    upload = get_object_or_404(ZoomImport.objects.select_related("session"), pk=pk, cohort=cohort)
    if request.method == "POST":
        try:
            result = zoom_import_apply(zoom_import=upload, by=user)
        except CopkitError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Imported: {result.marked} marks recorded.")
            for line in result.kept:
                messages.warning(request, line)
            return redirect(_roster_url(upload.session))
    context: dict[str, Any] = {
        "cohort": cohort,
        "upload": upload,
        "label": session_label(upload.session),
    }
    try:
        preview = zoom_import_preview(zoom_import=upload)
    except CopkitError as exc:
        context["error"] = str(exc)
    else:
        enrollments = Enrollment.objects.filter(
            cohort=cohort, pk__in=[m.entry.key for m in preview.matched]
        )
        now_marks = current_marks(enrollments=enrollments, sessions=[upload.session])
        context["preview"] = preview
        context["matched"] = [
            (m, now_marks.get((m.entry.key, upload.session.pk), Mark.UNMARKED))
            for m in preview.matched
        ]
    return render(request, "attendance/import_preview.html", context)


@facilitator_required
def export(request: HttpRequest, slug: str, table: str, fmt: str) -> HttpResponse:
    """Download the matrix or the outcomes as CSV or XLSX."""
    cohort = cohort_get_for(user=_user(request), slug=slug)
    builders = {"matrix": exports.matrix_table, "outcomes": exports.outcomes_table}
    if table not in builders or fmt not in ("csv", "xlsx"):
        raise Http404("Unknown export")
    data = builders[table](cohort=cohort)
    filename = f"{cohort.slug}-{table}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(exports.table_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.tables_xlsx({table.capitalize(): data}),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    """Every change of a cohort's marks: who, when, old -> new, reason."""
    cohort = cohort_get_for(user=_user(request), slug=slug)
    learner = request.GET.get("learner", "").strip()[:150]
    events = list(audit_trail(cohort=cohort, learner=learner)[:1000])
    return render(
        request,
        "attendance/audit.html",
        {"cohort": cohort, "events": events, "learner": learner, "tz": ZoneInfo(cohort.timezone)},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, slug: str) -> HttpResponse:
    """Close the cohort (or recalculate its outcomes) after a confirmation."""
    user = _user(request)
    cohort = cohort_get_for(user=user, slug=slug)
    if request.method == "POST":
        try:
            outcomes = cohort_close(cohort=cohort, by=user, now=timezone.now())
        except CopkitError as exc:
            messages.error(request, str(exc))
        else:
            graduated = sum(1 for o in outcomes if o.graduated)
            messages.success(
                request, f"Outcomes recorded: {graduated} of {len(outcomes)} graduated."
            )
            return redirect("attendance:cohort", slug=cohort.slug)
    _, _, rows = cohort_matrix(cohort=cohort)
    return render(request, "attendance/close.html", {"cohort": cohort, "rows": rows})


@staff_required
@require_http_methods(["GET", "POST"])
def waiver(request: HttpRequest, slug: str, enrollment_id: int) -> HttpResponse:
    """Waive the graduation rule for one learner, with a reason."""
    user = _user(request)
    cohort = cohort_get_for(user=user, slug=slug)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("learner"), pk=enrollment_id, cohort=cohort
    )
    form = WaiverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            waiver_grant(enrollment=enrollment, reason=form.cleaned_data["reason"], by=user)
        except CopkitError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, f"Waiver recorded for {enrollment.learner}.")
            return redirect("attendance:cohort", slug=cohort.slug)
    return render(
        request,
        "attendance/waiver.html",
        {
            "cohort": cohort,
            "enrollment": enrollment,
            "standing": graduation_standing(enrollment=enrollment),
            "form": form,
        },
    )


def dashboard_panel(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """Learners: absences left and status; facilitators and staff: their running cohorts."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    rows = [
        {"enrollment": e, "standing": graduation_standing(enrollment=e)}
        for e in learner_enrollments(user=user)
        if e.cohort.status != Cohort.Status.CLOSED
    ]
    cohorts = []
    for cohort in cohorts_for(user=user).exclude(status=Cohort.Status.CLOSED)[:10]:
        _, _, matrix = cohort_matrix(cohort=cohort)
        enrolled = [r for r in matrix if r.enrollment.status == Enrollment.Status.ENROLLED]
        cohorts.append(
            {
                "cohort": cohort,
                "learners": len(enrolled),
                "at_risk": sum(1 for r in enrolled if r.standing.at_risk),
                "cannot": sum(1 for r in enrolled if r.standing.cannot_graduate),
            }
        )
    if not rows and not cohorts:
        return None
    return "attendance/panel.html", {"rows": rows, "cohorts": cohorts}
