"""Every coursework view, through the Django test client: a permission matrix over
anonymous / learner / another cohort's facilitator / the cohort's facilitator / staff, and
the pages' behaviour with good and bad input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from copkit.academy.models import Cohort, Enrollment
from copkit.accounts.models import Role, User
from copkit.coursework import coworking, notifications, services
from copkit.coursework.models import (
    Assignment,
    CoworkingGoal,
    PlaybookSection,
    Review,
    StoredFile,
    Submission,
    SubmissionVersion,
    Worksheet,
)
from tests.conftest import make_user
from tests.coursework.factories import (
    NOW,
    assignment_make,
    cohort_make,
    enroll,
    pdf,
    worksheet_make,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "learner", "other_facilitator", "facilitator", "staff"]


@dataclass
class World:
    users: dict[str, User]
    cohort: Cohort
    lena: Enrollment
    peer: Enrollment
    stranger: Enrollment
    worksheet: Worksheet
    assignment: Assignment
    own_submission: Submission
    peer_submission: Submission
    review: Review
    peer_file: StoredFile
    own_file: StoredFile
    peer_goal: CoworkingGoal
    stranger_goal: CoworkingGoal
    peer_section: PlaybookSection
    own_section: PlaybookSection


@pytest.fixture
def world(learner: User, facilitator: User, staff: User) -> World:
    other_facilitator = make_user("oscar", Role.FACILITATOR)
    cohort = cohort_make(facilitators=[facilitator])
    lena = enroll(cohort, learner)
    others = [enroll(cohort) for _ in range(3)]
    worksheet = worksheet_make(cohort.course.topics.get(position=1))
    assignment = assignment_make(cohort)
    services.submission_submit(
        assignment=assignment, enrollment=lena, text="mine", files=[pdf("mine.pdf")], now=NOW
    )
    session = coworking.coworking_session_create(
        cohort=cohort, local_date=date(2026, 3, 4), local_time=time(12, 0)
    )
    coworking.coworking_pairs_assign(session=session)
    peer = coworking.pair_members(session=session, enrollment=lena)[0]
    stranger = next(e for e in others if e != peer)
    services.submission_submit(
        assignment=assignment, enrollment=peer, text="theirs", files=[pdf("theirs.pdf")], now=NOW
    )
    peer_submission = Submission.objects.get(enrollment=peer)
    review = services.review_start(submission=peer_submission, reviewer=facilitator)
    peer_goal = coworking.coworking_goal_set(session=session, enrollment=peer, text="PEER-GOAL")
    stranger_goal = coworking.coworking_goal_set(
        session=session, enrollment=stranger, text="STRANGER-GOAL"
    )
    return World(
        users={
            "learner": learner,
            "other_facilitator": other_facilitator,
            "facilitator": facilitator,
            "staff": staff,
        },
        cohort=cohort,
        lena=lena,
        peer=peer,
        stranger=stranger,
        worksheet=worksheet,
        assignment=assignment,
        own_submission=Submission.objects.get(enrollment=lena),
        peer_submission=peer_submission,
        review=review,
        peer_file=StoredFile.objects.get(original_name="theirs.pdf"),
        own_file=StoredFile.objects.get(original_name="mine.pdf"),
        peer_goal=peer_goal,
        stranger_goal=stranger_goal,
        peer_section=coworking.playbook_for(enrollment=peer).sections.first(),  # type: ignore[arg-type]
        own_section=coworking.playbook_for(enrollment=lena).sections.first(),  # type: ignore[arg-type]
    )


OK, LOGIN, NO = "ok", "login", "forbidden"
STAFF_ONLY = [LOGIN, NO, NO, NO, OK]
COHORT = [LOGIN, OK, NO, OK, OK]
REVIEWERS = [LOGIN, NO, NO, OK, OK]
LEARNER_ONLY = [LOGIN, OK, NO, NO, NO]
NOBODY_ELSE = [LOGIN, NO, NO, NO, NO]
SIGNED_IN = [LOGIN, OK, OK, OK, OK]

# (name, method, url-maker, expected per role in ROLES order)
MATRIX: list[tuple[str, str, Any, list[str]]] = [
    ("home", "get", lambda w: reverse("coursework:home"), SIGNED_IN),
    ("preferences", "get", lambda w: reverse("coursework:preferences"), SIGNED_IN),
    ("queue", "get", lambda w: reverse("coursework:queue"), [LOGIN, NO, OK, OK, OK]),
    (
        "course",
        "get",
        lambda w: reverse("coursework:course", args=[w.cohort.course.slug]),
        STAFF_ONLY,
    ),
    (
        "worksheet_create",
        "get",
        lambda w: reverse("coursework:worksheet_create", args=[w.cohort.course.slug, "topic-1"]),
        STAFF_ONLY,
    ),
    (
        "worksheet_edit",
        "get",
        lambda w: reverse("coursework:worksheet_edit", args=[w.worksheet.pk]),
        STAFF_ONLY,
    ),
    (
        "field_add",
        "post",
        lambda w: reverse("coursework:field_add", args=[w.worksheet.pk]),
        STAFF_ONLY,
    ),
    (
        "field_edit",
        "get",
        lambda w: reverse("coursework:field_edit", args=[w.worksheet.fields.first().pk]),
        STAFF_ONLY,
    ),
    (
        "field_delete",
        "post",
        lambda w: reverse("coursework:field_delete", args=[w.worksheet.fields.first().pk]),
        STAFF_ONLY,
    ),
    ("cohort", "get", lambda w: reverse("coursework:cohort", args=[w.cohort.slug]), COHORT),
    (
        "worksheet_fill",
        "get",
        lambda w: reverse("coursework:worksheet_fill", args=[w.cohort.slug, w.worksheet.pk]),
        COHORT,
    ),
    (
        "assignment_create",
        "get",
        lambda w: reverse("coursework:assignment_create", args=[w.cohort.slug]),
        STAFF_ONLY,
    ),
    (
        "assignment",
        "get",
        lambda w: reverse("coursework:assignment", args=[w.assignment.pk]),
        COHORT,
    ),
    (
        "assignment_edit",
        "get",
        lambda w: reverse("coursework:assignment_edit", args=[w.assignment.pk]),
        STAFF_ONLY,
    ),
    (
        "assignment_publish",
        "post",
        lambda w: reverse("coursework:assignment_publish", args=[w.assignment.pk]),
        STAFF_ONLY,
    ),
    (
        "criterion_add",
        "post",
        lambda w: reverse("coursework:criterion_add", args=[w.assignment.pk]),
        STAFF_ONLY,
    ),
    (
        "criterion_delete",
        "post",
        lambda w: reverse("coursework:criterion_delete", args=[w.assignment.criteria.first().pk]),
        STAFF_ONLY,
    ),
    (
        "own submission",
        "get",
        lambda w: reverse("coursework:submission", args=[w.own_submission.pk]),
        COHORT,
    ),
    (
        "peer submission",
        "get",
        lambda w: reverse("coursework:submission", args=[w.peer_submission.pk]),
        REVIEWERS,
    ),
    (
        "review_start",
        "post",
        lambda w: reverse("coursework:review_start", args=[w.own_submission.pk]),
        REVIEWERS,
    ),
    (
        "review_save",
        "post",
        lambda w: reverse("coursework:review_save", args=[w.review.pk]),
        REVIEWERS,
    ),
    ("own file", "get", lambda w: reverse("coursework:file", args=[w.own_file.pk]), COHORT),
    ("peer file", "get", lambda w: reverse("coursework:file", args=[w.peer_file.pk]), REVIEWERS),
    ("coworking", "get", lambda w: reverse("coursework:coworking", args=[w.cohort.slug]), COHORT),
    (
        "coworking_session_create",
        "post",
        lambda w: reverse("coursework:coworking_session_create", args=[w.cohort.slug]),
        REVIEWERS,
    ),
    (
        "pairs_assign",
        "post",
        lambda w: reverse("coursework:pairs_assign", args=[w.peer_goal.session_id]),
        REVIEWERS,
    ),
    (
        "goal_set",
        "post",
        lambda w: reverse("coursework:goal_set", args=[w.peer_goal.session_id]),
        LEARNER_ONLY,
    ),
    (
        "checkin on pair",
        "post",
        lambda w: reverse("coursework:checkin", args=[w.peer_goal.pk]),
        LEARNER_ONLY,
    ),
    (
        "checkin on stranger",
        "post",
        lambda w: reverse("coursework:checkin", args=[w.stranger_goal.pk]),
        NOBODY_ELSE,
    ),
    ("playbook", "get", lambda w: reverse("coursework:playbook", args=[w.cohort.slug]), COHORT),
    (
        "own playbook section",
        "post",
        lambda w: reverse("coursework:playbook_section", args=[w.own_section.pk]),
        LEARNER_ONLY,
    ),
    (
        "peer playbook section",
        "post",
        lambda w: reverse("coursework:playbook_section", args=[w.peer_section.pk]),
        NOBODY_ELSE,
    ),
    (
        "own playbook_of",
        "get",
        lambda w: reverse("coursework:playbook_of", args=[w.lena.pk]),
        COHORT,
    ),
    (
        "peer playbook_of",
        "get",
        lambda w: reverse("coursework:playbook_of", args=[w.peer.pk]),
        REVIEWERS,
    ),
    ("channel", "get", lambda w: reverse("coursework:channel", args=[w.cohort.slug]), STAFF_ONLY),
    (
        "channel_test",
        "post",
        lambda w: reverse("coursework:channel_test", args=[w.cohort.slug]),
        STAFF_ONLY,
    ),
]


def _outcome(response: Any) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    if response.status_code == 403:
        return NO
    assert response.status_code in (200, 302), response.status_code
    return OK


def test_matrix_covers_every_view(world: World) -> None:
    from django.urls import resolve

    from copkit.coursework.urls import urlpatterns

    covered = {resolve(url(world)).url_name for _, _, url, _ in MATRIX}
    assert {p.name for p in urlpatterns} == covered


@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_permission_matrix(
    client: Client, world: World, name: str, method: str, url: Any, expected: list[str]
) -> None:
    target = url(world)
    got = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world.users[role])
        response = getattr(client, method)(target)
        got.append(_outcome(response))
    assert got == expected


def test_learner_sees_pair_goal_but_not_other_pairs(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    page = client.get(reverse("coursework:coworking", args=[world.cohort.slug])).content
    assert b"PEER-GOAL" in page and b"STRANGER-GOAL" not in page
    client.force_login(world.users["facilitator"])
    page = client.get(reverse("coursework:coworking", args=[world.cohort.slug])).content
    assert b"PEER-GOAL" in page and b"STRANGER-GOAL" in page


def test_feedback_is_visible_only_once_released(client: Client, world: World) -> None:
    facilitator = world.users["facilitator"]
    submission = world.own_submission
    review = services.review_start(submission=submission, reviewer=facilitator)
    scores = {c.pk: c.levels.last().points for c in world.assignment.criteria.all()}  # type: ignore[union-attr]
    services.review_save(
        review=review,
        reviewer=facilitator,
        scores=scores,
        feedback="SECRET-FEEDBACK",
        decision="accepted",
        release=False,
        now=NOW,
    )
    client.force_login(world.users["learner"])
    url = reverse("coursework:submission", args=[submission.pk])
    assert b"SECRET-FEEDBACK" not in client.get(url).content
    services.review_save(
        review=review,
        reviewer=facilitator,
        scores=scores,
        feedback="SECRET-FEEDBACK",
        decision="accepted",
        release=True,
        now=NOW,
    )
    assert b"SECRET-FEEDBACK" in client.get(url).content


def test_file_download_is_an_attachment(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    response = client.get(reverse("coursework:file", args=[world.own_file.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="mine.pdf"')
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_disallowed_upload_through_the_page_saves_nothing(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    other = assignment_make(world.cohort)
    before = SubmissionVersion.objects.count()
    response = client.post(
        reverse("coursework:assignment", args=[other.pk]),
        {"text": "see file", "attachments": [SimpleUploadedFile("run.sh", b"#!/bin/sh")]},
    )
    assert response.status_code == 200
    assert b"run.sh: files of type .sh are not accepted" in response.content
    assert SubmissionVersion.objects.count() == before


def test_empty_submission_through_the_page(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    other = assignment_make(world.cohort)
    response = client.post(reverse("coursework:assignment", args=[other.pk]), {"text": " "})
    assert b"The submission is empty" in response.content
    assert not Submission.objects.filter(assignment=other, versions__isnull=False).exists()


def test_submit_after_close_through_the_page(client: Client, world: World) -> None:
    world.cohort.status = Cohort.Status.CLOSED
    world.cohort.save()
    client.force_login(world.users["learner"])
    other = assignment_make(world.cohort)
    response = client.post(reverse("coursework:assignment", args=[other.pk]), {"text": "late"})
    assert b"This cohort is closed" in response.content
    assert not SubmissionVersion.objects.filter(submission__assignment=other).exists()


def test_out_of_range_score_through_the_page(client: Client, world: World) -> None:
    client.force_login(world.users["facilitator"])
    clarity, evidence = world.assignment.criteria.all()
    response = client.post(
        reverse("coursework:review_save", args=[world.review.pk]),
        {
            f"score_{clarity.pk}": "2",
            f"score_{evidence.pk}": "9",
            "feedback": "x",
            "decision": "accepted",
            "release": "1",
        },
        follow=True,
    )
    assert b"Score for &#x27;Evidence&#x27; is 9" in response.content
    world.review.refresh_from_db()
    assert world.review.released_at is None and not world.review.scores.exists()


def test_webhook_is_never_shown_back(client: Client, world: World) -> None:
    client.force_login(world.users["staff"])
    url = reverse("coursework:channel", args=[world.cohort.slug])
    secret = "https://hooks.slack.com/services/T1/B2/VERYSECRET"
    response = client.post(
        url, {"slack_channel_name": "#cop-demo", "webhook_url": secret}, follow=True
    )
    assert b"VERYSECRET" not in response.content
    assert b'id="webhook-state">set<' in response.content
    assert notifications.channel_webhook_is_set(cohort=world.cohort)
    world.cohort.refresh_from_db()
    assert world.cohort.slack_channel_name == "#cop-demo"


def test_markdown_is_sanitised(client: Client, world: World) -> None:
    world.assignment.instructions = "Hi <script>alert(1)</script> [x](javascript:alert(2)) **b**"
    world.assignment.save()
    client.force_login(world.users["learner"])
    page = client.get(reverse("coursework:assignment", args=[world.assignment.pk])).content
    assert b"<script>" not in page and b"javascript:" not in page and b"<strong>b</strong>" in page


def test_worksheet_fill_page_saves_a_draft(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    url = reverse("coursework:worksheet_fill", args=[world.cohort.slug, world.worksheet.pk])
    response = client.post(
        url, {"domain": "Microscopy", "members": "40", "draft": "1"}, follow=True
    )
    assert b"Draft saved" in response.content and b"Microscopy" in response.content
    response = client.post(url, {"members": "lots", "submit": "1"})
    assert b"enter a number" in response.content


def test_staff_author_worksheet_and_assignment_pages(client: Client, world: World) -> None:
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("coursework:worksheet_create", args=[world.cohort.course.slug, "topic-2"]),
        {"title": "Value", "kind": "activity", "prompt": "Think of a *story*."},
    )
    worksheet = Worksheet.objects.get(title="Value")
    assert response["Location"] == reverse("coursework:worksheet_edit", args=[worksheet.pk])
    client.post(
        reverse("coursework:field_add", args=[worksheet.pk]),
        {"label": "A story", "type": "long_text"},
    )
    assert [f.key for f in worksheet.fields.all()] == ["a_story"]
    response = client.post(
        reverse("coursework:assignment_create", args=[world.cohort.slug]),
        {
            "title": "Knowledge plan",
            "due": "2026-04-20T17:00",
            "assessed": "on",
            "accepts_text": "on",
        },
    )
    assignment = Assignment.objects.get(title="Knowledge plan")
    assert assignment.due_at is not None
    assert assignment.due_at.isoformat() == "2026-04-20T21:00:00+00:00"  # 17:00 EDT
    client.post(
        reverse("coursework:criterion_add", args=[assignment.pk]),
        {"title": "Fit", "levels": "0: no\n2: yes"},
    )
    client.post(reverse("coursework:assignment_publish", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.is_published and assignment.criteria.count() == 1


def test_dashboard_panel(client: Client, world: World) -> None:
    client.force_login(world.users["facilitator"])
    page = client.get(reverse("dashboard")).content
    assert world.cohort.name.encode() in page and b"waiting for review" in page


def test_playbook_page_edit(client: Client, world: World) -> None:
    client.force_login(world.users["learner"])
    section = world.own_section
    client.post(
        reverse("coursework:playbook_section", args=[section.pk]),
        {f"s{section.pk}-body": "We grow methods together.", f"s{section.pk}-status": "done"},
    )
    section.refresh_from_db()
    assert section.status == "done" and section.revisions.count() == 1
    page = client.get(reverse("coursework:playbook", args=[world.cohort.slug])).content
    assert b"Progress over the weeks" in page


def test_checkin_only_after_the_session_started(client: Client, world: World) -> None:
    session = world.peer_goal.session
    session.starts_at = timezone.now() + timedelta(hours=1)
    session.save()
    client.force_login(world.users["learner"])
    url = reverse("coursework:checkin", args=[world.peer_goal.pk])
    response = client.post(url, {"outcome": "met", "note": "done!"}, follow=True)
    assert b"Check in after the co-working session has started" in response.content
    assert not world.peer_goal.checkins.exists()
    session.starts_at = timezone.now() - timedelta(hours=1)
    session.save()
    client.post(url, {"outcome": "met", "note": "done!"})
    assert world.peer_goal.checkins.get().outcome == "met"


def test_failed_notifications_are_shown_to_staff(client: Client, world: World) -> None:
    from copkit.coursework.models import Notification

    Notification.objects.create(
        key="k",
        kind="session_reminder",
        channel="slack",
        cohort=world.cohort,
        summary="Reminder",
        status="failed",
        attempts=1,
        last_error="Slack answered 500",
    )
    client.force_login(world.users["staff"])
    assert b"1 failed" in client.get(reverse("dashboard")).content
    page = client.get(reverse("coursework:channel", args=[world.cohort.slug])).content
    assert b"Slack answered 500" in page
    client.force_login(world.users["facilitator"])
    assert b"1 failed" not in client.get(reverse("dashboard")).content


def test_staff_edit_a_field_but_not_its_key_or_answered_type(client: Client, world: World) -> None:
    field = world.worksheet.fields.get(key="members")
    client.force_login(world.users["staff"])
    url = reverse("coursework:field_edit", args=[field.pk])
    client.post(
        url, {"label": "Members (about)", "key": "hacked", "type": "number", "required": "on"}
    )
    field.refresh_from_db()
    assert (field.label, field.key, field.required) == ("Members (about)", "members", True)
    services.worksheet_save(
        worksheet=world.worksheet,
        enrollment=world.lena,
        values={"members": "12"},
        files={},
        submit=False,
        now=NOW,
    )
    response = client.post(url, {"label": "Members", "type": "short_text"})
    assert b"its type stays Number" in response.content
    field.refresh_from_db()
    assert field.type == "number"
