"""Keeping `TaskRollup` equal to the tasks it counts.

An overview of 100,000 tasks cannot count them on every page view within 200 ms on SQLite, so
the counts per (campaign, unit, track) are kept in `TaskRollup` and overviews sum at most one row
per unit and track. The rows of a unit are recomputed from its tasks (one GROUP BY over that unit's
tasks, through the unit index) whenever one of its tasks changes; `rebuild` recomputes a whole
campaign (daily job, bulk loads). Recomputing instead of incrementing keeps it correct whatever
changed.

Two moves on different tasks of one unit both recompute its rows: each recomputation first locks
the campaign's row (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already
serialise writers), so the second waits for the first and then counts both changes, rather than
inserting beside the first's rows (the unique cell constraint would refuse it with a 500).
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import Campaign, Task, TaskRollup, TaskState, WarningLevel

S = TaskState
COUNTS = ("total", "issued", "signed", "in_progress", "submitted", "done", "red", "yellow", "blue")


def tally() -> dict[str, Any]:
    """The aggregate expressions of one rollup row, over a queryset of tasks."""
    return {
        "total": Count("id"),
        "issued": Count("id", filter=Q(state=S.ISSUED)),
        "signed": Count("id", filter=Q(state=S.SIGNED)),
        "in_progress": Count("id", filter=Q(state=S.IN_PROGRESS)),
        "submitted": Count("id", filter=Q(state=S.SUBMITTED)),
        "done": Count("id", filter=Q(state__in=[S.VERIFIED, S.CLOSED])),
        "red": Count("id", filter=Q(warning=WarningLevel.RED)),
        "yellow": Count("id", filter=Q(warning=WarningLevel.YELLOW)),
        "blue": Count("id", filter=Q(warning=WarningLevel.BLUE)),
        "progress_sum": Coalesce(Sum("progress"), Value(0)),
    }


def counted_tasks():
    """The tasks the rollup counts: the units' own tasks, alive and not withdrawn."""
    plans = Task.objects.filter(unit__isnull=True).values("id")
    return (
        Task.objects.filter(deleted_at__isnull=True, unit__isnull=False)
        .filter(Q(parent__isnull=True) | Q(parent__in=plans))
        .exclude(state=S.WITHDRAWN)
    )


@transaction.atomic
def _replace(campaign_id: int, unit_ids: Iterable[int] | None) -> None:
    list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk"))
    tasks = counted_tasks().filter(campaign_id=campaign_id)
    rows = TaskRollup.objects.filter(campaign_id=campaign_id)
    if unit_ids is not None:
        unit_ids = sorted(set(unit_ids))
        tasks = tasks.filter(unit_id__in=unit_ids)
        rows = rows.filter(unit_id__in=unit_ids)
    rows.delete()
    TaskRollup.objects.bulk_create(
        (
            TaskRollup(campaign_id=campaign_id, **values)
            for values in tasks.order_by().values("unit_id", "track_id").annotate(**tally())
        ),
        batch_size=1000,
    )


def refresh(tasks: Iterable[Task]) -> None:
    """Recompute the rows of the units these tasks belong to (any task; plans are skipped)."""
    units: dict[int, set[int]] = defaultdict(set)
    for task in tasks:
        if task.unit_id is not None:
            units[task.campaign_id].add(task.unit_id)
    for campaign_id, unit_ids in units.items():
        _replace(campaign_id, unit_ids)


def rebuild(campaign_id: int | None = None) -> None:
    """Recompute every row of one campaign, or of all campaigns."""
    if campaign_id is not None:
        _replace(campaign_id, None)
        return
    for pk in Task.objects.order_by().values_list("campaign_id", flat=True).distinct():
        _replace(pk, None)
    TaskRollup.objects.exclude(campaign_id__in=Task.objects.values("campaign_id")).delete()
