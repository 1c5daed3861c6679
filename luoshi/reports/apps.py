from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports: briefings written from the ledger's counts (page, Word, command)."""

    name = "luoshi.reports"
    label = "reports"
    verbose_name = _("报告")
