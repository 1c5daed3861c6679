from django.urls import path

from .views import volunteers

app_name = "volunteering"
urlpatterns = [
    path("", volunteers.home, name="home"),
    path("register/", volunteers.register, name="register"),
    path("volunteers/", volunteers.volunteer_list, name="volunteer-list"),
    path("volunteers/<int:pk>/", volunteers.volunteer_detail, name="volunteer-detail"),
    path("volunteers/<int:pk>/edit/", volunteers.volunteer_edit, name="volunteer-edit"),
    path("teams/", volunteers.team_list, name="team-list"),
    path("teams/new/", volunteers.team_create, name="team-create"),
    path("teams/<int:pk>/edit/", volunteers.team_edit, name="team-edit"),
]
