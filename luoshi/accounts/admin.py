"""Accounts in the Django admin (configuration only; day-to-day management is on the org pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AccessToken, Notification, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "masked_phone", "is_active", "is_demo", "last_login")
    list_filter = ("is_active", "is_demo", "must_change_password", "is_staff")
    search_fields = ("username", "name", "pinyin", "initials")
    ordering = ("pinyin", "id")
    readonly_fields = ("last_login", "date_joined", "password_changed_at")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (
            _("账号安全"),
            {"fields": ("is_active", "must_change_password", "password_changed_at", "is_demo")},
        ),
        (_("后台权限"), {"fields": ("is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "name", "password1", "password2")}),)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: User) -> str:
        return obj.masked_phone


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner on the profile page, where the secret is shown once."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = (*readonly_fields, "expires_at")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "level", "created_at", "read_at")
    list_filter = ("level",)
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "task")
    search_fields = ("title",)
