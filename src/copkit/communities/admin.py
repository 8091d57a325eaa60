from django.contrib import admin

from copkit.communities.models import Community


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "slug", "owner", "analysed_at", "shared_with_staff"]
    search_fields = ["name", "slug", "owner__username"]
    exclude = ["analysis_json"]
