from django.urls import path

from . import views

app_name = "mfa"
urlpatterns = [
    path("", views.enrol, name="enrol"),
    path("verify/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("remove/", views.remove, name="remove"),
    path("policy/", views.policy, name="policy"),
    path("policy/units/", views.unit_require, name="unit-require"),
    path("policy/units/<int:pk>/release/", views.unit_release, name="unit-release"),
    path("people/<int:pk>/reset/", views.person_reset, name="person-reset"),
]
