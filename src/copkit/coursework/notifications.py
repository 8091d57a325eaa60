"""Slack and e-mail notifications, and the sent-notification log that makes them idempotent.

Each event (a session reminder, a published assignment, the graduation announcement,
released feedback) has a key per destination. A key that was sent is never sent again; a key
that failed is retried by the next ``copkit reminders send`` (up to :data:`MAX_ATTEMPTS`).
Failures are logged without the webhook URL, recorded, shown to staff, and never raised to
the page or command that triggered them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import User
from copkit.coursework.models import (
    Assignment,
    CohortChannel,
    Notification,
    NotificationPreference,
    Review,
    Worksheet,
)
from copkit.coursework.secretbox import SecretError, secret_decrypt, secret_encrypt
from copkit.coursework.slack import SlackPostError, slack_post
from copkit.errors import ApplicationError

if TYPE_CHECKING:
    from copkit.plans.models import Feedback, Plan

__all__ = [
    "MAX_ATTEMPTS",
    "ReminderRun",
    "assignment_published_notify",
    "channel_webhook_clear",
    "channel_webhook_is_set",
    "channel_webhook_set",
    "feedback_released_notify",
    "plan_feedback_notify",
    "plan_reopened_notify",
    "plan_submitted_notify",
    "preference_for",
    "preference_update",
    "reminders_send",
    "slack_test_post",
]

logger = logging.getLogger("copkit.coursework.notifications")
MAX_ATTEMPTS = 5
ERR_WEBHOOK = (
    "Enter the incoming-webhook URL Slack gave you (https://hooks.slack.com/services/…); "
    "plain http is accepted only for a local test server."
)


def _reminder_lead() -> timedelta:
    return timedelta(hours=float(getattr(settings, "COPKIT_REMINDER_LEAD_HOURS", 24)))


def _graduation_lead() -> timedelta:
    return timedelta(days=float(getattr(settings, "COPKIT_GRADUATION_NOTICE_DAYS", 14)))


# --- the secret channel ----------------------------------------------------------------------


def channel_webhook_set(*, cohort: Cohort, url: str) -> None:
    """Store the cohort's incoming-webhook URL, encrypted. It is never shown back."""
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ApplicationError(ERR_WEBHOOK) from None
    parts = urlsplit(url)
    if parts.scheme == "http":
        host = parts.hostname or ""
        try:
            loopback = host == "localhost" or ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ApplicationError(ERR_WEBHOOK)
    CohortChannel.objects.update_or_create(
        cohort=cohort, defaults={"webhook_token": secret_encrypt(url)}
    )


def channel_webhook_clear(*, cohort: Cohort) -> None:
    CohortChannel.objects.filter(cohort=cohort).delete()


def channel_webhook_is_set(*, cohort: Cohort) -> bool:
    return CohortChannel.objects.filter(cohort=cohort).exclude(webhook_token="").exists()


def _webhook_url(cohort: Cohort) -> str | None:
    channel = CohortChannel.objects.filter(cohort=cohort).first()
    if channel is None or not channel.webhook_token:
        return None
    return secret_decrypt(channel.webhook_token)


# --- preferences -----------------------------------------------------------------------------


def preference_for(*, user: User) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(user=user)
    return preference


def preference_update(*, user: User, session_reminders: bool, announcements: bool) -> None:
    NotificationPreference.objects.update_or_create(
        user=user,
        defaults={"session_reminders": session_reminders, "announcements": announcements},
    )


# --- delivery --------------------------------------------------------------------------------


