"""The demo's briefing template: the seed article's two parts, counted from the ledger.

Written for the bureau up to 2022-04-14 it says what the article says (学习5本指定读本，共计开展
“晨读+分享”学习会6次，专项理论学习8次，读好书20余本，撰写心得体会69篇 …), and the part on
市委宣传部 lists where the 挎包宣讲队 went.
"""

from typing import TYPE_CHECKING

from luoshi.ledgers.models import ActivityType

from . import services
from .models import BriefingSection, Metric, Rounding

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

TEMPLATE_NAME = "“四大”专项行动工作简报"
LEARN_INTRO = (
    "对照茫崖市专项行动实施方案具体内容和要求，成立马克思主义学习小组，以“线上+线下”学、"
    "“晨读+分享”学、“周五专题”学、“每月读一本好书”学、“学习强国”持续学等多种学习方式，"
    "组织全体干部职工深入学习中央省州市相关文件精神，"
)
TRUTH_INTRO = (
    "把守护文旅市场安全作为“四大”专项行动的重要实践，严把文化安全关和意识形态关。"
    "坚持贯彻落实“四大”专项行动要求，以提升执法能力、服务市场发展、打造良好营商环境为目标，"
    "进一步促进“四大”专项行动取得明显实效。目前联合文化执法相关部门，"
)
TEAM_INTRO = "成立“挎包宣讲队”，推进“下基层宣讲播种”活动，"


def load(builder: "DemoBuilder") -> None:
    """The office configures the article's briefing."""
    office = builder.built.people["office"]
    types = {t.name: t for t in ActivityType.objects.all()}
    template = services.create_template(
        actor=office,
        name=TEMPLATE_NAME,
        title="{unit}“四大”专项行动工作简报",
        intro=(
            "自宣传思想文化战线“全员大学习、业务大比拼、作风大转变、能力大提升”专项行动开展以来，"
            "各单位不断探索实践强化“四力”，不断创新好方法、好举措，锤炼政治过硬、本领高强、"
            "求实创新、能打胜仗的宣传队伍。"
        ),
    )
    first = BriefingSection.Level.FIRST
    services.create_section(
        actor=office,
        template=template,
        level=first,
        heading="{unit}坚持推进“快”“活”“真”“实”四字深度融合，助推“四大”专项行动提质增效",
    )
    learn = services.create_section(
        actor=office, template=template, heading="突出“活”字，力学深悟添动力。", intro=LEARN_INTRO
    )
    reading = types["每月读一本好书"]
    for metric, activity_type, pattern, rounding, extra in (
        (Metric.DISTINCT, reading, "学习{n}本指定读本，", Rounding.EXACT, "designated"),
        (Metric.ACTIVITIES, types["晨读+分享"], "共计开展“晨读+分享”学习会{n}次，", "", ""),
        (Metric.ACTIVITIES, types["专项理论学习"], "专项理论学习{n}次，", "", ""),
        (Metric.ACTIVITIES, reading, "读好书{n}本，", Rounding.APPROX, ""),
        (Metric.ACTIVITIES, types["心得体会"], "撰写心得体会{n}篇。", "", ""),
    ):
        services.create_line(
            actor=office,
            section=learn,
            metric=metric,
            activity_type=activity_type,
            pattern=pattern,
            rounding=rounding or Rounding.EXACT,
            field_key=extra,
            field_value="是" if extra else "",
            distinct_key="book" if extra else "",
        )
    truth = services.create_section(
        actor=office, template=template, heading="突出“真”字，监督执纪动真格。", intro=TRUTH_INTRO
    )
    services.create_line(
        actor=office,
        section=truth,
        metric=Metric.ACTIVITIES,
        activity_type=types["文化市场检查"],
        pattern="开展文化市场领域疫情防控专项检查{n}次。",
        rounding=Rounding.APPROX,
    )
    services.create_section(
        actor=office,
        template=template,
        level=first,
        heading="{unit}“九个强化”贯穿专项行动全程，切实推动专项行动走深走实",
        unit=builder.built.units["xcb"],
    )
    team = services.create_section(
        actor=office, template=template, heading="强化团队建设，助力基层宣讲。", intro=TEAM_INTRO
    )
    lecture = types["挎包宣讲"]
    services.create_line(
        actor=office,
        section=team,
        metric=Metric.COVERAGE,
        activity_type=lecture,
        pattern="全市宣传战线干部全员{places}开展宣讲{n}场，",
    )
    services.create_line(
        actor=office,
        section=team,
        metric=Metric.AUDIENCE,
        activity_type=lecture,
        pattern="受众{n}人次，让党的新理论、新思想扎根在百姓心中，潜移默化地更新思想观念、"
        "提升精神境界、增强文明意识。",
        rounding=Rounding.APPROX,
    )
