"""The volunteer-service sources against hand-counted records: confirmed hours (per head), the
activities held, prescribed actions done, residents' ratings and the registration rate — and
what the cut-off leaves out."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from luoshi.assessment import services
from luoshi.assessment.models import PeriodKind, Rule
from luoshi.assessment.sources import Context, get_source
from luoshi.campaigns import services as chain
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category
from luoshi.lib.dates import replaying
from luoshi.org import services as org
from luoshi.org.models import Role, Scope, UnitKind
from luoshi.testing import person
from luoshi.volunteering import services as volunteering
from luoshi.volunteering.models import (
    Objection,
    PracticeUnit,
    ServiceHours,
    ServiceOrder,
    Team,
)

from .conftest import run_now

pytestmark = pytest.mark.django_db

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int) -> str:
    body = f"6328031990{serial:07d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    return body + check


def ago(**delta) -> datetime.datetime:
    return (timezone.now() - datetime.timedelta(**delta)).replace(second=0, microsecond=0)


class Volunteers:
    """Unit A (3 people: the liaison, 张三, 赵敏) and unit B (马海燕), with 冷湖镇 a 文明实践所.

    Volunteers: 张三 at unit A; 赵敏 (a person of unit A) registered at the 所 of unit B; a
    resident without an account registered at unit A's 办公室; a resident at unit B."""

    def __init__(self, world):
        self.world = world
        PracticeUnit.objects.create(unit=world.unit_b, level=PracticeUnit.Level.INSTITUTE)
        self.type = ledger.create_activity_type(
            actor=world.office,
            name="志愿服务活动",
            category=Category.VOLUNTEER,
            takes_checkin=True,
            records_hours=True,
        )
        self.zhang = self.register(world.staff, world.staff, world.unit_a, "张三", 1)
        self.zhao = self.register(world.staff2, world.staff2, world.unit_b, "赵敏", 2)
        self.office_resident = self.register(world.liaison, None, world.section_a, "刘玉兰", 3)
        self.b_resident = self.register(world.outsider, None, world.unit_b, "韩秀兰", 4)

    def register(self, actor, who, unit, name, serial):
        return volunteering.register_volunteer(
            actor=actor,
            unit=unit,
            person=who,
            real_name=name,
            phone="",
            id_number=resident_id(serial),
            consent=True,
        )

    def publish(self, unit, title, *, days_ago=10, action=None):
        starts = ago(days=days_ago)
        recruit_until = starts - datetime.timedelta(hours=1)
        with replaying(recruit_until):  # published back then, before its sign-up closed
            return volunteering.publish_activity(
                actor=self.world.liaison if unit == self.world.unit_a else self.world.outsider,
                activity_type=self.type,
                unit=unit,
                title=title,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=4),
                planned_hours=Decimal(4),
                recruit_until=recruit_until,
                positions=[volunteering.PositionSpec("服务岗", 10)],
                action=action,
            )

    def hours(self, service, volunteer, hours, *, public_days=-1, served_days_ago=None):
        """A recorded line: public until `public_days` from now (negative: publicity over)."""
        served = timezone.localdate(service.activity.starts_at)
        if served_days_ago is not None:
            served = timezone.localdate() - datetime.timedelta(days=served_days_ago)
        return ServiceHours.objects.create(
            service=service,
            volunteer=volunteer,
            unit=service.activity.unit,
            hours=Decimal(hours),
            method=ServiceHours.Method.TIMED,
            served_on=served,
            public_until=timezone.now() + datetime.timedelta(days=public_days),
        )


@pytest.fixture
def people(world):
    return Volunteers(world)


def context(world, *, cutoff_days=60) -> Context:
    today = timezone.localdate()
    return Context(
        campaign_id=world.campaign.pk,
        start=today - datetime.timedelta(days=60),
        end=today + datetime.timedelta(days=60),
        cutoff=today + datetime.timedelta(days=cutoff_days),
    )


def figure(key, ctx, unit, **params):
    source = get_source(key)
    assert source is not None
    return source.compute(ctx, unit, params)


