"""Scheduled work of the files app. Thin: each calls a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="3", minute="20"))
def sweep_uploads() -> int:
    """Every night: remove the orphan attachment files older than a day."""
    return len(services.sweep_orphan_files())
