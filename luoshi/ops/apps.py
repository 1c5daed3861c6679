from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the stored record of every queued job (so that a job whose worker died runs
    again), one run per periodic slot however many workers there are, and backup/restore."""

    name = "luoshi.ops"
    label = "ops"
    verbose_name = _("运维")

    def ready(self) -> None:
        from huey.contrib.djhuey import HUEY

        from . import jobs

        jobs.install(HUEY)
