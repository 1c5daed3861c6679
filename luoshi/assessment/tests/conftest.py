"""Assessment fixtures: a small half-year of records for unit A and unit B, two indicators and a
plan of the 部门 category, as the office would set them up."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from luoshi.assessment import services
from luoshi.assessment.models import Indicator, IndicatorKind, PeriodKind, Plan, Rule
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import ActivityType, Category
from luoshi.testing import World, issued_task


@dataclass
class Scenario:
    world: World
    theory: ActivityType
    on_time: Indicator
    sessions: Indicator
    returns: Indicator
    plan: Plan
    task_a: Task
    task_b: Task


def evidence(name: str = "检查记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def record_session(world: World, theory: ActivityType, unit, days_ago: int):
    """A session recorded by the unit's liaison."""
    return ledger.record_activity(
        actor=world.liaison if unit == world.unit_a else world.outsider,
        activity_type=theory,
        unit=unit,
        title=f"专项理论学习（{days_ago} 天前）",
        starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        campaigns=[world.campaign],
    )


def run_now(plan: Plan):
    """Queue a run as the office and compute it as the job would."""
    run = services.start_run(actor=plan.created_by, plan=plan)
    return services.compute_run(run_id=run.pk)


@pytest.fixture
def scenario(world, monkeypatch) -> Scenario:
    office = world.office
    theory = ledger.create_activity_type(
        actor=office, name="专项理论学习", category=Category.STUDY, sort_order=5
    )
    # Unit A: three sessions and a task done on time after one return; unit B: one session and
    # a task still open.
    for days_ago in (3, 10, 20):
        record_session(world, theory, world.unit_a, days_ago)
    record_session(world, theory, world.unit_b, 5)
    task_a, task_b = issued_task(world, units=[world.unit_a, world.unit_b])
    chain.sign_task(actor=world.liaison, task=task_a)
    chain.assign_task(actor=world.liaison, task=task_a, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task_a, percent=100, text="完成", complete=True)
    chain.verify_task(actor=office, task=task_a, passed=False, reason="缺少签到表")
    chain.report_progress(actor=world.staff, task=task_a, percent=100, text="补齐", complete=True)
    chain.verify_task(actor=office, task=task_a, passed=True, quality=Task.Quality.GOOD)

    on_time = services.create_indicator(
        actor=office,
        name="任务按时办结率",
        source="tasks.on_time_rate",
        rule=Rule.LINEAR,
        target=100,
    )
    sessions = services.create_indicator(
        actor=office,
        name="专项理论学习次数",
        source="ledger.activities",
        params={"types": [theory.pk]},
        rule=Rule.LINEAR,
        target=4,
    )
    returns = services.create_indicator(
        actor=office,
        name="任务被退回",
        kind=IndicatorKind.DEDUCTION,
        source="tasks.returned",
        rule=Rule.PER_ITEM,
        per_item=2,
        cap=3,
    )
    today = timezone.localdate()
    plan = services.create_plan(
        actor=office,
        campaign=world.campaign,
        name="2026年上半年考核",
        period_kind=PeriodKind.HALF,
        period_start=today - datetime.timedelta(days=60),
        period_end=today + datetime.timedelta(days=60),
        cutoff=today + datetime.timedelta(days=60),
    )
    category = services.save_category(
        actor=office, plan=plan, name="部门", units=[world.unit_a, world.unit_b]
    )
    services.set_items(
        actor=office,
        category=category,
        items=[(on_time, 60), (sessions, 40), (returns, 0)],
    )
    return Scenario(world, theory, on_time, sessions, returns, plan, task_a, task_b)
