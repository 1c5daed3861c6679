from django.urls import path

from . import dashboards

urlpatterns = [
    path("workbench/", dashboards.workbench, name="workbench"),
    path("campaigns/", dashboards.campaign_list, name="campaign-list"),
    path("campaigns/<int:pk>/overview/", dashboards.campaign_overview, name="campaign-overview"),
    path("tasks/", dashboards.task_list, name="task-list"),
    path("tasks/export/", dashboards.task_export, name="task-export"),
    path("tasks/unit-options/", dashboards.unit_options, name="task-unit-options"),
    path("notices/", dashboards.notice_list, name="notice-list"),
]