@dataclass
class ReminderRun:
    """What one run of ``copkit reminders send`` did."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: int = 0


def _claim(
    *, key: str, kind: str, channel: str, cohort: Cohort, recipient: User | None, summary: str
) -> Notification | None:
    """The log row for ``key`` if it still has to go out, else None (sent or given up)."""
    try:
        with transaction.atomic():
            row, _ = Notification.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "channel": channel,
                    "cohort": cohort,
                    "recipient": recipient,
                    "summary": summary[:300],
                    "status": Notification.Status.FAILED,
                },
            )
    except IntegrityError:  # another run created it at the same moment
        return None
    if row.status == Notification.Status.SENT or (
        row.attempts >= MAX_ATTEMPTS and row.status == Notification.Status.FAILED
    ):
        return None
    return row


def _record(row: Notification, *, error: str | None) -> None:
    row.attempts += 1
    if error is None:
        row.status, row.last_error, row.sent_at = Notification.Status.SENT, "", timezone.now()
    else:
        row.status, row.last_error = Notification.Status.FAILED, error[:2000]
    row.save()


def _deliver_slack(*, key: str, kind: str, cohort: Cohort, text: str, run: ReminderRun) -> None:
    try:
        url = _webhook_url(cohort)
    except SecretError as exc:
        url, secret_error = None, str(exc)
    else:
        secret_error = ""
    if url is None and not secret_error:
        return  # no channel configured: nothing to send, nothing to record
    row = _claim(
        key=key,
        kind=kind,
        channel=Notification.Channel.SLACK,
        cohort=cohort,
        recipient=None,
        summary=text.splitlines()[0],
    )
    if row is None:
        run.skipped += 1
        return
    error: str | None = secret_error or None
    if url is not None:
        try:
            slack_post(url=url, text=text)
        except SlackPostError as exc:
            error = str(exc)
    if error:
        logger.warning("Slack notification %s for cohort %s failed: %s", key, cohort.slug, error)
        run.failed.append(key)
    else:
        run.sent.append(key)
    _record(row, error=error)


def _deliver_email(
    *, key: str, kind: str, cohort: Cohort, user: User, subject: str, body: str, run: ReminderRun
) -> None:
    if not user.email:
        return
    row = _claim(
        key=key,
        kind=kind,
        channel=Notification.Channel.EMAIL,
        cohort=cohort,
        recipient=user,
        summary=subject,
    )
    if row is None:
        run.skipped += 1
        return
    error: str | None = None
    try:
        send_mail(subject, body, None, [user.email])
    except Exception as exc:  # SMTP and socket errors of any kind
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("E-mail %s to user %s failed: %s", key, user.pk, error)
        run.failed.append(key)
    else:
        run.sent.append(key)
    _record(row, error=error)


def _learners(cohort: Cohort) -> Iterable[Enrollment]:
    return cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).select_related("learner")


def _wants(user: User, *, reminder: bool) -> bool:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return True
    return preference.session_reminders if reminder else preference.announcements


def _broadcast(
    *,
    key: str,
    kind: str,
    cohort: Cohort,
    subject: str,
    text: str,
    reminder: bool,
    run: ReminderRun,
) -> None:
    _deliver_slack(key=f"{key}:slack", kind=kind, cohort=cohort, text=text, run=run)
    for enrollment in _learners(cohort):
        user = enrollment.learner
        if _wants(user, reminder=reminder):
            _deliver_email(
                key=f"{key}:email:{user.pk}",
                kind=kind,
                cohort=cohort,
                user=user,
                subject=subject,
                body=text,
                run=run,
            )


def _local(value: datetime, cohort: Cohort) -> str:
    local = value.astimezone(ZoneInfo(cohort.timezone))
    return f"{local:%A %d %B, %H:%M} {local.tzname()} ({cohort.timezone})"


def _url(name: str, *args: object) -> str:
    return f"{settings.BASE_URL}{reverse(name, args=args)}"


# --- events ----------------------------------------------------------------------------------


def _session_reminder(session: Session, *, now: datetime, run: ReminderRun) -> None:
    cohort = session.cohort
    lines = [f"Reminder: {session} for {cohort.name} starts {_local(session.starts_at, cohort)}."]
    if cohort.meeting_url:
        lines.append(f"Join: {cohort.meeting_url}")
    if session.topic_id is not None:
        for worksheet in Worksheet.objects.filter(topic_id=session.topic_id):
            lines.append(
                f"Worksheet due: {worksheet.title} — {_url('coursework:cohort', cohort.slug)}"
            )
    following = (
        cohort.sessions.filter(starts_at__gt=session.starts_at, status=Session.Status.SCHEDULED)
        .order_by("starts_at")
        .first()
    )
    horizon = following.starts_at if following else session.starts_at + timedelta(days=7)
    for assignment in cohort.assignments.filter(
        published_at__isnull=False, due_at__gt=now, due_at__lte=horizon
    ):
        lines.append(f"Assignment due {_local(assignment.due_at, cohort)}: {assignment.title}")  # type: ignore[arg-type]
    key = f"session-reminder:{session.uid}:{session.sequence}"
    _broadcast(
        key=key,
        kind="session_reminder",
        cohort=cohort,
        subject=f"[{cohort.name}] Reminder: {session}",
        text="\n".join(lines),
        reminder=True,
        run=run,
    )


def _graduation_announcement(session: Session, *, run: ReminderRun) -> None:
    cohort = session.cohort
    text = (
        f"The graduation event of {cohort.name} is on {_local(session.starts_at, cohort)}. "
        "Taking part is required to graduate: please be there!"
    )
    if cohort.meeting_url:
        text += f"\nJoin: {cohort.meeting_url}"
    _broadcast(
        key=f"graduation:{session.uid}",
        kind="graduation",
        cohort=cohort,
        subject=f"[{cohort.name}] Graduation event",
        text=text,
        reminder=False,
        run=run,
    )


def _assignment_announcement(assignment: Assignment, run: ReminderRun) -> None:
    cohort = assignment.cohort
    text = f"New assignment for {cohort.name}: {assignment.title}"
    if assignment.due_at:
        text += f", due {_local(assignment.due_at, cohort)}"
    text += f".\n{_url('coursework:assignment', assignment.pk)}"
    _broadcast(
        key=f"assignment-published:{assignment.pk}",
        kind="assignment_published",
        cohort=cohort,
        subject=f"[{cohort.name}] New assignment: {assignment.title}",
        text=text,
        reminder=False,
        run=run,
    )


def _never_raise(what: str, *, retried: bool = True) -> None:
    """Log an unexpected failure to notify: what ``copkit reminders send`` sends again (session
    reminders, announcements) is said to be retried; a one-off e-mail is not."""
    if retried:
        logger.exception("Notifying %s failed; it is retried by `copkit reminders send`.", what)
    else:
        logger.exception("Notifying %s failed; it is not sent again.", what)


def assignment_published_notify(*, assignment: Assignment) -> ReminderRun:
    """Announce a newly published assignment; never raises (failures are recorded)."""
    run = ReminderRun()
    try:
        _assignment_announcement(assignment, run)
    except Exception:  # the page that published must not break
        _never_raise(f"assignment {assignment.pk}")
    return run


def feedback_released_notify(*, review: Review) -> ReminderRun:
    """E-mail the learner that feedback on their submission is ready; never raises."""
    run = ReminderRun()
    submission = review.submission
    user = submission.enrollment.learner
    try:
        if _wants(user, reminder=False):
            _deliver_email(
                key=f"feedback:{review.pk}:email:{user.pk}",
                kind="feedback_released",
                cohort=submission.assignment.cohort,
                user=user,
                subject=f"Feedback on {submission.assignment.title}",
                body=(
                    f"Your facilitator reviewed {submission.assignment.title}: "
                    f"{submission.get_status_display().lower()}.\n"
                    f"{_url('coursework:submission', submission.pk)}"
                ),
                run=run,
            )
    except Exception:  # the review page must not break
        _never_raise(f"review {review.pk}", retried=False)
    return run


def _plan_url(plan: Plan) -> str:
    enrollment = plan.enrollment
    return _url("plans:detail", enrollment.cohort.slug, enrollment.learner.username)


def plan_submitted_notify(*, plan: Plan) -> ReminderRun:
    """E-mail the cohort's facilitators that a learner submitted their knowledge management
    plan (each submission once: a plan reopened and submitted again is announced again);
    never raises."""
    run = ReminderRun()
    enrollment = plan.enrollment
    cohort = enrollment.cohort
    try:
        stamp = plan.submitted_at.isoformat() if plan.submitted_at else "-"
        for user in cohort.facilitators.all():
            if _wants(user, reminder=False):
                _deliver_email(
                    key=f"plan-submitted:{plan.pk}:{stamp}:email:{user.pk}",
                    kind="plan_submitted",
                    cohort=cohort,
                    user=user,
                    subject=f"{enrollment.learner} submitted a plan in {cohort.name}",
                    body=(
                        f"{enrollment.learner} submitted their knowledge management plan, "
                        f'"{plan.title}", for your feedback.\n{_plan_url(plan)}'
                    ),
                    run=run,
                )
    except Exception:  # the plan page must not break
        _never_raise(f"plan {plan.pk}", retried=False)
    return run


def _email_learner(
    *, plan: Plan, sender: User | None, key: str, kind: str, subject: str, body: str
) -> ReminderRun:
    """E-mail the plan's learner (not when she did it herself); never raises."""
    run = ReminderRun()
    enrollment = plan.enrollment
    user = enrollment.learner
    try:
        if user != sender and _wants(user, reminder=False):
            _deliver_email(
                key=f"{key}:email:{user.pk}",
                kind=kind,
                cohort=enrollment.cohort,
                user=user,
                subject=subject,
                body=f"{body}\n{_plan_url(plan)}",
                run=run,
            )
    except Exception:  # the plan page must not break
        _never_raise(key, retried=False)
    return run


