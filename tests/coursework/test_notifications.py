from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail

from copkit.academy.models import Cohort, Session
from copkit.coursework import notifications, services
from copkit.coursework.models import CohortChannel, Notification
from copkit.coursework.secretbox import secret_decrypt
from copkit.coursework.slack import SlackPostError, slack_post
from copkit.errors import ApplicationError
from tests.coursework.factories import (
    NOW,
    assignment_make,
    cohort_make,
    enroll,
    session_make,
    worksheet_make,
)
from tests.coursework.fake_slack import FakeSlack

pytestmark = pytest.mark.django_db


def test_webhook_is_encrypted_at_rest(slack: FakeSlack) -> None:
    cohort = cohort_make()
    notifications.channel_webhook_set(cohort=cohort, url=slack.url)
    token = CohortChannel.objects.get().webhook_token
    assert "s3cr3tT0ken" not in token and "127.0.0.1" not in token
    assert secret_decrypt(token) == slack.url
    assert notifications.channel_webhook_is_set(cohort=cohort)
    notifications.channel_webhook_clear(cohort=cohort)
    assert not notifications.channel_webhook_is_set(cohort=cohort)


@pytest.mark.parametrize("url", ["not a url", "http://hooks.example.org/x", "ftp://h/x"])
def test_webhook_must_be_https_or_loopback(url: str) -> None:
    with pytest.raises(ApplicationError, match="incoming-webhook URL"):
        notifications.channel_webhook_set(cohort=cohort_make(), url=url)
    assert not CohortChannel.objects.exists()


def test_slack_post_speaks_the_webhook_protocol(slack: FakeSlack) -> None:
    slack_post(url=slack.url, text="hello")
    assert slack.received == [
        {"path": "/services/T000/B000/s3cr3tT0ken", "body": {"text": "hello"}}
    ]


def test_rate_limit_is_retried_after_retry_after(slack: FakeSlack) -> None:
    slack.answer(429, "rate_limited", Retry_After="0")
    slack_post(url=slack.url, text="once more")
    assert slack.texts == ["once more", "once more"]


def test_server_errors_are_retried_with_backoff_then_reported_without_url(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        slack.answer(500, "internal_error")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SlackPostError) as info:
        slack_post(url=slack.url, text="x")
    assert len(slack.received) == 3  # first try + 2 retries (COPKIT_SLACK_RETRIES)
    assert "500" in str(info.value) and "s3cr3tT0ken" not in str(info.value)
    assert all("s3cr3tT0ken" not in r.getMessage() for r in caplog.records)


def test_unreachable_slack_is_an_error_without_url(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeSlack() as gone:
        url = gone.url
    with pytest.raises(SlackPostError, match="could not reach Slack") as info:
        slack_post(url=url, text="x")
    assert "s3cr3tT0ken" not in str(info.value)
    assert all("s3cr3tT0ken" not in r.getMessage() for r in caplog.records)


def _cohort_with_session(slack: FakeSlack) -> tuple[Cohort, Session]:
    cohort = cohort_make()
    notifications.channel_webhook_set(cohort=cohort, url=slack.url)
    topic = cohort.course.topics.first()
    assert topic is not None
    worksheet_make(topic)
    session = session_make(cohort, starts_at=NOW + timedelta(hours=20), topic=topic)
    return cohort, session


def test_reminders_are_sent_once(slack: FakeSlack) -> None:
    cohort, session = _cohort_with_session(slack)
    a, b = enroll(cohort), enroll(cohort)
    assignment_make(cohort, due_at=NOW + timedelta(days=2))
    session_make(cohort, starts_at=NOW + timedelta(days=3), number=2)
    session_make(cohort, starts_at=NOW + timedelta(days=10), number=3)  # later: not yet

    run = notifications.reminders_send(now=NOW)
    assert len(run.sent) == 3 and not run.failed  # Slack + two e-mails
    (text,) = slack.texts
    assert f"{session} for {cohort.name} starts" in text
    assert "Join: https://meet.example.org/cop" in text
    assert "Worksheet due: Your domain" in text
    assert "Assignment due" in text
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.learner.email, b.learner.email])

    again = notifications.reminders_send(now=NOW + timedelta(minutes=5))
    assert again.sent == [] and again.skipped == 3
    assert len(slack.received) == 1 and len(mail.outbox) == 2


def test_rescheduled_session_is_reminded_again(slack: FakeSlack) -> None:
    cohort, session = _cohort_with_session(slack)
    notifications.reminders_send(now=NOW)
    session.starts_at += timedelta(hours=1)
    session.sequence += 1
    session.save()
    notifications.reminders_send(now=NOW)
    assert len(slack.received) == 2


