"""The demo's ledger records: the article's own spring 2022, and a live ledger around today.

(a) The seed article (2022-04-14) counts what 市文体旅游广电局 did since the campaign began in
mid-February 2022: 5 designated readings, 6 “晨读+分享” sessions, 8 专项理论学习, 20-odd books,
69 essays, 20-odd 文化市场领域疫情防控专项检查; and 市委宣传部's 挎包宣讲队 went into pastoral
areas, communities, enterprises and schools. Those records are here, dated 2022-02-15 …
2022-04-14, so the briefing of the bureau up to 2022-04-14 says what the article says.
(b) Study records relative to `builder.today` across several units (weekly sessions, 周五专题,
主题党日, books, essays), so the ledger pages look alive. Lectures, inspections, meetings,
publications and heritage visits of the current period belong to the other apps' demo parts.

Everything goes through `record_activity` as the unit's liaison; afterwards one UPDATE per table
sets the creation stamps to the activity's own time (as if recorded that day).
"""

import datetime
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import F
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.campaigns.models import Campaign
from luoshi.org.models import Unit

from .models import Activity, ActivityType, VenueCategory
from .services import record_activity


class DemoBuilt(Protocol):
    """What the demo built before the apps' parts, by key (luoshi.demo.data.Built)."""

    @property
    def units(self) -> dict[str, Unit]: ...
    @property
    def people(self) -> dict[str, User]: ...
    @property
    def members(self) -> dict[str, list[User]]: ...
    @property
    def liaisons(self) -> dict[str, User]: ...
    @property
    def campaign(self) -> Campaign | None: ...


class DemoBuilder(Protocol):
    """What the ledger's demo part reads of luoshi.demo's builder: typed here rather than
    imported, as the demo app stands above every app."""

    @property
    def today(self) -> datetime.date: ...
    @property
    def built(self) -> DemoBuilt: ...


SEED = 20220414
ARTICLE_START = datetime.date(2022, 2, 15)
ARTICLE_END = datetime.date(2022, 4, 14)