def plan_reopened_notify(*, plan: Plan, by: User) -> ReminderRun:
    """E-mail the learner that their plan is open to changes again; never raises."""
    stamp = plan.reopened_at.isoformat() if plan.reopened_at else "-"
    return _email_learner(
        plan=plan,
        sender=by,
        key=f"plan-reopened:{plan.pk}:{stamp}",
        kind="plan_reopened",
        subject=f'Your plan "{plan.title}" is open to changes again',
        body=f"{by} reopened your knowledge management plan: change it and submit it again.",
    )


def plan_feedback_notify(*, feedback: Feedback) -> ReminderRun:
    """E-mail the learner that there is feedback on their plan; never raises."""
    return _email_learner(
        plan=feedback.plan,
        sender=feedback.author,
        key=f"plan-feedback:{feedback.pk}",
        kind="plan_feedback",
        subject=f'Feedback on your plan "{feedback.plan.title}"',
        body=f"{feedback.author or 'A facilitator'} left feedback on your plan.",
    )


def reminders_send(*, now: datetime) -> ReminderRun:
    """Send everything that is due at ``now`` and has not been sent: reminders for sessions
    starting within the lead time, the graduation announcement, and announcements of
    assignments published in the last week whose earlier delivery failed. Idempotent."""
    run = ReminderRun()
    live = (
        Session.objects.filter(status=Session.Status.SCHEDULED)
        .exclude(cohort__status=Cohort.Status.CLOSED)
        .select_related("cohort", "topic")
    )
    for session in live.filter(starts_at__gt=now, starts_at__lte=now + _reminder_lead()):
        _session_reminder(session, now=now, run=run)
    for session in live.filter(
        kind=Session.Kind.GRADUATION, starts_at__gt=now, starts_at__lte=now + _graduation_lead()
    ):
        _graduation_announcement(session, run=run)
    for assignment in (
        Assignment.objects.filter(published_at__gt=now - timedelta(days=7), published_at__lte=now)
        .exclude(cohort__status=Cohort.Status.CLOSED)
        .select_related("cohort")
    ):
        _assignment_announcement(assignment, run)
    return run


def slack_test_post(*, cohort: Cohort, user: User) -> None:
    """Post a test message now; raises :class:`ApplicationError` with Slack's answer."""
    try:
        url = _webhook_url(cohort)
    except SecretError as exc:
        raise ApplicationError(str(exc)) from None
    if url is None:
        raise ApplicationError("Set the channel's incoming-webhook URL first.")
    try:
        slack_post(url=url, text=f"Test message from copkit for {cohort.name}, sent by {user}.")
    except SlackPostError as exc:
        raise ApplicationError(f"The test message failed: {exc}") from None
