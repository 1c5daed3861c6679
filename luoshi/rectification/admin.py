from django.contrib import admin

from .models import Finding, Problem, TaskForce


@admin.register(TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "lead")
    raw_id_fields = ("lead", "members", "created_by")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "task_force", "deadline", "task")
    raw_id_fields = ("unit", "task_force", "task", "created_by")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("description", "activity", "unit", "deadline", "task")
    raw_id_fields = ("activity", "unit", "task", "created_by")
