from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
]
