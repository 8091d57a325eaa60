"""Awards (one per certification-track enrollment) with their history, and status lists."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from copkit.academy.models import Enrollment, Program
from copkit.credentials.statuslist import MIN_BITS


class StatusList(models.Model):
    """A W3C Bitstring Status List of one issuer (program), at ``/badges/status/<slug>.json``."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="status_lists")
    slug = models.SlugField(unique=True)
    purpose = models.CharField(max_length=20, default="revocation")
    size = models.PositiveIntegerField(default=MIN_BITS)
    next_index = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.slug


class Award(models.Model):
    """The badge decision for one enrollment: eligible, issued or revoked (or not eligible).

    Only ``issued`` means the learner holds a valid badge. A staff override (``override_reason``)
    makes the award eligible whatever the graduation rule says, and survives recalculation.
    """

    class Status(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        ELIGIBLE = "eligible", "Eligible"
        ISSUED = "issued", "Issued"
        REVOKED = "revoked", "Revoked"

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="award")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices)
    remaining = models.JSONField(default=list, blank=True, help_text="What the rule still needs.")
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_salt = models.CharField(max_length=64)
    credential = models.JSONField(null=True, blank=True)
    jwt = models.TextField(blank=True)
    key_thumbprint = models.CharField(max_length=64, blank=True)
    status_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrollment__cohort", "enrollment__learner__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="award_status_index_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.get_status_display()}"


class AwardEvent(models.Model):
    """One change to an award: who, when, from which status to which, and why. Append-only."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.from_status} -> {self.to_status}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("award events are append-only")
        super().save(*args, **kwargs)