# 学习主题 of the bureau's spring 2022 sessions.
MORNING_TOPICS = [
    "学习习近平总书记在中央党史学习教育总结大会上的讲话",
    "学习党的十九届六中全会精神",
    "学习《中共中央关于党的百年奋斗重大成就和历史经验的决议》",
    "学习全国两会精神",
    "学习习近平总书记关于文化和旅游工作的重要论述",
    "学习青海省第十四次党代会精神",
]
THEORY_TOPICS = [
    "“四大”专项行动实施方案解读",
    "习近平新时代中国特色社会主义思想专题学习",
    "中央经济工作会议精神专题学习",
    "省委十三届十一次全会精神专题学习",
    "海西州委十三届十次全会精神专题学习",
    "茫崖市委一届十一次全会精神专题学习",
    "意识形态工作责任制专题学习",
    "文化市场安全生产与疫情防控专题学习",
]
OTHER_BOOKS = [
    ("红岩", "罗广斌、杨益言"),
    ("平凡的世界", "路遥"),
    ("苦难辉煌", "金一南"),
    ("之江新语", "习近平"),
    ("习近平的七年知青岁月", "中央党校采访实录编辑室"),
    ("乡土中国", "费孝通"),
    ("梁家河", "《梁家河》编写组"),
    ("文化苦旅", "余秋雨"),
    ("人类群星闪耀时", "斯蒂芬·茨威格"),
    ("历史的天空", "徐贵祥"),
    ("长征", "王树增"),
]
ESSAY_THEMES = [
    "学习党的十九届六中全会精神心得体会",
    "“四大”专项行动学习心得",
    "读《中国共产党简史》有感",
    "学习习近平总书记关于文化和旅游工作重要论述的体会",
    "“晨读+分享”学习体会",
    "立足文旅岗位践行初心使命",
    "守护文化市场安全的几点思考",
    "学习全国两会精神心得体会",
]
# 文化市场综合执法大队's 24 inspections: venue, kind, result, findings.
INSPECTED = [
    ("花土沟镇星际网咖", "网吧", "合格", ""),
    ("花土沟镇极速网吧", "网吧", "责令整改", "未严格落实扫码测温登记"),
    ("花土沟镇新时代网吧", "网吧", "合格", ""),
    ("花土沟镇金色年华KTV", "歌舞娱乐场所", "合格", ""),
    ("花土沟镇欢乐迪KTV", "歌舞娱乐场所", "责令整改", "包间消毒记录不全"),
    ("茫崖市影剧院", "影院", "合格", ""),
    ("花土沟镇新华书店", "书店", "合格", ""),
    ("花土沟镇博文书店", "书店", "合格", ""),
    ("花土沟镇彩虹图文印刷部", "印刷企业", "合格", ""),
    ("花土沟镇鑫源印务", "印刷企业", "责令整改", "承印登记不规范"),
    ("石油基地社区网吧", "网吧", "合格", ""),
    ("花土沟镇星际网咖", "网吧", "合格", ""),
    ("冷湖镇文化活动中心", "其他", "合格", ""),
    ("茫崖镇便民书屋", "书店", "合格", ""),
    ("花土沟镇极速网吧", "网吧", "合格", "整改到位"),
    ("花土沟镇欢乐迪KTV", "歌舞娱乐场所", "合格", "整改到位"),
    ("花土沟镇金色年华KTV", "歌舞娱乐场所", "合格", ""),
    ("茫崖市影剧院", "影院", "合格", ""),
    ("花土沟镇新时代网吧", "网吧", "立案查处", "接纳未成年人上网"),
    ("花土沟镇鑫源印务", "印刷企业", "合格", "整改到位"),
    ("花土沟镇博文书店", "书店", "合格", ""),
    ("石油基地社区网吧", "网吧", "合格", ""),
    ("冷湖镇星空网吧", "网吧", "合格", ""),
    ("花土沟镇新华书店", "书店", "合格", ""),
]
# 市委宣传部's 挎包宣讲 of spring 2022: (month, day, venue category, place, audience).
LECTURES_2022 = [
    (2, 22, VenueCategory.COMMUNITY, "花土沟镇花土沟社区", 46),
    (2, 28, VenueCategory.ENTERPRISE, "油田花土沟基地生活服务公司", 38),
    (3, 3, VenueCategory.PASTORAL, "花土沟镇阿拉尔牧场", 27),
    (3, 9, VenueCategory.CAMPUS, "茫崖市第一中学", 120),
    (3, 15, VenueCategory.COMMUNITY, "花土沟镇石油基地社区", 52),
    (3, 18, VenueCategory.PASTORAL, "茫崖镇尕斯牧民定居点", 31),
    (3, 23, VenueCategory.ENTERPRISE, "茫崖市文化旅游投资有限公司", 24),
    (3, 29, VenueCategory.COMMUNITY, "茫崖镇茫崖社区", 35),
    (4, 2, VenueCategory.CAMPUS, "花土沟镇中心学校", 96),
    (4, 7, VenueCategory.COMMUNITY, "冷湖镇昆仑社区", 29),
    (4, 12, VenueCategory.PASTORAL, "花土沟镇阿拉尔牧场", 33),
]
LECTURE_TOPICS = [
    "宣讲党的十九届六中全会精神",
    "宣讲全国两会精神",
    "宣讲青海省第十四次党代会精神",
    "“四大”专项行动进基层宣讲",
]


def _at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _days(start: datetime.date, end: datetime.date, count: int) -> list[datetime.date]:
    """`count` working days spread evenly over [start, end]."""
    span = (end - start).days
    days = []
    for index in range(count):
        day = start + datetime.timedelta(days=round(span * index / max(count - 1, 1)))
        if day.weekday() == 5:  # Saturday: the Friday before
            day -= datetime.timedelta(days=1)
        elif day.weekday() == 6:  # Sunday: the Monday after, or the Friday before at the end
            day += datetime.timedelta(days=1) if day < end else -datetime.timedelta(days=2)
        days.append(day)
    return days


