from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MfaConfig(AppConfig):
    name = "luoshi.mfa"
    label = "mfa"
    verbose_name = _("双因素鉴别")

    def ready(self) -> None:
        from luoshi.accounts.access import PENDING_CHECKS

        from .access import enrolment_pending

        # A token of an account that must enrol but has not is refused like its session; so is
        # creating one (accounts' TokenAuth and create_token ask the registered checks).
        if enrolment_pending not in PENDING_CHECKS:
            PENDING_CHECKS.append(enrolment_pending)
