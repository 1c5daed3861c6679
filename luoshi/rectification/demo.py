"""The demo's rectification: the seed article's four problems, each with its 项目攻坚组 (people
from several units) and its 整改 task in a different state; and the current market inspections of
市文体旅游广电局's 文化市场综合执法大队, some of whose findings opened 整改 tasks — one already
closed off (销号). Everything goes through the services, relative to builder.today."""

import datetime
from typing import TYPE_CHECKING

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.ledgers.demo import types_by_name
from luoshi.ledgers.services import record_activity

from . import services

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.demo.data import DemoBuilder

# (title, description, unit key, task force name, lead key, member keys,
#  days ago listed, deadline in days from today, script)
PROBLEMS = [
    (
        "宣传宣讲不解渴",
        "宣讲内容与群众关切结合不紧，形式单一，牧区、企业覆盖不足。",
        "xcb",
        "宣传宣讲提质攻坚组",
        "xcb_theory",
        ("xcb_liaison", "wtl_arts", "rmt_rep1", "staff"),
        100,
        -20,
        "closed",
    ),
    (
        "媒体融合发展见效慢",
        "“中央厨房”机制运行不畅，新媒体平台原创内容少、传播力弱。",
        "rmt",
        "媒体融合攻坚组",
        "rmt_editor",
        ("rmt_rep2", "xcb_liaison", "xcb_deputy2"),
        90,
        45,
        "in_progress",
    ),
    (
        "文艺创作精品少",
        "反映茫崖石油精神、柴达木精神的精品力作不多，创作队伍力量薄弱。",
        "wtl",
        "文艺精品创作攻坚组",
        "wtl_arts",
        ("xcb_arts", "wtl_dep2", "rmt_rep3"),
        80,
        -5,
        "late",
    ),
    (
        "网络管控缺手段",
        "网络舆情监测预警手段不足，网评员队伍作用发挥不够。",
        "xcb",
        "网络综合治理攻坚组",
        "xcb_deputy2",
        ("rmt_rep1", "wtl_clerk3"),
        20,
        60,
        "issued",
    ),
]

# (venue, kind, result, findings, days ago, finding → (days to deadline, script) or None)
INSPECTIONS = [
    (
        "星空网络会所",
        "网吧",
        "责令整改",
        "未按规定核对登记上网消费者有效身份证件",
        40,
        (10, "closed"),
    ),
    ("金沙滩KTV", "歌舞娱乐场所", "合格", "", 33, None),
    ("花土沟新华书店", "书店", "合格", "", 26, None),
    ("茫崖影城", "影院", "责令整改", "消防疏散指示标志损坏，应急照明不足", 19, (20, "in_progress")),
    ("极速网咖", "网吧", "立案查处", "接纳未成年人进入营业场所", 12, (25, "issued")),
    ("昆仑印务有限公司", "印刷企业", "合格", "", 6, None),
    ("石油基地文化活动中心", "其他", "合格", "", 2, None),
]


def _walk(builder: "DemoBuilder", task: Task, script: str, unit_key: str, start: int) -> None:
    """Walk a unit task along the chain to the state `script` names, a few days apart."""
    people = builder.built.people
    office = people["office"]
    liaison = builder.built.liaisons.get(unit_key) or people["wtl"]
    members = builder.built.members.get(unit_key) or [builder.built.workers[unit_key]]
    owner: User = builder.built.workers.get(unit_key) or members[0]
    if unit_key == "wtl_law":
        owner = members[1] if len(members) > 1 else members[0]
    clock = builder.clock
    if script == "issued":
        return
    day = max(start - 2, 1)
    with clock.at(day, 1):
        task.refresh_from_db()
        chain.sign_task(actor=liaison, task=task)
    with clock.at(day, 2):
        task.refresh_from_db()
        chain.assign_task(actor=liaison, task=task, owner=owner)
    day = max(day - 8, 1)
    with clock.at(day, 3):
        task.refresh_from_db()
        chain.report_progress(
            actor=owner,
            task=task,
            percent=30 if script == "late" else 60,
            text="已制定整改方案，明确责任人和时间节点，正在逐项推进。",
        )
    if script != "closed":
        return
    day = max(day - 8, 1)
    with clock.at(day, 4):
        task.refresh_from_db()
        chain.report_progress(
            actor=owner,
            task=task,
            percent=100,
            text="整改措施全部落实到位，已建立长效机制，申请销号。",
            complete=True,
        )
    day = max(day - 2, 1)
    with clock.at(day, 5):
        task.refresh_from_db()
        chain.verify_task(actor=office, task=task, passed=True, quality=Task.Quality.GOOD)
    with clock.at(day, 6):
        task.refresh_from_db()
        chain.close_task(actor=office, task=task, note="整改到位，同意销号。")


def load(builder: "DemoBuilder") -> None:
    campaign = builder.built.campaign
    if campaign is None:
        return
    people, units = builder.built.people, builder.built.units
    office = people["office"]
    today = builder.today
    tasks: list[Task] = []
    for title, text, unit_key, force_name, lead, members, listed, due, script in PROBLEMS:
        with builder.clock.at(listed, 0, dates=True):
            force = services.create_task_force(
                actor=office,
                campaign=campaign,
                name=force_name,
                lead=people[lead],
                members=[people[key] for key in members],
                description=f"牵头解决“{title}”问题，制定整改方案并推动落实。",
            )
            problem = services.create_problem(
                actor=office,
                campaign=campaign,
                title=title,
                description=text,
                source="专项行动查摆问题清单",
                unit=units[unit_key],
                task_force=force,
                deadline=today + datetime.timedelta(days=due),
            )
        _walk(builder, problem.task, script, unit_key, listed)
        tasks.append(problem.task)

    inspection_type = types_by_name().get("文化市场检查")
    if inspection_type is None:
        return
    recorder = people["wtl"]
    inspectors = builder.built.members.get("wtl_law", [])[:3]
    for index, (venue, kind, result, findings, days_ago, finding) in enumerate(INSPECTIONS):
        activity = record_activity(
            actor=recorder,
            activity_type=inspection_type,
            unit=units["wtl_law"],
            title=f"{venue}文化市场检查",
            starts_at=builder.clock.moment(days_ago, index % 3),
            place=venue,
            values={
                "venue_name": venue,
                "venue_kind": kind,
                "result": result,
                "findings": findings,
            },
            participants=inspectors,
            campaigns=[campaign],
        )
        if finding is None:
            continue
        due, script = finding
        with builder.clock.at(days_ago, 5, dates=True):
            created = services.create_finding(
                actor=office,
                activity=activity,
                campaign=campaign,
                description=findings,
                unit=units["wtl_law"],
                deadline=today + datetime.timedelta(days=due - days_ago),
            )
        _walk(builder, created.task, script, "wtl_law", days_ago)
        tasks.append(created.task)
    chain.refresh_warnings(
        tasks=list(Task.objects.filter(pk__in=[t.pk for t in tasks])), today=today
    )
