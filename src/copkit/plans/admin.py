from django.contrib import admin

from copkit.plans.models import Feedback, Goal, Plan


class GoalInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Goal
    extra = 0


class FeedbackInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Feedback
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "enrollment", "status", "submitted_at", "updated_at"]
    list_filter = ["status", "enrollment__cohort"]
    search_fields = ["title", "enrollment__learner__username"]
    inlines = [GoalInline, FeedbackInline]