class _Recorder:
    """Records through the ledger's service and remembers what it made, for the final stamps."""

    def __init__(
        self,
        builder: DemoBuilder,
        types: Mapping[str, ActivityType],
        readings: Sequence[tuple[str, str]],
    ):
        self.builder = builder
        self.types = types
        self.readings = list(readings)
        self.made: list[int] = []
        self.random = random.Random(SEED)

    def record(self, type_name: str, unit_key: str, **kwargs: Any) -> Activity:
        built = self.builder.built
        actor = kwargs.pop("actor", None) or built.liaisons[unit_key]
        activity_type = self.types[type_name]
        if activity_type.records_hours and "hours" not in kwargs:
            kwargs["hours"] = Decimal("1.5")
        activity = record_activity(
            actor=actor, activity_type=activity_type, unit=built.units[unit_key], **kwargs
        )
        self.made.append(activity.pk)
        return activity

    def some(self, people: list[User], low: int, high: int) -> list[User]:
        return self.random.sample(people, min(len(people), self.random.randint(low, high)))

    def finish(self) -> None:
        # As if each record had been entered on its own day.
        Activity.objects.filter(pk__in=self.made).update(
            created_at=F("starts_at"), updated_at=F("starts_at")
        )


def _bureau_people(builder: DemoBuilder) -> list[User]:
    """Everyone of 市文体旅游广电局 and its sections, each once."""
    built = builder.built
    people: dict[int, User] = {}
    for key in ("wtl", "wtl_office", "wtl_law", "wtl_tour"):
        for person in built.members.get(key, []):
            people.setdefault(person.pk, person)
    return list(people.values())


def _article_records(rec: _Recorder) -> None:
    """The bureau's and the department's records of 2022-02-15 … 2022-04-14 (see the article)."""
    built = rec.builder.built
    bureau = _bureau_people(rec.builder)
    core = built.members["wtl"]
    no_campaign: tuple = ()
    for index, day in enumerate(_days(ARTICLE_START, ARTICLE_END, 6)):
        reader = core[index % len(core)]
        rec.record(
            "晨读+分享",
            "wtl",
            title=f"“晨读+分享”学习会（第{index + 1}期）",
            starts_at=_at(day, 8, 30),
            ends_at=_at(day, 9, 30),
            place="局三楼会议室",
            values={"topic": MORNING_TOPICS[index], "reader": reader.pk},
            participants=rec.some(bureau, 12, len(bureau)),
            campaigns=no_campaign,
            hours=Decimal("1.0"),
        )
    for index, day in enumerate(_days(ARTICLE_START + datetime.timedelta(days=3), ARTICLE_END, 8)):
        rec.record(
            "专项理论学习",
            "wtl",
            title=THEORY_TOPICS[index],
            starts_at=_at(day, 15, 0),
            ends_at=_at(day, 17, 0),
            place="局三楼会议室",
            values={"topic": THEORY_TOPICS[index], "speaker": core[0].pk},
            participants=rec.some(bureau, 14, len(bureau)),
            campaigns=no_campaign,
            hours=Decimal("2.0"),
        )
    # 23 books: the 5 designated readings (some read by several people) and 11 others.
    books = [(title, author, "是") for title, author in rec.readings]
    books += [(title, author, "是") for title, author in rec.readings[:3]]
    books += [rec.readings[1] + ("是",), rec.readings[4] + ("是",)]
    books += [rec.readings[0] + ("是",), rec.readings[2] + ("是",)]
    books += [(title, author, "否") for title, author in OTHER_BOOKS]
    days = _days(ARTICLE_START + datetime.timedelta(days=10), ARTICLE_END, len(books))
    for index, ((title, author, designated), day) in enumerate(zip(books, days, strict=True)):
        reader = bureau[index % len(bureau)]
        rec.record(
            "每月读一本好书",
            "wtl",
            title=f"读《{title}》",
            starts_at=_at(day, 20, 0),
            values={"book": title, "author": author, "designated": designated},
            notes=f"读完《{title}》，结合本职工作写下读书笔记。",
            participants=[reader],
            campaigns=no_campaign,
        )
    # 69 essays, 8 of them rated 优秀 by the liaison.
    essays = []
    days = _days(ARTICLE_START + datetime.timedelta(days=5), ARTICLE_END, 69)
    for index, day in enumerate(days):
        writer = bureau[(index * 7) % len(bureau)]
        theme = ESSAY_THEMES[index % len(ESSAY_THEMES)]
        essays.append(
            rec.record(
                "心得体会",
                "wtl",
                title=f"{theme}（{writer.name}）",
                starts_at=_at(day, 18, index % 50),
                notes=f"{theme}。通过学习，进一步增强了做好文化旅游工作的责任感和使命感。",
                participants=[writer],
                campaigns=no_campaign,
            )
        )
    commended = essays[::9][:8]
    liaison = built.liaisons["wtl"]
    for essay in commended:
        # The study app's commend_essay is how a liaison rates an essay on the pages; here the
        # rating is dated a few days after the essay, as it happened in spring 2022.
        Activity.objects.filter(pk=essay.pk).update(
            commended_at=essay.starts_at + datetime.timedelta(days=3), commended_by=liaison
        )
    law_team = built.members["wtl_law"]
    days = _days(ARTICLE_START, ARTICLE_END, len(INSPECTED))
    for (venue, kind, result, findings), day in zip(INSPECTED, days, strict=True):
        rec.record(
            "文化市场检查",
            "wtl_law",
            actor=liaison,
            title=f"文化市场领域疫情防控专项检查（{venue}）",
            starts_at=_at(day, 10, 0),
            place=venue,
            values={
                "venue_name": venue,
                "venue_kind": kind,
                "result": result,
                "findings": findings,
            },
            participants=rec.some(law_team, 2, 3),
            campaigns=no_campaign,
        )
    team = built.members["xcb"]
    for index, (month, day_of_month, category, place, audience) in enumerate(LECTURES_2022):
        topic = LECTURE_TOPICS[index % len(LECTURE_TOPICS)]
        rec.record(
            "挎包宣讲",
            "xcb",
            title=f"挎包宣讲队进{VenueCategory(category).label}：{topic}",
            starts_at=_at(datetime.date(2022, month, day_of_month), 10, 0),
            place=place,
            venue_category=category,
            audience=audience,
            values={"topic": topic, "materials": audience * 2},
            participants=rec.some(team, 2, 4),
            campaigns=no_campaign,
        )
    _article_meetings(rec, bureau, team)


