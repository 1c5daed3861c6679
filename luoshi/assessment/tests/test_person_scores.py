"""Person-level scores (个人指标, off by default): computed from each person's own records with the
unit's run, frozen with it, outside the unit's total, and seen only by the person (once
published) and those who manage the assessment of their unit."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from luoshi.accounts.models import Notification
from luoshi.api.tests.conftest import api_for  # noqa: F401 (fixture)
from luoshi.assessment import services
from luoshi.assessment.models import IndicatorLevel, PersonScore, Plan, Rule, Stage
from luoshi.ledgers import services as ledger

from .conftest import run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_plan(scenario):
    """The scenario's plan with two person-level indicators: the person's tasks done on time
    (50) and their attendance of the 专项理论学习 sessions (50). A fourth session of unit A has
    张三 and 赵敏 attending."""
    world = scenario.world
    ledger.record_activity(
        actor=world.liaison,
        activity_type=scenario.theory,
        unit=world.unit_a,
        title="专项理论学习（集中）",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        campaigns=[world.campaign],
        participants=[world.staff, world.staff2],
    )
    own_tasks = services.create_indicator(
        actor=world.office,
        name="个人任务按时办结率",
        level=IndicatorLevel.PERSON,
        source="tasks.on_time_rate",
        rule=Rule.LINEAR,
        target=100,
    )
    attendance = services.create_indicator(
        actor=world.office,
        name="个人参学率",
        level=IndicatorLevel.PERSON,
        source="ledger.participation",
        params={"types": [scenario.theory.pk]},
        rule=Rule.LINEAR,
        target=100,
    )
    category = scenario.plan.categories.get()
    services.set_items(
        actor=world.office,
        category=category,
        items=[
            (scenario.on_time, 60),
            (scenario.sessions, 40),
            (scenario.returns, 0),
            (own_tasks, 50),
            (attendance, 50),
        ],
    )
    return scenario


def people(run):
    return {
        ps.person_name: (ps.total, ps.rank)
        for ps in PersonScore.objects.filter(run=run).order_by("rank", "id")
    }


def test_person_scores_from_each_persons_records(people_plan):
    world = people_plan.world
    run = run_now(people_plan.plan)
    # 张三: 1 of 1 own task on time → 50; 1 of 4 sessions → 12.5. 赵敏: no task of her own (no
    # base: the full 50) and 1 of 4 → 12.5. 李晓梅: no task → 50, no session → 0. 马海燕 (B): no
    # task → 50; B's one session unattended → 0.
    assert people(run) == {
        "张三": (Decimal("62.50"), 1),
        "赵敏": (Decimal("62.50"), 1),
        "李晓梅": (Decimal("50.00"), 3),
        "马海燕": (Decimal("50.00"), 3),
    }
    zhang = PersonScore.objects.get(run=run, person=world.staff)
    tasks, attendance = zhang.items.order_by("sort_order")
    assert tasks.value_text == "按时办结 1 项 / 应办结 1 项"
    assert tasks.records[0]["url"] == f"/tasks/{people_plan.task_a.pk}/"
    assert attendance.value_text == "参加 1 次 / 应参加 4 次"
    assert attendance.records[0]["label"].endswith("专项理论学习（集中）")
    assert "得分 = 50 × 实际值 ÷ 100" in attendance.formula
    # Outside the unit's total: unit A keeps its three unit items (60 + 40 − 2).
    a = run.unit_scores.get(unit=world.unit_a)
    assert a.items.count() == 3 and a.total == Decimal("98.00")


def test_a_run_keeps_the_person_scores_as_computed(people_plan):
    world = people_plan.world
    run = run_now(people_plan.plan)
    before = people(run)
    ledger.record_activity(
        actor=world.liaison,
        activity_type=people_plan.theory,
        unit=world.unit_a,
        title="专项理论学习（补学）",
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        campaigns=[world.campaign],
        participants=[world.liaison],
    )
    assert people(run) == before


def test_person_weights_sum_to_100_and_sources_must_read_persons(people_plan):
    world = people_plan.world
    own_tasks = people_plan.plan.categories.get().items.get(indicator__name="个人任务按时办结率")
    with pytest.raises(ValidationError) as caught:
        services.set_items(
            actor=world.office,
            category=people_plan.plan.categories.get(),
            items=[
                (people_plan.on_time, 60),
                (people_plan.sessions, 40),
                (own_tasks.indicator, 60),
            ],
        )
    assert "“部门”类个人指标的权重合计为 60 分，应为 100 分。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.create_indicator(
            actor=world.office,
            name="个人开展活动",
            level=IndicatorLevel.PERSON,
            source="ledger.activities",
            rule=Rule.LINEAR,
            target=4,
        )
    assert "数据来源“开展活动次数”不能按个人计算。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.create_indicator(
            actor=world.office,
            name="个人志愿服务时长",
            level=IndicatorLevel.PERSON,
            source="volunteering.hours",
            params={"per_head": True},
            rule=Rule.LINEAR,
            target=4,
        )
    assert "个人指标按本人的记录计算，不按人均计算。" in str(caught.value)


def _set_stage(plan: Plan, stage: str) -> None:
    Plan.objects.filter(pk=plan.pk).update(stage=stage)
    plan.refresh_from_db()


def test_who_sees_a_persons_score(people_plan, client_for):
    world = people_plan.world
    plan = people_plan.plan
    run = run_now(plan)
    services.open_self_assessment(actor=world.office, plan=plan)
    zhang = PersonScore.objects.get(run=run, person=world.staff)
    ma = PersonScore.objects.get(run=run, person=world.outsider)
    page = f"/assessment/people/{zhang.pk}/"
    table = f"/assessment/plans/{plan.pk}/people/"
    assert client_for(world.office).get(page).status_code == 200
    assert client_for(world.liaison).get(page).status_code == 200
    assert client_for(world.liaison).get(f"/assessment/people/{ma.pk}/").status_code == 404
    assert client_for(world.outsider).get(page).status_code == 404
    assert client_for(world.leader).get(page).status_code == 404  # assessment.view alone
    assert client_for(world.leader).get(table).status_code == 404
    assert "个人得分" not in client_for(world.leader).get(f"/assessment/plans/{plan.pk}/").text
    assert client_for(world.staff).get(page).status_code == 404  # not published yet
    listed = client_for(world.liaison).get(table).text
    assert "张三" in listed and "赵敏" in listed and "马海燕" not in listed
    unit_page = client_for(world.liaison).get(f"/assessment/scores/{zhang.unit_score_id}/").text
    assert f'href="/assessment/people/{zhang.pk}/"' in unit_page
    _set_stage(plan, Stage.GRADING)
    services.publish_plan(actor=world.office, plan=plan)
    assert client_for(world.staff).get(page).status_code == 200
    others = PersonScore.objects.get(run=run, person=world.staff2)
    assert client_for(world.staff).get(f"/assessment/people/{others.pk}/").status_code == 404
    mine = client_for(world.staff).get("/assessment/mine/").text
    assert f'href="/assessment/people/{zhang.pk}/"' in mine and "62.50" in mine
    note = Notification.objects.get(recipient=world.staff, title__startswith="考核结果已发布")
    assert note.url == "/assessment/mine/"


def test_the_person_table_exports_to_excel(people_plan, client_for):
    world = people_plan.world
    run_now(people_plan.plan)
    response = client_for(world.office).get(
        f"/assessment/plans/{people_plan.plan.pk}/people/?unit=文体&export=xlsx"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "类别")
    assert header == [
        "类别",
        "名次",
        "姓名",
        "单位",
        "个人任务按时办结率",
        "个人参学率",
        "个人得分",
    ]
    body = rows[rows.index(header) + 1 :]
    assert [r[2] for r in body] == ["张三", "赵敏", "李晓梅"]
    assert body[0][4:] == [50, 12.5, 62.5]


def test_person_scores_through_the_api(people_plan, api_for):  # noqa: F811
    world = people_plan.world
    plan = people_plan.plan
    run = run_now(plan)
    services.open_self_assessment(actor=world.office, plan=plan)
    listed = api_for(world.liaison).get(f"/assessment/plans/{plan.pk}/people").json()
    assert sorted(row["person"]["name"] for row in listed) == ["张三", "李晓梅", "赵敏"]
    zhang = PersonScore.objects.get(run=run, person=world.staff)
    detail = api_for(world.liaison).get(f"/assessment/people/{zhang.pk}").json()
    assert [item["score"] for item in detail["items"]] == ["50.00", "12.50"]
    assert api_for(world.outsider).get(f"/assessment/people/{zhang.pk}").status_code == 404
    assert api_for(world.staff).get("/assessment/people/mine").json() == []
    _set_stage(plan, Stage.PUBLISHED)
    assert [row["id"] for row in api_for(world.staff).get("/assessment/people/mine").json()] == [
        zhang.pk
    ]
