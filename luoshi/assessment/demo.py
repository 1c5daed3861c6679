"""The demo's assessment: the indicator library, and the campaign's first-stage assessment (its
first 90 days) of the Mangya units in four categories, computed from the demo's records and
walked through every step: 自评 (市文体旅游广电局), 审核, 公示 with one objection answered, 定档
and 发布, each on its own past day (as the rest of the demo is)."""

import datetime
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from luoshi.ledgers.demo import types_by_name
from luoshi.org.models import Unit, UnitKind

from . import services
from .models import (
    Adjustment,
    Appeal,
    IndicatorKind,
    ItemScore,
    PeriodKind,
    Plan,
    Rule,
    TypicalCase,
    UnitScore,
)

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

STAGE_DAYS = 90  # the first stage of the campaign, assessed as one period
CATEGORIES = [
    ("部门", [UnitKind.DEPARTMENT]),
    ("乡镇", [UnitKind.TOWN]),
    ("企事业", [UnitKind.ENTERPRISE]),
    ("学校", [UnitKind.SCHOOL]),
]


def _scan(title: str) -> SimpleUploadedFile:
    """A generated one-page scan (PDF) standing for the inspection team's record."""
    image = Image.new("RGB", (595, 842), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 555, 90), outline=(180, 30, 40), width=3)
    for row in range(14):
        draw.line(
            (60, 130 + row * 40, 535 - (row % 3) * 60, 130 + row * 40), fill=(90, 90, 90), width=3
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PDF", resolution=72)
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), "application/pdf")


def _indicators(office, types: dict) -> dict:
    theory, morning = types.get("专项理论学习"), types.get("晨读+分享")
    made = {}

    def add(key: str, **fields):
        made[key] = services.create_indicator(actor=office, **fields)

    add(
        "on_time",
        name="任务按时办结率",
        source="tasks.on_time_rate",
        rule=Rule.LINEAR,
        target=100,
        description="期内到期任务中按时办结（复核通过）的比例。",
    )
    add(
        "avg",
        name="任务办理质量",
        source="tasks.average_score",
        rule=Rule.LINEAR,
        target=90,
        description="期内办结任务的平均得分（优 100、良 85、中 70、差 50，逾期、退回扣分）。",
    )
    add(
        "notices",
        name="督办单按时回复率",
        source="tasks.notices_replied",
        rule=Rule.LINEAR,
        target=100,
    )
    add(
        "theory",
        name="专项理论学习",
        source="ledger.activities",
        rule=Rule.TIERS,
        params={"types": [theory.pk]} if theory else {},
        tiers=[["6", "100"], ["4", "80"], ["2", "50"]],
        description="每季度不少于 6 次。",
    )
    add(
        "morning",
        name="晨读+分享参学率",
        source="ledger.participation",
        rule=Rule.LINEAR,
        params={"types": [morning.pk]} if morning else {},
        target=80,
    )
    add(
        "readings",
        name="指定读本人均阅读",
        source="study.readings",
        rule=Rule.BEST,
        params={"per_head": True},
    )
    add("lectures", name="挎包宣讲覆盖点", source="outreach.coverage", rule=Rule.LINEAR, target=3)
    add(
        "inspection",
        name="考核组实地检查",
        source="manual",
        rule=Rule.MANUAL,
        description="考核组查阅台账、实地检查、个别谈话后评分。",
    )
    add(
        "returned",
        name="任务被退回",
        kind=IndicatorKind.DEDUCTION,
        source="tasks.returned",
        rule=Rule.PER_ITEM,
        per_item=1,
        cap=5,
    )
    add(
        "accountability",
        name="被问责",
        kind=IndicatorKind.DEDUCTION,
        source="tasks.accountability",
        rule=Rule.PER_ITEM,
        per_item=2,
        cap=6,
    )
    add(
        "media",
        name="上级媒体刊发",
        kind=IndicatorKind.BONUS,
        source="media.placements",
        params={"levels": ["central", "province"]},
        rule=Rule.PER_ITEM,
        per_item=1,
        cap=3,
    )
    add(
        "heritage",
        name="红色资源参观学习",
        source="heritage.visits",
        rule=Rule.PASS_FAIL,
        target=1,
        is_active=False,
        description="备用指标（本期未选用）。",
    )
    return made


WEIGHTS = [
    ("on_time", 25),
    ("avg", 15),
    ("notices", 10),
    ("theory", 15),
    ("morning", 10),
    ("readings", 5),
    ("lectures", 5),
    ("inspection", 15),
    ("returned", 0),
    ("accountability", 0),
    ("media", 0),
]


