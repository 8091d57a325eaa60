"""Writes on worksheets, assignments, submissions and reviews.

Every service validates fully before it writes, inside one transaction: bad input raises
:class:`~copkit.errors.ApplicationError` with a message for the user and nothing is saved.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.text import slugify

from copkit.academy.models import Cohort, Enrollment, SyllabusTopic
from copkit.accounts.models import User
from copkit.coursework import notifications, rules
from copkit.coursework.models import (
    Assignment,
    Review,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    StoredFile,
    Submission,
    SubmissionVersion,
    Worksheet,
    WorksheetAnswer,
    WorksheetField,
    WorksheetResponse,
)
from copkit.errors import ApplicationError

T = TypeVar("T")

ERR_CLOSED = "This cohort is closed: coursework can no longer be submitted or changed."
ERR_NOT_ENROLLED = "Only learners enrolled in this cohort can do that."
ERR_EMPTY = "The submission is empty: write some text or attach a file."
ERR_NOT_PUBLISHED = "This assignment is not published yet."
ERR_IN_REVIEW = (
    "A facilitator is reviewing your submission; you can resubmit if changes are requested."
)
ERR_ACCEPTED = "This submission was accepted; there is nothing more to submit."
ERR_NOT_ASSESSED = "Only assessed assignments of certification-track learners are reviewed."
ERR_RUBRIC_USED = "The rubric has been used in reviews and can no longer change."


def _open_enrollment(enrollment: Enrollment) -> None:
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ApplicationError(ERR_NOT_ENROLLED)
    if enrollment.cohort.status == Cohort.Status.CLOSED:
        raise ApplicationError(ERR_CLOSED)


# --- files -------------------------------------------------------------------------------


def _uploads_check(uploads: Sequence[UploadedFile[Any]]) -> list[str]:
    exts = []
    for upload in uploads:
        head = upload.read(16)
        upload.seek(0)
        exts.append(rules.upload_check(name=upload.name or "", size=upload.size or 0, head=head))
    return exts


def _store(
    *, enrollment: Enrollment, upload: UploadedFile[Any], ext: str, written: list[Path]
) -> StoredFile:
    """Write an upload under MEDIA_ROOT with a generated name (the user's name is kept only as
    metadata, so no path traversal is possible); the path goes into ``written`` first."""
    stored_name = f"coursework/{uuid.uuid4().hex}.{ext}"
    path = Path(settings.MEDIA_ROOT) / stored_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written.append(path)
    with path.open("xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    stored = StoredFile.objects.create(
        enrollment=enrollment,
        original_name=Path((upload.name or "file").replace("\\", "/")).name[:255],
        stored_name=stored_name,
        content_type=rules.ALLOWED_EXTENSIONS[ext],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
    )
    return stored


def _store_all(
    *,
    enrollment: Enrollment,
    uploads: Sequence[UploadedFile[Any]],
    exts: Sequence[str],
    written: list[Path],
) -> list[StoredFile]:
    """Store every upload, appending each written path to ``written`` so that the caller can
    remove the files when its transaction rolls back."""
    stored = []
    for upload, ext in zip(uploads, exts, strict=True):
        stored.append(_store(enrollment=enrollment, upload=upload, ext=ext, written=written))
    return stored


def _with_files(work: Callable[[list[Path]], T]) -> T:
    """Run ``work`` in a transaction; when it fails, delete the files it wrote."""
    written: list[Path] = []
    try:
        with transaction.atomic():
            return work(written)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


# --- worksheets (staff) ----------------------------------------------------------------------


def worksheet_create(
    *, topic: SyllabusTopic, title: str, prompt: str = "", kind: str = "worksheet"
) -> Worksheet:
    if not title.strip():
        raise ApplicationError("A worksheet needs a title.")
    position = topic.worksheets.count() + 1
    return Worksheet.objects.create(
        topic=topic, title=title.strip(), prompt=prompt, kind=kind, position=position
    )


def worksheet_update(*, worksheet: Worksheet, title: str, prompt: str, kind: str) -> Worksheet:
    if not title.strip():
        raise ApplicationError("A worksheet needs a title.")
    worksheet.title, worksheet.prompt, worksheet.kind = title.strip(), prompt, kind
    worksheet.save()
    return worksheet


def worksheet_field_add(
    *,
    worksheet: Worksheet,
    label: str,
    type: str,
    key: str = "",
    help_text: str = "",
    choices: str = "",
    required: bool = False,
) -> WorksheetField:
    key = slugify(key or label)[:60].replace("-", "_")
    if not label.strip() or not key:
        raise ApplicationError("A field needs a label.")
    if type not in WorksheetField.Type.values:
        raise ApplicationError(f"Unknown field type {type!r}.")
    if worksheet.fields.filter(key=key).exists():
        raise ApplicationError(f"This worksheet already has a field with the key {key!r}.")
    options = [line.strip() for line in choices.splitlines() if line.strip()]
    if type == WorksheetField.Type.CHOICE and len(options) < 2:
        raise ApplicationError("A choice field needs at least two options, one per line.")
    return WorksheetField.objects.create(
        worksheet=worksheet,
        key=key,
        label=label.strip(),
        type=type,
        help_text=help_text,
        choices="\n".join(options),
        required=required,
        position=worksheet.fields.count() + 1,
    )


def worksheet_field_update(
    *,
    field: WorksheetField,
    label: str,
    type: str,
    help_text: str = "",
    choices: str = "",
    required: bool = False,
) -> WorksheetField:
    """Change a field's wording, options and whether it is required. The key never changes
    (answers are addressed by it); the type cannot change once learners have answered."""
    if not label.strip():
        raise ApplicationError("A field needs a label.")
    if type not in WorksheetField.Type.values:
        raise ApplicationError(f"Unknown field type {type!r}.")
    answered = field.answers.exclude(text="", file__isnull=True).exists()
    if type != field.type and answered:
        raise ApplicationError(
            f"Learners have answered {field.label!r}; its type stays {field.get_type_display()}."
        )
    options = [line.strip() for line in choices.splitlines() if line.strip()]
    if type == WorksheetField.Type.CHOICE and len(options) < 2:
        raise ApplicationError("A choice field needs at least two options, one per line.")
    field.label, field.type, field.help_text = label.strip(), type, help_text
    field.choices, field.required = "\n".join(options), required
    field.save()
    return field


def worksheet_field_delete(*, field: WorksheetField) -> None:
    if field.answers.exclude(text="", file__isnull=True).exists():
        raise ApplicationError(
            f"Learners have answered {field.label!r}; it stays so their answers are kept."
        )
    field.delete()


# --- worksheets (learners) -------------------------------------------------------------------


def _value_check(field: WorksheetField, raw: str) -> str:
    value = raw.strip() if field.type != WorksheetField.Type.LONG_TEXT else raw
    if not value.strip():
        return ""
    where = f"{field.label!r}"
    if field.type == WorksheetField.Type.NUMBER:
        try:
            Decimal(value)
        except InvalidOperation:
            raise ApplicationError(f"{where}: enter a number, e.g. 12 or 3.5.") from None
    elif field.type == WorksheetField.Type.LINK:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ApplicationError(
                f"{where}: enter a full web address starting https://."
            ) from None
    elif field.type == WorksheetField.Type.CHOICE and value not in field.choice_list:
        raise ApplicationError(f"{where}: choose one of {', '.join(field.choice_list)}.")
    elif field.type == WorksheetField.Type.SHORT_TEXT and len(value) > 300:
        raise ApplicationError(f"{where}: keep it under 300 characters.")
    return value


def worksheet_save(
    *,
    worksheet: Worksheet,
    enrollment: Enrollment,
    values: Mapping[str, str],
    files: Mapping[str, UploadedFile[Any]],
    submit: bool,
    now: datetime,
) -> WorksheetResponse:
    """Save a learner's answers as a draft, or submit them (then required fields count)."""
    return _with_files(
        lambda written: _worksheet_save(
            worksheet=worksheet,
            enrollment=enrollment,
            values=values,
            files=files,
            submit=submit,
            now=now,
            written=written,
        )
    )


