"""Admin: attendance marks, waivers and outcomes are read-only here (use the attendance pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from copkit.attendance.models import AttendanceMark, EnrollmentOutcome, StaffWaiver


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable by staff; never added, changed or deleted through the admin."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_program_staff", False))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_program_staff", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AttendanceMark)
class AttendanceMarkAdmin(ReadOnlyAdmin):
    list_display = ("at", "enrollment", "session", "previous_status", "status", "by", "reason")
    list_filter = ("status", "session__cohort")
    search_fields = ("enrollment__learner__username", "reason")


@admin.register(StaffWaiver)
class StaffWaiverAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "by", "at", "reason")


@admin.register(EnrollmentOutcome)
class EnrollmentOutcomeAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "outcome", "basis", "sessions_attended", "absences", "eligible")
    list_filter = ("outcome", "basis")
