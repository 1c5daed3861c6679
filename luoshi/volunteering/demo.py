"""The demo's volunteer service: 茫崖市新时代文明实践中心 (a unit under the city, the `wmzx`
account), the three towns as 所 and their communities as 站, five teams, about sixty volunteers
(cadres of the bureau and the towns, residents registered by the communities, and the
`volunteer` account of a resident of 阿拉尔社区), the year's 一月一主题 with the last four months'
prescribed actions issued to every 所/站 and walked through the chain (signed, assigned, counted
from activities, submitted, verified), self-chosen activities, an upcoming activity with a wait
list, timed hours in and out of publicity, 补录 with proof, an open objection, residents' orders
at every step, and one certificate."""

import datetime
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from luoshi.campaigns import services as chain
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category, Participation
from luoshi.lib.dates import replaying
from luoshi.org import services as org
from luoshi.org.models import Role, Scope, UnitKind

from . import rollups, services
from .models import PracticeUnit, ServiceHours, SignUp, Volunteer, VolunteerSettings
from .services import orders as order_moves

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

TOWNS = ["htg", "my", "lh"]
STATIONS = ["htg_base", "htg_htg", "htg_alr", "my_my", "my_gs", "lh_lh", "lh_kl"]
THEMES = [
    "我们的节日·春节",
    "“邻里守望”关爱行动",
    "学雷锋志愿服务月",
    "我们的节日·清明",
    "“劳动最光荣”志愿服务",
    "“护苗成长”关爱未成年人",
    "“红色七月”党史宣讲",
    "“生态茫崖”环境守护",
    "“金秋助学”志愿服务",
    "“喜迎国庆”文明实践",
    "“法治宣传”进社区",
    "“温暖冬日”关爱困难群众",
]
ACTIONS = {
    1: "为独居老人送年货、贴春联",
    2: "入户走访空巢老人",
    3: "“学雷锋”便民服务集市",
    4: "文明祭扫宣传引导",
    5: "环境卫生集中整治",
    6: "“六一”关爱留守儿童",
    7: "党史故事进社区",
    8: "河湖岸线清理",
    9: "助学帮扶走访",
    10: "国庆文明旅游引导",
    11: "宪法宣传进社区",
    12: "为困难群众送温暖",
}
TEAMS = [
    ("茫崖市文体旅游志愿服务队", "wtl", "文艺演出、文明旅游引导、文化惠民"),
    ("花土沟镇志愿服务队", "htg", "便民服务、环境整治"),
    ("茫崖镇志愿服务队", "my", "关爱老人、政策宣讲"),
    ("冷湖镇志愿服务队", "lh", "文明旅游引导、生态保护"),
    ("阿拉尔社区“红马甲”志愿服务队", "htg_alr", "邻里互助、助老助残"),
]
RESIDENTS_PER_STATION = 4
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def demo_id(serial: int) -> str:
    """A well-formed resident ID for a demo volunteer (茫崖 632803, checked like a real one)."""
    body = (
        f"632803{1970 + serial % 35}{1 + serial % 12:02d}{1 + serial % 28:02d}{serial % 1000:03d}"
    )
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    return body + check


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _person(builder: "DemoBuilder", username: str, name: str, unit, position: str):
    person = org.create_person(
        actor=None,
        username=username,
        name=name,
        unit=unit,
        position=position,
        phone=builder.names.phone(),
        must_change_password=False,
        is_demo=True,
        audit=False,
    )
    person.password = builder.built.people["office"].password  # the one published password
    person.password_changed_at = timezone.now()
    person.save(update_fields=["password", "password_changed_at"])
    builder.built.people[username] = person
    return person


