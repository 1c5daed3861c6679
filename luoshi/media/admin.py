from django.contrib import admin

from .models import Channel, JournalistTarget, Publication


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "is_active"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["activity", "channel", "level", "views"]
    list_filter = ["channel", "level"]
    raw_id_fields = ["activity"]


@admin.register(JournalistTarget)
class JournalistTargetAdmin(admin.ModelAdmin):
    list_display = ["person", "unit", "period_kind", "period_start", "level", "count"]
    list_filter = ["period_kind", "level"]
    raw_id_fields = ["person", "unit"]
