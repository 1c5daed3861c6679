from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Meetings (周例会, 月调度会, 半年总结, 年度考核会): minutes, agenda and decisions that become tasks."""

    name = "luoshi.meetings"
    label = "meetings"
    verbose_name = _("会议")
