from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from copkit.academy.models import Cohort
from copkit.coursework import rules, selectors, services
from copkit.coursework.models import (
    Review,
    RubricScore,
    StoredFile,
    Submission,
    SubmissionVersion,
    WorksheetAnswer,
)
from copkit.errors import ApplicationError
from tests.coursework.factories import (
    NOW,
    assignment_make,
    cohort_make,
    enroll,
    pdf,
    worksheet_make,
)

pytestmark = pytest.mark.django_db


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_worksheet_answers_are_data_by_topic_and_key() -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    worksheet = worksheet_make(cohort.course.topics.get(position=1))
    services.worksheet_save(
        worksheet=worksheet,
        enrollment=enrollment,
        values={
            "domain": " Open microscopy ",
            "members": "120",
            "stage": "coalescing",
            "website": "https://forum.example.org",
        },
        files={"map": pdf("map.pdf")},
        submit=True,
        now=NOW,
    )
    assert selectors.worksheet_answers(enrollment=enrollment) == {
        "topic-1": {
            "domain": "Open microscopy",
            "members": 120,
            "stage": "coalescing",
            "website": "https://forum.example.org",
            "map": "map.pdf",
        }
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"members": "many"}, "'Members': enter a number"),
        ({"website": "javascript:alert(1)"}, "'Website': enter a full web address"),
        ({"stage": "flourishing"}, "'Stage': choose one of potential, coalescing, maturing"),
    ],
)
def test_worksheet_bad_values_save_nothing(values: dict[str, str], message: str) -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    worksheet = worksheet_make(cohort.course.topics.first())
    with pytest.raises(ApplicationError, match=message):
        services.worksheet_save(
            worksheet=worksheet,
            enrollment=enrollment,
            values={"domain": "x", **values},
            files={"map": pdf()},
            submit=False,
            now=NOW,
        )
    assert not WorksheetAnswer.objects.exists()
    assert _media_files() == []


def test_worksheet_draft_then_submit_needs_required_fields() -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    worksheet = worksheet_make(cohort.course.topics.first())
    response = services.worksheet_save(
        worksheet=worksheet,
        enrollment=enrollment,
        values={"members": "3"},
        files={},
        submit=False,
        now=NOW,
    )
    assert response.status == "draft"
    with pytest.raises(ApplicationError, match="required fields before submitting: Domain"):
        services.worksheet_save(
            worksheet=worksheet,
            enrollment=enrollment,
            values={"members": "3"},
            files={},
            submit=True,
            now=NOW,
        )
    response = services.worksheet_save(
        worksheet=worksheet,
        enrollment=enrollment,
        values={"domain": "d"},
        files={},
        submit=True,
        now=NOW,
    )
    assert response.status == "submitted" and response.submitted_at == NOW


def test_each_submission_is_a_new_version_with_files() -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    assignment = assignment_make(cohort)
    services.submission_draft_save(assignment=assignment, enrollment=enrollment, text="draft")
    assert Submission.objects.get().status == "draft"
    v1 = services.submission_submit(
        assignment=assignment, enrollment=enrollment, text="first", files=[pdf()], now=NOW
    )
    v2 = services.submission_submit(
        assignment=assignment,
        enrollment=enrollment,
        text="second",
        files=[],
        now=NOW + timedelta(hours=1),
    )
    assert (v1.number, v2.number) == (1, 2)
    assert [f.original_name for f in v1.files.all()] == ["plan.pdf"]
    stored = StoredFile.objects.get()
    assert stored.stored_name.startswith("coursework/") and "plan" not in stored.stored_name
    assert (Path(settings.MEDIA_ROOT) / stored.stored_name).read_bytes().startswith(b"%PDF")
    submission = Submission.objects.get()
    assert submission.status == "submitted" and submission.last_submitted_at == v2.submitted_at


@pytest.mark.parametrize(
    ("text", "files", "message"),
    [
        ("", [], "The submission is empty"),
        ("   ", [], "The submission is empty"),
        ("t", [SimpleUploadedFile("x.exe", b"MZ\x90\x00")], "files of type .exe"),
        (
            "t",
            [SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * rules.MAX_UPLOAD_BYTES)],
            "the limit is 10 MB",
        ),
        ("t", [pdf(), SimpleUploadedFile("renamed.pdf", b"MZ\x90")], "not a .pdf file"),
    ],
)
def test_bad_submissions_save_nothing(
    text: str, files: list[SimpleUploadedFile], message: str
) -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    assignment = assignment_make(cohort)
    with pytest.raises(ApplicationError, match=message):
        services.submission_submit(
            assignment=assignment, enrollment=enrollment, text=text, files=files, now=NOW
        )
    assert not SubmissionVersion.objects.exists()
    assert not StoredFile.objects.exists()
    assert _media_files() == []