def _worksheet_save(
    *,
    worksheet: Worksheet,
    enrollment: Enrollment,
    values: Mapping[str, str],
    files: Mapping[str, UploadedFile[Any]],
    submit: bool,
    now: datetime,
    written: list[Path],
) -> WorksheetResponse:
    _open_enrollment(enrollment)
    if worksheet.topic.course_id != enrollment.cohort.course_id:
        raise ApplicationError("This worksheet belongs to another course.")
    response, _ = WorksheetResponse.objects.get_or_create(
        worksheet=worksheet, enrollment=enrollment
    )
    existing = {a.field_id: a for a in response.answers.all()}
    fields = list(worksheet.fields.all())
    texts: dict[int, str] = {}
    uploads: list[tuple[WorksheetField, UploadedFile[Any]]] = []
    for field in fields:
        if field.type == WorksheetField.Type.FILE:
            if field.key in files:
                uploads.append((field, files[field.key]))
            continue
        texts[field.pk] = _value_check(field, values.get(field.key, ""))
    exts = _uploads_check([u for _, u in uploads])
    if submit:
        uploaded = {f.pk for f, _ in uploads}
        missing = [
            f.label
            for f in fields
            if f.required
            and not (
                texts.get(f.pk)
                or f.pk in uploaded
                or (f.pk in existing and existing[f.pk].file_id is not None)
            )
        ]
        if missing:
            raise ApplicationError(
                f"Answer the required fields before submitting: {'; '.join(missing)}."
            )
    stored = _store_all(
        enrollment=enrollment, uploads=[u for _, u in uploads], exts=exts, written=written
    )
    for field_pk, text in texts.items():
        WorksheetAnswer.objects.update_or_create(
            response=response, field_id=field_pk, defaults={"text": text}
        )
    for (field, _), item in zip(uploads, stored, strict=True):
        WorksheetAnswer.objects.update_or_create(
            response=response, field=field, defaults={"file": item, "text": ""}
        )
    if submit:
        response.status = WorksheetResponse.Status.SUBMITTED
        response.submitted_at = now
    response.save()
    return response


