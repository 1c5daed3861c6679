"""Briefing templates in the admin, to look at only: the office edits them on the reports pages,
where the patterns are validated and every change is audited."""

from django.contrib import admin

from .models import BriefingLine, BriefingSection, BriefingTemplate


class ReadOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SectionInline(ReadOnly, admin.TabularInline):
    model = BriefingSection
    extra = 0
    fields = ("order", "level", "heading", "unit")
    raw_id_fields = ("unit",)
    show_change_link = True


class LineInline(ReadOnly, admin.TabularInline):
    model = BriefingLine
    extra = 0
    fields = ("order", "metric", "activity_type", "pattern", "rounding")


@admin.register(BriefingTemplate)
class BriefingTemplateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("name", "title", "is_active", "updated_at")
    inlines = [SectionInline]


@admin.register(BriefingSection)
class BriefingSectionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("heading", "template", "level", "order")
    raw_id_fields = ("unit",)
    inlines = [LineInline]