def _stamp(model, pk: int, **fields) -> None:
    """Move a step's stamps to its day (the Clock does the same for the chain's moves)."""
    model.objects.filter(pk=pk).update(**fields)


def load(builder: "DemoBuilder") -> None:
    campaign = builder.built.campaign
    if campaign is None:
        return
    people, units = builder.built.people, builder.built.units
    office = people["office"]
    indicators = _indicators(office, types_by_name())
    start = campaign.start_date
    end = start + datetime.timedelta(days=STAGE_DAYS - 1)
    today = timezone.localdate()
    if end >= today - datetime.timedelta(days=15):
        return  # a demo loaded for an earlier day: the stage is not over yet
    plan = services.create_plan(
        actor=office,
        campaign=campaign,
        name=f"{campaign.short_name or campaign.name}第一阶段考核",
        period_kind=PeriodKind.QUARTER,
        period_start=start,
        period_end=end,
        cutoff=end + datetime.timedelta(days=2),
        publicity_days=5,
        excellent_quota=30,
    )
    city = units["city"]
    children = Unit.objects.alive().filter(parent=city).exclude(pk=units["xcb"].pk)
    for order, (name, kinds) in enumerate(CATEGORIES):
        members = list(children.filter(kind__in=kinds).order_by("sort_order", "id"))
        if not members:
            continue
        category = services.save_category(
            actor=office, plan=plan, name=name, units=members, sort_order=order
        )
        services.set_items(
            actor=office,
            category=category,
            items=[(indicators[key], weight) for key, weight in WEIGHTS],
        )
    run = services.start_run(actor=office, plan=plan)
    run = services.compute_run(run_id=run.pk)
    _walk(builder, plan, run)
    cases = _cases(builder)
    _notice(builder, plan, run, cases[:2])


def _walk(builder: "DemoBuilder", plan: Plan, run) -> None:
    """自评 → 审核 → 公示 (an objection, answered) → 定档 → 发布, on past days."""
    people, units = builder.built.people, builder.built.units
    office = people["office"]
    days_ago = (timezone.localdate() - plan.cutoff).days  # the cut-off's day
    clock = builder.clock

    # The inspection team's scores, by how the unit's records look (a reasoned judgement).
    for item in ItemScore.objects.filter(unit_score__run=run, score__isnull=True).select_related(
        "unit_score"
    ):
        share = min(Decimal(1), Decimal("0.7") + item.unit_score.computed_total / 300)
        score = (item.weight * share).quantize(Decimal("0.1"))
        with clock.at(days_ago - 1):
            services.adjust_item(
                actor=office,
                item=item,
                score=score,
                reason="考核组查阅台账、实地检查：台账完整，学习记录与签到相符。"
                if share > Decimal("0.85")
                else "考核组实地检查：台账基本完整，个别学习记录缺少签到佐证。",
                evidence=[_scan(f"{item.unit_score.unit_name}考核检查记录")],
            )
    Adjustment.objects.filter(item__unit_score__run=run).update(at=clock.moment(days_ago - 1))
    services.open_self_assessment(actor=office, plan=plan)
    wtl = UnitScore.objects.filter(run=run, unit=units["wtl"]).first()
    if wtl is not None:
        with clock.at(days_ago - 3) as when:
            services.submit_self_assessment(
                actor=people["wtl"],
                unit_score=wtl,
                note="本局按方案逐项对照自查：任务按时办结，“晨读+分享”坚持每日开展，挎包宣讲队"
                "深入牧区、社区、企业、校园；个别任务因佐证不全被退回一次，已整改。",
            )
        _stamp(UnitScore, wtl.pk, self_submitted_at=when)
    services.start_review(actor=office, plan=plan)
    with clock.at(days_ago - 5) as when:
        for unit_score in run.unit_scores.all():
            services.review_unit(actor=office, unit_score=unit_score, note="经审核，得分无误。")
    UnitScore.objects.filter(run=run).update(reviewed_at=when)
    services.start_publicity(actor=office, plan=plan)
    objecting = run.unit_scores.exclude(unit=units["wtl"]).order_by("total", "unit__path").first()
    if objecting is not None:
        liaison = builder.built.liaisons.get(
            next((key for key, unit in units.items() if unit.pk == objecting.unit_id), ""), None
        )
        if liaison is not None:
            with clock.at(days_ago - 7) as when:
                appeal = services.file_appeal(
                    actor=liaison,
                    unit_score=objecting,
                    reason="本单位有两次专项理论学习因系统操作原因晚于数据截止日期登记，请予核实。",
                )
            _stamp(Appeal, appeal.pk, filed_at=when)
            with clock.at(days_ago - 9) as when:
                services.answer_appeal(
                    actor=office,
                    appeal=appeal,
                    answer="经核实，两次学习均在数据截止日期后登记，按考核方案不予计入；"
                    "请今后活动结束后及时登记台账。",
                )
            _stamp(Appeal, appeal.pk, answered_at=when)
    published_on = timezone.localdate() - datetime.timedelta(days=days_ago - 6)
    Plan.objects.filter(pk=plan.pk).update(
        publicity_until=published_on + datetime.timedelta(days=plan.publicity_days)
    )
    plan.refresh_from_db()
    services.grade_plan(actor=office, plan=plan)
    services.publish_plan(actor=office, plan=plan)
    Plan.objects.filter(pk=plan.pk).update(published_at=clock.moment(max(days_ago - 14, 1)))


