"""The organisation in the Django admin: to look up only. Units, people and grants change on the
org pages, through the services that check scope, keep paths consistent and write the audit log."""

from django.contrib import admin

from .models import Membership, RoleGrant, Unit


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "short_name", "kind", "parent", "depth", "sort_order", "deleted_at")
    list_filter = ("kind", "depth")
    search_fields = ("name", "short_name", "pinyin", "initials")
    list_select_related = ("parent",)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("person", "unit", "position", "is_primary")
    search_fields = ("person__name", "person__username", "unit__name")
    list_select_related = ("person", "unit")


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("person", "role", "unit", "scope", "granted_by", "granted_at")
    list_filter = ("role", "scope")
    search_fields = ("person__name", "person__username", "unit__name")
    list_select_related = ("person", "unit", "granted_by")
