from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """The ledger (台账): activities of configurable types, attendance and check-in."""

    name = "luoshi.ledgers"
    label = "ledgers"
    verbose_name = _("台账")
