from django.urls import path

from . import dashboards

urlpatterns = [
    path("workbench/", dashboards.workbench, name="workbench"),
]
