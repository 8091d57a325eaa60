"""URLs of the attendance pages, under ``/attendance/``."""

from django.urls import URLPattern, path

from copkit.attendance import views

app_name = "attendance"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("cohorts/<slug:slug>/", views.cohort_view, name="cohort"),
    path("cohorts/<slug:slug>/sessions/<int:number>/", views.roster, name="roster"),
    path("cohorts/<slug:slug>/graduation/", views.roster, name="graduation"),
    path("cohorts/<slug:slug>/sessions/<int:number>/import/", views.zoom_upload, name="import"),
    path("cohorts/<slug:slug>/graduation/import/", views.zoom_upload, name="graduation_import"),
    path("cohorts/<slug:slug>/imports/<int:pk>/", views.zoom_preview, name="import_preview"),
    path("cohorts/<slug:slug>/export/<str:table>.<str:fmt>", views.export, name="export"),
    path("cohorts/<slug:slug>/audit/", views.audit, name="audit"),
    path("cohorts/<slug:slug>/close/", views.close, name="close"),
    path("cohorts/<slug:slug>/waivers/<int:enrollment_id>/", views.waiver, name="waiver"),
]
