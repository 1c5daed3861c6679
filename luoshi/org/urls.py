from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/import/", views.unit_import, name="unit-import"),
    path("units/import/template/", views.unit_import_template, name="unit-import-template"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit-delete"),
    path("units/<int:pk>/restore/", views.unit_restore, name="unit-restore"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/import/", views.person_import, name="person-import"),
    path("people/import/template/", views.person_import_template, name="person-import-template"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/password/", views.person_password, name="person-password"),
    path("people/<int:pk>/memberships/", views.membership_add, name="membership-add"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
    path("import/report.xlsx", views.import_report, name="import-report"),
    path("grants/", views.grant_list, name="grant-list"),
    path("grants/new/", views.grant_create, name="grant-create"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("pickers/units/", views.unit_picker, name="unit-picker"),
    path("pickers/people/", views.person_picker, name="person-picker"),
]
