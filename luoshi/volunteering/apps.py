from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    """Volunteer service (新时代文明实践): volunteers and teams, 一月一主题, sign-up and service
    hours, residents' orders (点单-派单-接单-评单), records and certificates (民政部令第67号)."""

    name = "luoshi.volunteering"
    label = "volunteering"
    verbose_name = _("志愿服务")
