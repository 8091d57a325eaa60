"""The knowledge management plan of one enrollment, its goals and the feedback on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from copkit.academy.models import Enrollment
from copkit.communities.models import Community
from copkit.plans.measures import MEASURES

DEFAULT_TITLE = "Knowledge management plan"


class Plan(models.Model):
    """A learner's knowledge management plan in one cohort (one per enrollment).

    ``community`` optionally links one of the learner's own communities: its latest analysis
    fills the plan's first three sections. A submitted plan is read-only to the learner
    until a facilitator of the cohort (or program staff) reopens it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="plan")
    community = models.ForeignKey(
        Community, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    title = models.CharField(max_length=200, default=DEFAULT_TITLE)
    review = models.TextField(
        blank=True, help_text="Review and next steps: how and when the plan will be revisited."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["enrollment__cohort", "enrollment__learner__username"]

    def __str__(self) -> str:
        return f"{self.title} ({self.enrollment.learner})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Goal(models.Model):
    """One goal of a plan: the intervention that serves it and how progress is measured.

    ``baseline`` is the measure's value in the linked analysis when the goal was saved
    (``None`` with ``baseline_note`` saying why when there is none).
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=1)
    goal = models.CharField(max_length=300)
    intervention = models.TextField()
    measure = models.CharField(max_length=40, choices=[(m.key, m.label) for m in MEASURES])
    baseline = models.FloatField(null=True, blank=True)
    baseline_note = models.CharField(max_length=300, blank=True)
    target = models.FloatField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.goal


class Feedback(models.Model):
    """A comment on a plan by a facilitator of its cohort or program staff."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "created_at", "id"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback on {self.plan} by {self.author}"


class Event(models.Model):
    """A change of a plan's state, with who made it and when (the plan's history)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "submitted"
        REOPENED = "reopened", "reopened"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)

    class Meta:
        ordering = ["plan", "at", "id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.action} at {self.at:%Y-%m-%d %H:%M}"