def _sign_in_sheet() -> SimpleUploadedFile:
    """A small generated picture standing for a photographed sign-in sheet (the proof of 补录)."""
    image = Image.new("RGB", (480, 320), (245, 245, 240))
    draw = ImageDraw.Draw(image)
    for row in range(8):
        draw.line((30, 40 + row * 34, 450, 40 + row * 34), fill=(120, 120, 120), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile("签到表.png", buffer.getvalue(), "image/png")


def _served(service, volunteer, minutes: int) -> ServiceHours | None:
    """A past attendance as the check-in and check-out would have left it: the sign-up with its
    times, the ledger's check-in, and the timed hours (published at check-out)."""
    activity = service.activity
    start = activity.starts_at
    out = start + datetime.timedelta(minutes=minutes)
    SignUp.objects.create(
        service=service,
        position=service.positions.first(),
        volunteer=volunteer,
        status=SignUp.Status.ACCEPTED,
        created_at=start - datetime.timedelta(days=3),
        decided_at=start - datetime.timedelta(days=3),
        checked_in_at=start,
        checked_out_at=out,
    )
    if volunteer.person_id:
        Participation.objects.get_or_create(
            activity=activity,
            person_id=volunteer.person_id,
            defaults={"source": Participation.Source.CHECKIN, "checked_in_at": start},
        )
    rules = VolunteerSettings.load()
    hours = services.timed_hours(start, out, service.planned_hours, rules.min_attendance_percent)
    if not hours:
        return None
    row = ServiceHours.objects.create(
        service=service,
        volunteer=volunteer,
        unit=activity.unit,
        hours=hours,
        method=ServiceHours.Method.TIMED,
        served_on=timezone.localdate(start),
        recorded_at=out,
        public_until=out + datetime.timedelta(days=rules.publicity_days),
    )
    rollups.count_hours(row)
    return row


def load(builder: "DemoBuilder") -> None:
    people, units, liaisons = builder.built.people, builder.built.units, builder.built.liaisons
    today = builder.today
    office = people["office"]
    centre_unit = org.create_unit(
        actor=None,
        name="茫崖市新时代文明实践中心",
        kind=UnitKind.OTHER,
        parent=units["city"],
        audit=False,
    )
    units["wmzx"] = centre_unit
    wmzx = _person(builder, "wmzx", "马文婷", centre_unit, "文明实践中心专职干部")
    org.grant_role(
        actor=None,
        person=wmzx,
        role=Role.CENTRE,
        unit=units["city"],
        scope=Scope.SUBTREE,
        audit=False,
    )
    org.grant_role(
        actor=None, person=wmzx, role=Role.STAFF, unit=centre_unit, scope=Scope.SELF, audit=False
    )
    PracticeUnit.objects.create(unit=centre_unit, level=PracticeUnit.Level.CENTRE, takes_part=False)
    for key in TOWNS:
        PracticeUnit.objects.create(unit=units[key], level=PracticeUnit.Level.INSTITUTE)
    for key in STATIONS:
        PracticeUnit.objects.create(unit=units[key], level=PracticeUnit.Level.STATION)
    resident = _person(builder, "volunteer", "韩秀兰", units["htg_alr"], "阿拉尔社区居民")
    org.grant_role(
        actor=None,
        person=resident,
        role=Role.VOLUNTEER,
        unit=units["htg_alr"],
        scope=Scope.SELF,
        audit=False,
    )
    service_type = ledger.create_activity_type(
        actor=office,
        name="志愿服务活动",
        category=Category.VOLUNTEER,
        takes_checkin=True,
        records_hours=True,
        description="新时代文明实践志愿服务活动（在“志愿服务”中发布，报名、签到、计时）。",
    )

    # Volunteers: cadres register themselves, residents are registered by their community.
    serial = 1
    volunteers: dict[str, list[Volunteer]] = {}
    skills = list(services.volunteers.Skill.objects.all())
    for key in ["wtl", *TOWNS]:
        for person in builder.built.members[key][:8]:
            if Volunteer.objects.filter(person=person).exists():
                continue
            volunteers.setdefault(key, []).append(
                services.register_volunteer(
                    actor=person,
                    unit=units[key],
                    person=person,
                    real_name=person.name,
                    phone=person.phone,
                    id_number=demo_id(serial),
                    political_status="member",
                    skills=skills[serial % len(skills) : serial % len(skills) + 2],
                    availability="工作日晚间、周末",
                    consent=True,
                )
            )
            serial += 1
    for key in STATIONS:
        for _n in range(RESIDENTS_PER_STATION):
            volunteers.setdefault(key, []).append(
                services.register_volunteer(
                    actor=liaisons[key],
                    unit=units[key],
                    real_name=builder.names.name(),
                    phone=builder.names.phone(),
                    id_number=demo_id(serial),
                    skills=skills[serial % len(skills) : serial % len(skills) + 1],
                    areas=units[key].name,
                    availability="周末",
                    consent=True,
                )
            )
            serial += 1
    own = services.register_volunteer(
        actor=resident,
        unit=units["htg_alr"],
        person=resident,
        real_name=resident.name,
        phone=resident.phone,
        id_number=demo_id(serial),
        skills=skills[8:9],
        areas="阿拉尔社区",
        availability="周末全天",
        consent=True,
    )
    volunteers["htg_alr"].insert(0, own)

    teams = {}
    for name, key, description in TEAMS:
        members = volunteers.get(key, [])
        if key == "htg":
            members = members + volunteers["htg_base"] + volunteers["htg_htg"]
        leader_actor = liaisons.get(key, office)
        teams[key] = services.create_team(
            actor=leader_actor,
            unit=units[key],
            name=name,
            leaders=members[:1],
            members=members[1:],
            description=description,
        )

    # 一月一主题: the year's themes; the last four months' actions issued and worked.
    year = today.year
    campaign = chain.create_campaign(
        actor=wmzx,
        name=f"{year}年新时代文明实践“一月一主题”志愿服务",
        short_name=f"{year}年“一月一主题”",
        office_unit=centre_unit,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
    )
    themes = {
        month: services.create_theme(
            actor=wmzx, campaign=campaign, year=year, month=month, title=title
        )
        for month, title in enumerate(THEMES, start=1)
    }
    months = [m for m in range(today.month - 3, today.month + 1) if m >= 1]
    key_of = {units[key].pk: key for key in [*TOWNS, *STATIONS]}
    for index, month in enumerate(months):
        last_day = (datetime.date(year, month, 28) + datetime.timedelta(days=4)).replace(day=1)
        last_day -= datetime.timedelta(days=1)
        # a past month's action was set up and issued while its deadline still lay ahead
        with replaying(_at(min(last_day, today), 9)):
            action = services.add_action(
                actor=wmzx,
                theme=themes[month],
                title=ACTIONS[month],
                description="各文明实践所、站结合实际组织开展，活动照片和志愿者签到记录自动计入台账。",
                expected_activities=2 if month != today.month else 1,
                deadline=max(last_day, today) if month == today.month else last_day,
            )
            tasks = services.issue_action(actor=wmzx, action=action)
        current = month == today.month
        for position, task in enumerate(tasks):
            assert task.unit_id is not None
            key = key_of[task.unit_id]
            liaison = liaisons[key]
            if current and position % 3 == 2:
                continue  # still to be signed
            chain.sign_task(actor=liaison, task=task)
            if current and position % 3 == 1:
                continue  # signed, not yet assigned
            chain.assign_task(actor=liaison, task=task, owner=liaison)
            held = action.expected_activities if (position + index) % 4 else 1
            if current:
                held = position % 2
            for number in range(held):
                day = min(
                    today - datetime.timedelta(days=1),
                    datetime.date(year, month, 6 + 7 * number + position % 5),
                )
                recruit_until = _at(day - datetime.timedelta(days=1), 18)
                with replaying(recruit_until):  # published before its sign-up closed
                    service = services.publish_activity(
                        actor=liaison,
                        activity_type=service_type,
                        unit=units[key],
                        title=f"{ACTIONS[month]}（{units[key].name}）",
                        place=units[key].name,
                        starts_at=_at(day, 9),
                        ends_at=_at(day, 12),
                        planned_hours=Decimal(3),
                        recruit_until=recruit_until,
                        positions=[services.PositionSpec("志愿服务", 8)],
                        action=action,
                        team=teams.get(key),
                    )
                for rank, volunteer in enumerate(volunteers.get(key, [])[:5]):
                    _served(service, volunteer, 180 - 20 * rank)  # 100 min (< 60 %) records none
            task.refresh_from_db()
            if not current and task.progress == 100:
                chain.report_progress(
                    actor=liaison,
                    task=task,
                    percent=100,
                    text=f"已开展“{ACTIONS[month]}”志愿服务活动 {held} 场，签到记录已计入台账。",
                    complete=True,
                )
                if position % 2 == 0:
                    chain.verify_task(actor=wmzx, task=task, passed=True, quality="excellent")

    # A self-chosen activity coming up, full, with a wait list (and one promotion).
    soon = today + datetime.timedelta(days=5)
    upcoming = services.publish_activity(
        actor=liaisons["htg_alr"],
        activity_type=service_type,
        unit=units["htg_alr"],
        title="“红马甲”助老理发进社区",
        place="阿拉尔社区党群服务中心",
        starts_at=_at(soon, 15),
        ends_at=_at(soon, 17),
        planned_hours=Decimal(2),
        recruit_until=_at(soon - datetime.timedelta(days=1), 20),
        positions=[
            services.PositionSpec("理发", 3, "自带工具者优先"),
            services.PositionSpec("秩序引导", 2),
        ],
        requirements="有理发经验；服务时请穿志愿者马甲。",
        team=teams["htg_alr"],
        skills=skills[8:9],
    )
    barber = upcoming.positions.get(name="理发")
    takers = [v for v in volunteers["wtl"] + volunteers["htg"] if v.person_id][:5]
    for volunteer in [own, *takers]:
        assert volunteer.person is not None
        services.sign_up(actor=volunteer.person, service=upcoming, position=barber)
    cancelled = SignUp.objects.filter(service=upcoming, status=SignUp.Status.ACCEPTED).last()
    assert cancelled is not None and cancelled.volunteer.person is not None
    services.cancel_signup(actor=cancelled.volunteer.person, signup=cancelled, reason="临时出差")

    # 补录 with proof, and an objection of the resident in the publicity period.
    recent = (
        ServiceHours.objects.filter(volunteer__in=volunteers["htg_alr"][1:])
        .select_related("service")
        .order_by("-served_on")
        .first()
    )
    if recent is not None:
        services.add_hours(
            actor=liaisons["htg_alr"],
            service=recent.service,
            volunteer=recent.volunteer,
            hours=Decimal("3.0"),
            reason="签退时手机没电，按签到表补录",
            proof=_sign_in_sheet(),
        )

    # Residents' orders at every step.
    needs = [
        ("阿拉尔社区", "家中老人行动不便，想请志愿者帮忙理发", "周末下午"),
        ("花土沟社区", "小区门前有积雪，希望组织清扫", "本周内"),
        ("茫崖社区", "想了解医保政策，希望有人上门讲解", "工作日上午"),
        ("冷湖社区", "孩子放学后无人看护，希望有课后辅导", "工作日下午"),
        ("尕斯社区", "希望帮忙修理楼道照明", "尽快"),
        ("石油基地社区", "请帮忙代购药品", "明天上午"),
    ]
    placed = [
        order_moves.place_order(
            actor=None,
            name=builder.names.name(),
            phone=builder.names.phone(),
            community=c,
            need=n,
            preferred_time=t,
        )
        for c, n, t in needs
    ]
    order_moves.review_order(
        actor=wmzx, order=placed[1], accept=False, reason="属于物业服务范围，已转社区物业办理"
    )
    for order, category in zip(
        placed[2:], ["理论宣讲", "教育辅导", "其他", "助老助残"], strict=True
    ):
        order_moves.review_order(actor=wmzx, order=order, accept=True, category=category)
    deadline = today + datetime.timedelta(days=7)
    order_moves.dispatch_order(
        actor=wmzx, order=placed[3], team=teams["lh"], campaign=campaign, deadline=deadline
    )
    for order in (placed[4], placed[5]):
        order_moves.dispatch_order(
            actor=wmzx, order=order, team=teams["htg_alr"], campaign=campaign, deadline=deadline
        )
        order.refresh_from_db()
        order_moves.take_order(actor=liaisons["htg_alr"], order=order)
    for order in placed:
        order.refresh_from_db()
    done_day = today - datetime.timedelta(days=1)
    with replaying(_at(done_day, 8)):  # published before its sign-up closed
        for_order = services.publish_activity(
            actor=liaisons["htg_alr"],
            activity_type=service_type,
            unit=units["htg_alr"],
            title="为石油基地社区老人代购药品",
            place="石油基地社区",
            starts_at=_at(done_day, 9),
            ends_at=_at(done_day, 11),
            planned_hours=Decimal(2),
            recruit_until=_at(done_day, 8),
            positions=[services.PositionSpec("代购", 2)],
            order=placed[5],
        )
    _served(for_order, own, 95)  # 1.5 of the planned 2 hours
    order_moves.close_order(actor=liaisons["htg_alr"], order=placed[5], service=for_order)
    order_moves.rate_order(code=placed[5].code, rating=5, comment="志愿者很耐心，送药及时")

    # One certificate: the resident's final hours at 阿拉尔社区.
    final = ServiceHours.objects.filter(
        volunteer=own, unit=units["htg_alr"], public_until__lte=timezone.now()
    ).order_by("served_on")
    if final.exists():
        services.issue_certificate(
            actor=liaisons["htg_alr"],
            volunteer=own,
            issuer=units["htg_alr"],
            date_from=datetime.date(year, 1, 1),
            date_to=today,
        )

    # The resident objects to yesterday's hours (in publicity).
    mine = ServiceHours.objects.filter(volunteer=own).order_by("-served_on").first()
    if mine is not None and mine.public_until > timezone.now():
        services.object_to_hours(
            actor=resident,
            hours=mine,
            text="服务到 11 点半才结束，签退晚了，申请按实际时间记录",
            claimed_hours=Decimal(2),
        )