def test_confirmed_hours_of_the_units_volunteers(people):
    world = people.world
    cleaning = people.publish(world.unit_b, "清洁家园")
    reading = people.publish(world.unit_a, "图书馆导读")
    later = people.publish(world.unit_a, "文明交通劝导", days_ago=2)
    people.hours(cleaning, people.zhang, "3")  # organised by B, served by A's volunteer
    people.hours(cleaning, people.zhao, "2.5")  # registered at B, a person of A: both
    people.hours(cleaning, people.b_resident, "4", public_days=5)  # still in publicity
    people.hours(reading, people.office_resident, "1.5")  # registered at A's 办公室
    objected = people.hours(reading, people.zhang, "4")
    Objection.objects.create(hours=objected, text="少记了半小时")  # open: not confirmed
    answered = people.hours(later, people.zhang, "2")
    Objection.objects.create(
        hours=answered,
        text="时长有误",
        status=Objection.Status.REJECTED,
        decided_at=timezone.now() - datetime.timedelta(hours=1),
    )
    old = people.publish(world.unit_a, "上年度服务", days_ago=90)
    people.hours(old, people.office_resident, "3")  # before the period

    ctx = context(world)
    a = figure("volunteering.hours", ctx, world.unit_a)
    # A: 张三 3 + 2 (the rejected objection is decided), 赵敏 2.5, the resident at 办公室 1.5.
    assert a.value == Decimal("9.00")
    assert a.record_count == 4
    assert a.text == "志愿服务 9.0 小时（4 人次）"
    assert a.records[0]["url"] == f"/volunteering/activities/{cleaning.pk}/"
    assert "张*" in a.records[0]["label"]
    per_head = figure("volunteering.hours", ctx, world.unit_a, per_head=True)
    assert per_head.value == Decimal("3.00")  # 9 hours, 3 people
    assert per_head.text == "人均 3.00 小时（共 9.0 小时，3 人）"
    # B: 赵敏 (registered there) 2.5; its resident's 4 hours are still in publicity.
    assert figure("volunteering.hours", ctx, world.unit_b).value == Decimal("2.50")


def test_hours_still_objected_to_at_the_cutoff_do_not_count(people):
    world = people.world
    reading = people.publish(world.unit_a, "图书馆导读", days_ago=20)
    line = people.hours(reading, people.zhang, "3")
    objection = Objection.objects.create(hours=line, text="时长有误")
    Objection.objects.filter(pk=objection.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5),
        status=Objection.Status.REJECTED,
        decided_at=timezone.now() - datetime.timedelta(days=1),
    )
    # Decided yesterday: open at a cut-off three days ago, not at today's.
    assert figure("volunteering.hours", context(world, cutoff_days=-3), world.unit_a).value == 0
    assert figure("volunteering.hours", context(world), world.unit_a).value == 3
    # Escalated to the centre it is open again, whatever the organiser decided.
    Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.ESCALATED)
    assert figure("volunteering.hours", context(world), world.unit_a).value == 0


def test_volunteer_activities_held_by_the_unit(people):
    world = people.world
    people.publish(world.unit_a, "图书馆导读")
    people.publish(world.unit_a, "文明交通劝导", days_ago=3)
    gone = people.publish(world.unit_a, "取消的活动", days_ago=4)
    people.publish(world.unit_a, "上年度服务", days_ago=90)
    people.publish(world.unit_b, "清洁家园")
    ledger.delete_activity(actor=world.liaison, activity=gone.activity, reason="重复登记")
    ctx = context(world)
    a = figure("volunteering.activities", ctx, world.unit_a)
    assert (a.value, a.record_count) == (2, 2)
    assert [r["label"][11:] for r in a.records] == [
        "图书馆导读（自选动作）",
        "文明交通劝导（自选动作）",
    ]
    assert figure("volunteering.activities", ctx, world.unit_a, per_head=True).value == Decimal(
        "0.67"
    )
    assert figure("volunteering.activities", ctx, world.unit_b).value == 1
    # Recorded today: nothing was held by a cut-off of yesterday.
    assert (
        figure("volunteering.activities", context(world, cutoff_days=-1), world.unit_a).value == 0
    )


@pytest.fixture
def action(people):
    """A prescribed action of this month, two activities each, issued to unit A and unit B."""
    world = people.world
    centre_unit = org.create_unit(
        actor=None, name="茫崖市新时代文明实践中心", kind=UnitKind.OTHER, parent=world.city
    )
    centre = person("wmzx", "文明实践中心专干", centre_unit)
    org.grant_role(
        actor=None, person=centre, role=Role.CENTRE, unit=world.city, scope=Scope.SUBTREE
    )
    today = timezone.localdate()
    campaign = chain.create_campaign(
        actor=centre,
        name="2026年新时代文明实践志愿服务",
        office_unit=centre_unit,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )
    theme = volunteering.create_theme(
        actor=centre, campaign=campaign, year=today.year, month=today.month, title="清洁家园"
    )
    found = volunteering.add_action(
        actor=centre,
        theme=theme,
        title="河道清理",
        deadline=today + datetime.timedelta(days=5),
        expected_activities=2,
    )
    volunteering.issue_action(actor=centre, action=found, units=[world.unit_a, world.unit_b])
    return found


