from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    """Rectification: the problem list, task forces and market inspections whose findings open 整改 tasks."""

    name = "luoshi.rectification"
    label = "rectification"
    verbose_name = _("整改")
