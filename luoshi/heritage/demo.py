"""The demo's heritage: four sites of the oilfield and frontier history around 茫崖 and 花土沟, two
routes through them, two exhibitions, and 红色教育 activities held at the sites in the last months
and in the bureau's spring 2022 (the seed article's 突出“实”).

The descriptions keep to general, well-known facts (the Qaidam oilfield was opened up from the
1950s by exploration teams working in the desert at high altitude); they are demo text, not a
historical record.
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from luoshi.ledgers.models import ActivityType

from . import services
from .models import Route, RouteKind, Site, SiteKind

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

SITES = [
    (
        "狮20井",
        SiteKind.OIL_WELL,
        "茫崖市花土沟镇",
        "柴达木盆地西部石油勘探早期的一口探井。上世纪五十年代起，石油勘探队伍在高寒缺氧、"
        "风沙肆虐的戈壁荒漠中安营扎寨，狮20井是那段艰苦创业岁月的见证，现为开展石油精神"
        "和红色教育的现场教学点。",
    ),
    (
        "英雄地中四井",
        SiteKind.OIL_WELL,
        "茫崖市冷湖镇",
        "柴达木石油勘探开发史上具有标志意义的油井之一，被誉为“英雄”井。井旁的纪念设施讲述了"
        "一代石油人为国找油、献了青春献终身的奋斗故事，是干部群众接受理想信念教育的重要场所。",
    ),
    (
        "七个泉军事设施",
        SiteKind.MILITARY,
        "茫崖市",
        "保留有当年修建的营房、工事等军事设施遗存，记录了驻守戈壁的官兵与当地群众在艰苦条件下"
        "守护边疆、支援建设的历史，可开展国防教育和革命传统教育。",
    ),
    (
        "茫崖工业遗址",
        SiteKind.INDUSTRIAL,
        "茫崖市茫崖镇",
        "茫崖早期工矿企业留存的厂房、设备和生活设施遗存，见证了一代代建设者扎根戈壁、"
        "艰苦创业的历程，是了解茫崖因矿而兴、因油而建的城市历史的窗口。",
    ),
]

ROUTES = [
    (
        "石油精神红色旅游线路",
        RouteKind.RED_TOURISM,
        "沿油田开发的足迹，感悟“艰苦奋斗、为国找油”的石油精神。",
        [
            ("茫崖工业遗址", "参观工矿遗存，了解城市因矿而兴的历史"),
            ("狮20井", "现场讲解石油勘探早期的创业故事"),
            ("英雄地中四井", "瞻仰纪念设施，重温入党誓词"),
        ],
    ),
    (
        "戍边建设学习体验线路",
        RouteKind.STUDY,
        "面向机关干部和青少年的现场教学线路，半天即可走完。",
        [
            ("七个泉军事设施", "国防教育现场教学"),
            ("狮20井", "学习体会交流"),
        ],
    ),
]

ROUTES_DESIGNED = timezone.make_aware(
    datetime.datetime.combine(datetime.date(2022, 3, 1), datetime.time(9))
)
# (days ago, site, unit key, recorder key, topic, participants from the unit)
VISITS = [
    (3, "狮20井", "wtl", "wtl", "传承石油精神 争做实干先锋", 6),
    (12, "英雄地中四井", "xcb", "xcb_liaison", "重温入党誓词 坚定理想信念", 5),
    (20, "七个泉军事设施", "rmt", "rmt_liaison", "国防教育现场教学", 4),
    (33, "狮20井", "xcb", "xcb_liaison", "“四大”专项行动现场教学", 5),
    (41, "茫崖工业遗址", "wtl", "wtl", "了解城市发展历史 讲好茫崖故事", 7),
    (52, "英雄地中四井", "wtl", "wtl", "主题党日：学习老一辈石油人的奋斗精神", 6),
]
RED_EDUCATION = "红色教育"
# The bureau's spring 2022 (the seed article's 突出“实”): (date, site, topic, participants).
VISITS_2022 = [
    (datetime.date(2022, 3, 4), "狮20井", "“四大”专项行动现场教学：传承石油精神", 8),
    (datetime.date(2022, 3, 18), "英雄地中四井", "学习老一辈石油人的奋斗精神", 7),
    (datetime.date(2022, 3, 30), "七个泉军事设施", "国防教育和革命传统教育现场教学", 6),
    (datetime.date(2022, 4, 8), "茫崖工业遗址", "讲好茫崖因矿而兴、因油而建的故事", 7),
]


def load(builder: "DemoBuilder") -> None:
    """Sites, routes and an exhibition as the office; then the visits, through the ledger (whose
    activity types are loaded before this app's part: it comes after the ledger in INSTALLED_APPS)."""
    office = builder.built.people["office"]
    managing = builder.built.units.get("wtl")
    sites: dict[str, Site] = {}
    for name, kind, location, description in SITES:
        sites[name] = services.create_site(
            actor=office,
            name=name,
            kind=kind,
            location=location,
            description=description,
            unit=managing,
        )
    for route_name, route_kind, description, stops in ROUTES:
        route = services.create_route(
            actor=office,
            name=route_name,
            kind=route_kind,
            description=description,
            unit=managing,
            stops=[(sites[site], notes) for site, notes in stops],
        )
        # the bureau designed its routes in the spring of 2022 (the seed article's 突出“实”)
        Route.objects.filter(pk=route.pk).update(created_at=ROUTES_DESIGNED)
    services.create_exhibition(
        actor=office,
        title="柴达木石油精神主题展",
        site=sites["狮20井"],
        starts_on=builder.today - datetime.timedelta(days=20),
        ends_on=builder.today + datetime.timedelta(days=70),
        description="以图片、实物和口述史料展示柴达木石油勘探开发的艰苦创业历程。",
        unit=managing,
    )
    services.create_exhibition(
        actor=office,
        title="茫崖工业遗址图片展",
        site=sites["茫崖工业遗址"],
        starts_on=datetime.date(2022, 3, 1),
        ends_on=datetime.date(2022, 6, 30),
        description="以老照片和实物展示茫崖早期工矿建设者扎根戈壁、艰苦创业的历程。",
        unit=managing,
    )
    record_visits(builder)


def record_visits(builder: "DemoBuilder") -> None:
    """红色教育 activities held at the sites, recorded by the units' liaisons through the ledger."""
    activity_type = ActivityType.objects.filter(name=RED_EDUCATION).first()
    if activity_type is None:  # the office has no such type: nothing to record
        return
    from luoshi.ledgers.services import record_activity

    sites = {site.name: site for site in Site.objects.all()}
    people, units, members = builder.built.people, builder.built.units, builder.built.members
    for days_ago, site_name, unit_key, recorder_key, topic, size in VISITS:
        when = builder.clock.moment(days_ago, 2)
        if when > timezone.now():
            continue
        record_activity(
            actor=people[recorder_key],
            activity_type=activity_type,
            unit=units[unit_key],
            title=f"赴{site_name}开展红色教育",
            starts_at=when,
            ends_at=when + datetime.timedelta(hours=3),
            parts={"site": sites[site_name]},
            hours=Decimal(3),
            values={"topic": topic},
            participants=members.get(unit_key, [])[:size],
        )
    if "wtl" not in units:
        return
    for day, site_name, topic, size in VISITS_2022:
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
        record_activity(
            actor=people["wtl"],
            activity_type=activity_type,
            unit=units["wtl"],
            title=f"赴{site_name}开展红色教育",
            starts_at=when,
            ends_at=when + datetime.timedelta(hours=3),
            parts={"site": sites[site_name]},
            hours=Decimal(3),
            values={"topic": topic},
            participants=members.get("wtl", [])[:size],
        )
