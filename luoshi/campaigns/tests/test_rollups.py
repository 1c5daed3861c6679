"""The overview counts kept in TaskRollup always equal counting the tasks themselves."""

import datetime

import pytest
from django.utils import timezone

from luoshi.campaigns import rollups
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task, TaskRollup
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

FIELDS = (*rollups.COUNTS, "progress_sum")


def stored() -> dict:
    return {
        (row.campaign_id, row.unit_id, row.track_id): tuple(getattr(row, f) for f in FIELDS)
        for row in TaskRollup.objects.all()
    }


def counted() -> dict:
    rows = (
        rollups.counted_tasks()
        .order_by()
        .values("campaign_id", "unit_id", "track_id")
        .annotate(**rollups.tally())
    )
    return {
        (row["campaign_id"], row["unit_id"], row["track_id"]): tuple(row[f] for f in FIELDS)
        for row in rows
    }


def test_rollup_follows_every_move(world):
    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    assert stored() == counted() and len(stored()) == 2
    task_a, task_b = tasks
    chain.sign_task(actor=world.liaison, task=task_a)
    chain.assign_task(actor=world.liaison, task=task_a, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task_a, percent=60, text="过半")
    assert stored() == counted()
    assert TaskRollup.objects.get(unit=world.unit_a).progress_sum == 60
    chain.decompose_task(
        actor=world.liaison,
        task=task_a,
        items=[chain.SubTaskSpec(title="子任务", owner=world.staff2)],
    )
    chain.report_progress(actor=world.staff, task=task_a, percent=100, text="完成", complete=True)
    chain.verify_task(actor=world.office, task=task_a, passed=False, reason="补材料")
    assert stored() == counted()
    chain.refresh_warnings(today=timezone.localdate() + datetime.timedelta(days=60))
    assert TaskRollup.objects.get(unit=world.unit_b).red == 1
    assert stored() == counted()
    chain.withdraw_task(actor=world.office, task=task_b, reason="调整")
    assert stored() == counted()
    assert TaskRollup.objects.filter(unit=world.unit_b).count() == 0
    plan = task_a.parent
    chain.update_task(
        actor=world.office,
        task=plan,
        version=plan.version,
        values={"track_id": world.campaign.tracks.last().pk},
    )
    chain.delete_task(actor=world.office, task=plan, reason="重复")
    assert stored() == counted() == {}
    chain.restore_task(actor=world.office, task=Task.objects.get(pk=plan.pk))
    assert stored() == counted() and len(stored()) == 1


def test_rebuild_repairs_drift(world):
    issued_task(world, units=[world.unit_a, world.unit_b])
    TaskRollup.objects.update(total=99)
    assert stored() != counted()
    assert chain.run_daily_supervision() == 0
    assert stored() == counted()