def _article_meetings(rec: _Recorder, bureau: list[User], team: list[User]) -> None:
    """The meetings behind the article's 快 (the bureau's 部署会) and 强化责任担当 (the
    department's 部署会, 周例会 every Monday and a 月调度会 at each month's end)."""
    built = rec.builder.built
    no_campaign: tuple = ()
    meetings = [
        ("wtl", "部署会", "“四大”专项行动安排部署会", datetime.date(2022, 2, 16), bureau),
        ("xcb", "部署会", "全市宣传思想文化战线“四大”专项行动动员部署会", ARTICLE_START, team),
    ]
    monday = datetime.date(2022, 2, 21)
    while monday <= ARTICLE_END:
        meetings.append(("xcb", "周例会", f"部务周例会（{monday:%m月%d日}）", monday, team))
        monday += datetime.timedelta(days=7)
    for day in (datetime.date(2022, 2, 28), datetime.date(2022, 3, 31)):
        meetings.append(("xcb", "月调度会", f"“四大”专项行动{day.month}月调度会", day, team))
    for unit_key, type_name, title, day, people in meetings:
        rec.record(
            type_name,
            unit_key,
            title=title,
            starts_at=_at(day, 9, 0),
            ends_at=_at(day, 10, 30),
            place="三楼会议室",
            values={"host": built.members[unit_key][0].pk},
            participants=people,
            campaigns=no_campaign,
        )


