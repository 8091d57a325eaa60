from django.contrib import admin

from copkit.plans.models import Event, Feedback, Goal, Plan


class GoalInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Goal
    extra = 0


class FeedbackInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Feedback
    extra = 0


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Event
    extra = 0
    readonly_fields = ["at", "actor", "action"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "enrollment", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "enrollment__cohort"]
    search_fields = ["title", "enrollment__learner__username"]
    inlines = [GoalInline, FeedbackInline, EventInline]
