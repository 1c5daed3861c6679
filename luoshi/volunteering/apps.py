from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    """Volunteer service (新时代文明实践): volunteers and teams, 一月一主题, sign-up and service
    hours, residents' orders (点单-派单-接单-评单), records and certificates (民政部令第67号)."""

    name = "luoshi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")

    def ready(self) -> None:
        from luoshi.files.access import register
        from luoshi.org.services import UNIT_MOVED_HOOKS

        from . import rollups
        from .access import can_organise, visible_hours
        from .models import ServiceHours

        def can_view_proof(user, hours: ServiceHours) -> bool:
            visible = visible_hours(user).filter(pk=hours.pk).exists()
            return visible or can_organise(user, hours.service)

        register(ServiceHours, can_view_proof)
        # The monthly counts roll up along the unit tree: a moved unit's subtree moves with it.
        if rollups.unit_moved not in UNIT_MOVED_HOOKS:
            UNIT_MOVED_HOOKS.append(rollups.unit_moved)