def _live_records(rec: _Recorder) -> None:
    """Study records of the last four months, relative to builder.today: every other 周五专题,
    a “晨读+分享” every third week, a 专项理论学习 every fourth week, a monthly 主题党日, and books and essays of the last two
    months — enough for the pages to look alive, few enough for the demo to load quickly."""
    builder = rec.builder
    built = builder.built
    today = builder.today
    start = today - datetime.timedelta(days=118)
    last = today - datetime.timedelta(days=1)
    now = timezone.now()

    def weekly(weekday: int) -> list[datetime.date]:
        day = start + datetime.timedelta(days=(weekday - start.weekday()) % 7)
        days = []
        while day <= last:
            days.append(day)
            day += datetime.timedelta(days=7)
        return days

    units = ["wtl", "xcb", "rmt"]
    for unit_key in units:
        people = built.members[unit_key]
        for index, day in enumerate(weekly(4)[::2]):
            topic = THEORY_TOPICS[index % len(THEORY_TOPICS)]
            rec.record(
                "周五专题",
                unit_key,
                title=f"周五专题学习：{topic}",
                starts_at=_at(day, 15, 30),
                ends_at=_at(day, 17, 0),
                place="会议室",
                values={"topic": topic},
                participants=rec.some(people, max(3, len(people) - 3), len(people)),
            )
    for unit_key in ("wtl", "xcb"):
        people = built.members[unit_key]
        for index, day in enumerate(weekly(0)[::3]):
            rec.record(
                "晨读+分享",
                unit_key,
                title=f"“晨读+分享”学习会（第{index + 1}期）",
                starts_at=_at(day, 8, 30),
                ends_at=_at(day, 9, 0),
                values={"topic": MORNING_TOPICS[index % len(MORNING_TOPICS)]},
                participants=rec.some(people, max(3, len(people) - 2), len(people)),
                hours=Decimal("0.5"),
            )
    for unit_key in ("wtl", "xcb"):
        people = built.members[unit_key]
        for index, day in enumerate(weekly(2)[1::4]):  # every fourth Wednesday
            topic = THEORY_TOPICS[(index + 1) % len(THEORY_TOPICS)]
            rec.record(
                "专项理论学习",
                unit_key,
                title=topic,
                starts_at=_at(day, 15, 0),
                ends_at=_at(day, 17, 0),
                values={"topic": topic, "speaker": people[0].pk},
                participants=rec.some(people, max(3, len(people) - 2), len(people)),
                hours=Decimal("2.0"),
            )
    for unit_key in ("wtl", "xcb", "rmt", "htg"):
        people = built.members[unit_key]
        month = start.replace(day=1)
        while month <= last:
            day = month + datetime.timedelta(days=(3 - month.weekday()) % 7)  # first Thursday
            if start <= day <= last:
                rec.record(
                    "主题党日",
                    unit_key,
                    title=f"{day.month}月主题党日",
                    starts_at=_at(day, 15, 0),
                    ends_at=_at(day, 17, 0),
                    values={"theme": f"{day.month}月主题党日：重温入党誓词，学习党章党规"},
                    participants=rec.some(people, max(3, len(people) - 2), len(people)),
                )
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    library = [*rec.readings, *OTHER_BOOKS]
    for unit_key in ("wtl", "xcb", "rmt"):
        for number, person in enumerate(built.members[unit_key]):
            for month_back in range(2):
                if (number + month_back) % 3 == 2:
                    continue  # not everyone finishes a book every month
                day = last - datetime.timedelta(days=30 * month_back + (number * 3) % 25)
                title, author = library[(number + month_back * 5) % len(library)]
                designated = "是" if (title, author) in rec.readings else "否"
                rec.record(
                    "每月读一本好书",
                    unit_key,
                    title=f"读《{title}》",
                    starts_at=min(_at(day, 21, 0), now - datetime.timedelta(hours=1)),
                    values={"book": title, "author": author, "designated": designated},
                    participants=[person],
                )
                if (number + month_back) % 2 == 0:
                    theme = ESSAY_THEMES[(number + month_back) % len(ESSAY_THEMES)]
                    rec.record(
                        "心得体会",
                        unit_key,
                        title=f"{theme}（{person.name}）",
                        starts_at=min(_at(day, 22, 0), now - datetime.timedelta(hours=1)),
                        notes=f"{theme}。",
                        participants=[person],
                    )


def load_records(
    builder: DemoBuilder,
    *,
    types: Mapping[str, ActivityType],
    readings: Sequence[tuple[str, str]],
) -> None:
    """The demo's study records: the article's spring 2022 and the live period (see above), of
    the configured `types` by name; `readings` are the designated readings (title, author)."""
    rec = _Recorder(builder, types, readings)
    _article_records(rec)
    _live_records(rec)
    rec.finish()
