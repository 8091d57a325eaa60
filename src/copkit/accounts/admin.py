from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from copkit.accounts.models import User


@admin.register(User)
class CopkitUserAdmin(UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Course role", {"fields": ("role", "display_name")}),
    )
    list_display = ("username", "email", "role", "is_staff", "is_active")
    list_filter = ("role", "is_staff", "is_active")
