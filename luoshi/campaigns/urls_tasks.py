from django.urls import path

from . import views, views_setup

urlpatterns = [
    path("campaigns/new/", views_setup.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", views_setup.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", views_setup.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/tracks/add/", views_setup.track_add, name="track-add"),
    path(
        "campaigns/<int:pk>/leading-group/",
        views_setup.leading_group_edit,
        name="leading-group-edit",
    ),
    path("campaigns/<int:pk>/tasks/new/", views_setup.task_create, name="task-create"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", views_setup.task_edit, name="task-edit"),
    path("tasks/<int:pk>/issue/", views_setup.task_issue, name="task-issue"),
    path("tasks/<int:pk>/sign/", views.task_sign, name="task-sign"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task-assign"),
    path("tasks/<int:pk>/decompose/", views.task_decompose, name="task-decompose"),
    path("tasks/<int:pk>/report/", views.task_report, name="task-report"),
    path("tasks/<int:pk>/verify/", views.task_verify, name="task-verify"),
    path("tasks/<int:pk>/close/", views.task_close, name="task-close"),
    path("tasks/<int:pk>/withdraw/", views.task_withdraw, name="task-withdraw"),
    path("tasks/<int:pk>/notices/new/", views.notice_create, name="notice-create"),
    path("notices/<int:pk>/reply/", views.notice_reply, name="notice-reply"),
    path("tasks/<int:pk>/remind/", views.task_remind, name="task-remind"),
    path(
        "tasks/<int:pk>/accountability/new/",
        views.accountability_create,
        name="accountability-create",
    ),
    path("tasks/<int:pk>/comment/", views.task_comment, name="task-comment"),
    path("tasks/<int:pk>/milestones/new/", views.milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/toggle/", views.milestone_toggle, name="milestone-toggle"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task-delete"),
    path("tasks/<int:pk>/restore/", views.task_restore, name="task-restore"),
    path(
        "accountability-kinds/",
        views_setup.accountability_kind_list,
        name="accountability-kind-list",
    ),
    path(
        "accountability-kinds/new/",
        views_setup.accountability_kind_create,
        name="accountability-kind-create",
    ),
    path(
        "accountability-kinds/<int:pk>/edit/",
        views_setup.accountability_kind_edit,
        name="accountability-kind-edit",
    ),
    path(
        "accountability-kinds/<int:pk>/toggle/",
        views_setup.accountability_kind_toggle,
        name="accountability-kind-toggle",
    ),
]
