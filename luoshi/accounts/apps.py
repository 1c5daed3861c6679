from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "luoshi.accounts"
    label = "accounts"
    verbose_name = _("账号与消息")

    def ready(self) -> None:
        from django.db.models import fields

        from . import signals  # noqa: F401  (connects the audit of logins and logouts)

        # The empty choice of every select built from a model field. Django 6.1's own
        # "- Select an option -" has no Chinese in Django's catalogue, so it leaked into the
        # Chinese UI; Django documents overriding it here, in an app's ready().
        fields.BLANK_CHOICE_LABEL = _("— 请选择 —")
