"""The campaign of the Mangya (茫崖) demo: the tasks of the seed article and what each unit did.

Every plan is a task of the office's breakdown, issued to units; each unit's task then follows a
script of steps. Days are counted back from today (`day=30` is 30 days ago), deadlines forward
(`deadline=-8` was 8 days ago), so the demo shows every state and warning whatever day it loads.
"""

from dataclasses import dataclass, field
from typing import TypedDict

from luoshi.campaigns.models import Task

from .people import DEPARTMENTS, TOWNS

LEARN, COMPETE, STYLE, ABILITY = "全员大学习", "业务大比拼", "作风大转变", "能力大提升"
TRACKS = [
    (LEARN, "深入学习党的创新理论和中央、省、州、市相关文件精神，全员参与、持续学习。"),
    (COMPETE, "围绕宣传思想文化工作主责主业开展业务比拼，比学赶超、以赛促学。"),
    (STYLE, "压实责任、督导检查、服务群众，推动工作作风持续转变。"),
    (ABILITY, "以提升政治能力为根本、以增强业务素质为关键，补齐短板弱项，推动整改见效。"),
]


class CampaignSpec(TypedDict):
    name: str
    short_name: str
    notice_prefix: str
    description: str


CAMPAIGN: CampaignSpec = {
    "name": "“全员大学习、业务大比拼、作风大转变、能力大提升”专项行动",
    "short_name": "“四大”专项行动",
    "notice_prefix": "茫宣督",
    "description": (
        "在全市宣传思想文化战线开展“全员大学习、业务大比拼、作风大转变、能力大提升”专项行动，"
        "不断探索实践强化“四力”，锤炼政治过硬、本领高强、求实创新、能打胜仗的宣传队伍，"
        "推动全市宣传思想文化战线干部职工理论水平、专业能力和创新思维再上台阶。"
        "专项行动领导小组办公室设在市委宣传部，负责任务分解、督导检查、考核评价和通报。"
    ),
}


@dataclass(frozen=True)
class Step:
    """One move on a unit task: `kind` names the service, `day` how many days ago it happened."""

    kind: str
    day: int
    text: str = ""
    percent: int = 0
    who: str = ""
    quality: str = ""
    files: tuple[str, ...] = ()
    subtasks: tuple["Sub", ...] = ()
    number: str = ""


@dataclass(frozen=True)
class Sub:
    """A sub-task for a person of the unit (分解), with its own script."""

    title: str
    owner: str
    steps: tuple[Step, ...]
    description: str = ""
    deadline: int | None = None


@dataclass(frozen=True)
class Plan:
    """A task of the office's breakdown, issued `issued` days ago to the units `to`."""

    title: str
    track: str
    description: str
    evidence: str
    issued: int
    to: list[str]
    default: tuple[Step, ...]
    scripts: dict[str, tuple[Step, ...]] = field(default_factory=dict)
    deadline: int | None = None  # days from today (negative: in the past)
    deadline_working_days: int | None = None  # working days from today
    kind: str = Task.Kind.CAMPAIGN
    priority: int = Task.Priority.NORMAL
    report_text: str = "{unit}正在按要求推进，已完成阶段性工作。"
    done_text: str = "{unit}已全部完成任务要求，佐证材料已上传。"
    plan_steps: tuple[Step, ...] = ()


# --- Steps ---------------------------------------------------------------------------------------


def sign(day, who=""):
    return Step("sign", day, who=who)


def assign(day, who=""):
    return Step("assign", day, who=who)


def report(day, percent, text="", files=(), who=""):
    return Step("report", day, text=text, percent=percent, files=tuple(files), who=who)


def submit(day, text="", files=(), who=""):
    return Step("submit", day, text=text, percent=100, files=tuple(files), who=who)


def send_back(day, reason, who=""):
    return Step("return", day, text=reason, who=who)


def verify(day, quality="good", note="", who=""):
    return Step("verify", day, text=note, quality=quality, who=who)


def close(day, who=""):
    return Step("close", day, who=who)


