from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.problem_list, name="problem-list"),
    path("problems/new/", views.problem_create, name="problem-create"),
    path("task-forces/", views.task_force_list, name="task-force-list"),
    path("task-forces/new/", views.task_force_create, name="task-force-create"),
    path("task-forces/<int:pk>/edit/", views.task_force_edit, name="task-force-edit"),
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
]