# --- assignments (staff) ---------------------------------------------------------------------


def _assignment_check(*, cohort: Cohort, topic: SyllabusTopic | None, title: str) -> None:
    if not title.strip():
        raise ApplicationError("An assignment needs a title.")
    if topic is not None and topic.course_id != cohort.course_id:
        raise ApplicationError("Choose a topic of this cohort's course.")


def assignment_create(
    *,
    cohort: Cohort,
    title: str,
    topic: SyllabusTopic | None = None,
    instructions: str = "",
    due_at: datetime | None = None,
    assessed: bool = False,
    accepts_text: bool = True,
    accepts_files: bool = True,
) -> Assignment:
    _assignment_check(cohort=cohort, topic=topic, title=title)
    if not (accepts_text or accepts_files):
        raise ApplicationError("An assignment must accept text, files or both.")
    return Assignment.objects.create(
        cohort=cohort,
        topic=topic,
        title=title.strip(),
        instructions=instructions,
        due_at=due_at,
        assessed=assessed,
        accepts_text=accepts_text,
        accepts_files=accepts_files,
    )


def assignment_update(
    *,
    assignment: Assignment,
    title: str,
    topic: SyllabusTopic | None,
    instructions: str,
    due_at: datetime | None,
    assessed: bool,
    accepts_text: bool,
    accepts_files: bool,
) -> Assignment:
    _assignment_check(cohort=assignment.cohort, topic=topic, title=title)
    if not (accepts_text or accepts_files):
        raise ApplicationError("An assignment must accept text, files or both.")
    if (
        assignment.assessed
        and not assessed
        and assignment.submissions.filter(reviews__isnull=False).exists()
    ):
        raise ApplicationError("Submissions have been reviewed; the assignment stays assessed.")
    assignment.title, assignment.topic, assignment.instructions = title.strip(), topic, instructions
    assignment.due_at, assignment.assessed = due_at, assessed
    assignment.accepts_text, assignment.accepts_files = accepts_text, accepts_files
    assignment.save()
    return assignment


