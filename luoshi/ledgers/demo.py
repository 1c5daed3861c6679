"""The demo's activity types: the ways of learning, lecturing, inspecting, reporting and
meeting that the seed article names, configured as the campaign office would.

luoshi.demo (above every app) calls `load(builder)`; the ledger reads the builder through the
`DemoBuilder` protocol of demo_records and imports nothing of luoshi.demo.
"""

from typing import Any

from . import services
from .demo_records import DemoBuilder, load_records
from .models import ActivityType, Category

# The four tracks of the article's “四大”专项行动, by name: each type counts toward one of the
# demo campaign's tracks (luoshi.demo.plans names them the same; its tests check they match).
LEARN, COMPETE, STYLE, ABILITY = "全员大学习", "业务大比拼", "作风大转变", "能力大提升"
TOPIC = {"key": "topic", "label": "学习主题", "kind": "text", "required": True}
VENUE_KINDS = ["网吧", "歌舞娱乐场所", "影院", "书店", "印刷企业", "其他"]
# 学习5本指定读本: the designated readings of the article's spring 2022 (the reading list of the
# study app and the demo's reading records use these titles).
DESIGNATED_READINGS = [
    ("习近平新时代中国特色社会主义思想学习问答", "中共中央宣传部"),
    ("中国共产党简史", "本书编写组"),
    ("论中国共产党历史", "习近平"),
    ("毛泽东 邓小平 江泽民 胡锦涛关于中国共产党历史论述摘编", "中共中央党史和文献研究院"),
    ("习近平谈治国理政（第三卷）", "习近平"),
]


def _meeting(name: str, description: str, order: int) -> dict[str, Any]:
    return {
        "name": name,
        "category": Category.MEETING,
        "track": STYLE,
        "takes_checkin": True,
        "description": description,
        "sort_order": order,
        "fields": [{"key": "host", "label": "主持人", "kind": "person", "required": False}],
    }


TYPES: list[dict[str, Any]] = [
    {
        "name": "晨读+分享",
        "category": Category.STUDY,
        "track": LEARN,
        "takes_checkin": True,
        "records_hours": True,
        "description": "每日晨读、轮流领读分享学习体会的学习会。",
        "sort_order": 10,
        "fields": [TOPIC, {"key": "reader", "label": "领读人", "kind": "person"}],
    },
    {
        "name": "专项理论学习",
        "category": Category.STUDY,
        "track": LEARN,
        "takes_checkin": True,
        "records_hours": True,
        "description": "围绕中央、省、州、市相关文件精神开展的专题理论学习。",
        "sort_order": 20,
        "fields": [TOPIC, {"key": "speaker", "label": "主讲人", "kind": "person"}],
    },
    {
        "name": "周五专题",
        "category": Category.STUDY,
        "track": LEARN,
        "takes_checkin": True,
        "records_hours": True,
        "description": "每周五围绕一个专题集中学习研讨。",
        "sort_order": 30,
        "fields": [TOPIC],
    },
    {
        "name": "每月读一本好书",
        "category": Category.STUDY,
        "track": LEARN,
        "is_personal": True,
        "description": "个人读书记录：开始时间记读完的日期，内容摘要记读书笔记。",
        "sort_order": 40,
        "fields": [
            {"key": "book", "label": "书名", "kind": "text", "required": True},
            {"key": "author", "label": "作者", "kind": "text"},
            {"key": "designated", "label": "指定读本", "kind": "choice", "choices": ["是", "否"]},
        ],
    },
    {
        "name": "心得体会",
        "category": Category.STUDY,
        "track": LEARN,
        "is_personal": True,
        "description": "个人撰写的心得体会：名称记题目，内容摘要记正文，也可上传文稿。",
        "sort_order": 50,
        "fields": [{"key": "manuscript", "label": "文稿", "kind": "file"}],
    },
    {
        "name": "挎包宣讲",
        "category": Category.LECTURE,
        "track": STYLE,
        "has_venue_category": True,
        "has_audience": True,
        "description": "挎包宣讲队进牧区、进社区、进企业、进校园开展的宣讲。",
        "sort_order": 60,
        "fields": [
            {"key": "topic", "label": "宣讲主题", "kind": "text", "required": True},
            {"key": "materials", "label": "发放资料（份）", "kind": "number"},
        ],
    },
    {
        "name": "文化市场检查",
        "category": Category.INSPECTION,
        "track": STYLE,
        "description": "联合文化执法部门开展的文化市场检查，参加人员记检查人员。",
        "sort_order": 70,
        "fields": [
            {"key": "venue_name", "label": "检查场所", "kind": "text", "required": True},
            {
                "key": "venue_kind",
                "label": "场所类型",
                "kind": "choice",
                "required": True,
                "choices": VENUE_KINDS,
            },
            {
                "key": "result",
                "label": "检查结果",
                "kind": "choice",
                "required": True,
                "choices": ["合格", "责令整改", "立案查处"],
            },
            {"key": "findings", "label": "发现问题", "kind": "text"},
        ],
    },
    {
        "name": "宣传报道",
        "category": Category.MEDIA,
        "track": COMPETE,
        "takes_attendance": True,
        "description": "在各级媒体刊发的宣传报道（渠道、级别、链接和阅读量见融媒矩阵），参加人员记作者。",
        "sort_order": 80,
    },
    _meeting("部署会", "专项行动的安排部署会议：传达要求、分解任务、明确责任。", 85),
    _meeting("周例会", "每周召开的工作例会，通报进度、部署下周工作。", 90),
    _meeting("月调度会", "每月召开的专项行动调度会，研究解决推进中的问题。", 100),
    _meeting("半年总结", "半年工作总结会议。", 110),
    _meeting("年度考核会", "年度考核评议会议。", 120),
    {
        "name": "主题党日",
        "category": Category.STUDY,
        "track": ABILITY,
        "takes_checkin": True,
        "records_hours": True,
        "description": "党支部每月开展的主题党日活动。",
        "sort_order": 130,
        "fields": [{"key": "theme", "label": "活动主题", "kind": "text", "required": True}],
    },
    {
        "name": "红色教育",
        "category": Category.STUDY,
        "track": ABILITY,
        "takes_checkin": True,
        "records_hours": True,
        "description": "在红色资源点位开展的现场教学和参观学习。",
        "sort_order": 140,
        "fields": [TOPIC],
    },
]


def load(builder: DemoBuilder) -> None:
    """Configure the demo's activity types, as the campaign office, for the demo campaign."""
    office = builder.built.people["office"]
    campaign = builder.built.campaign
    tracks = {track.name: track for track in campaign.tracks.all()} if campaign else {}
    for spec in TYPES:
        values = dict(spec)
        track = tracks.get(values.pop("track"))
        services.create_activity_type(actor=office, campaign=campaign, track=track, **values)
    load_records(builder, types=types_by_name(), readings=DESIGNATED_READINGS)


def types_by_name() -> dict[str, ActivityType]:
    """The configured types by name, for the other apps' demo parts."""
    return {activity_type.name: activity_type for activity_type in ActivityType.objects.all()}
