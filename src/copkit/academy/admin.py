"""Django admin for every academy model, so program staff can edit the catalog and cohorts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from copkit.academy import rules
from copkit.academy.models import (
    CalendarToken,
    Cohort,
    Course,
    CourseCompletion,
    Enrollment,
    Holiday,
    MeetingSlot,
    PrerequisiteWaiver,
    Program,
    Session,
    SyllabusTopic,
)
from copkit.academy.services import cohort_sessions_generate
from copkit.errors import ApplicationError


class CourseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Course
    fields = ("title", "slug", "kind", "status")
    extra = 0
    show_change_link = True


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [CourseInline]


class TopicInline(admin.StackedInline):  # type: ignore[type-arg]
    model = SyllabusTopic
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "program", "kind", "status", "price")
    list_filter = ("program", "kind", "status")
    search_fields = ("title", "slug")
    filter_horizontal = ("prerequisites",)
    inlines = [TopicInline]


@admin.register(SyllabusTopic)
class SyllabusTopicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "course", "position")
    list_filter = ("course",)


class SlotInline(admin.TabularInline):  # type: ignore[type-arg]
    model = MeetingSlot
    extra = 0


class HolidayInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Holiday
    extra = 0


class CohortAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    slack_channel_url = forms.URLField(required=False, assume_scheme="https")
    meeting_url = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Cohort
        fields = [
            "course",
            "slug",
            "name",
            "status",
            "starts_on",
            "timezone",
            "capacity",
            "facilitators",
            "slack_channel_name",
            "slack_channel_url",
            "meeting_url",
            "graduation_event_at",
            "graduation_event_minutes",
            "closed_at",
        ]

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"].strip()
        try:
            rules.timezone_get(name)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
        return name


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CohortAdminForm
    list_display = ("name", "slug", "course", "starts_on", "timezone", "capacity", "status")
    list_filter = ("course", "status")
    search_fields = ("name", "slug")
    filter_horizontal = ("facilitators",)
    inlines = [SlotInline, HolidayInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["regenerate_sessions"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """After slots and holidays are saved, (re)generate the sessions from them."""
        super().save_related(request, form, formsets, change)
        cohort = form.instance
        if not cohort.slots.exists():
            self.message_user(
                request, "Add at least one weekly meeting slot to generate sessions.", "warning"
            )
            return
        try:
            cohort_sessions_generate(cohort=cohort)
        except ApplicationError as exc:
            self.message_user(request, f"Sessions not generated: {exc.message}", "error")

    @admin.action(description="Regenerate sessions from slots and holidays")
    def regenerate_sessions(self, request: HttpRequest, queryset: object) -> None:
        for cohort in queryset:  # type: ignore[attr-defined]
            cohort_sessions_generate(cohort=cohort)
        self.message_user(request, "Sessions regenerated.")


@admin.register(MeetingSlot)
class MeetingSlotAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("cohort", "weekday", "start_time")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("cohort", "date", "note")


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("cohort", "kind", "number", "starts_at", "status", "sequence")
    list_filter = ("cohort", "kind", "status")
    readonly_fields = ("uid",)

    def save_model(self, request: HttpRequest, obj: Session, form: object, change: bool) -> None:
        # Any change in the admin is a change calendars must see.
        if change:
            obj.sequence += 1
        super().save_model(request, obj, form, change)


@admin.register(CourseCompletion)
class CourseCompletionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("learner", "course", "completed_on")
    list_filter = ("course",)
    search_fields = ("learner__username",)


@admin.register(PrerequisiteWaiver)
class PrerequisiteWaiverAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("learner", "course", "waived_by", "created_at")
    list_filter = ("course",)
    readonly_fields = ("waived_by",)

    def save_model(
        self, request: HttpRequest, obj: PrerequisiteWaiver, form: object, change: bool
    ) -> None:
        if not change:
            obj.waived_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("learner", "cohort", "track", "status", "applied_at")
    list_filter = ("cohort", "track", "status")
    search_fields = ("learner__username", "community_name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "created_at", "revoked_at")
    readonly_fields = ("token",)