def test_prescribed_actions_done(people, action):
    world = people.world
    people.publish(world.unit_a, "河道清理（一）", days_ago=3, action=action)
    people.publish(world.unit_a, "河道清理（二）", days_ago=2, action=action)
    people.publish(world.unit_b, "河道清理", days_ago=2, action=action)
    ctx = context(world)
    a = figure("volunteering.prescribed", ctx, world.unit_a)
    assert (a.value, a.text) == (Decimal("100.00"), "完成规定动作 1 项 / 应完成 1 项")
    assert a.records[0]["label"] == "河道清理（市文体旅游广电局，开展 2 / 2 场）"
    assert a.records[0]["url"].startswith("/tasks/")
    b = figure("volunteering.prescribed", ctx, world.unit_b)
    assert (b.value, b.records[0]["label"]) == (
        Decimal("0.00"),
        "河道清理（冷湖镇，开展 1 / 2 场）",
    )
    # An action due after the period is not asked of the unit: no base, no figure.
    before = Context(
        campaign_id=ctx.campaign_id,
        start=ctx.start,
        end=timezone.localdate(),
        cutoff=ctx.cutoff,
    )
    assert figure("volunteering.prescribed", before, world.unit_a).value is None


def test_residents_ratings_of_the_units_orders(people):
    world = people.world
    team_a = Team.objects.create(name="文体旅游广电局志愿服务队", unit=world.section_a)
    team_b = Team.objects.create(name="冷湖镇志愿服务队", unit=world.unit_b)

    def order(code, team, rating, *, closed_days_ago=3, rated=True):
        return ServiceOrder.objects.create(
            code=code,
            name="居民",
            phone="13600000000",
            community="阿拉尔社区",
            need="帮助清理楼道",
            status=ServiceOrder.Status.CLOSED,
            team=team,
            closed_at=ago(days=closed_days_ago),
            rating=rating if rated else None,
            rated_at=ago(days=closed_days_ago - 1) if rated else None,
        )

    order("A0001", team_a, 4)
    order("A0002", team_a, 5)
    order("A0003", team_a, None, rated=False)
    order("A0004", team_a, 1, closed_days_ago=90)  # closed before the period
    order("B0001", team_b, 2)
    ctx = context(world)
    a = figure("volunteering.rating", ctx, world.unit_a)
    assert (a.value, a.record_count) == (Decimal("4.50"), 2)
    assert a.text == "2 单群众点单的平均评价 4.50 分"
    assert figure("volunteering.rating", ctx, world.unit_b).value == Decimal("2.00")
    assert figure("volunteering.rating", ctx, world.city).value == Decimal("3.67")


def test_registration_rate(people):
    world = people.world
    ctx = context(world)
    a = figure("volunteering.registration", ctx, world.unit_a)
    # 张三 and 赵敏 of 3 people; the resident at 办公室 is a volunteer but not a person of A.
    assert (a.value, a.text) == (Decimal("66.67"), "注册志愿者 2 人 / 3 人")
    assert figure("volunteering.registration", ctx, world.unit_b).value == Decimal("0.00")
    assert (
        figure("volunteering.registration", context(world, cutoff_days=-1), world.unit_a).value == 0
    )


def test_a_plan_scores_volunteer_hours_per_head(people):
    world = people.world
    reading = people.publish(world.unit_a, "图书馆导读")
    people.hours(reading, people.zhang, "4")
    people.hours(reading, people.zhao, "2")
    hours = services.create_indicator(
        actor=world.office,
        name="人均志愿服务时长",
        source="volunteering.hours",
        params={"per_head": True},
        rule=Rule.LINEAR,
        target=4,
    )
    today = timezone.localdate()
    plan = services.create_plan(
        actor=world.office,
        campaign=world.campaign,
        name="志愿服务考核",
        period_kind=PeriodKind.QUARTER,
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=30),
        cutoff=today + datetime.timedelta(days=30),
    )
    category = services.save_category(
        actor=world.office, plan=plan, name="部门", units=[world.unit_a]
    )
    services.set_items(actor=world.office, category=category, items=[(hours, 100)])
    run = run_now(plan)
    item = run.unit_scores.get().items.get()
    # 6 hours ÷ 3 people = 2 of the target 4 → 50.
    assert (item.value, item.score) == (Decimal("2.00"), Decimal("50.00"))
    assert item.value_text == "人均 2.00 小时（共 6.0 小时，3 人）"
    assert "小时" in item.formula
