from django.urls import path

from . import views

app_name = "ledgers"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_record, name="activity-record"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity-delete"),
    path("activities/<int:pk>/restore/", views.activity_restore, name="activity-restore"),
    path(
        "activities/<int:pk>/participants/",
        views.activity_participants,
        name="activity-participants",
    ),
    path("activities/import/", views.activity_import, name="activity-import"),
    path("types/<int:pk>/template.xlsx", views.type_template, name="type-template"),
    path("checkin/", views.checkin, name="checkin"),
    path("people/", views.people, name="people"),
    path("types/", views.type_list, name="type-list"),
    path("types/new/", views.type_create, name="type-create"),
    path("types/<int:pk>/edit/", views.type_edit, name="type-edit"),
]
