"""Pages of learning, in the "learning" namespace: the imports, then the summaries, rankings,
settings, notices and a staff member's own figures."""

from django.urls import path

from .views import imports, reports

app_name = "learning"
urlpatterns = [
    path("imports/", imports.import_list, name="import-list"),
    path("imports/upload/", imports.import_upload, name="import-upload"),
    path("imports/organisations/", imports.org_aliases, name="org-aliases"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/file/", imports.import_file, name="import-file"),
    path("imports/<int:pk>/mapping/", imports.import_mapping, name="import-mapping"),
    path(
        "imports/<int:pk>/organisation/",
        imports.import_organisation,
        name="import-organisation",
    ),
    path("imports/<int:pk>/rows/<int:row_pk>/", imports.import_row, name="import-row"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/undo/", imports.import_undo, name="import-undo"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import-discard"),
    path("summary/", reports.summary, name="summary"),
    path("summary/units/<int:pk>/", reports.summary_unit, name="summary-unit"),
    path("ranking/", reports.ranking, name="ranking"),
    path("me/", reports.me, name="me"),
    path("settings/", reports.settings_page, name="settings"),
    path("notices/", reports.notice_list, name="notice-list"),
    path("notices/new/", reports.notice_create, name="notice-create"),
    path("notices/template/", reports.notice_template, name="notice-template"),
    path("notices/<int:pk>/", reports.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/current/", reports.notice_current, name="notice-current"),
    path("notices/<int:pk>/document.docx", reports.notice_document, name="notice-document"),
]