def test_learners_can_opt_out_of_reminders(slack: FakeSlack) -> None:
    cohort, _ = _cohort_with_session(slack)
    quiet, loud = enroll(cohort), enroll(cohort)
    notifications.preference_update(user=quiet.learner, session_reminders=False, announcements=True)
    notifications.reminders_send(now=NOW)
    assert [m.to for m in mail.outbox] == [[loud.learner.email]]


def test_failures_are_recorded_and_retried_next_run(slack: FakeSlack) -> None:
    _cohort_with_session(slack)
    for _ in range(3):
        slack.answer(500, "internal_error")
    run = notifications.reminders_send(now=NOW)
    assert len(run.failed) == 1
    row = Notification.objects.get(channel="slack")
    assert row.status == "failed" and row.attempts == 1 and "500" in row.last_error
    assert "s3cr3tT0ken" not in row.last_error
    run = notifications.reminders_send(now=NOW)
    row.refresh_from_db()
    assert len(run.sent) == 1 and row.status == "sent" and row.attempts == 2


def test_gives_up_after_max_attempts(slack: FakeSlack) -> None:
    _cohort_with_session(slack)
    for _ in range(3 * notifications.MAX_ATTEMPTS):
        slack.answer(500, "internal_error")
    for _ in range(notifications.MAX_ATTEMPTS + 2):
        notifications.reminders_send(now=NOW)
    assert Notification.objects.get(channel="slack").attempts == notifications.MAX_ATTEMPTS


def test_publishing_announces_and_a_dead_slack_does_not_break_it() -> None:
    cohort = cohort_make()
    enroll(cohort)
    with FakeSlack() as gone:
        notifications.channel_webhook_set(cohort=cohort, url=gone.url)
    assignment = assignment_make(cohort, published=False)
    services.assignment_publish(assignment=assignment, now=NOW)
    assignment.refresh_from_db()
    assert assignment.is_published
    slack_row = Notification.objects.get(channel="slack")
    assert slack_row.status == "failed" and slack_row.kind == "assignment_published"
    assert Notification.objects.get(channel="email").status == "sent"
    assert "New assignment" in mail.outbox[0].subject


def test_graduation_is_announced_two_weeks_ahead(slack: FakeSlack) -> None:
    cohort = cohort_make()
    notifications.channel_webhook_set(cohort=cohort, url=slack.url)
    session_make(cohort, kind=Session.Kind.GRADUATION, starts_at=NOW + timedelta(days=10))
    notifications.reminders_send(now=NOW)
    notifications.reminders_send(now=NOW + timedelta(days=1))
    assert len(slack.texts) == 1 and "graduation event" in slack.texts[0]


def test_closed_cohorts_get_nothing(slack: FakeSlack) -> None:
    cohort, _ = _cohort_with_session(slack)
    cohort.status = Cohort.Status.CLOSED
    cohort.save()
    assert notifications.reminders_send(now=NOW).sent == []
    assert slack.received == []


def test_released_feedback_is_emailed(facilitator: object) -> None:
    cohort = cohort_make()
    enrollment = enroll(cohort)
    assignment = assignment_make(cohort)
    services.submission_submit(
        assignment=assignment, enrollment=enrollment, text="x", files=[], now=NOW
    )
    submission = assignment.submissions.get()
    review = services.review_start(submission=submission, reviewer=facilitator)  # type: ignore[arg-type]
    scores = {c.pk: c.levels.last().points for c in assignment.criteria.all()}  # type: ignore[union-attr]
    services.review_save(
        review=review,
        reviewer=facilitator,
        scores=scores,
        feedback="Good",  # type: ignore[arg-type]
        decision="accepted",
        release=True,
        now=NOW,
    )
    assert mail.outbox[-1].to == [enrollment.learner.email]
    assert "Feedback on" in mail.outbox[-1].subject


def test_a_changed_key_is_reported_not_crashed(
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    staff: object,
) -> None:
    from cryptography.fernet import Fernet

    caplog.set_level(logging.DEBUG)
    _cohort_with_session(slack)
    cohort = Cohort.objects.get()
    monkeypatch.setenv("COPKIT_FERNET_KEY", Fernet.generate_key().decode())
    run = notifications.reminders_send(now=NOW)
    assert len(run.failed) == 1 and slack.received == []
    row = Notification.objects.get(channel="slack")
    assert "cannot be decrypted with the current key" in row.last_error
    with pytest.raises(ApplicationError, match="cannot be decrypted"):
        notifications.slack_test_post(cohort=cohort, user=staff)  # type: ignore[arg-type]
    assert all("s3cr3tT0ken" not in r.getMessage() for r in caplog.records)


def test_reminder_failures_never_log_the_url(
    slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _cohort_with_session(slack)
    for _ in range(3):
        slack.answer(500, "internal_error")
    notifications.reminders_send(now=NOW)
    assert any("Slack notification" in r.getMessage() for r in caplog.records)
    assert all("s3cr3tT0ken" not in r.getMessage() for r in caplog.records)
