from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """Media matrix (融媒矩阵): channels, publications and journalists' targets."""

    name = "luoshi.media"
    label = "media"
    verbose_name = _("融媒矩阵")
