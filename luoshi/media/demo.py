"""The demo's media matrix: 市融媒体中心's reporters and editor with targets for this month and the
last, and their publications across channels and levels; some of them behind target.

The default channels come with the migration (media 0002), so the demo only uses them.
"""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from luoshi.ledgers.models import ActivityType, Category

from . import services
from .models import Channel, Level, PeriodKind

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

JOURNALISTS = ["rmt_rep1", "rmt_rep2", "rmt_rep3", "rmt_editor"]
# Monthly targets: (total, {level: count}).
TARGETS = {
    "rmt_rep1": (8, {Level.PROVINCE: 2}),
    "rmt_rep2": (6, {Level.PREFECTURE: 2}),
    "rmt_rep3": (6, {}),
    "rmt_editor": (4, {Level.CENTRAL: 1}),
}
HEADLINES = [
    "茫崖：“四大”专项行动激发干部干事创业热情",
    "挎包宣讲队走进牧区 党的声音传到毡房",
    "茫崖市开展文化市场专项检查",
    "花土沟镇：志愿服务暖人心",
    "茫崖：晨读分享成为机关新风尚",
    "翡翠湖畔游人如织 文旅融合添活力",
    "冷湖镇：星空下的科普课堂",
    "茫崖：红色资源点位成为党员教育“活课堂”",
    "业务大比拼 比出干劲和实效",
    "作风大转变：一线办公解难题",
    "茫崖市举办全民阅读分享会",
    "柴达木石油精神主题展开展",
    "能力大提升：青年干部练兵比武",
    "茫崖：网格员走街串巷送政策",
]
CHANNEL_CYCLE = [
    "微信公众号",
    "抖音/视频号",
    "新闻客户端",
    "报纸",
    "学习强国号",
    "电视",
    "网站",
    "广播",
]
LEVEL_CYCLE = [Level.CITY, Level.CITY, Level.PREFECTURE, Level.PROVINCE, Level.CITY, Level.CENTRAL]
# Placements per journalist: (last month, this month). rep3 falls short in both, rep2 and the
# editor this month (the editor also co-signs some of the reporters' pieces).
PLACEMENTS = {
    "rmt_rep1": (9, 8),
    "rmt_rep2": (6, 2),
    "rmt_rep3": (4, 4),
    "rmt_editor": (4, 1),
}


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# 市委宣传部's spring 2022 (the seed article's 强化宣传引导 and 强化一线采访): (date, headline,
# channel, level, author keys). Its two writers had a target for March 2022: 3 pieces each.
SPRING_2022 = [
    (datetime.date(2022, 2, 18), "茫崖全面启动“四大”专项行动", "微信公众号", Level.CITY),
    (datetime.date(2022, 2, 25), "茫崖：“四大”专项行动动员部署会召开", "新闻客户端", Level.CITY),
    (datetime.date(2022, 3, 3), "茫崖挎包宣讲队走进尕斯牧民定居点", "抖音/视频号", Level.CITY),
    (
        datetime.date(2022, 3, 10),
        "茫崖：宣传思想文化战线掀起全员大学习热潮",
        "报纸",
        Level.PREFECTURE,
    ),
    (
        datetime.date(2022, 3, 17),
        "茫崖宣讲进校园 新思想扎根青少年心中",
        "学习强国号",
        Level.PROVINCE,
    ),
    (datetime.date(2022, 3, 24), "茫崖：文化市场疫情防控专项检查常态化", "电视", Level.PREFECTURE),
    (datetime.date(2022, 3, 29), "茫崖“晨读+分享”成为机关新风尚", "网站", Level.PROVINCE),
    (datetime.date(2022, 4, 12), "茫崖：两大部门落实“四大”专项行动有好做法", "网站", Level.CENTRAL),
]
SPRING_WRITERS = ["xcb_liaison", "xcb_theory"]
SPRING_TARGET = 3


def _spring_2022(builder: "DemoBuilder", activity_type: ActivityType) -> None:
    """The department's own pieces of spring 2022 and its writers' March targets."""
    people, units = builder.built.people, builder.built.units
    unit = units.get("xcb")
    writers = [people[key] for key in SPRING_WRITERS if key in people]
    if unit is None or len(writers) < 2:
        return
    liaison = writers[0]
    for writer in writers:
        services.set_target(
            actor=liaison,
            person=writer,
            unit=unit,
            period_kind=PeriodKind.MONTH,
            period_start=datetime.date(2022, 3, 1),
            count=SPRING_TARGET,
        )
    channels = {channel.name: channel for channel in Channel.objects.all()}
    for serial, (day, headline, channel, level) in enumerate(SPRING_2022):
        # the first writer meets the March target (3 of the 5 March pieces), the second not
        author = writers[0] if serial % 2 == 0 or serial == 3 else writers[1]
        services.create_publication(
            actor=liaison,
            unit=unit,
            title=headline,
            published_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
            channel=channels[channel],
            level=level,
            authors=[author],
            link=f"https://www.example.com/mangya/2022/{serial + 1}",
            views=800 + serial * 211,
            activity_type=activity_type,
        )


def load(builder: "DemoBuilder") -> None:
    """Targets set by the centre's liaison; publications recorded by the liaison with the
    journalists as authors, through the ledger."""
    people, units = builder.built.people, builder.built.units
    unit = units.get("rmt")
    liaison = people.get("rmt_liaison")
    activity_type = ActivityType.objects.filter(category=Category.MEDIA, name="宣传报道").first()
    if unit is None or liaison is None or activity_type is None:
        return
    this_month = _month_start(builder.today)
    last_month = _month_start(this_month - datetime.timedelta(days=1))
    for key in JOURNALISTS:
        total, by_level = TARGETS[key]
        for start in (last_month, this_month):
            services.set_target(
                actor=liaison,
                person=people[key],
                unit=unit,
                period_kind=PeriodKind.MONTH,
                period_start=start,
                count=total,
            )
            for level, count in by_level.items():
                services.set_target(
                    actor=liaison,
                    person=people[key],
                    unit=unit,
                    period_kind=PeriodKind.MONTH,
                    period_start=start,
                    level=level,
                    count=count,
                )
    channels = {channel.name: channel for channel in Channel.objects.all()}
    today = min(builder.today, timezone.localdate())
    serial = 0
    for key in JOURNALISTS:
        last_count, this_count = PLACEMENTS[key]
        # the first pieces of each month meet the journalist's level targets
        planned = [level for level, n in TARGETS[key][1].items() for _i in range(n)]
        for month, count in ((last_month, last_count), (this_month, this_count)):
            month_end = min(
                (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1),
                today,
            )
            span = (month_end - month).days + 1
            for index in range(count):
                day = month + datetime.timedelta(days=(index * 3 + serial) % span)
                level = LEVEL_CYCLE[serial % len(LEVEL_CYCLE)]
                if index < len(planned):
                    level = planned[index]
                channel = channels[CHANNEL_CYCLE[serial % len(CHANNEL_CYCLE)]]
                # a second author now and then: the editor co-signs
                authors = [people[key]]
                if serial % 5 == 0 and key != "rmt_editor":
                    authors.append(people["rmt_editor"])
                services.create_publication(
                    actor=liaison,
                    unit=unit,
                    title=HEADLINES[serial % len(HEADLINES)],
                    published_at=builder.clock.moment((builder.today - day).days, 1),
                    channel=channel,
                    level=level,
                    authors=authors,
                    link=f"https://www.example.com/mangya/news/{serial + 1}",
                    views=300 + (serial * 137) % 4200,
                    activity_type=activity_type,
                )
                serial += 1
    _spring_2022(builder, activity_type)
