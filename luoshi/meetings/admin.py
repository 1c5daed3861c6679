from django.contrib import admin

from .models import Decision, Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("activity", "campaign", "updated_at")
    raw_id_fields = ("activity",)


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("text", "meeting", "unit", "owner", "deadline", "task")
    raw_id_fields = ("meeting", "unit", "owner", "task", "created_by")
