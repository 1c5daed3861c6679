from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Outreach lectures (挎包宣讲): lecture teams, target places and the coverage table."""

    name = "luoshi.outreach"
    label = "outreach"
    verbose_name = _("挎包宣讲")
