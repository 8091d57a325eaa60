"""Pages for worksheets, assignments, submissions, reviews and the review queue.

Views are thin: they check who may see the page, parse a form, call one service or selector
and render. Services' :class:`ApplicationError` becomes a message on the page.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from copkit.academy.models import Cohort, Course, SyllabusTopic
from copkit.accounts.permissions import facilitator_required, staff_required
from copkit.coursework import selectors, services
from copkit.coursework.forms import (
    AssignmentForm,
    CriterionForm,
    FieldForm,
    ReviewForm,
    SubmissionForm,
    WorksheetForm,
    worksheet_fill_form,
)
from copkit.coursework.guards import request_user as _user
from copkit.coursework.guards import require_access as _access
from copkit.coursework.guards import require_enrollment as _enrollment
from copkit.coursework.models import (
    Assignment,
    Review,
    RubricCriterion,
    StoredFile,
    Submission,
    Worksheet,
    WorksheetField,
    WorksheetResponse,
)
from copkit.coursework.selectors import Access
from copkit.errors import ApplicationError

# --- home and course authoring ---------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "coursework/home.html",
        {
            "cohorts": selectors.cohorts_for(user=user),
            "courses": Course.objects.all() if user.is_program_staff else [],
        },
    )


@staff_required
def course(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(Course, slug=slug)
    topics = course.topics.prefetch_related("worksheets__fields")
    return render(request, "coursework/course.html", {"course": course, "topics": topics})


@staff_required
def worksheet_create(request: HttpRequest, slug: str, topic_slug: str) -> HttpResponse:
    topic = get_object_or_404(SyllabusTopic, course__slug=slug, slug=topic_slug)
    form = WorksheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            worksheet = services.worksheet_create(topic=topic, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Worksheet created; now add its fields.")
            return redirect("coursework:worksheet_edit", worksheet.pk)
    return render(request, "coursework/worksheet_form.html", {"form": form, "topic": topic})


@staff_required
def worksheet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    worksheet = get_object_or_404(Worksheet.objects.select_related("topic__course"), pk=pk)
    initial = {"title": worksheet.title, "kind": worksheet.kind, "prompt": worksheet.prompt}
    form = WorksheetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.worksheet_update(worksheet=worksheet, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Worksheet saved.")
            return redirect("coursework:worksheet_edit", worksheet.pk)
    return render(
        request,
        "coursework/worksheet_form.html",
        {"form": form, "topic": worksheet.topic, "worksheet": worksheet, "field_form": FieldForm()},
    )


@staff_required
@require_POST
def field_add(request: HttpRequest, pk: int) -> HttpResponse:
    worksheet = get_object_or_404(Worksheet, pk=pk)
    form = FieldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the new field: " + form.errors.as_text())
    else:
        try:
            services.worksheet_field_add(worksheet=worksheet, **form.cleaned_data)
            messages.success(request, "Field added.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:worksheet_edit", worksheet.pk)


@staff_required
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(WorksheetField.objects.select_related("worksheet__topic"), pk=pk)
    initial = {
        "label": field.label,
        "key": field.key,
        "type": field.type,
        "help_text": field.help_text,
        "choices": field.choices,
        "required": field.required,
    }
    form = FieldForm(request.POST or None, initial=initial)
    form.fields["key"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.worksheet_field_update(
                field=field,
                label=data["label"],
                type=data["type"],
                help_text=data["help_text"],
                choices=data["choices"],
                required=data["required"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Field saved.")
            return redirect("coursework:worksheet_edit", field.worksheet_id)
    return render(request, "coursework/field_form.html", {"form": form, "field": field})


@staff_required
@require_POST
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(WorksheetField, pk=pk)
    try:
        services.worksheet_field_delete(field=field)
        messages.success(request, "Field removed.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:worksheet_edit", field.worksheet_id)


# --- a cohort's coursework -------------------------------------------------------------------


@login_required
def cohort(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), slug=slug)
    access = _access(request, cohort, Access.LEARNER)
    enrollment = selectors.learner_enrollment(user=_user(request), cohort=cohort)
    assignments = cohort.assignments.select_related("topic")
    if access < Access.STAFF:
        assignments = assignments.filter(published_at__isnull=False)
    context: dict[str, Any] = {
        "cohort": cohort,
        "access": access,
        "is_staff": access == Access.STAFF,
        "is_facilitator": access >= Access.FACILITATOR,
        "enrollment": enrollment,
        "worksheets": selectors.worksheets_for_cohort(cohort=cohort),
        "worksheet_due": selectors.worksheet_due_dates(cohort=cohort),
        "assignments": assignments,
    }
    if enrollment is not None:
        context["responses"] = {
            r.worksheet_id: r for r in WorksheetResponse.objects.filter(enrollment=enrollment)
        }
        context["submissions"] = {
            s.assignment_id: s for s in Submission.objects.filter(enrollment=enrollment)
        }
        context["standing"] = selectors.assessment_standing(enrollment=enrollment)
    return render(request, "coursework/cohort.html", context)


@staff_required
def assignment_create(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    form = AssignmentForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.assignment_create(
                cohort=cohort,
                title=data["title"],
                topic=data["topic"],
                instructions=data["instructions"],
                due_at=form.due_at(),
                assessed=data["assessed"],
                accepts_text=data["accepts_text"],
                accepts_files=data["accepts_files"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Assignment created (not yet published).")
            return redirect("coursework:assignment_edit", assignment.pk)
    return render(request, "coursework/assignment_form.html", {"form": form, "cohort": cohort})


@staff_required
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("cohort"), pk=pk)
    cohort = assignment.cohort
    initial = {
        "title": assignment.title,
        "topic": assignment.topic_id,
        "instructions": assignment.instructions,
        "due": timezone.localtime(assignment.due_at, _zone(cohort)).replace(tzinfo=None)
        if assignment.due_at
        else None,
        "assessed": assignment.assessed,
        "accepts_text": assignment.accepts_text,
        "accepts_files": assignment.accepts_files,
    }
    form = AssignmentForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_update(
                assignment=assignment,
                title=data["title"],
                topic=data["topic"],
                instructions=data["instructions"],
                due_at=form.due_at(),
                assessed=data["assessed"],
                accepts_text=data["accepts_text"],
                accepts_files=data["accepts_files"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Assignment saved.")
            return redirect("coursework:assignment_edit", assignment.pk)
    return render(
        request,
        "coursework/assignment_form.html",
        {
            "form": form,
            "cohort": cohort,
            "assignment": assignment,
            "criteria": assignment.criteria.prefetch_related("levels"),
            "criterion_form": CriterionForm(),
        },
    )


def _zone(cohort: Cohort) -> ZoneInfo:
    return ZoneInfo(cohort.timezone)


@staff_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=pk)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the criterion: " + form.errors.as_text())
    else:
        try:
            services.rubric_criterion_add(
                assignment=assignment,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                levels_text=form.cleaned_data["levels"],
            )
            messages.success(request, "Criterion added.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("coursework:assignment_edit", assignment.pk)


@staff_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(RubricCriterion, pk=pk)
    try:
        services.rubric_criterion_delete(criterion=criterion)
        messages.success(request, "Criterion removed.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:assignment_edit", criterion.assignment_id)


@staff_required
@require_POST
def assignment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=pk)
    try:
        services.assignment_publish(assignment=assignment, now=timezone.now())
        messages.success(request, "Published and announced to the cohort.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:assignment_edit", assignment.pk)


# --- worksheets (learners) -------------------------------------------------------------------


@login_required
def worksheet_fill(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    worksheet = get_object_or_404(Worksheet, pk=pk, topic__course=cohort.course)
    access = _access(request, cohort, Access.LEARNER)
    if access >= Access.FACILITATOR:
        responses = (
            WorksheetResponse.objects.filter(worksheet=worksheet, enrollment__cohort=cohort)
            .select_related("enrollment__learner")
            .prefetch_related("answers__field", "answers__file")
        )
        return render(
            request,
            "coursework/worksheet_responses.html",
            {"cohort": cohort, "worksheet": worksheet, "responses": responses},
        )
    enrollment = _enrollment(request, cohort)
    response = WorksheetResponse.objects.filter(worksheet=worksheet, enrollment=enrollment).first()
    answers = (
        {a.field.key: a for a in response.answers.select_related("field", "file")}
        if response
        else {}
    )
    form_class = worksheet_fill_form(worksheet, initial={k: a.text for k, a in answers.items()})
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if isinstance(v, str)}
        try:
            services.worksheet_save(
                worksheet=worksheet,
                enrollment=enrollment,
                values=values,
                files=request.FILES,
                submit="submit" in request.POST,
                now=timezone.now(),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Submitted." if "submit" in request.POST else "Draft saved.")
            return redirect("coursework:worksheet_fill", cohort.slug, worksheet.pk)
    return render(
        request,
        "coursework/worksheet_fill.html",
        {
            "cohort": cohort,
            "worksheet": worksheet,
            "form": form,
            "response": response,
            "answers": answers,
        },
    )


# --- assignments and submissions -------------------------------------------------------------


@login_required
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("cohort"), pk=pk)
    cohort = assignment.cohort
    access = _access(request, cohort, Access.LEARNER)
    if not assignment.is_published and access < Access.STAFF:
        raise Http404("This assignment is not published.")
    context: dict[str, Any] = {
        "assignment": assignment,
        "cohort": cohort,
        "access": access,
        "criteria": assignment.criteria.prefetch_related("levels"),
    }
    if access >= Access.FACILITATOR:
        context["submissions"] = assignment.submissions.select_related(
            "enrollment__learner"
        ).exclude(status=Submission.Status.DRAFT)
        return render(request, "coursework/assignment.html", context)
    enrollment = _enrollment(request, cohort)
    submission = Submission.objects.filter(assignment=assignment, enrollment=enrollment).first()
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": submission.draft_text if submission else ""},
    )
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            if "draft" in request.POST:
                services.submission_draft_save(
                    assignment=assignment, enrollment=enrollment, text=text
                )
                messages.success(request, "Draft saved.")
            else:
                services.submission_submit(
                    assignment=assignment,
                    enrollment=enrollment,
                    text=text,
                    files=form.cleaned_data["attachments"],
                    now=timezone.now(),
                )
                messages.success(request, "Submitted.")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("coursework:assignment", assignment.pk)
    context.update(
        form=form,
        submission=submission,
        enrollment=enrollment,
        versions=submission.versions.prefetch_related("files") if submission else [],
        reviews=selectors.released_reviews(submission=submission) if submission else [],
        can_submit=submission is None
        or submission.status in {"draft", "submitted", "changes_requested"},
    )
    return render(request, "coursework/assignment.html", context)


def _submission_for(request: HttpRequest, pk: int) -> tuple[Submission, bool]:
    submission = get_object_or_404(
        Submission.objects.select_related("assignment__cohort", "enrollment__learner"), pk=pk
    )
    user = _user(request)
    if not selectors.enrollment_visible(user=user, enrollment=submission.enrollment):
        raise PermissionDenied
    reviewer = (
        user.is_program_staff
        or submission.assignment.cohort.facilitators.filter(pk=user.pk).exists()
    )
    return submission, reviewer


@login_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    submission, reviewer = _submission_for(request, pk)
    reviews = (
        submission.reviews.select_related("version", "reviewer").prefetch_related("scores")
        if reviewer
        else selectors.released_reviews(submission=submission)
    )
    criteria = list(submission.assignment.criteria.prefetch_related("levels"))
    open_review = (
        submission.reviews.filter(released_at__isnull=True).order_by("-created_at").first()
        if reviewer and submission.status == Submission.Status.IN_REVIEW
        else None
    )
    review_form = None
    if open_review is not None:
        initial: dict[str, Any] = {
            "feedback": open_review.feedback,
            "decision": open_review.decision,
        }
        initial.update({f"score_{s.criterion_id}": s.points for s in open_review.scores.all()})
        review_form = ReviewForm(criteria=criteria, initial=initial)
    return render(
        request,
        "coursework/submission.html",
        {
            "submission": submission,
            "assignment": submission.assignment,
            "cohort": submission.assignment.cohort,
            "versions": submission.versions.prefetch_related("files"),
            "reviews": reviews,
            "criteria": criteria,
            "reviewer": reviewer,
            "open_review": open_review,
            "review_form": review_form,
            "assessable": submission.assignment.assessed and submission.enrollment.is_certification,
        },
    )


@login_required
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    submission, reviewer = _submission_for(request, pk)
    if not reviewer:
        raise PermissionDenied
    try:
        services.review_start(submission=submission, reviewer=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:submission", submission.pk)


@login_required
@require_POST
def review_save(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review, pk=pk)
    submission, reviewer = _submission_for(request, review.submission_id)
    if not reviewer:
        raise PermissionDenied
    criteria = list(submission.assignment.criteria.prefetch_related("levels"))
    form = ReviewForm(request.POST, criteria=criteria)
    if not form.is_valid():
        messages.error(request, "Check the review: " + form.errors.as_text())
        return redirect("coursework:submission", submission.pk)
    release = "release" in request.POST
    try:
        services.review_save(
            review=review,
            reviewer=_user(request),
            scores=form.scores(),
            feedback=form.cleaned_data["feedback"],
            decision=form.cleaned_data["decision"],
            release=release,
            now=timezone.now(),
        )
        messages.success(request, "Review released to the learner." if release else "Review saved.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coursework:submission", submission.pk)


@login_required
def stored_file(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_object_or_404(StoredFile.objects.select_related("enrollment__cohort"), pk=pk)
    if not selectors.stored_file_visible(user=_user(request), stored=stored):
        raise PermissionDenied
    path = settings.MEDIA_ROOT / stored.stored_name
    if not path.is_file():
        raise Http404("The file is missing from storage.")
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@facilitator_required
def queue(request: HttpRequest) -> HttpResponse:
    items = selectors.review_queue(user=_user(request), now=timezone.now())
    return render(request, "coursework/queue.html", {"items": items})