def test_submission_after_the_cohort_closed_is_refused() -> None:
    cohort = cohort_make(status=Cohort.Status.CLOSED)
    enrollment = enroll(cohort)
    assignment = assignment_make(cohort)
    with pytest.raises(ApplicationError, match=services.ERR_CLOSED):
        services.submission_submit(
            assignment=assignment, enrollment=enrollment, text="late", files=[pdf()], now=NOW
        )
    assert not Submission.objects.exists() and _media_files() == []


def test_unpublished_assignment_takes_no_submissions() -> None:
    cohort = cohort_make()
    assignment = assignment_make(cohort, published=False)
    with pytest.raises(ApplicationError, match=services.ERR_NOT_PUBLISHED):
        services.submission_submit(
            assignment=assignment, enrollment=enroll(cohort), text="x", files=[], now=NOW
        )


def _submitted(cohort: Cohort, **kwargs: object) -> Submission:
    enrollment = enroll(cohort, **kwargs)  # type: ignore[arg-type]
    assignment = cohort.assignments.first() or assignment_make(cohort)
    services.submission_submit(
        assignment=assignment, enrollment=enrollment, text="work", files=[], now=NOW
    )
    return Submission.objects.get(enrollment=enrollment)


def test_review_workflow_and_standing(facilitator: object) -> None:
    cohort = cohort_make(facilitators=[facilitator])  # type: ignore[list-item]
    submission = _submitted(cohort)
    enrollment = submission.enrollment
    standing = selectors.assessment_standing(enrollment=enrollment)
    assert standing.applies and not standing.complete
    assert standing.remaining == [submission.assignment.title]
    assert standing.assignments[0].state == "submitted"

    clarity, evidence = submission.assignment.criteria.all()
    review = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    services.review_save(
        review=review,
        reviewer=facilitator,
        scores={clarity.pk: 1},  # type: ignore[arg-type]
        feedback="Say more about members.",
        decision="changes_requested",
        release=False,
        now=NOW,
    )
    submission.refresh_from_db()
    assert submission.status == "in_review"
    assert list(selectors.released_reviews(submission=submission)) == []  # not yet visible
    services.review_save(
        review=review,
        reviewer=facilitator,  # type: ignore[arg-type]
        scores={clarity.pk: 1, evidence.pk: 0},
        feedback="Say more about members.",
        decision="changes_requested",
        release=True,
        now=NOW,
    )
    submission.refresh_from_db()
    assert submission.status == "changes_requested"
    assert [r.pk for r in selectors.released_reviews(submission=submission)] == [review.pk]

    services.submission_submit(
        assignment=submission.assignment,
        enrollment=enrollment,
        text="better",
        files=[],
        now=NOW + timedelta(days=1),
    )
    review2 = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    assert review2.version.number == 2
    services.review_save(
        review=review2,
        reviewer=facilitator,  # type: ignore[arg-type]
        scores={clarity.pk: 2, evidence.pk: 3},
        feedback="Great.",
        decision="accepted",
        release=True,
        now=NOW,
    )
    submission.refresh_from_db()
    assert submission.status == "accepted"
    standing = selectors.assessment_standing(enrollment=enrollment)
    assert standing.complete and standing.remaining == []
    with pytest.raises(ApplicationError, match=services.ERR_ACCEPTED):
        services.submission_submit(
            assignment=submission.assignment, enrollment=enrollment, text="more", files=[], now=NOW
        )


def test_learner_cannot_resubmit_while_in_review(facilitator: object) -> None:
    submission = _submitted(cohort_make())
    services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    with pytest.raises(ApplicationError, match=services.ERR_IN_REVIEW):
        services.submission_submit(
            assignment=submission.assignment,
            enrollment=submission.enrollment,
            text="x",
            files=[],
            now=NOW,
        )


