"""The service layer: scores computed from the records, weights, frozen runs, the workflow and
who may move it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from luoshi.assessment import rules, services
from luoshi.assessment.access import get_unit_score_for_user, visible_unit_scores
from luoshi.assessment.models import Grade, Indicator, IndicatorKind, Rule, ScoreRun, Stage
from luoshi.assessment.selectors import current_run
from luoshi.lib.errors import Conflict

from .conftest import evidence, record_session, run_now

pytestmark = pytest.mark.django_db


def scores_by_unit(run):
    return {
        us.unit_name: (us.total, {i.indicator_name: i.score for i in us.items.all()})
        for us in run.unit_scores.prefetch_related("items")
    }


def test_scores_are_computed_from_the_records(scenario):
    run = run_now(scenario.plan)
    assert run.status == ScoreRun.Status.DONE
    assert run.done == run.total == 2
    scores = scores_by_unit(run)
    # A: 1 of 1 task on time → 60; 3 of 4 sessions → 40 × 3/4 = 30; one return → −2.
    assert scores["市文体旅游广电局"] == (
        Decimal("88.00"),
        {
            "任务按时办结率": Decimal("60.00"),
            "专项理论学习次数": Decimal("30.00"),
            "任务被退回": Decimal("2.00"),
        },
    )
    # B: its task is open → 0; 1 of 4 sessions → 10.
    assert scores["冷湖镇"][0] == Decimal("10.00")
    a = run.unit_scores.get(unit=scenario.world.unit_a)
    assert a.rank == 1
    sessions = a.items.get(indicator_name="专项理论学习次数")
    assert sessions.value == 3 and sessions.record_count == 3
    assert [r["url"] for r in sessions.records][0].startswith("/ledgers/activities/")
    assert "得分 = 40 × 实际值 ÷ 4" in sessions.formula


def test_records_made_after_the_cutoff_do_not_count(scenario):
    plan = scenario.plan
    plan.cutoff = timezone.localdate() - datetime.timedelta(days=1)
    plan.save(update_fields=["cutoff"])
    run = run_now(plan)
    sessions = run.unit_scores.get(unit=scenario.world.unit_a).items.get(
        indicator_name="专项理论学习次数"
    )
    assert sessions.value == 0  # every session was recorded today, after the cut-off


def test_a_run_stays_as_computed_when_records_change(scenario):
    run = run_now(scenario.plan)
    before = scores_by_unit(run)
    record_session(scenario.world, scenario.theory, scenario.world.unit_b, 1)
    record_session(scenario.world, scenario.theory, scenario.world.unit_b, 2)
    run.refresh_from_db()
    assert scores_by_unit(run) == before
    services.open_self_assessment(actor=scenario.world.office, plan=scenario.plan)
    with pytest.raises(Conflict):
        services.start_run(actor=scenario.world.office, plan=scenario.plan)
    assert current_run(scenario.plan) == run


def test_weights_must_sum_to_100(scenario):
    category = scenario.plan.categories.get()
    with pytest.raises(ValidationError) as caught:
        services.set_items(
            actor=scenario.world.office,
            category=category,
            items=[(scenario.on_time, 60), (scenario.sessions, 35)],
        )
    assert "“部门”类计分指标的权重合计为 95 分，应为 100 分。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.set_items(
            actor=scenario.world.office,
            category=category,
            items=[(scenario.on_time, "六十"), (scenario.sessions, 40)],
        )
    assert "第 1 行：权重“六十”不是数字。" in str(caught.value)


@pytest.mark.parametrize(
    ("rule", "fields", "value", "best", "expected"),
    [
        (Rule.LINEAR, {"target": 8}, 6, None, "7.50"),
        (Rule.LINEAR, {"target": 8}, 12, None, "10.00"),
        (Rule.TIERS, {"tiers": [[8, 100], [5, 60]]}, 6, None, "6.00"),
        (Rule.TIERS, {"tiers": [[8, 100], [5, 60]]}, 4, None, "0.00"),
        (Rule.BEST, {}, 3, 4, "7.50"),
        (Rule.PASS_FAIL, {"target": 1}, 1, None, "10.00"),
        (Rule.PASS_FAIL, {"target": 1}, 0, None, "0.00"),
    ],
)
def test_scoring_rules(rule, fields, value, best, expected):
    indicator = Indicator(name="x", source="ledger.activities", rule=rule, **fields)
    assert rules.check_rule(indicator) == {}
    assert rules.score(indicator, Decimal(10), Decimal(value), best) == Decimal(expected)
    assert rules.formula(indicator, Decimal(10), "次")


def test_a_figure_without_a_base_scores_the_full_weight():
    indicator = Indicator(name="x", source="tasks.notices_replied", rule=Rule.LINEAR, target=100)
    assert rules.score(indicator, Decimal(10), None) == Decimal(10)
    assert rules.formula(indicator, Decimal(10), "%").endswith("无应考核事项的，按满分计。")


def test_deductions_are_capped():
    indicator = Indicator(
        name="x",
        kind=IndicatorKind.DEDUCTION,
        source="tasks.returned",
        rule=Rule.PER_ITEM,
        per_item=2,
        cap=3,
    )
    assert rules.score(indicator, Decimal(0), Decimal(5)) == Decimal(3)
    assert rules.formula(indicator, Decimal(0), "次") == "每次扣 2 分，最多扣 3 分。"


def test_learning_platform_figures_are_off_by_default(scenario):
    from luoshi.learning.services.reports import change_settings

    office = scenario.world.office
    learning = services.create_indicator(
        actor=office, name="学习强国覆盖率", source="learning.coverage", rule=Rule.LINEAR, target=90
    )
    category = scenario.plan.categories.get()
    with pytest.raises(ValidationError) as caught:
        services.set_items(
            actor=office, category=category, items=[(scenario.on_time, 50), (learning, 50)]
        )
    assert "学习平台数据默认不作为考评依据" in str(caught.value)
    change_settings(
        actor=office,
        unit=scenario.world.city,
        values={"use_in_assessment": True},
        reason="经领导小组会议研究，本年度计入考核",
    )
    services.set_items(
        actor=office, category=category, items=[(scenario.on_time, 50), (learning, 50)]
    )
    from luoshi.assessment.selectors import learning_basis

    assert learning_basis(scenario.world.unit_a).reason == "经领导小组会议研究，本年度计入考核"


def test_manual_items_need_a_reason_and_evidence(scenario):
    office = scenario.world.office
    inspection = services.create_indicator(
        actor=office, name="考核组实地检查", source="manual", rule=Rule.MANUAL
    )
    category = scenario.plan.categories.get()
    services.set_items(
        actor=office,
        category=category,
        items=[(scenario.on_time, 50), (scenario.sessions, 30), (inspection, 20)],
    )
    run = run_now(scenario.plan)
    item = run.unit_scores.get(unit=scenario.world.unit_a).items.get(
        indicator_name="考核组实地检查"
    )
    assert item.score is None
    with pytest.raises(ValidationError) as caught:
        services.adjust_item(actor=office, item=item, score=18, reason="", evidence=[])
    assert set(caught.value.message_dict) == {"reason", "evidence"}
    with pytest.raises(ValidationError):
        services.adjust_item(
            actor=office, item=item, score=25, reason="现场检查", evidence=[evidence()]
        )
    with pytest.raises(PermissionDenied):
        services.adjust_item(
            actor=scenario.world.liaison, item=item, score=18, reason="x", evidence=[evidence()]
        )
    services.adjust_item(
        actor=office, item=item, score=18, reason="现场检查台账齐全", evidence=[evidence()]
    )
    item.refresh_from_db()
    assert item.score == 18 and item.adjustments.get().reason == "现场检查台账齐全"
    # 50 (on time) + 22.5 (3 of 4 sessions × 30) + 18 (the inspection team)
    item.unit_score.refresh_from_db()
    assert item.unit_score.total == Decimal("90.50")


def test_the_workflow_to_publication(scenario, monkeypatch):
    world, plan = scenario.world, scenario.plan
    run = run_now(plan)
    a = run.unit_scores.get(unit=world.unit_a)
    b = run.unit_scores.get(unit=world.unit_b)
    with pytest.raises(Conflict):  # not yet open
        services.submit_self_assessment(actor=world.liaison, unit_score=a, note="已完成")
    with pytest.raises(PermissionDenied):
        services.open_self_assessment(actor=world.liaison, plan=plan)
    services.open_self_assessment(actor=world.office, plan=plan)
    services.submit_self_assessment(
        actor=world.liaison, unit_score=a, note="按时完成各项任务", evidence=[evidence()]
    )
    with pytest.raises(PermissionDenied):  # B's liaison may not self-assess A
        services.submit_self_assessment(actor=world.outsider, unit_score=a, note="x")
    services.start_review(actor=world.office, plan=plan)
    services.review_unit(actor=world.office, unit_score=a, note="同意")
    plan.publicity_days = 3
    plan.save(update_fields=["publicity_days"])
    services.start_publicity(actor=world.office, plan=plan)
    plan.refresh_from_db()
    assert plan.publicity_until == timezone.localdate() + datetime.timedelta(days=3)
    appeal = services.file_appeal(actor=world.outsider, unit_score=b, reason="学习记录漏统计一次")
    with pytest.raises(Conflict):  # publicity not over
        services.grade_plan(actor=world.office, plan=plan)
    sessions = b.items.get(indicator_name="专项理论学习次数")
    services.answer_appeal(
        actor=world.office,
        appeal=appeal,
        answer="经核实，补登一次专项理论学习",
        item=sessions,
        score=20,
        evidence=[evidence("签到表.pdf")],
    )
    later = timezone.localdate() + datetime.timedelta(days=4)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    services.grade_plan(actor=world.office, plan=plan)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.total == Decimal("20.00")
    # two units, 30 % → no 优秀 place; A (88) is 良好, B (20) 较差
    assert (a.grade, b.grade) == (Grade.GOOD, Grade.POOR)
    with pytest.raises(ValidationError) as caught:
        services.set_grade(
            actor=world.office, unit_score=a, grade=Grade.EXCELLENT, reason="表现突出"
        )
    assert "优秀名额为 0 个" in str(caught.value)
    services.publish_plan(actor=world.office, plan=plan)
    plan.refresh_from_db()
    assert plan.stage == Stage.PUBLISHED
    with pytest.raises(Conflict):
        services.adjust_item(
            actor=world.office, item=sessions, score=30, reason="x", evidence=[evidence()]
        )


def test_scope_of_the_unit_scores(scenario):
    from django.http import Http404

    world = scenario.world
    run = run_now(scenario.plan)
    a = run.unit_scores.get(unit=world.unit_a)
    # a draft plan's scores are the office's only
    assert not visible_unit_scores(world.liaison).exists()
    services.open_self_assessment(actor=world.office, plan=scenario.plan)
    assert list(visible_unit_scores(world.liaison)) == [a]
    assert visible_unit_scores(world.leader).count() == 2
    assert get_unit_score_for_user(world.liaison, a.pk) == a
    with pytest.raises(Http404):
        get_unit_score_for_user(world.outsider, a.pk)
    with pytest.raises(Http404):
        get_unit_score_for_user(world.staff, a.pk)


def test_start_run_enqueues_the_job(scenario, django_capture_on_commit_callbacks, monkeypatch):
    from luoshi.assessment import tasks

    calls = []

    class Recorder:
        def enqueue(self, *args):
            calls.append(args)

    monkeypatch.setattr(tasks, "compute_scores", Recorder())
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(actor=scenario.world.office, plan=scenario.plan)
    assert calls == [(run.pk,)]
    assert run.status == ScoreRun.Status.QUEUED
    with pytest.raises(Conflict):
        services.start_run(actor=scenario.world.office, plan=scenario.plan)


def test_copy_plan_for_the_next_period(scenario):
    copy = services.copy_plan(actor=scenario.world.office, source=scenario.plan)
    assert copy.period_start == scenario.plan.period_end + datetime.timedelta(days=1)
    category = copy.categories.get()
    assert set(category.units.all()) == {scenario.world.unit_a, scenario.world.unit_b}
    assert {(i.indicator_id, i.weight) for i in category.items.all()} == {
        (scenario.on_time.pk, 60),
        (scenario.sessions.pk, 40),
        (scenario.returns.pk, 0),
    }
