"""The demo's study: the five designated readings, the study settings, a 马克思主义学习小组 in
市文体旅游广电局 and in 市委宣传部, and the bureau's recent reading records and essays (a few rated
优秀). The article's own 2022 records come from another part of the demo."""

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from luoshi.ledgers.demo import DESIGNATED_READINGS, types_by_name

from . import services
from .models import Reading

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

OTHER_BOOKS = [
    ("平凡的世界", "路遥"),
    ("红岩", "罗广斌、杨益言"),
    ("习近平的七年知青岁月", "中央党校采访实录编辑室"),
    ("乡土中国", "费孝通"),
]
ESSAYS = [
    "以“四大”专项行动为抓手 推动文旅工作提质增效",
    "读《中国共产党简史》有感",
    "在晨读分享中提升理论素养",
    "立足岗位讲好茫崖故事",
    "作风大转变从我做起",
    "学习新思想 建功新时代",
    "做好文化市场监管的几点体会",
]


def _day(builder: "DemoBuilder", days_ago: int) -> datetime.date:
    # never after the real today: a record cannot be finished in the future
    return min(builder.today - datetime.timedelta(days=days_ago), timezone.localdate())


def load(builder: "DemoBuilder") -> None:
    """Configure the reading list and settings (office), the groups (liaisons) and some records."""
    campaign = builder.built.campaign
    if campaign is None:
        return
    people, units, members = builder.built.people, builder.built.units, builder.built.members
    office = people["office"]
    for order, (title, author) in enumerate(DESIGNATED_READINGS, start=1):
        services.add_reading(
            actor=office, campaign=campaign, title=title, author=author, sort_order=order * 10
        )
    types = types_by_name()
    services.set_study_settings(
        actor=office,
        campaign=campaign,
        reading_type=types.get("每月读一本好书"),
        essay_type=types.get("心得体会"),
    )
    wtl_liaison, xcb_liaison = people["wtl"], people["xcb_liaison"]
    wtl_people = [person for person in members["wtl"] if person.pk != people["wtl_head"].pk]
    services.create_group(
        actor=wtl_liaison,
        unit=units["wtl"],
        name="马克思主义学习小组",
        description="局机关理论学习小组，每周五集中学习。",
        leaders=[people["wtl_head"]],
        members=wtl_people,
    )
    services.create_group(
        actor=xcb_liaison,
        unit=units["xcb"],
        name="马克思主义学习小组",
        description="部机关理论学习小组。",
        leaders=[people["minister"]],
        members=[person for person in members["xcb"] if person.pk != people["minister"].pk],
    )
    readings = list(Reading.objects.filter(campaign=campaign).order_by("sort_order"))
    books = [(r, "", "") for r in readings] + [
        (None, title, author) for title, author in OTHER_BOOKS
    ]
    for index, person in enumerate(wtl_people):
        for step in range(1 + index % 3):
            reading, title, author = books[(index * 2 + step) % len(books)]
            services.record_reading(
                actor=wtl_liaison,
                campaign=campaign,
                reading=reading,
                title=title,
                author=author,
                finished_on=_day(builder, 5 + index * 7 + step * 23),
                notes="认真通读全书，做了读书笔记，结合工作实际谈了体会。",
                person=person,
            )
    for index, title in enumerate(ESSAYS):
        essay = services.write_essay(
            actor=wtl_liaison,
            campaign=campaign,
            title=title,
            written_on=_day(builder, 3 + index * 11),
            text=f"{title}。通过参加“四大”专项行动的集中学习，深刻体会到……",
            person=wtl_people[index % len(wtl_people)],
        )
        if index % 3 == 0:
            services.commend_essay(actor=wtl_liaison, activity=essay)
