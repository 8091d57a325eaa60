"""The user model: a Django user with one course role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    FACILITATOR = "facilitator", "Facilitator"
    STAFF = "staff", "Program staff"


class User(AbstractUser):
    """A person using copkit.

    ``role`` says what they do in the program. Program staff also get ``is_staff`` so that
    they can use the Django admin; :func:`copkit.accounts.services.user_create` keeps the
    two in step.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)
    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_program_staff(self) -> bool:
        return self.role == Role.STAFF or self.is_superuser

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR
