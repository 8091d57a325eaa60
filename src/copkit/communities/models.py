"""A community that a manager analyses: where its store is and its latest analysis."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Community(models.Model):
    """One community of practice, owned by the manager who analyses it.

    Member data belongs to the owner: nobody else sees the community, except program staff
    when the owner sets ``shared_with_staff``. ``analysis_json`` holds the latest
    ``copkit-analysis`` document (see ``docs/analysis-json.md``), or nothing before the
    first analysis.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="communities"
    )
    store_path = models.CharField(
        max_length=1000, help_text="The activity store (a DuckDB file) on the server."
    )
    analysis_json: models.JSONField[dict[str, Any] | None, dict[str, Any] | None] = (
        models.JSONField(null=True, blank=True)
    )
    analysed_at = models.DateTimeField(null=True, blank=True)
    shared_with_staff = models.BooleanField(
        default=False, help_text="Let program staff see this community and its report."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name
