"""Attendance marks (append-only events), staff waivers, outcomes and pending Zoom imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.errors import ApplicationError

APPEND_ONLY = "Attendance marks are append-only: record a new mark instead of changing one."


class MarkStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    EXCUSED = "excused", "Excused"
    ABSENT = "absent", "Absent"
    UNMARKED = "unmarked", "Unmarked"


class MarkQuerySet(models.QuerySet["AttendanceMark"]):
    """Refuses bulk updates and deletes: marks are append-only."""

    def update(self, **kwargs: Any) -> int:
        raise ApplicationError(APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ApplicationError(APPEND_ONLY)


class AttendanceMark(models.Model):
    """One attendance event: who marked whom, at which session, from what to what, and why.

    The current status of an (enrollment, session) pair is the status of its latest event.
    Rows are never updated or deleted; a correction is a new event whose ``previous_status``
    is the status it replaces.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="marks")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="marks")
    status = models.CharField(max_length=10, choices=MarkStatus.choices)
    previous_status = models.CharField(
        max_length=10, choices=MarkStatus.choices, default=MarkStatus.UNMARKED
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance_marks_made",
    )
    source = models.CharField(max_length=120, help_text="roster, Zoom import, command line …")
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    objects = MarkQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["enrollment", "session", "at"])]

    def __str__(self) -> str:
        return f"{self.enrollment} at {self.session}: {self.previous_status} -> {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ApplicationError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ApplicationError(APPEND_ONLY)


class StaffWaiver(models.Model):
    """Staff waived the graduation rule for one enrollment; it survives any recalculation."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="graduation_waiver"
    )
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="graduation_waivers"
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"waiver for {self.enrollment}"


class EnrollmentOutcome(models.Model):
    """The outcome recorded for an enrollment when its cohort closed (or was recalculated)."""

    class Outcome(models.TextChoices):
        GRADUATED = "graduated", "Graduated"
        NOT_COMPLETED = "not_completed", "Not completed"

    class Basis(models.TextChoices):
        RULE = "rule", "Met the graduation rule"
        WAIVER = "waiver", "Staff waiver"
        RULE_NOT_MET = "rule_not_met", "Graduation rule not met"
        WITHDRAWN = "withdrawn", "Withdrew"

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="outcome")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    basis = models.CharField(max_length=16, choices=Basis.choices)
    reasons = models.TextField(blank=True, help_text="Why not completed, one reason per line.")
    sessions_planned = models.PositiveSmallIntegerField()
    sessions_attended = models.PositiveSmallIntegerField()
    absences = models.PositiveSmallIntegerField()
    graduation_event = models.BooleanField()
    eligible = models.BooleanField()
    waiver = models.ForeignKey(
        StaffWaiver, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes_recorded",
    )

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.get_outcome_display()}"

    @property
    def graduated(self) -> bool:
        return self.outcome == self.Outcome.GRADUATED


class ZoomImport(models.Model):
    """An uploaded Zoom participants report awaiting confirmation (or applied)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="zoom_imports")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="zoom_imports")
    filename = models.CharField(max_length=255)
    content = models.TextField()
    min_minutes = models.PositiveSmallIntegerField(default=60)
    timezone = models.CharField(max_length=64, help_text="The report's time zone (IANA).")
    mark_missing_absent = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="zoom_imports"
    )
    uploaded_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} for {self.session}"
