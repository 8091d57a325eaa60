from django.urls import path

from copkit.coursework import views, views_coworking

app_name = "coursework"

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("preferences/", views_coworking.preferences, name="preferences"),
    path("course/<slug:slug>/", views.course, name="course"),
    path(
        "course/<slug:slug>/topics/<slug:topic_slug>/worksheets/new/",
        views.worksheet_create,
        name="worksheet_create",
    ),
    path("worksheets/<int:pk>/edit/", views.worksheet_edit, name="worksheet_edit"),
    path("worksheets/<int:pk>/fields/", views.field_add, name="field_add"),
    path("fields/<int:pk>/", views.field_edit, name="field_edit"),
    path("fields/<int:pk>/delete/", views.field_delete, name="field_delete"),
    path("cohort/<slug:slug>/", views.cohort, name="cohort"),
    path("cohort/<slug:slug>/worksheets/<int:pk>/", views.worksheet_fill, name="worksheet_fill"),
    path("cohort/<slug:slug>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", views.assignment, name="assignment"),
    path("assignments/<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/publish/", views.assignment_publish, name="assignment_publish"),
    path("assignments/<int:pk>/criteria/", views.criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/review/", views.review_start, name="review_start"),
    path("reviews/<int:pk>/", views.review_save, name="review_save"),
    path("files/<int:pk>/", views.stored_file, name="file"),
    path("cohort/<slug:slug>/coworking/", views_coworking.coworking_page, name="coworking"),
    path(
        "cohort/<slug:slug>/coworking/sessions/",
        views_coworking.coworking_session_create,
        name="coworking_session_create",
    ),
    path("coworking/<int:pk>/pairs/", views_coworking.pairs_assign, name="pairs_assign"),
    path("coworking/<int:pk>/goal/", views_coworking.goal_set, name="goal_set"),
    path("goals/<int:pk>/checkin/", views_coworking.checkin, name="checkin"),
    path("cohort/<slug:slug>/playbook/", views_coworking.playbook, name="playbook"),
    path("playbook-sections/<int:pk>/", views_coworking.playbook_section, name="playbook_section"),
    path("playbooks/<int:pk>/", views_coworking.playbook_of, name="playbook_of"),
    path("cohort/<slug:slug>/slack/", views_coworking.channel, name="channel"),
    path("cohort/<slug:slug>/slack/test/", views_coworking.channel_test, name="channel_test"),
]
