from django.contrib import admin

from .models import GroupMember, Reading, StudyGroup, StudySettings


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    raw_id_fields = ("person",)
    extra = 0


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "created_at")
    raw_id_fields = ("unit",)
    inlines = [GroupMemberInline]


@admin.register(Reading)
class ReadingAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "campaign", "sort_order")
    list_filter = ("campaign",)


@admin.register(StudySettings)
class StudySettingsAdmin(admin.ModelAdmin):
    list_display = ("campaign", "reading_type", "essay_type")
