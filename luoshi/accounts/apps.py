from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "luoshi.accounts"
    label = "accounts"
    verbose_name = _("账号与消息")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the audit of logins and logouts)
