"""The campaigns namespace: dashboards and lists, the campaign set-up, the task page and its
moves, and the accountability kinds."""

from django.urls import path

from .views import dashboards, lists, setup, tasks

app_name = "campaigns"
urlpatterns = [
    path("workbench/", dashboards.workbench, name="workbench"),
    path("campaigns/", lists.campaign_list, name="campaign-list"),
    path("campaigns/<int:pk>/overview/", dashboards.campaign_overview, name="campaign-overview"),
    path("tasks/", lists.task_list, name="task-list"),
    path("tasks/export/", lists.task_export, name="task-export"),
    path("tasks/unit-options/", lists.unit_options, name="task-unit-options"),
    path("notices/", lists.notice_list, name="notice-list"),
    path("accountability/", lists.accountability_list, name="accountability-list"),
    path("campaigns/new/", setup.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", setup.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:pk>/edit/", setup.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:pk>/tracks/add/", setup.track_add, name="track-add"),
    path(
        "campaigns/<int:pk>/leading-group/",
        setup.leading_group_edit,
        name="leading-group-edit",
    ),
    path("campaigns/<int:pk>/tasks/new/", setup.task_create, name="task-create"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", setup.task_edit, name="task-edit"),
    path("tasks/<int:pk>/issue/", setup.task_issue, name="task-issue"),
    path("tasks/<int:pk>/sign/", tasks.task_sign, name="task-sign"),
    path("tasks/<int:pk>/assign/", tasks.task_assign, name="task-assign"),
    path("tasks/<int:pk>/decompose/", tasks.task_decompose, name="task-decompose"),
    path("tasks/<int:pk>/report/", tasks.task_report, name="task-report"),
    path("tasks/<int:pk>/verify/", tasks.task_verify, name="task-verify"),
    path("tasks/<int:pk>/close/", tasks.task_close, name="task-close"),
    path("tasks/<int:pk>/withdraw/", tasks.task_withdraw, name="task-withdraw"),
    path("tasks/<int:pk>/notices/new/", tasks.notice_create, name="notice-create"),
    path("notices/<int:pk>/reply/", tasks.notice_reply, name="notice-reply"),
    path("notices/<int:pk>/document.docx", tasks.notice_document, name="notice-document"),
    path("tasks/<int:pk>/remind/", tasks.task_remind, name="task-remind"),
    path(
        "tasks/<int:pk>/accountability/new/",
        tasks.accountability_create,
        name="accountability-create",
    ),
    path("tasks/<int:pk>/comment/", tasks.task_comment, name="task-comment"),
    path("tasks/<int:pk>/milestones/new/", tasks.milestone_add, name="milestone-add"),
    path("milestones/<int:pk>/toggle/", tasks.milestone_toggle, name="milestone-toggle"),
    path("tasks/<int:pk>/delete/", tasks.task_delete, name="task-delete"),
    path("tasks/<int:pk>/restore/", tasks.task_restore, name="task-restore"),
    path(
        "accountability-kinds/",
        setup.accountability_kind_list,
        name="accountability-kind-list",
    ),
    path(
        "accountability-kinds/new/",
        setup.accountability_kind_create,
        name="accountability-kind-create",
    ),
    path(
        "accountability-kinds/<int:pk>/edit/",
        setup.accountability_kind_edit,
        name="accountability-kind-edit",
    ),
    path(
        "accountability-kinds/<int:pk>/toggle/",
        setup.accountability_kind_toggle,
        name="accountability-kind-toggle",
    ),
]
