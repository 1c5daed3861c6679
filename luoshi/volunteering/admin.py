from django.contrib import admin

from .models import PracticeUnit, Skill, VolunteerSettings


@admin.register(VolunteerSettings)
class VolunteerSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "min_attendance_percent", "publicity_days", "cancel_cutoff_hours"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]


@admin.register(PracticeUnit)
class PracticeUnitAdmin(admin.ModelAdmin):
    list_display = ["unit", "level", "takes_part"]
    list_select_related = ["unit"]
