"""Report pages of learning, included by urls.py under the "learning" namespace."""

from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("summary/", views.summary, name="summary"),
    path("summary/units/<int:pk>/", views.summary_unit, name="summary-unit"),
    path("ranking/", views.ranking, name="ranking"),
    path("me/", views.me, name="me"),
    path("settings/", views.settings_page, name="settings"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/template/", views.notice_template, name="notice-template"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/document.docx", views.notice_document, name="notice-document"),
]
