from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("lectures/", views.lecture_list, name="lecture-list"),
    path("lectures/new/", views.lecture_record, name="lecture-record"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team-edit"),
    path("targets/", views.target_list, name="target-list"),
    path("targets/new/", views.target_create, name="target-create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
]
