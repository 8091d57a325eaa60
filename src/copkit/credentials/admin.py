"""Read-only admin views of awards: changes go through the Badges pages (and their history)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from copkit.credentials.models import Award, AwardEvent, StatusList


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Program staff may look; nobody edits here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_program_staff", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_program_staff", False))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AwardEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AwardEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Award)
class AwardAdmin(_ReadOnly):
    list_display = ["enrollment", "status", "issued_at", "revoked_at", "public_id"]
    list_filter = ["status", "enrollment__cohort"]
    inlines = [AwardEventInline]


@admin.register(StatusList)
class StatusListAdmin(_ReadOnly):
    list_display = ["slug", "program", "purpose", "next_index", "size"]
