from django.urls import include, path

from . import views_import

app_name = "learning"
urlpatterns = [
    path("imports/", views_import.import_list, name="import-list"),
    path("imports/upload/", views_import.import_upload, name="import-upload"),
    path("imports/<int:pk>/", views_import.import_detail, name="import-detail"),
    path("imports/<int:pk>/file/", views_import.import_file, name="import-file"),
    path("imports/<int:pk>/mapping/", views_import.import_mapping, name="import-mapping"),
    path(
        "imports/<int:pk>/organisation/",
        views_import.import_organisation,
        name="import-organisation",
    ),
    path("imports/<int:pk>/rows/<int:row_pk>/", views_import.import_row, name="import-row"),
    path("imports/<int:pk>/confirm/", views_import.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/undo/", views_import.import_undo, name="import-undo"),
    path("imports/<int:pk>/discard/", views_import.import_discard, name="import-discard"),
    # The summaries, notices and settings (services_reports, views_reports) live in their own
    # URL module; included here so that both halves share the "learning" namespace.
    path("", include("luoshi.learning.urls_reports")),
]
