from django.contrib import admin

from .models import Exhibition, Route, RouteStop, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "location", "is_active"]
    list_filter = ["kind", "is_active"]


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 0


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    inlines = [RouteStopInline]


@admin.register(Exhibition)
class ExhibitionAdmin(admin.ModelAdmin):
    list_display = ["title", "site", "venue", "starts_on", "ends_on"]
