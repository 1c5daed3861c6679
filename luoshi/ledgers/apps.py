from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """The ledger (台账): activities of configurable types, attendance and check-in."""

    name = "luoshi.ledgers"
    label = "ledgers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from luoshi.files.access import register
        from luoshi.org.services import UNIT_MOVED_HOOKS

        from . import rollups
        from .access import can_view_activity
        from .models import Activity

        register(Activity, can_view_activity)
        # The counts roll up along the unit tree: a moved unit's subtree moves with it.
        if rollups.unit_moved not in UNIT_MOVED_HOOKS:
            UNIT_MOVED_HOOKS.append(rollups.unit_moved)