# The six typical cases: a title, the practice, and how to find the demo record it tells of.
CASE_SPECS: list[tuple[str, str, dict[str, object]]] = [
    ("心得体会评为优秀，学有所悟、学用结合", "心得体会", {"commended_at__isnull": False}),
    ("挎包宣讲进牧区，把党的声音送到毡房", "挎包宣讲", {"lecture__isnull": False}),
    ("志愿服务常态化，文明实践暖人心", "志愿服务", {"service__isnull": False}),
    ("走进红色遗址，赓续柴达木精神", "红色教育", {"site_visit__isnull": False}),
    ("“晨读+分享”带动全员学", "晨读分享", {"type__name": "晨读+分享"}),
    ("专项理论学习做到有计划、有记录、有成效", "理论学习", {"type__name": "专项理论学习"}),
    # Spare, where a record above is not in this demo (volunteering loads later on some days).
    ("“周五专题”讲业务、比技能", "业务大比拼", {"type__name": "周五专题"}),
]
CASES = 6


def _day(moment: datetime.datetime) -> str:
    day = timezone.localtime(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def _cases(builder: "DemoBuilder") -> list:
    """Six typical cases the office picked from the demo's records (an essay rated 优秀, a
    lecture, a volunteer activity, a heritage visit, 晨读+分享, 专项理论学习, or a 周五专题 where one
    of these is missing), each published; the first three pinned on the dashboard."""
    from luoshi.ledgers.models import Activity

    campaign = builder.built.campaign
    assert campaign is not None  # load() returns early without one
    office = builder.built.people["office"]
    tracks = list(campaign.tracks.order_by("sort_order", "id"))
    published: list[TypicalCase] = []
    for title, practice, where in CASE_SPECS:
        if len(published) == CASES:
            break
        record = (
            Activity.objects.alive()
            .filter(**where)
            .select_related("unit")
            .order_by("-starts_at", "id")
            .first()
        )
        if record is None:
            continue
        case = services.submit_case(
            actor=office,
            campaign=campaign,
            unit=record.unit,
            title=title,
            summary=(
                f"{record.unit.name}{_day(record.starts_at)}“{record.title}”，"
                "做法实、效果好，经行动办审核，作为典型案例在全市推广。"
            ),
            activities=[record],
            track=tracks[0] if tracks else None,
            practice=practice,
        )
        case = services.review_case(actor=office, case=case, publish=True, note="予以推广。")
        if len(published) < 3:
            case = services.pin_case(actor=office, case=case, pinned=True)
        published.append(case)
    return published


def _notice(builder: "DemoBuilder", plan: Plan, run, cases=()) -> None:
    """A 情况通报 of the stage's results to the assessed units, read by the bureau's liaison."""
    people, units = builder.built.people, builder.built.units
    office = people["office"]
    series = services.create_series(
        actor=office, name="行动办通报", prefix="茫宣通", office_unit=units["xcb"]
    )
    scores = list(run.unit_scores.order_by("-total", "unit__path"))
    best = "、".join(s.unit_name for s in scores[:3])
    notice = services.create_notice(
        actor=office,
        series=series,
        kind="situation",
        title=f"关于{plan.name}情况的通报",
        body=(
            f"{plan.name}已完成。{best}等单位任务办结及时、台账记录完整，得分位居前列。\n"
            "请各单位对照考核得分查找差距，及时登记台账，推动各项任务落到实处。"
        ),
        units=[s.unit for s in scores],
        cases=list(cases),
    )
    notice = services.issue_notice(actor=office, notice=notice)
    reader = builder.built.liaisons.get("wtl") or people.get("wtl")
    if reader is not None:
        services.record_read(person=reader, notice=notice)
