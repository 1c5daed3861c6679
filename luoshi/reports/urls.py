"""Reports: briefings written from the ledger's counts (page, Word, command)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.briefing, name="briefing"),
    path("briefing.docx", views.briefing_word, name="briefing-word"),
    path("issue/", views.briefing_issue, name="briefing-issue"),
    path("issued/", views.issued_list, name="issued-list"),
    path("issued/<int:pk>/", views.issued_detail, name="issued-detail"),
    path("issued/<int:pk>/document.docx", views.issued_word, name="issued-word"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/new/", views.template_create, name="template-create"),
    path("templates/<int:pk>/", views.template_detail, name="template-detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/sections/new/", views.section_create, name="section-create"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section-edit"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section-delete"),
    path("sections/<int:pk>/lines/new/", views.line_create, name="line-create"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line-edit"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line-delete"),
]
