from django.urls import path

from .views import checkin, imports, lists, records, types

app_name = "ledgers"
urlpatterns = [
    path("", lists.ledger, name="ledger"),
    path("activities/", lists.activity_list, name="activity-list"),
    path("activities/new/", records.activity_record, name="activity-record"),
    path("activities/<int:pk>/", records.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", records.activity_edit, name="activity-edit"),
    path("activities/<int:pk>/delete/", records.activity_delete, name="activity-delete"),
    path("activities/<int:pk>/restore/", records.activity_restore, name="activity-restore"),
    path(
        "activities/<int:pk>/participants/",
        records.activity_participants,
        name="activity-participants",
    ),
    path("activities/import/", imports.activity_import, name="activity-import"),
    path("types/<int:pk>/template.xlsx", imports.type_template, name="type-template"),
    path("checkin/", checkin.checkin, name="checkin"),
    path("people/", lists.people, name="people"),
    path("types/", types.type_list, name="type-list"),
    path("types/new/", types.type_create, name="type-create"),
    path("types/<int:pk>/edit/", types.type_edit, name="type-edit"),
]
