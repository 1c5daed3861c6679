from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyConfig(AppConfig):
    """Study: study groups, the designated reading list, reading records and reflection essays."""

    name = "luoshi.study"
    label = "study"
    verbose_name = _("学习")
