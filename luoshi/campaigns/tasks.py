"""Scheduled and background work of the chain. Thin: each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="7", minute="30"))
def daily_warnings() -> int:
    """Every morning: recompute warnings and remind the people of tasks that got worse."""
    return len(services.refresh_warnings(notify_changes=True))
