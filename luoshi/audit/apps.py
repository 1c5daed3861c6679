from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "luoshi.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        # Refuse to start rather than write an audit log that cannot be verified or is kept too
        # briefly: both are conditions of 等保 三级, not preferences.
        from .chain import require_sm3
        from .retention import require_retention

        require_sm3()
        require_retention()
