from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """Learning platforms (学习强国, 干部网络学院): imported points and hours, monthly summaries, half-year notices."""

    name = "luoshi.learning"
    label = "learning"
    verbose_name = _("学习平台")

    def ready(self) -> None:
        from .access import register_files

        register_files()
