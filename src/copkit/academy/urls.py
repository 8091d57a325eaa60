from django.urls import URLPattern, URLResolver, path

from copkit.academy import views

app_name = "academy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<slug:slug>/", views.course_detail, name="course_detail"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:slug>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<slug:slug>/apply/", views.enrollment_apply, name="apply"),
    path("cohorts/<slug:slug>/calendar.ics", views.cohort_feed, name="cohort_feed"),
    path("sessions/<uuid:uid>/edit/", views.session_edit, name="session_edit"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="withdraw"),
    path("waivers/new/", views.waiver_create, name="waiver_create"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_feed"),
]