def notice(day, content, who=""):
    return Step("notice", day, text=content, who=who)


def reply(day, text, who=""):
    return Step("reply", day, text=text, who=who)


def remind(day, note, who=""):
    return Step("remind", day, text=note, who=who)


def comment(day, text, who="leader"):
    return Step("comment", day, text=text, who=who)


def hold_accountable(day, kind, reason, who="", number=""):
    return Step("accountability", day, text=reason, quality=kind, who=who, number=number)


def withdraw(day, reason, who=""):
    return Step("withdraw", day, text=reason, who=who)


def decompose(day, *subtasks, who=""):
    return Step("decompose", day, subtasks=tuple(subtasks), who=who)


def closed(sign_day, submit_day, quality="good", *, mid=None, close_after=2):
    """Signed, assigned, reported halfway, completed, verified and closed off."""
    mid = mid if mid is not None else (sign_day + submit_day) // 2
    return (
        sign(sign_day),
        assign(sign_day),
        report(mid, 50),
        submit(submit_day),
        verify(submit_day - 2, quality),
        close(submit_day - 2 - close_after),
    )


def verified(sign_day, submit_day, quality="good"):
    return closed(sign_day, submit_day, quality)[:-1]


def in_progress(sign_day, *reports):
    """Signed and assigned, then progress reports given as (day, percent)."""
    return (sign(sign_day), assign(sign_day), *(report(day, pct) for day, pct in reports))


QUALITIES = ["excellent", "good", "good", "fair", "excellent", "good"]


def _closed_each(units, sign_day, submit_day):
    return {
        unit: closed(sign_day - i % 2, submit_day - i % 3, QUALITIES[i % len(QUALITIES)])
        for i, unit in enumerate(units)
    }


# --- The bureau's 快/活/真/实 and the department's 九个强化 -----------------------------------------

