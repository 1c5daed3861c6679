from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/progress/", views.run_progress, name="run-progress"),
    path("plans/<int:pk>/run/", views.run_start, name="run-start"),
    path("plans/<int:pk>/copy/", views.plan_copy, name="plan-copy"),
    path("plans/<int:pk>/move/<slug:move>/", views.plan_move, name="plan-move"),
    path("plans/<int:pk>/categories/new/", views.category_edit, name="category-create"),
    path(
        "plans/<int:pk>/categories/<int:category_pk>/edit/",
        views.category_edit,
        name="category-edit",
    ),
    path("plans/<int:pk>/scores/", views.score_table, name="score-table"),
    path("plans/<int:pk>/publicity/", views.publicity, name="publicity"),
    path("plans/<int:pk>/appeals/", views.appeal_list, name="appeal-list"),
    path("plans/<int:pk>/result.docx", views.result_document, name="result-document"),
    path("plans/<int:pk>/people/", views.person_table, name="person-table"),
    path("people/<int:pk>/", views.person_score_detail, name="person-score"),
    path("mine/", views.my_scores, name="my-scores"),
    path("scores/<int:pk>/", views.unit_score_detail, name="unit-score"),
    path("scores/<int:pk>/<slug:step>/", views.unit_score_step, name="unit-score-step"),
    path("items/<int:pk>/", views.item_records, name="item-records"),
    path("items/<int:pk>/adjust/", views.item_adjust, name="item-adjust"),
    path("appeals/<int:pk>/answer/", views.appeal_answer, name="appeal-answer"),
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/new/", views.indicator_edit, name="indicator-create"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/issue/", views.notice_issue, name="notice-issue"),
    path("notices/<int:pk>/document.docx", views.notice_document, name="notice-document"),
]
