from django.contrib import admin

from .models import Job, Worker


class ReadOnlyAdmin(admin.ModelAdmin):
    """The records are written by the queue only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["name", "status", "slot", "attempts", "worker", "enqueued_at", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["task_id", "name"]
    exclude = ["message"]


@admin.register(Worker)
class WorkerAdmin(ReadOnlyAdmin):
    list_display = ["name", "hostname", "pid", "started_at", "seen_at"]
