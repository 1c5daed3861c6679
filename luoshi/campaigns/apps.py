from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "luoshi.campaigns"
    label = "campaigns"
    verbose_name = _("专项行动与任务")

    def ready(self) -> None:
        from luoshi.files.access import register

        from .access import can_view_task
        from .models import AccountabilityAction, ProgressReport

        register(ProgressReport, lambda user, report: can_view_task(user, report.task))
        register(AccountabilityAction, lambda user, action: can_view_task(user, action.task))
