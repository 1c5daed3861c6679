from django.contrib import admin

from .models import Lecture, LectureTarget, LectureTeam, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ("person",)
    extra = 0


@admin.register(LectureTeam)
class LectureTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "leader", "is_active")
    raw_id_fields = ("unit", "leader")
    inlines = [TeamMemberInline]


@admin.register(LectureTarget)
class LectureTargetAdmin(admin.ModelAdmin):
    list_display = ("name", "venue_category", "unit", "sort_order", "is_active")
    list_filter = ("venue_category", "is_active")
    raw_id_fields = ("unit",)


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ("activity", "team", "target")
    raw_id_fields = ("activity", "team", "target")