def assignment_publish(*, assignment: Assignment, now: datetime) -> Assignment:
    """Publish an assignment and announce it (Slack, e-mail). A failed announcement is
    recorded for staff and retried by ``copkit reminders send``; it never fails the publish."""
    if assignment.is_published:
        raise ApplicationError("This assignment is already published.")
    if assignment.assessed and not assignment.criteria.exists():
        raise ApplicationError("Add the rubric before publishing an assessed assignment.")
    assignment.published_at = now
    assignment.save(update_fields=["published_at"])
    notifications.assignment_published_notify(assignment=assignment)
    return assignment


def _rubric_unused(assignment: Assignment) -> None:
    if RubricScore.objects.filter(review__submission__assignment=assignment).exists():
        raise ApplicationError(ERR_RUBRIC_USED)


@transaction.atomic
def rubric_criterion_add(
    *, assignment: Assignment, title: str, levels_text: str, description: str = ""
) -> RubricCriterion:
    _rubric_unused(assignment)
    if not title.strip():
        raise ApplicationError("A criterion needs a title.")
    levels = rules.rubric_levels_parse(levels_text)
    criterion = RubricCriterion.objects.create(
        assignment=assignment,
        title=title.strip(),
        description=description,
        position=assignment.criteria.count() + 1,
    )
    RubricLevel.objects.bulk_create(
        RubricLevel(criterion=criterion, points=p, label=label) for p, label in levels
    )
    return criterion


def rubric_criterion_delete(*, criterion: RubricCriterion) -> None:
    _rubric_unused(criterion.assignment)
    criterion.delete()


# --- submissions (learners) ------------------------------------------------------------------


def _submission_for(assignment: Assignment, enrollment: Enrollment) -> Submission:
    if not assignment.is_published:
        raise ApplicationError(ERR_NOT_PUBLISHED)
    if assignment.cohort_id != enrollment.cohort_id:
        raise ApplicationError(ERR_NOT_ENROLLED)
    _open_enrollment(enrollment)
    submission, _ = Submission.objects.select_for_update().get_or_create(
        assignment=assignment, enrollment=enrollment
    )
    if submission.status == Submission.Status.IN_REVIEW:
        raise ApplicationError(ERR_IN_REVIEW)
    if submission.status == Submission.Status.ACCEPTED:
        raise ApplicationError(ERR_ACCEPTED)
    return submission


@transaction.atomic
def submission_draft_save(
    *, assignment: Assignment, enrollment: Enrollment, text: str
) -> Submission:
    submission = _submission_for(assignment, enrollment)
    submission.draft_text = text
    submission.save(update_fields=["draft_text", "updated_at"])
    return submission


def submission_submit(
    *,
    assignment: Assignment,
    enrollment: Enrollment,
    text: str,
    files: Sequence[UploadedFile[Any]],
    now: datetime,
) -> SubmissionVersion:
    """Submit a new version (text and files). Every submission is a new, unchangeable version;
    an assessed assignment of a certification-track learner joins the review queue."""
    return _with_files(
        lambda written: _submission_submit(
            assignment=assignment,
            enrollment=enrollment,
            text=text,
            files=files,
            now=now,
            written=written,
        )
    )


