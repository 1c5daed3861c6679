"""The demo's meetings: 市委宣传部's weekly 周例会 over the last weeks and its monthly 月调度会,
with agenda (the latest 周例会's from the campaign's red and yellow tasks), minutes and
decisions turned into 督办事项 tasks — older ones closed off, recent ones under way, one overdue.
Recorded by the department's liaison; decisions issued by the campaign office."""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.ledgers.demo import types_by_name

from . import selectors, services

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

WEEKLY_DECISIONS = [
    ("各单位于周五前报送本周“晨读+分享”学习会台账和照片", "wtl", 5),
    ("市融媒体中心制定专项行动系列宣传报道计划，开设专栏", "rmt", 10),
    ("宣传科牵头筹备挎包宣讲进牧区活动，落实宣讲人员和资料", "xcb", 7),
    ("市文体旅游广电局开展文化市场疫情防控专项检查", "wtl", 14),
    ("市融媒体中心完成学习强国号本月供稿任务", "rmt", 10),
    ("宣传科汇总各单位心得体会，择优在公众号刊发", "xcb", 7),
]
MONTHLY_DECISIONS = [
    ("对进度滞后的任务逐项下发督办单，责任单位限期说明情况", "xcb", 10),
    ("市文体旅游广电局完善文化市场检查台账，每月报送检查情况", "wtl", 20),
    ("市融媒体中心推进“中央厨房”采编流程改造", "rmt", 30),
    ("各单位开展“业务大比拼”岗位练兵，月底前报送比武方案", "wtl", 15),
]


def _finish(builder: "DemoBuilder", task: Task, owner, script: str, day: int) -> None:
    """Carry an assigned decision on: closed off, reported half-way, or left as it is."""
    office = builder.built.people["office"]
    if script == "open":
        return
    with builder.clock.at(max(day, 1), 3):
        task.refresh_from_db()
        chain.report_progress(
            actor=owner,
            task=task,
            percent=100 if script == "closed" else 50,
            text="已按会议要求落实。" if script == "closed" else "正在推进，已完成主要环节。",
            complete=script == "closed",
        )
    if script != "closed":
        return
    with builder.clock.at(max(day - 1, 1), 4):
        task.refresh_from_db()
        chain.verify_task(actor=office, task=task, passed=True, quality=Task.Quality.GOOD)
    with builder.clock.at(max(day - 1, 1), 5):
        task.refresh_from_db()
        chain.close_task(actor=office, task=task)


def _script(days_ago: int, due: int, index: int) -> str:
    left = due - days_ago  # days from today to the deadline
    if left < -3:
        return "late" if index == 2 else "closed"
    return "progress" if index % 2 else "open"


def _hold(builder, activity_type, *, title, days_ago, slot, agenda, minutes, decisions, index):
    people, units, campaign = builder.built.people, builder.built.units, builder.built.campaign
    recorder, office = people["xcb_liaison"], people["office"]
    attendees = builder.built.members.get("xcb", [])[:8]
    starts_at = builder.clock.moment(days_ago, slot)
    meeting = services.create_meeting(
        actor=recorder,
        activity_type=activity_type,
        unit=units["xcb"],
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1, minutes=30),
        place="市委宣传部会议室",
        participants=attendees,
        campaign=campaign,
        agenda=agenda,
        minutes=minutes,
    )
    meeting_day = timezone.localtime(starts_at).date()
    for number, (text, unit_key, due) in enumerate(decisions):
        owner = builder.built.workers[unit_key]
        with builder.clock.at(days_ago, slot + 1 + number, dates=True):
            decision = services.create_decision(
                actor=office,
                activity=meeting.activity,
                text=text,
                unit=units[unit_key],
                owner=owner,
                deadline=meeting_day + datetime.timedelta(days=due),
            )
        script = _script(days_ago, due, index + number)
        _finish(builder, decision.task, owner, script, days_ago - max(due - 2, 1))


def load(builder: "DemoBuilder") -> None:
    campaign = builder.built.campaign
    types = types_by_name()
    weekly, monthly = types.get("周例会"), types.get("月调度会")
    if campaign is None or weekly is None or monthly is None:
        return
    today = builder.today
    for month in range(3, 0, -1):
        days_ago = month * 30 + 3
        first, second = (
            MONTHLY_DECISIONS[(month * 2) % 4],
            MONTHLY_DECISIONS[(month * 2 + 1) % 4],
        )
        day = today - datetime.timedelta(days=days_ago)
        _hold(
            builder,
            monthly,
            title=f"{day:%Y年%m月}专项行动调度会",
            days_ago=days_ago,
            slot=1,
            agenda="一、通报各单位专项行动任务完成情况\n二、研究解决推进中的困难问题\n三、部署下月重点任务",
            minutes=(
                "会议听取了各单位专项行动推进情况汇报，分析了存在的问题。"
                f"会议议定：一、{first[0]}；二、{second[0]}。"
            ),
            decisions=[first, second],
            index=month,
        )
    office = builder.built.people["office"]
    for week in range(6, 0, -1):
        days_ago = week * 7 + today.weekday()  # the Monday of that week
        decision = WEEKLY_DECISIONS[(6 - week) % len(WEEKLY_DECISIONS)]
        monday = today - datetime.timedelta(days=days_ago)
        agenda = (
            "一、通报上周专项行动任务推进情况\n二、各科室汇报本周工作\n三、研究部署下周重点工作"
        )
        if week == 1:
            # The latest 例会 督办 the campaign's red and yellow tasks, as a new meeting's
            # agenda is pre-filled from them.
            chain.refresh_warnings(today=today)
            warned = selectors.warning_agenda(office, campaign)
            if warned:
                agenda += "\n四、督办红色预警、黄色预警任务\n" + warned
        _hold(
            builder,
            weekly,
            title=f"{monday:%Y年%m月%d日}周例会",
            days_ago=days_ago,
            slot=0,
            agenda=agenda,
            minutes=(
                "会议通报了上周专项行动任务推进情况，各科室汇报了本周工作。"
                f"会议议定：{decision[0]}。"
            ),
            decisions=[decision],
            index=week,
        )
    chain.refresh_warnings(
        tasks=list(Task.objects.filter(meeting_decision__isnull=False).select_related("campaign")),
        today=today,
    )
