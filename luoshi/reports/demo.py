"""The demo's briefing templates: every practice of the seed article, counted from stored records.

Three templates, as the office would configure them:
- the bureau's (a unit briefing): 突出“快”“活”“真”“实” — the 部署会 held and the tasks given to
  people; the study (学习5本指定读本，共计开展“晨读+分享”学习会6次，专项理论学习8次，读好书20余本，
  撰写心得体会69篇); the inspections (20余次); the red sites used, routes and exhibitions;
- the department's (a unit briefing): the 九个强化 — meetings of the cadence, supervision notices
  and accountability, the 挎包宣讲队's coverage, publications per level and channel, learning
  platform coverage, records counted toward two campaigns, volunteer service by monthly theme,
  journalists' targets, task forces;
- the article itself (an office briefing): one part per department, signed by the office.
A line whose figure is zero is left out, and a part with nothing counted is left out, so the
same template writes any unit and period without "0次".
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from luoshi.ledgers.models import ActivityType
from luoshi.org.models import Unit

from . import services
from .models import BriefingSection, BriefingTemplate, Metric, Rounding

if TYPE_CHECKING:
    from luoshi.demo.data import DemoBuilder

TEMPLATE_NAME = "文体旅游广电局“四大”专项行动工作简报"
DEPARTMENT_TEMPLATE = "宣传部“九个强化”工作简报"
OFFICE_TEMPLATE = "茫崖两大部门落实“四大”专项行动情况（汇总）"
INTRO = (
    "自宣传思想文化战线“全员大学习、业务大比拼、作风大转变、能力大提升”专项行动开展以来，"
    "各单位不断探索实践强化“四力”，不断创新好方法、好举措，锤炼政治过硬、本领高强、"
    "求实创新、能打胜仗的宣传队伍。"
)


@dataclass(frozen=True)
class Line:
    metric: str
    pattern: str
    type_name: str = ""
    rounding: str = Rounding.EXACT
    field_key: str = ""
    field_value: str = ""
    distinct_key: str = ""


@dataclass(frozen=True)
class Part:
    heading: str
    intro: str
    lines: tuple[Line, ...]


BUREAU_HEADING = "{unit}坚持推进“快”“活”“真”“实”四字深度融合，助推“四大”专项行动提质增效"
BUREAU = (
    Part(
        "突出“快”字，紧盯目标抓进度。",
        "第一时间成立“四大”专项行动领导小组，",
        (
            Line(Metric.ACTIVITIES, "召开“四大专项”行动安排部署会{n}次，", "部署会"),
            Line(Metric.TASKS_ASSIGNED, "将{n}项任务分解落实到", ""),
            Line(Metric.ASSIGNEES, "{n}名干部职工，做到责任到人。", ""),
        ),
    ),
    Part(
        "突出“活”字，力学深悟添动力。",
        "对照茫崖市专项行动实施方案具体内容和要求，成立马克思主义学习小组，以“线上+线下”学、"
        "“晨读+分享”学、“周五专题”学、“每月读一本好书”学、“学习强国”持续学等多种学习方式，"
        "组织全体干部职工深入学习中央省州市相关文件精神，",
        (
            Line(
                Metric.DISTINCT,
                "学习{n}本指定读本，",
                "每月读一本好书",
                field_key="designated",
                field_value="是",
                distinct_key="book",
            ),
            Line(Metric.ACTIVITIES, "共计开展“晨读+分享”学习会{n}次，", "晨读+分享"),
            Line(Metric.ACTIVITIES, "专项理论学习{n}次，", "专项理论学习"),
            Line(Metric.ACTIVITIES, "读好书{n}本，", "每月读一本好书", Rounding.APPROX),
            Line(Metric.ACTIVITIES, "撰写心得体会{n}篇。", "心得体会"),
        ),
    ),
    Part(
        "突出“真”字，监督执纪动真格。",
        "把守护文旅市场安全作为“四大”专项行动的重要实践，严把文化安全关和意识形态关。"
        "坚持贯彻落实“四大”专项行动要求，以提升执法能力、服务市场发展、打造良好营商环境为目标，"
        "进一步促进“四大”专项行动取得明显实效。",
        (
            Line(
                Metric.ACTIVITIES,
                "目前联合文化执法相关部门，开展文化市场领域疫情防控专项检查{n}次。",
                "文化市场检查",
                Rounding.APPROX,
            ),
        ),
    ),
    Part(
        "突出“实”字，多措并举促发展。",
        "立足生态文化旅游资源优势，深入挖掘茫崖本地红色文化内涵，传承红色基因，赓续红色血脉，",
        (
            Line(Metric.EXHIBITIONS, "精心设计{places}等精品展览，"),
            Line(Metric.ROUTES, "推出{places}等红色旅游线路、学习体验线路，"),
            Line(Metric.SITES, "充分运用{places}等{n}处红色旅游景点、红色文物资源，"),
            Line(Metric.ACTIVITIES, "开展现场教学、参观学习{n}次。", "红色教育"),
        ),
    ),
)

DEPARTMENT_HEADING = "{unit}“九个强化”贯穿专项行动全程，切实推动专项行动走深走实"
DEPARTMENT = (
    Part(
        "强化责任担当，严格制度执行。",
        "把目标任务分解到各个责任主体，做到分工明确、工作到人、责任到人，",
        (
            Line(Metric.TASKS_ASSIGNED, "分解落实任务{n}项、", ""),
            Line(Metric.ASSIGNEES, "明确责任人{n}名，", ""),
            Line(Metric.ACTIVITIES, "召开周例会{n}次、", "周例会"),
            Line(Metric.ACTIVITIES, "月调度会{n}次、", "月调度会"),
            Line(Metric.ACTIVITIES, "半年总结会{n}次、", "半年总结"),
            Line(Metric.ACTIVITIES, "年度考核会{n}次，", "年度考核会"),
        ),
    ),
    Part(
        "强化督导检查，狠抓工作落实。",
        "对专项行动推进情况进行动态跟踪，及时掌握工作进度，",
        (
            Line(Metric.NOTICES, "对滞后事项发出督办单{n}份，"),
            Line(Metric.ACCOUNTABILITY, "问责{n}起，"),
        ),
    ),
    Part(
        "强化团队建设，助力基层宣讲。",
        "成立“挎包宣讲队”，推进“下基层宣讲播种”活动，",
        (
            Line(Metric.COVERAGE, "全市宣传战线干部全员{places}开展宣讲{n}场，", "挎包宣讲"),
            Line(
                Metric.AUDIENCE,
                "受众{n}人次，让党的新理论、新思想扎根在百姓心中。",
                "挎包宣讲",
                Rounding.APPROX,
            ),
        ),
    ),
    Part(
        "强化宣传引导，营造浓厚氛围。",
        "充分运用新媒体平台优势，以小屏带动大屏、联动多屏方式立体呈现“四大”专项行动重要内容，",
        (Line(Metric.MEDIA, "在{places}刊播稿件{n}篇，形成融媒矩阵传播合力。"),),
    ),
    Part(
        "强化平台使用，增强学习实效。",
        "用好学习强国、青海干部网络学院等平台，按照“半年一通报，一月一汇总”分时分段进行评比，",
        (
            Line(Metric.PLATFORM_PEOPLE, "{n}名干部职工在平台取得学习积分，"),
            Line(Metric.PLATFORM_RATE, "覆盖率达{n}%。"),
        ),
    ),
    Part(
        "强化结合驱动，释放行动活力。",
        "将专项行动与“干部能力提升年”和“作风建设整治年”两项重点活动紧密结合，",
        (Line(Metric.JOINT, "{n}项活动同时计入两项重点活动。"),),
    ),
    Part(
        "强化志愿服务，搭建便民平台。",
        "以“一月一主题”志愿服务活动为抓手，开展“文明实践+”活动，",
        (Line(Metric.VOLUNTEER, "围绕{places}开展志愿服务活动{n}场，最大限度便捷群众生活。"),),
    ),
    Part(
        "强化一线采访，传递群众心声。",
        "开展“用笔尖触摸一线群众”“新闻采访入基层”等活动，",
        (
            Line(Metric.JOURNALISTS, "确定{n}名记者的宣传目标任务，"),
            Line(Metric.JOURNALISTS_MET, "其中{n}名完成任务量。"),
        ),
    ),
    Part(
        "强化攻坚意识，注重整改实效。",
        "面对宣传宣讲不解渴、媒体融合发展见效慢等顽疾，整合优势资源，",
        (
            Line(Metric.TASK_FORCES, "成立项目攻坚组{n}个，"),
            Line(Metric.PROBLEMS_SOLVED, "推动{n}个问题整改销号。"),
        ),
    ),
)


def _add_parts(office, template, parts, types, unit: Unit | None = None) -> None:
    for part in parts:
        section = services.create_section(
            actor=office, template=template, heading=part.heading, intro=part.intro, unit=unit
        )
        for line in part.lines:
            if line.type_name and line.type_name not in types:
                continue  # the office has no such type: nothing to count
            services.create_line(
                actor=office,
                section=section,
                metric=line.metric,
                activity_type=types[line.type_name] if line.type_name else None,
                pattern=line.pattern,
                rounding=line.rounding,
                field_key=line.field_key,
                field_value=line.field_value,
                distinct_key=line.distinct_key,
            )


def _unit_template(office, name, heading, parts, types) -> BriefingTemplate:
    template = services.create_template(
        actor=office, name=name, title="{unit}“四大”专项行动工作简报", intro=INTRO
    )
    services.create_section(
        actor=office, template=template, level=BriefingSection.Level.FIRST, heading=heading
    )
    _add_parts(office, template, parts, types)
    return template


def load(builder: "DemoBuilder") -> None:
    """The office configures the article's briefings."""
    office = builder.built.people["office"]
    units = builder.built.units
    types = {t.name: t for t in ActivityType.objects.all()}
    _unit_template(office, TEMPLATE_NAME, BUREAU_HEADING, BUREAU, types)
    _unit_template(office, DEPARTMENT_TEMPLATE, DEPARTMENT_HEADING, DEPARTMENT, types)
    template = services.create_template(
        actor=office,
        name=OFFICE_TEMPLATE,
        kind=BriefingTemplate.Kind.OFFICE,
        title="茫崖：两大部门落实“四大”专项行动有好做法",
        intro=INTRO,
    )
    for heading, parts, key in (
        (BUREAU_HEADING, BUREAU, "wtl"),
        (DEPARTMENT_HEADING, DEPARTMENT, "xcb"),
    ):
        services.create_section(
            actor=office,
            template=template,
            level=BriefingSection.Level.FIRST,
            heading=heading,
            unit=units[key],
        )
        _add_parts(office, template, parts, types)
