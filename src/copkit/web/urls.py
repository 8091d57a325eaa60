"""URL configuration: each app owns its prefix."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from copkit.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accounts/", include("copkit.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("copkit.academy.urls")),
    path("attendance/", include("copkit.attendance.urls")),
    path("coursework/", include("copkit.coursework.urls")),
    path("badges/", include("copkit.credentials.urls")),
    path("communities/", include("copkit.communities.urls")),
    path("plans/", include("copkit.plans.urls")),
]

if settings.DEBUG:  # pragma: no cover - development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
