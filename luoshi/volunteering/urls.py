from django.urls import path

from .views import activities, themes, volunteers

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
    path("themes/", themes.theme_list, name="theme-list"),
    path("themes/new/", themes.theme_create, name="theme-create"),
    path("themes/<int:pk>/", themes.theme_detail, name="theme-detail"),
    path("themes/<int:pk>/actions/new/", themes.action_create, name="action-create"),
    path(
        "themes/<int:pk>/actions/<int:action_pk>/issue/",
        themes.action_issue,
        name="action-issue",
    ),
    path("activities/", activities.activity_list, name="activity-list"),
    path("activities/new/", activities.activity_create, name="activity-create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/sign-up/", activities.signup_create, name="signup-create"),
    path("activities/<int:pk>/hours/add/", activities.hours_add, name="hours-add"),
    path("sign-ups/<int:pk>/cancel/", activities.signup_cancel, name="signup-cancel"),
    path("sign-ups/<int:pk>/decide/", activities.signup_decide, name="signup-decide"),
    path("checkin/", activities.checkin, name="checkin"),
    path("hours/<int:pk>/object/", activities.objection_create, name="objection-create"),
    path("objections/", activities.objection_list, name="objection-list"),
    path("objections/<int:pk>/answer/", activities.objection_answer, name="objection-answer"),
    path("objections/<int:pk>/escalate/", activities.objection_escalate, name="objection-escalate"),
]
