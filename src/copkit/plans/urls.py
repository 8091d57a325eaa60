from django.urls import path

from copkit.plans import views

app_name = "plans"

_PLAN = "<slug:slug>/<str:username>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.cohort, name="cohort"),
    path(_PLAN, views.detail, name="detail"),
    path(_PLAN + "plan.<str:format>", views.download, name="download"),
    path(_PLAN + "edit/", views.plan_edit, name="edit"),
    path(_PLAN + "goals/", views.goal_add, name="goal_add"),
    path(_PLAN + "goals/<int:pk>/", views.goal_edit, name="goal_edit"),
    path(_PLAN + "goals/<int:pk>/delete/", views.goal_delete, name="goal_delete"),
    path(_PLAN + "submit/", views.submit, name="submit"),
    path(_PLAN + "reopen/", views.reopen, name="reopen"),
    path(_PLAN + "feedback/", views.feedback, name="feedback"),
]
