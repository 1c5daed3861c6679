"""Scheduled work of volunteer service. Thin: each calls a service."""

import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="7", minute="10"))
def daily_action_progress() -> int:
    """Every morning, before the chain's warnings: the units' prescribed-action progress counted
    again from their linked volunteer activities (a record deleted in the ledger drops out)."""
    return services.sync_all_progress(since=timezone.localdate() - datetime.timedelta(days=60))
