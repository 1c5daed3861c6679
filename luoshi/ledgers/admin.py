from django.contrib import admin

from .models import Activity, ActivityType, Participation


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "is_personal", "takes_checkin", "is_active")
    list_filter = ("category", "is_active")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "unit", "starts_at", "deleted_at")
    list_filter = ("type",)
    raw_id_fields = ("unit", "recorded_by", "evidence_task")


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("activity", "person", "source", "checked_in_at")
    raw_id_fields = ("activity", "person")
