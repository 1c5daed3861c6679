from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    """Volunteer service (新时代文明实践): volunteers and teams, 一月一主题, sign-up and service
    hours, residents' orders (点单-派单-接单-评单), records and certificates (民政部令第67号)."""

    name = "luoshi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from luoshi.campaigns.hooks import TASK_DELEGATES
        from luoshi.files.access import register
        from luoshi.ledgers.hooks import RECORDERS
        from luoshi.org.services import UNIT_MOVED_HOOKS

        from . import rollups
        from .access import can_organise, moves_order_task, records_for_team, visible_hours
        from .models import ServiceHours

        def can_view_proof(user, hours: ServiceHours) -> bool:
            visible = visible_hours(user).filter(pk=hours.pk).exists()
            return visible or can_organise(user, hours.service)

        register(ServiceHours, can_view_proof)
        # The monthly counts roll up along the unit tree: a moved unit's subtree moves with it.
        if rollups.unit_moved not in UNIT_MOVED_HOOKS:
            UNIT_MOVED_HOOKS.append(rollups.unit_moved)
        # A team's leaders publish its activities (the ledger record) and take its orders (the
        # chain task), without the unit's liaison powers.
        if records_for_team not in RECORDERS:
            RECORDERS.append(records_for_team)
        if moves_order_task not in TASK_DELEGATES:
            TASK_DELEGATES.append(moves_order_task)
