"""Coursework data: worksheets and their answers, assignments with rubrics, versioned
submissions and reviews, co-working goals and pairs, playbooks, and notification records.

Worksheets belong to a syllabus topic (they are course material, reused by every cohort);
assignments belong to a cohort, because their due dates are the cohort's. Every learner
record hangs off the learner's :class:`~copkit.academy.models.Enrollment`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from copkit.academy.models import Cohort, Enrollment, Session, SyllabusTopic


class Worksheet(models.Model):
    """Structured prompts for one syllabus topic: a worksheet or an in-session activity."""

    class Kind(models.TextChoices):
        WORKSHEET = "worksheet", "Worksheet"
        ACTIVITY = "activity", "Activity"

    topic = models.ForeignKey(SyllabusTopic, on_delete=models.CASCADE, related_name="worksheets")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WORKSHEET)
    title = models.CharField(max_length=200)
    prompt = models.TextField(blank=True, help_text="Markdown.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["topic__course", "topic__position", "position", "id"]

    def __str__(self) -> str:
        return self.title


class WorksheetField(models.Model):
    """One prompt of a worksheet, answered with a value of one type."""

    class Type(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        CHOICE = "choice", "Choice"
        NUMBER = "number", "Number"
        LINK = "link", "Link"
        FILE = "file", "File"

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(default=1)
    key = models.SlugField(max_length=60, help_text="Stable name of the answer, e.g. domain.")
    label = models.CharField(max_length=300)
    help_text = models.TextField(blank=True, help_text="Markdown.")
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.LONG_TEXT)
    choices = models.TextField(blank=True, help_text="For choice fields: one option per line.")
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["worksheet", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worksheet", "key"], name="worksheet_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class StoredFile(models.Model):
    """An uploaded file, stored under MEDIA_ROOT with a generated name, owned by an enrollment."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class WorksheetResponse(models.Model):
    """A learner's answers to one worksheet: a draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="responses")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="worksheet_responses"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["worksheet", "enrollment"], name="worksheet_response_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} on {self.worksheet}"


class WorksheetAnswer(models.Model):
    """The value of one field in a response (text for every type but file)."""

    response = models.ForeignKey(
        WorksheetResponse, on_delete=models.CASCADE, related_name="answers"
    )
    field = models.ForeignKey(WorksheetField, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    file = models.ForeignKey(StoredFile, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "field"], name="worksheet_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.field.key}: {self.text[:40]}"


class Assignment(models.Model):
    """An assignment of a cohort, due at an aware datetime entered in the cohort's time zone."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    topic = models.ForeignKey(
        SyllabusTopic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text="Markdown.")
    due_at = models.DateTimeField(null=True, blank=True)
    assessed = models.BooleanField(
        default=False, help_text="Certification-track submissions are reviewed with the rubric."
    )
    accepts_text = models.BooleanField(default=True)
    accepts_files = models.BooleanField(default=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "due_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class RubricCriterion(models.Model):
    """One row of an assignment's rubric."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["assignment", "position", "id"]

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    """One level (column) of a criterion, worth some points."""

    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    points = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=300)

    class Meta:
        ordering = ["criterion", "points"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "points"], name="rubric_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.points}: {self.label}"


class Submission(models.Model):
    """A learner's work on one assignment: a draft, then versions, then the review state."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        ACCEPTED = "accepted", "Accepted"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    draft_text = models.TextField(blank=True)
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "enrollment"], name="submission_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.learner} on {self.assignment}"


class SubmissionVersion(models.Model):
    """One submitted version: text and files, never changed afterwards."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    files = models.ManyToManyField(StoredFile, blank=True, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="version_unique")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.submission}"


class Review(models.Model):
    """A reviewer's scores, feedback and decision on one version; the learner sees it once
    released."""

    class Decision(models.TextChoices):
        CHANGES_REQUESTED = "changes_requested", "Request changes"
        ACCEPTED = "accepted", "Accept"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(SubmissionVersion, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    feedback = models.TextField(blank=True, help_text="Markdown.")
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self) -> str:
        return f"review of {self.submission}"


class RubricScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="rubric_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.points} points"


class CoworkingGoal(models.Model):
    """What a learner means to get done on their playbook by the next co-working session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="coworking_goals")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="goal_unique")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class CoworkingPair(models.Model):
    """Membership of a pair (or trio) in one co-working session; same ``group``, same pair."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="coworking_pairs")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="pairings")
    group = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["session", "group", "enrollment_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrollment"], name="pair_member_unique")
        ]

    def __str__(self) -> str:
        return f"pair {self.group} in {self.session}"


class CoworkingCheckIn(models.Model):
    """A peer's check-in on a goal after the week: met, partly met or not met."""

    class Outcome(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"

    goal = models.ForeignKey(CoworkingGoal, on_delete=models.CASCADE, related_name="checkins")
    by = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["goal", "by"], name="checkin_unique")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.goal}"


class Playbook(models.Model):
    """A learner's community playbook: their running document of how they run their community."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="playbook")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"playbook of {self.enrollment}"


class PlaybookSection(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DRAFTING = "drafting", "Drafting"
        DONE = "done", "Done"

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["playbook", "position"]

    def __str__(self) -> str:
        return self.title


class PlaybookRevision(models.Model):
    """Append-only history of a section's status and length: the playbook's progress over time."""

    section = models.ForeignKey(PlaybookSection, on_delete=models.CASCADE, related_name="revisions")
    status = models.CharField(max_length=12, choices=PlaybookSection.Status.choices)
    words = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["section", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.section} at {self.created_at:%Y-%m-%d}"


class CohortChannel(models.Model):
    """The cohort's Slack incoming webhook, encrypted at rest (Fernet); never shown back."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="slack_webhook")
    webhook_token = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Slack webhook of {self.cohort}"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    session_reminders = models.BooleanField(
        default=True, help_text="E-mail me a reminder before each session."
    )
    announcements = models.BooleanField(
        default=True,
        help_text="E-mail me new assignments, released feedback and the graduation event.",
    )

    def __str__(self) -> str:
        return f"preferences of {self.user}"


class Notification(models.Model):
    """The sent-notification log: one row per event and destination, keyed so nothing goes
    out twice."""

    class Channel(models.TextChoices):
        SLACK = "slack", "Slack"
        EMAIL = "email", "E-mail"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.key
