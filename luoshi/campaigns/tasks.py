"""Scheduled and background work of the chain. Thin: each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="7", minute="30"))
def daily_warnings() -> int:
    """Every morning: recompute warnings, remind the people of tasks that got worse, and rebuild
    the overview counts."""
    return services.run_daily_supervision()
