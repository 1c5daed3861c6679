"""The demo's outreach: 茫崖市挎包宣讲队 (led from 市委宣传部, members from several units), the
places it must reach in each of 牧区/社区/企业/校园, and its lectures over the last months —
leaving some places not yet reached, so the coverage table shows gaps."""

from typing import TYPE_CHECKING

from luoshi.ledgers.demo import types_by_name
from luoshi.ledgers.models import VenueCategory
from luoshi.ledgers.services import record_activity

from . import services

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

# (name, category, unit key)
TARGETS = [
    ("花土沟镇 牧业点", VenueCategory.PASTORAL, "htg"),
    ("茫崖镇 牧业点", VenueCategory.PASTORAL, "my"),
    ("冷湖镇 牧业点", VenueCategory.PASTORAL, "lh"),
    ("石油基地社区", VenueCategory.COMMUNITY, "htg_base"),
    ("花土沟社区", VenueCategory.COMMUNITY, "htg_htg"),
    ("阿拉尔社区", VenueCategory.COMMUNITY, "htg_alr"),
    ("茫崖社区", VenueCategory.COMMUNITY, "my_my"),
    ("尕斯社区", VenueCategory.COMMUNITY, "my_gs"),
    ("冷湖社区", VenueCategory.COMMUNITY, "lh_lh"),
    ("昆仑社区", VenueCategory.COMMUNITY, "lh_kl"),
    ("茫崖市文化旅游投资有限公司", VenueCategory.ENTERPRISE, "ent_tour"),
    ("油田花土沟基地生活服务公司", VenueCategory.ENTERPRISE, "ent_oil"),
    ("茫崖市第一中学", VenueCategory.CAMPUS, "school1"),
    ("花土沟镇中心学校", VenueCategory.CAMPUS, "school2"),
]
# (target, days ago, topic, audience); 冷湖镇 牧业点, 昆仑社区 and 花土沟镇中心学校 stay unreached
LECTURES = [
    ("花土沟镇 牧业点", 150, "党的惠民政策进牧区", 46),
    ("石油基地社区", 141, "“四大”专项行动宣讲", 120),
    ("茫崖市第一中学", 128, "红色茫崖 薪火相传", 300),
    ("花土沟社区", 112, "学习贯彻党的二十大精神", 85),
    ("油田花土沟基地生活服务公司", 97, "柴达木精神宣讲", 64),
    ("茫崖镇 牧业点", 83, "民族团结进步宣讲", 38),
    ("茫崖社区", 70, "文明城市创建宣讲", 90),
    ("石油基地社区", 55, "防范电信诈骗宣讲", 110),
    ("茫崖市文化旅游投资有限公司", 41, "文旅融合发展政策宣讲", 52),
    ("尕斯社区", 28, "法治宣传进社区", 60),
    ("冷湖社区", 16, "“四大”专项行动宣讲", 75),
    ("花土沟镇 牧业点", 9, "草原生态保护宣讲", 41),
]


def load(builder: "DemoBuilder") -> None:
    """The team and targets (office), the lectures (市委宣传部's liaison)."""
    people, units = builder.built.people, builder.built.units
    office, recorder = people["office"], people["xcb_liaison"]
    lecture_type = types_by_name().get("挎包宣讲")
    if lecture_type is None:
        return
    team = services.create_team(
        actor=office,
        unit=units["xcb"],
        name="茫崖市挎包宣讲队",
        leader=people["xcb_theory"],
        members=[
            people[key]
            for key in ("xcb_liaison", "xcb_arts", "wtl", "staff", "wtl_arts", "rmt_rep1")
        ],
        description="背上挎包、走进牧区社区企业校园，用群众听得懂的话宣讲党的政策。",
    )
    targets = {
        name: services.create_target(
            actor=office, name=name, venue_category=category, unit=units[key], sort_order=index
        )
        for index, (name, category, key) in enumerate(TARGETS, start=1)
    }
    for index, (name, days_ago, topic, audience) in enumerate(LECTURES):
        services.create_lecture(
            actor=recorder,
            activity_type=lecture_type,
            unit=units["xcb"],
            starts_at=builder.clock.moment(days_ago, index % 4),
            topic=topic,
            team=team,
            target=targets[name],
            audience=audience,
            materials=audience * 2,
            notes=f"宣讲队走进{name}，发放宣传资料，现场答疑。",
        )
    # One lecture recorded through the generic ledger form: it counts for 阿拉尔社区 by its place.
    record_activity(
        actor=recorder,
        activity_type=lecture_type,
        unit=units["xcb"],
        title="“四大”专项行动进社区宣讲",
        starts_at=builder.clock.moment(35, 2),
        place="阿拉尔社区",
        venue_category=VenueCategory.COMMUNITY,
        audience=58,
        values={"topic": "“四大”专项行动进社区宣讲"},
        participants=[recorder],
    )
