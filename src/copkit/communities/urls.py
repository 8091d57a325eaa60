from django.urls import path

from copkit.communities import views

app_name = "communities"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("<slug:slug>/", views.community_detail, name="detail"),
    path("<slug:slug>/report.<str:format>", views.community_download, name="download"),
]