PLANS: list[Plan] = [
    Plan(
        title="突出“快”字，紧盯目标抓进度",
        track=STYLE,
        description=(
            "第一时间成立“四大”专项行动领导小组，召开“四大专项”行动安排部署会，做到责任到人；"
            "要求全体干部职工广泛宣传、积极参与，防止专项行动抓得不紧、管得不实，确保组织领导到位。"
        ),
        evidence="领导小组成立文件；安排部署会会议记录、签到表和照片；任务分工表。",
        issued=116,
        deadline=-100,
        priority=Task.Priority.HIGH,
        to=DEPARTMENTS + TOWNS,
        default=(),
        scripts={
            **_closed_each(DEPARTMENTS + TOWNS, 115, 104),
            "wtl": (
                sign(116),
                decompose(
                    115,
                    Sub(
                        "成立“四大”专项行动领导小组",
                        "wtl_dep1",
                        (
                            submit(113, "已印发成立领导小组的通知，局长任组长，分管领导任副组长。"),
                            verify(112, "excellent"),
                            close(111),
                        ),
                        description="印发领导小组成立通知，明确组长、副组长、成员和办公室。",
                        deadline=-106,
                    ),
                    Sub(
                        "召开“四大专项”行动安排部署会",
                        "wtl",
                        (
                            report(113, 60, "会议方案已拟定，定于本周五召开。"),
                            submit(110, "已召开安排部署会，全体干部职工参会，逐项明确责任人。"),
                            verify(108, "excellent"),
                            close(107),
                        ),
                        deadline=-104,
                    ),
                ),
                report(109, 80, "领导小组已成立，安排部署会已召开，正在细化任务分工。"),
                submit(105, "领导小组、部署会、任务分工表均已完成，责任到人。"),
                verify(103, "excellent", "组织领导到位，材料齐全。"),
                close(101),
            ),
            "lh": (
                sign(114),
                assign(113),
                report(106, 40, "镇领导小组已成立，部署会因防汛工作推迟。"),
                submit(98, "部署会已于本周召开，补报会议记录和签到表。"),
                verify(95, "fair", "部署会召开滞后，按逾期计。"),
            ),
            "sfj": verified(115, 104, "good"),
        },
        report_text="{unit}已成立专项行动领导小组，安排部署会正在筹备。",
        done_text="{unit}已成立领导小组、召开安排部署会，任务分工到人。",
    ),
    Plan(
        title="突出“活”字，力学深悟添动力",
        track=LEARN,
        description=(
            "对照茫崖市专项行动实施方案，成立马克思主义学习小组，以“线上+线下”学、“晨读+分享”学、"
            "“周五专题”学、“每月读一本好书”学、“学习强国”持续学等多种方式，组织全体干部职工深入学习"
            "中央、省、州、市相关文件精神，学习 5 本指定读本。"
        ),
        evidence="学习计划；“晨读+分享”学习会和专项理论学习的记录、签到表、照片；读书清单；心得体会。",
        issued=105,
        deadline=75,
        to=DEPARTMENTS + TOWNS,
        default=(),
        scripts={
            "xcb": in_progress(104, (70, 30), (25, 60)),
            "zzb": in_progress(103, (60, 25), (20, 50)),
            "wtl": (
                sign(104),
                decompose(
                    103,
                    Sub(
                        "成立马克思主义学习小组",
                        "wtl_dep1",
                        (
                            submit(100, "学习小组已成立，制定年度学习计划，明确 5 本指定读本。"),
                            verify(98, "excellent"),
                            close(97),
                        ),
                        deadline=-90,
                    ),
                    Sub(
                        "组织“晨读+分享”学习会",
                        "staff",
                        (
                            report(80, 30, "已组织“晨读+分享”学习会 2 次，附现场照片。", ["png"]),
                            report(40, 50, "已组织“晨读+分享”学习会 4 次。"),
                            report(12, 70, "共开展“晨读+分享”学习会 6 次，专项理论学习 8 次。"),
                        ),
                        description="每周一次晨读，每次由一名干部领读并分享体会。",
                        deadline=60,
                    ),
                    Sub(
                        "开展“每月读一本好书”活动",
                        "staff",
                        (
                            report(60, 40, "干部职工已读好书 12 本，建立读书台账。"),
                            report(20, 60, "读好书 20 余本，5 本指定读本已学习 4 本。"),
                        ),
                        deadline=60,
                    ),
                    Sub(
                        "撰写学习心得体会",
                        "wtl_clerk1",
                        (
                            report(50, 60, "已收集心得体会 41 篇。"),
                            submit(25, "共撰写心得体会 69 篇，已汇编成册。"),
                            send_back(
                                23, "心得体会未按科室汇总，部分篇目缺少署名，请补充后重新报送。"
                            ),
                            report(10, 90, "正在按科室重新汇总，补充署名。"),
                            notice(3, "心得体会退回后仍未重新报送，请说明情况并明确报送时间。"),
                        ),
                        deadline=20,
                    ),
                    Sub(
                        "坚持“周五专题”学和“学习强国”持续学",
                        "wtl_clerk3",
                        (report(30, 55, "已组织“周五专题”学习 9 期。"),),
                        deadline=60,
                    ),
                ),
                report(
                    15,
                    65,
                    "共开展“晨读+分享”学习会 6 次，专项理论学习 8 次，读好书 20 余本，"
                    "撰写心得体会 69 篇。",
                    who="wtl",
                ),
            ),
            "rmt": in_progress(103, (50, 25), (14, 45)),
            "wmsj": in_progress(102, (50, 35), (9, 60)),
            "jyj": in_progress(103, (45, 40), (6, 60)),
            "wjw": in_progress(101, (40, 45)),
            "sfj": in_progress(104, (55, 30), (15, 55)),
            "scj": (*in_progress(103, (50, 25)), remind(18, "请加快学习进度，按月报送学习台账。")),
            "htg": (
                *in_progress(104, (60, 45), (30, 80)),
                submit(5, "镇村干部已完成全部学习任务，学习台账和心得体会已汇总。"),
            ),
            "my": in_progress(102, (50, 30), (10, 50)),
            "lh": (
                *in_progress(100, (60, 20)),
                notice(20, "冷湖镇“力学深悟”任务落后序时进度，请说明原因并提出整改措施。"),
                reply(
                    18,
                    "因镇干部集中参与光伏项目服务保障，学习进度滞后。已调整为每周二、周五集中学习，"
                    "确保月底前赶上进度。",
                ),
                remind(8, "请按督办回复的措施落实，及时填报进度。"),
            ),
        },
        report_text="{unit}已组织集中学习和“晨读+分享”，学习台账按月更新。",
        done_text="{unit}已完成全部学习任务，学习台账、心得体会已汇总上传。",
    ),
    Plan(
        title="突出“真”字，监督执纪动真格",
        track=COMPETE,
        description=(
            "把守护文旅市场安全作为专项行动的重要实践，严把文化安全关和意识形态关；以提升执法能力、"
            "服务市场发展、打造良好营商环境为目标，联合文化执法相关部门开展文化市场领域专项检查。"
        ),
        evidence="检查方案；检查记录和照片；发现问题清单及整改情况。",
        issued=95,
        deadline=20,
        priority=Task.Priority.HIGH,
        to=["wtl", "scj", "rmt"],
        default=(),
        scripts={
            "wtl": (
                sign(94),
                assign(94, "wtl_dep2"),
                decompose(
                    93,
                    Sub(
                        "开展文化市场领域疫情防控专项检查",
                        "wtl_clerk2",
                        (
                            report(70, 40, "联合市场监管部门检查网吧、KTV 等场所 8 次。"),
                            report(30, 70, "累计检查 14 次，发现问题 6 处，已整改 5 处。"),
                            report(6, 85, "累计开展专项检查 20 余次，附检查照片。", ["png"]),
                        ),
                        deadline=15,
                    ),
                    Sub(
                        "开展文化经营场所意识形态排查",
                        "staff",
                        (
                            report(45, 40, "已排查书店、印刷企业 9 家。"),
                            report(10, 75, "已排查文化经营场所 23 家，未发现违规出版物。"),
                        ),
                        deadline=15,
                    ),
                ),
                report(8, 80, "专项检查 20 余次，问题整改率 83%，文化市场总体平稳。"),
            ),
            "scj": (
                *in_progress(93, (40, 40)),
                notice(15, "请说明联合检查进展缓慢的原因，并报送下一步检查计划。"),
                reply(13, "已与市文体旅游广电局商定每周联合检查一次，检查计划已上传。"),
            ),
            "rmt": in_progress(94, (50, 50), (20, 85)),
        },
        report_text="{unit}已开展联合检查，问题清单正在整改。",
    ),
    Plan(
        title="突出“实”字，多措并举促发展",
        track=ABILITY,
        description=(
            "立足生态文化旅游资源优势，围绕“一核两翼、三个主题、四环覆盖”生态旅游布局，推进"
            "“+旅游+”融合发展；深入挖掘茫崖本地红色文化内涵，运用狮20井、英雄地中四井、七个泉"
            "军事设施、茫崖工业遗址等红色资源，精心设计精品展览、红色旅游线路、学习体验线路。"
        ),
        evidence="线路设计方案；展览策划方案；宣传推介材料；项目推进照片。",
        issued=90,
        deadline_working_days=2,
        to=["wtl", "htg", "lh", "my"],
        default=(),
        scripts={
            "wtl": (
                sign(89),
                assign(89, "staff"),
                decompose(
                    88,
                    Sub(
                        "设计红色旅游线路和学习体验线路",
                        "staff",
                        (
                            report(60, 40, "已踏勘狮20井、英雄地中四井两处点位。"),
                            report(20, 70, "线路初稿已完成，征求油田和各镇意见。"),
                            report(
                                5,
                                90,
                                "“狮20井—英雄地中四井—七个泉军事设施—茫崖工业遗址”线路方案已定稿。",
                                ["pdf"],
                            ),
                        ),
                    ),
                    Sub(
                        "策划“红色记忆”精品展览",
                        "wtl_arts",
                        (
                            report(30, 60, "展陈大纲已完成，正在征集实物。"),
                            submit(3, "展览策划方案已完成，展品征集 46 件。"),
                        ),
                    ),
                ),
                report(4, 85, "线路方案已定稿，展览策划已报送，正在对接景区建设。"),
            ),
            "htg": (*in_progress(89, (40, 60)), submit(10), verify(7, "good")),
            "lh": in_progress(88, (50, 50), (6, 88)),
            "my": in_progress(85, (45, 30)),
        },
        report_text="{unit}正在挖掘本地红色资源，推进旅游线路和展览建设。",
    ),
    Plan(
        title="强化责任担当，严格制度执行",
        track=STYLE,
        description=(
            "把目标任务分解到各个责任主体，做到分工明确、工作到人、责任到人；以周例会、月调度会、"
            "半年总结、年度考核等制度，形成明责、履责、督责、考责、问责的责任“链条”。"
        ),
        evidence="任务分解表；周例会、月调度会记录；半年工作总结。",
        issued=112,
        deadline=-70,
        priority=Task.Priority.HIGH,
        to=DEPARTMENTS,
        default=(),
        scripts={
            **_closed_each(DEPARTMENTS, 111, 80),
            "sfj": (
                sign(110),
                assign(110),
                submit(80, "已制定任务分解表，建立周例会制度。"),
                send_back(78, "周例会、月调度会记录不全，请补充 8 月以来的会议记录。"),
                report(76, 90, "正在补充会议记录。"),
                submit(73, "已补充周例会记录 11 次、月调度会记录 3 次。"),
                verify(71, "good"),
            ),
        },
        report_text="{unit}已完成任务分解，周例会、月调度会制度已建立。",
        done_text="{unit}任务分解到人，周例会、月调度会制度运行正常，记录已上传。",
    ),
    Plan(
        title="强化督导检查，狠抓工作落实",
        track=STYLE,
        description=(
            "对专项行动推进情况动态跟踪，及时掌握工作进度，将专项行动开展情况纳入检查考核范围，"
            "通过评选表彰、通报交流、考核检查、典型推广等机制，确保规定动作不走样、关键环节不出错。"
        ),
        evidence="督导检查台账；通报；典型经验材料。",
        issued=100,
        deadline=80,
        to=["xcb", "htg", "my", "lh"],
        default=(),
        scripts={
            "xcb": (sign(99), assign(99, "office"), report(60, 30), report(20, 60)),
            "htg": in_progress(98, (50, 40), (15, 55)),
            "my": (
                *in_progress(97, (70, 15)),
                notice(30, "茫崖镇督导检查台账未按月更新，请于回复时限内补报并说明原因。"),
                reply(27, "已补报 9、10 月督导检查台账，明确专人每月 25 日前更新。"),
                remind(10, "督导检查进度仍落后，请加快推进。"),
            ),
            "lh": in_progress(98, (25, 50)),
        },
        plan_steps=(comment(50, "督导检查要动真碰硬，对进度滞后的单位及时督办，每月通报一次。"),),
        report_text="{unit}已建立督导检查台账，按月跟踪各项任务进度。",
    ),
    Plan(
        title="强化团队建设，助力基层宣讲",
        track=LEARN,
        description=(
            "成立“挎包宣讲队”，推进“下基层宣讲播种”活动，全市宣传战线干部全员进牧区、进社区、"
            "进企业、进校园开展宣讲，让党的创新理论扎根在百姓心中。"
        ),
        evidence="宣讲队名单；宣讲计划；每场宣讲的时间、地点、对象、人数和照片。",
        issued=90,
        deadline=45,
        to=["xcb", "wmsj", "htg", "my", "lh", "jyj"],
        default=(),
        scripts={
            "xcb": in_progress(89, (50, 40), (12, 75)),
            "wmsj": in_progress(88, (40, 45), (10, 70)),
            "htg": (
                *in_progress(88, (30, 70)),
                submit(4, "已开展宣讲 36 场，覆盖牧区、社区、企业、校园。"),
            ),
            "my": in_progress(86, (35, 40)),
            "lh": in_progress(87, (40, 35), (7, 60)),
            "jyj": (*in_progress(88, (40, 60)), submit(20), verify(18, "excellent")),
        },
        report_text="{unit}“挎包宣讲队”已组建，已开展进社区、进校园宣讲。",
        done_text="{unit}已完成宣讲任务，宣讲场次、人数和照片已上传。",
    ),
    Plan(
        title="强化宣传引导，营造浓厚氛围",
        track=COMPETE,
        description=(
            "充分运用新媒体平台优势，创新报道思路，以小屏带动大屏、联动多屏方式立体呈现“四大”专项"
            "行动重要内容，形成融媒矩阵传播合力，营造浓厚宣传氛围。"
        ),
        evidence="专题报道清单（标题、平台、发布日期、链接）；阅读量统计。",
        issued=85,
        deadline=30,
        to=["rmt", "xcb", "wtl"],
        default=(),
        scripts={
            "rmt": (
                sign(84),
                decompose(
                    84,
                    Sub(
                        "“四大”专项行动专题报道",
                        "rmt_rep1",
                        (
                            report(40, 50, "已刊发专题报道 12 篇。"),
                            report(10, 80, "专题报道 21 篇。"),
                        ),
                    ),
                    Sub(
                        "融媒矩阵联动推送（小屏带动大屏）",
                        "rmt_rep2",
                        (
                            report(50, 60, "“茫崖发布”与电视新闻联动推送 8 期。"),
                            submit(9, "联动推送 16 期，总阅读量 12.6 万。"),
                        ),
                    ),
                ),
                report(10, 75, "专题报道 21 篇，融媒矩阵联动推送 16 期。"),
            ),
            "xcb": in_progress(83, (30, 70)),
            "wtl": (sign(80), assign(80, "staff"), report(40, 45), report(12, 60)),
        },
        report_text="{unit}已开设专题专栏，持续推送专项行动动态。",
    ),
    Plan(
        title="强化平台使用，增强学习实效",
        track=LEARN,
        description=(
            "用好学习强国、青海干部网络学院等平台，按照“半年一通报，一月一汇总”分时分段评比，"
            "实现学习平台全覆盖、常运用、深学习。"
        ),
        evidence="学习强国积分和干部网络学院学时的月度汇总表。",
        issued=5,
        deadline=55,
        to=DEPARTMENTS + TOWNS,
        default=(sign(4), assign(3), report(1, 10, "已导出本月学习强国积分，正在汇总。")),
        scripts={
            "wtl": (sign(3),),
            "sfj": (sign(4),),
            "lh": (),
            "jyj": (),
            "zzb": (sign(4), assign(4)),
        },
    ),
    Plan(
        title="强化结合驱动，释放行动活力",
        track=ABILITY,
        description=(
            "将专项行动与“干部能力提升年”和“作风建设整治年”两项重点活动紧密结合，围绕举旗帜、"
            "聚民心、育新人、兴文化、展形象的使命任务，守牢工作底线，补齐短板弱项。"
        ),
        evidence="结合推进方案；季度工作小结。",
        issued=100,
        deadline=200,
        priority=Task.Priority.LOW,
        to=DEPARTMENTS,
        default=in_progress(99, (40, 20), (10, 35)),
        scripts={
            "wjw": in_progress(98, (60, 10)),
            "wtl": in_progress(99, (45, 25), (14, 40)),
        },
        report_text="{unit}已制定结合推进方案，按季度小结。",
    ),
    Plan(
        title="强化志愿服务，搭建便民平台",
        track=STYLE,
        description=(
            "以“一月一主题”志愿服务活动为抓手，开展“文明实践+”活动，每月以“规定动作”开展志愿服务，"
            "利用“新时代文明实践云平台”随时发布并开展“自选动作”志愿服务活动。"
        ),
        evidence="志愿服务活动记录（主题、时间、地点、人数、服务时长）和照片。",
        issued=40,
        deadline=-8,
        to=["wmsj", "htg", "my", "lh"],
        default=(),
        scripts={
            "wmsj": (*in_progress(39, (25, 60)), submit(12), verify(10, "excellent"), close(9)),
            "htg": (*in_progress(39, (28, 55)), submit(15), verify(13, "good")),
            "my": (
                sign(38),
                assign(38, "my_worker"),
                report(20, 40, "已开展“规定动作”志愿服务 2 次。"),
                remind(7, "任务已超过完成时限，请抓紧办理并报送办结报告。"),
                notice(6, "茫崖镇志愿服务任务已逾期，请说明原因并于回复时限内报送整改措施。"),
                reply(
                    5,
                    "逾期原因是志愿者队伍组建滞后。已组建 3 支社区志愿服务队，本周内完成剩余活动。",
                ),
                hold_accountable(
                    3,
                    "提醒谈话",
                    "志愿服务任务逾期未完成，督办后仍未报送办结，对分管负责同志进行提醒谈话。",
                    who="my_worker",
                    number="茫四大办〔2026〕2号",
                ),
            ),
            "lh": (
                *in_progress(38, (20, 70)),
                submit(9, "已开展志愿服务活动 5 次，服务群众 320 人次。"),
            ),
        },
        report_text="{unit}已开展“一月一主题”志愿服务活动。",
        done_text="{unit}已完成本月规定动作，志愿服务记录和照片已上传。",
    ),
    Plan(
        title="“一月一主题”志愿服务：关爱困难群众暖冬行动",
        track=STYLE,
        description="本月规定动作：走访慰问困难群众、空巢老人，开展冬季取暖安全宣传。",
        evidence="走访名单、活动照片、服务时长。",
        kind=Task.Kind.PRESCRIBED,
        issued=1,
        deadline=30,
        to=["wtl", "wmsj", "htg", "my", "lh"],
        default=(),
        scripts={"wmsj": (sign(1),)},
    ),
    Plan(
        title="强化一线采访，传递群众心声",
        track=COMPETE,
        description=(
            "开展“用笔尖触摸一线群众”“新闻采访入基层”等活动，确定每位记者宣传目标任务，促使新闻"
            "记者扎根基层、深入群众，用镜头聚焦民众，用笔头书写民生。"
        ),
        evidence="每位记者的目标任务和完成清单；基层采访稿件。",
        issued=60,
        deadline=15,
        to=["rmt", "sfj", "xcb"],
        default=(),
        scripts={
            "rmt": (
                sign(59),
                decompose(
                    58,
                    Sub(
                        "“用笔尖触摸一线群众”：深入牧区采访",
                        "rmt_rep3",
                        (report(30, 60, "已赴牧区采访 5 次，发稿 7 篇。"), report(8, 85)),
                    ),
                    Sub(
                        "“新闻采访入基层”：社区、企业蹲点采访",
                        "rmt_rep2",
                        (report(35, 50, "已在石油基地社区蹲点 2 次。"), report(9, 80)),
                    ),
                ),
                report(9, 80, "记者目标任务已分解，完成基层稿件 26 篇。"),
            ),
            "sfj": (withdraw(59, "误发：该任务由市融媒体中心承办，撤回。"),),
            "xcb": (*in_progress(58, (20, 70)), submit(2, "已组织基层采访 12 次，稿件 18 篇。")),
        },
        report_text="{unit}记者已深入基层采访，稿件陆续刊发。",
    ),
    Plan(
        title="强化攻坚意识，注重整改实效",
        track=ABILITY,
        description=(
            "面对宣传宣讲不解渴、媒体融合发展见效慢、文艺创作精品少、网络管控缺手段等顽疾，整合"
            "优势资源，成立项目攻坚组，采取切实有效措施，推动整改落到实处。"
        ),
        evidence="项目攻坚组成立文件；问题清单和整改台账。",
        issued=80,
        deadline=-3,
        priority=Task.Priority.HIGH,
        to=["xcb", "rmt", "wtl"],
        default=(),
        scripts={
            "xcb": (*in_progress(79, (40, 50)), submit(15), verify(13, "good"), close(12)),
            "rmt": (
                *in_progress(79, (50, 40), (12, 70)),
                notice(9, "融媒体中心项目攻坚组整改台账未报送，请尽快报送。"),
                reply(8, "整改台账已报送，剩余 2 项问题本月底前完成。"),
                remind(2, "任务已逾期，请尽快报送办结。"),
            ),
            "wtl": (*in_progress(78, (40, 60)), submit(5, who="wtl")),
        },
        report_text="{unit}项目攻坚组已成立，整改台账逐项推进。",
        done_text="{unit}整改台账已全部销号，材料已上传。",
    ),
    Plan(
        title="整改：宣传宣讲不解渴",
        track=ABILITY,
        kind=Task.Kind.RECTIFICATION,
        description="宣讲内容与群众需求结合不紧。整改措施：按对象定制宣讲菜单，开展“点单式”宣讲。",
        evidence="宣讲菜单；点单记录；群众满意度回访。",
        issued=50,
        deadline=40,
        to=["wmsj", "xcb"],
        default=(),
        scripts={
            "wmsj": in_progress(49, (30, 25), (8, 45)),
            "xcb": (
                *in_progress(49, (20, 60)),
                comment(10, "宣讲要接地气，多用群众身边事讲清大道理。"),
            ),
        },
    ),
    Plan(
        title="整改：媒体融合发展见效慢",
        track=ABILITY,
        kind=Task.Kind.RECTIFICATION,
        description="“中央厨房”机制运行不畅。整改措施：建立统一策划、一次采集、多元发布的工作流程。",
        evidence="工作流程制度；融合报道清单。",
        issued=50,
        deadline=40,
        to=["rmt"],
        default=(),
        scripts={
            "rmt": (
                *in_progress(49, (35, 15)),
                notice(2, "媒体融合整改进度明显滞后，请报送整改计划和时间表。"),
            ),
        },
    ),
    Plan(
        title="整改：文艺创作精品少",
        track=ABILITY,
        kind=Task.Kind.RECTIFICATION,
        description="反映茫崖石油精神、生态文化的文艺精品不多。整改措施：组织采风创作，扶持精品项目。",
        evidence="采风活动记录；创作作品清单。",
        issued=1,
        deadline=60,
        to=["wtl"],
        default=(),
    ),
    Plan(
        title="整改：网络管控缺手段",
        track=ABILITY,
        kind=Task.Kind.RECTIFICATION,
        description="网络舆情发现、研判手段不足。整改措施：建立舆情监测、研判、处置工作机制。",
        evidence="舆情工作机制文件；监测平台运行记录。",
        issued=70,
        deadline=-20,
        to=["xcb"],
        default=(),
        scripts={
            "xcb": (
                sign(69),
                assign(69, "xcb_deputy2"),
                report(40, 60, "舆情工作机制已起草。"),
                submit(22, "舆情监测、研判、处置机制已印发。"),
                send_back(20, "缺少舆情监测平台的运行记录，请补充后重新报送。"),
                report(15, 90, "正在整理监测平台运行记录。"),
                submit(6, "已补充 10 月、11 月舆情监测平台运行记录。"),
            ),
        },
    ),
]

LEADING_GROUP = [
    ("minister", "leader", "市委常委、宣传部部长"),
    ("vice_mayor", "deputy", "副市长"),
    ("xcb_deputy", "deputy", "市委宣传部常务副部长"),
    ("zzb_head", "member", "市委组织部部长"),
    ("wtl_head", "member", "市文体旅游广电局局长"),
    ("rmt_head", "member", "市融媒体中心主任"),
    ("wmsj_head", "member", "市新时代文明实践中心主任"),
    ("jyj_head", "member", "市教育局局长"),
    ("htg_head", "member", "花土沟镇党委书记"),
    ("my_head", "member", "茫崖镇党委书记"),
    ("lh_head", "member", "冷湖镇党委书记"),
    ("office", "office", "领导小组办公室主任"),
    ("office2", "office", "领导小组办公室成员"),
    ("office3", "office", "领导小组办公室成员"),
]
