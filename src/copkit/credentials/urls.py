from django.urls import path

from copkit.credentials import views

app_name = "credentials"

urlpatterns = [
    path("jwks.json", views.jwks, name="jwks"),
    path("issuers/<slug:slug>", views.issuer, name="issuer"),
    path("achievements/<slug:slug>", views.achievement, name="achievement"),
    path("achievements/<slug:slug>/image.svg", views.image, name="image"),
    path("status/<slug:slug>.json", views.status_list, name="status_list"),
    path("manage/", views.manage, name="manage"),
    path("manage/cohorts/<slug:slug>/evaluate", views.manage_evaluate, name="manage_evaluate"),
    path("manage/enrollments/<int:pk>/override", views.manage_override, name="manage_override"),
    path("manage/<uuid:public_id>/issue", views.manage_issue, name="manage_issue"),
    path("manage/<uuid:public_id>/revoke", views.manage_revoke, name="manage_revoke"),
    path("<uuid:public_id>/", views.verify, name="verify"),
    path("<uuid:public_id>.json", views.verify_json, name="verify_json"),
    path("<uuid:public_id>/badge.<str:fmt>", views.download, name="download"),
]
