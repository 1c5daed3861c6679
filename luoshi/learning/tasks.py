"""Scheduled and background work of the learning reports. Thin: each calls a service."""

import datetime

from django.tasks import task
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import selectors, services


@db_periodic_task(crontab(day="1", hour="6", minute="0"))
def monthly_summaries() -> int:
    """On the 1st: store last month's summary (一月一汇总) of every tree and platform and tell
    the liaisons where to read it."""
    month = selectors.previous_month(timezone.localdate())
    return len(services.generate_monthly_summaries(month=month))


@db_periodic_task(crontab(hour="3", minute="40"))
def discard_stale_previews() -> int:
    """Every night: previews left unconfirmed for a week are discarded and their staged rows
    removed (a province's export stages 200,000)."""
    return len(services.discard_stale_previews())


@task
def refresh_summaries(platform: str, period_start: str) -> None:
    """Store again a month's summaries after an import of that month is confirmed or undone
    (the pages show live figures meanwhile): enqueue with
    `refresh_summaries.enqueue(platform, period_start.isoformat())` in transaction.on_commit."""
    services.refresh_after_import(
        platform=platform, period_start=datetime.date.fromisoformat(period_start)
    )