@pytest.mark.parametrize("points", [5, 4, -1])
def test_rubric_score_out_of_range_saves_nothing(facilitator: object, points: int) -> None:
    submission = _submitted(cohort_make())
    review = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    clarity, evidence = submission.assignment.criteria.all()
    with pytest.raises(ApplicationError, match=f"Score for 'Evidence' is {points}"):
        services.review_save(
            review=review,
            reviewer=facilitator,  # type: ignore[arg-type]
            scores={clarity.pk: 2, evidence.pk: points},
            feedback="f",
            decision="accepted",
            release=True,
            now=NOW,
        )
    review.refresh_from_db()
    assert review.released_at is None and review.feedback == ""
    assert not RubricScore.objects.exists()
    assert Submission.objects.get().status == "in_review"


def test_release_needs_all_scores_feedback_and_decision(facilitator: object) -> None:
    submission = _submitted(cohort_make())
    review = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    clarity, evidence = submission.assignment.criteria.all()
    full = {clarity.pk: 2, evidence.pk: 3}
    for scores, feedback, decision, message in [
        ({clarity.pk: 2}, "f", "accepted", "Score 'Evidence' before releasing"),
        (full, "", "accepted", "Write feedback"),
        (full, "f", "", "Choose accept or request changes"),
    ]:
        with pytest.raises(ApplicationError, match=message):
            services.review_save(
                review=review,
                reviewer=facilitator,
                scores=scores,  # type: ignore[arg-type]
                feedback=feedback,
                decision=decision,
                release=True,
                now=NOW,
            )
    assert Review.objects.get().released_at is None


def test_open_track_submits_but_is_not_assessed(facilitator: object) -> None:
    submission = _submitted(cohort_make(), track="open")
    assert submission.status == "submitted"
    standing = selectors.assessment_standing(enrollment=submission.enrollment)
    assert not standing.applies and standing.complete and standing.remaining == []
    with pytest.raises(ApplicationError, match=services.ERR_NOT_ASSESSED):
        services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    assert selectors.review_queue(user=facilitator, now=NOW) == []  # type: ignore[arg-type]


def test_queue_oldest_first_with_waiting_time_and_only_own_cohorts(
    facilitator: object, staff: object
) -> None:
    mine = cohort_make(facilitators=[facilitator])  # type: ignore[list-item]
    other = cohort_make()
    assignment = assignment_make(mine)
    first, second = enroll(mine), enroll(mine)
    services.submission_submit(
        assignment=assignment, enrollment=second, text="b", files=[], now=NOW - timedelta(hours=2)
    )
    services.submission_submit(
        assignment=assignment, enrollment=first, text="a", files=[], now=NOW - timedelta(hours=5)
    )
    _submitted(other)
    queue = selectors.review_queue(user=facilitator, now=NOW)  # type: ignore[arg-type]
    assert [i.submission.enrollment for i in queue] == [first, second]
    assert [i.waiting_seconds for i in queue] == [5 * 3600, 2 * 3600]
    assert len(selectors.review_queue(user=staff, now=NOW)) == 3  # type: ignore[arg-type]


def test_rubric_is_frozen_once_used(facilitator: object) -> None:
    submission = _submitted(cohort_make())
    review = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    clarity = submission.assignment.criteria.first()
    assert clarity is not None
    services.review_save(
        review=review,
        reviewer=facilitator,
        scores={clarity.pk: 1},  # type: ignore[arg-type]
        feedback="",
        decision="",
        release=False,
        now=NOW,
    )
    with pytest.raises(ApplicationError, match=services.ERR_RUBRIC_USED):
        services.rubric_criterion_delete(criterion=clarity)


def test_assessed_assignment_needs_a_rubric_to_publish() -> None:
    cohort = cohort_make()
    assignment = services.assignment_create(cohort=cohort, title="Plan", assessed=True)
    with pytest.raises(ApplicationError, match="Add the rubric"):
        services.assignment_publish(assignment=assignment, now=NOW)


def test_worksheets_are_due_at_their_topics_first_session() -> None:
    from copkit.academy.models import Session
    from tests.coursework.factories import session_make

    cohort = cohort_make()
    topic = cohort.course.topics.get(position=2)
    session_make(cohort, starts_at=NOW + timedelta(days=2), number=2, topic=topic)
    session_make(cohort, starts_at=NOW + timedelta(days=1), number=1, topic=topic)
    cancelled = session_make(cohort, starts_at=NOW, number=3, topic=topic)
    cancelled.status = Session.Status.CANCELLED
    cancelled.save()
    assert selectors.worksheet_due_dates(cohort=cohort) == {topic.pk: NOW + timedelta(days=1)}