def _submission_submit(
    *,
    assignment: Assignment,
    enrollment: Enrollment,
    text: str,
    files: Sequence[UploadedFile[Any]],
    now: datetime,
    written: list[Path],
) -> SubmissionVersion:
    submission = _submission_for(assignment, enrollment)
    if text.strip() and not assignment.accepts_text:
        raise ApplicationError("This assignment takes files only; attach your work as a file.")
    if files and not assignment.accepts_files:
        raise ApplicationError("This assignment takes text only; paste your work as text.")
    if not text.strip() and not files:
        raise ApplicationError(ERR_EMPTY)
    exts = _uploads_check(files)
    stored = _store_all(enrollment=enrollment, uploads=files, exts=exts, written=written)
    number = submission.versions.count() + 1
    version = SubmissionVersion.objects.create(
        submission=submission, number=number, text=text, submitted_at=now
    )
    version.files.set(stored)
    submission.status = Submission.Status.SUBMITTED
    submission.draft_text = ""
    submission.last_submitted_at = now
    submission.save()
    return version


# --- reviews (facilitators) ------------------------------------------------------------------


def _assessable(submission: Submission) -> None:
    if not (submission.assignment.assessed and submission.enrollment.is_certification):
        raise ApplicationError(ERR_NOT_ASSESSED)


@transaction.atomic
def review_start(*, submission: Submission, reviewer: User) -> Review:
    """Take a submitted version into review (submitted -> in review)."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _assessable(submission)
    if submission.status != Submission.Status.SUBMITTED:
        raise ApplicationError(
            "Only submitted work can go into review "
            f"(this one is {submission.get_status_display().lower()})."
        )
    version = submission.versions.order_by("-number").first()
    assert version is not None  # a submitted submission has a version
    submission.status = Submission.Status.IN_REVIEW
    submission.save(update_fields=["status", "updated_at"])
    return Review.objects.create(submission=submission, version=version, reviewer=reviewer)


@transaction.atomic
def review_save(
    *,
    review: Review,
    reviewer: User,
    scores: Mapping[int, int | None],
    feedback: str,
    decision: str,
    release: bool,
    now: datetime,
    notify: bool = True,
) -> Review:
    """Save rubric scores, feedback and the decision; ``release`` shows them to the learner,
    moves the submission to *changes requested* or *accepted* and (unless ``notify`` is
    False, as in the demo) e-mails the learner."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    submission = review.submission
    if review.released_at is not None:
        raise ApplicationError("This review has been released and can no longer change.")
    if submission.status != Submission.Status.IN_REVIEW:
        raise ApplicationError("This submission is not in review.")
    if decision and decision not in Review.Decision.values:
        raise ApplicationError(f"Unknown decision {decision!r}.")
    criteria = list(submission.assignment.criteria.prefetch_related("levels"))
    known = {c.pk for c in criteria}
    if unknown := set(scores) - known:
        raise ApplicationError(f"Scores for criteria not in this rubric: {sorted(unknown)}.")
    checked: dict[int, int] = {}
    for criterion in criteria:
        points = scores.get(criterion.pk)
        if points is None:
            if release:
                raise ApplicationError(f"Score {criterion.title!r} before releasing the review.")
            continue
        rules.score_check(
            criterion=criterion.title,
            points=points,
            allowed=[level.points for level in criterion.levels.all()],
        )
        checked[criterion.pk] = points
    if release and not decision:
        raise ApplicationError("Choose accept or request changes before releasing.")
    if release and not feedback.strip():
        raise ApplicationError("Write feedback before releasing the review.")
    review.scores.all().delete()
    RubricScore.objects.bulk_create(
        RubricScore(review=review, criterion_id=pk, points=p) for pk, p in checked.items()
    )
    review.feedback, review.decision, review.reviewer = feedback, decision, reviewer
    if release:
        review.released_at = now
        submission.status = decision
        submission.save(update_fields=["status", "updated_at"])
    review.save()
    if release and notify:
        notifications.feedback_released_notify(review=review)
    return review
