from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
    path("profile/", views.profile, name="profile"),
    path("tokens/new/", views.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/end/", views.session_end, name="session-end"),
    path("people/<int:pk>/security/", views.person_security, name="person-security"),
    path("people/<int:pk>/sessions/end/", views.person_sessions_end, name="person-sessions-end"),
    path(
        "people/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.person_token_revoke,
        name="person-token-revoke",
    ),
    path("lockouts/", views.lockout_list, name="lockout-list"),
    path("lockouts/release/", views.lockout_release, name="lockout-release"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("first-steps/dismiss/", views.first_steps_dismiss, name="first-steps-dismiss"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
]
