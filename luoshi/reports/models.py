"""Briefings (工作简报) written from the ledger's counts, and the briefings issued (frozen).

The campaign office configures a `BriefingTemplate`: ordered `BriefingSection`s (一级 or 二级
headings with an opening sentence) and, in each, ordered `BriefingLine`s. A line names a metric
(what to count in the ledger), a sentence pattern with `{n}` where the figure goes, and how the
figure is written: exactly, or approximately ("20余"). Numbers are never typed: every figure of a
briefing is counted from the stored activities of the unit's subtree within the period.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """What a briefing line counts (for the unit subtree and the period)."""

    ACTIVITIES = "activities", _("活动（记录）次数")
    COMMENDED = "commended", _("评为优秀的记录数")
    DISTINCT = "distinct", _("字段不同取值数")
    PERSON_TIMES = "person_times", _("参加人次")
    PEOPLE = "people", _("参加人数")
    AUDIENCE = "audience", _("受众人数合计")
    COVERAGE = "coverage", _("宣讲覆盖（按场所类别列出地点）")
    JOINT = "joint", _("同时计入两项以上专项行动的记录数")
    TASKS_ASSIGNED = "tasks_assigned", _("分解到人的任务数")
    ASSIGNEES = "assignees", _("任务责任人数")
    NOTICES = "notices", _("督办单数")
    ACCOUNTABILITY = "accountability", _("问责次数")
    SITES = "sites", _("运用的红色资源点位（列出名称）")
    ROUTES = "routes", _("红色旅游及学习体验线路（列出名称）")
    EXHIBITIONS = "exhibitions", _("展出的精品展览（列出名称）")
    MEDIA = "media", _("发稿篇数（按媒体级别、渠道列出）")
    JOURNALISTS_MET = "journalists_met", _("完成任务量的记者人数")
    JOURNALISTS = "journalists", _("确定任务量的记者人数")
    TASK_FORCES = "task_forces", _("项目攻坚组数")
    PROBLEMS_SOLVED = "problems_solved", _("攻坚组整改销号的问题数")
    PLATFORM_PEOPLE = "platform_people", _("学习平台有积分的人数")
    PLATFORM_RATE = "platform_rate", _("学习平台覆盖率（%）")
    VOLUNTEER = "volunteer", _("志愿服务活动场次（按月度主题列出）")


# Metrics counted over the ledger's records (an activity type and a field may narrow them).
ACTIVITY_METRICS = frozenset(
    {
        Metric.ACTIVITIES,
        Metric.COMMENDED,
        Metric.DISTINCT,
        Metric.PERSON_TIMES,
        Metric.PEOPLE,
        Metric.AUDIENCE,
        Metric.COVERAGE,
        Metric.JOINT,
        Metric.SITES,
        Metric.MEDIA,
        Metric.VOLUNTEER,
    }
)
# Metrics whose {places} lists names (the places reached, the sites, the media by level …).
LISTING_METRICS = frozenset(
    {
        Metric.COVERAGE,
        Metric.SITES,
        Metric.ROUTES,
        Metric.EXHIBITIONS,
        Metric.MEDIA,
        Metric.VOLUNTEER,
    }
)


class Rounding(models.TextChoices):
    EXACT = "exact", _("精确数字")
    APPROX = "approx", _("约数（如“20余”）")


class BriefingTemplate(models.Model):
    """A briefing the office configures once and writes for any unit and period.

    A unit briefing (`Kind.UNIT`) is written for the one unit chosen and covers that unit's
    subtree only; it is signed by that unit. An office briefing (`Kind.OFFICE`) reports on several
    units, one 一级 part per unit fixed in the template, and is signed by the unit chosen (the
    office). `title` may contain `{unit}` (the unit's name). `signature` is the unit named under
    the text (blank: the briefing's unit).
    """

    class Kind(models.TextChoices):
        UNIT = "unit", _("单位简报（写所选单位）")
        OFFICE = "office", _("汇总简报（每个单位一部分）")

    name = models.CharField(_("模板名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind, default=Kind.UNIT)
    title = models.CharField(
        _("标题"),
        max_length=200,
        help_text=_("可用 {unit} 表示所选单位名称。"),
    )
    intro = models.TextField(_("导语"), blank=True, help_text=_("可用 {unit} 表示所选单位名称。"))
    signature = models.CharField(_("落款单位"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("简报模板")
        verbose_name_plural = _("简报模板")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class BriefingSection(models.Model):
    """One part of a briefing: a heading (一级 "一、" or 二级 "（一）"), an opening sentence, and
    its lines written one after another as one paragraph.

    `unit` fixes the unit the part reports on — only in an office briefing, where each 一级 part
    names its unit (the article's part on 市委宣传部); a 二级 part follows its 一级 part. In a unit
    briefing every part reports on the unit chosen. `empty_text` is what the part says when none
    of its lines has a figure (blank: the part is left out).
    """

    class Level(models.IntegerChoices):
        FIRST = 1, _("一级标题（一、）")
        SECOND = 2, _("二级标题（（一））")

    template = models.ForeignKey(
        BriefingTemplate, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level, default=Level.SECOND)
    heading = models.CharField(
        _("标题"), max_length=200, blank=True, help_text=_("可用 {unit} 表示本部分的单位名称。")
    )
    intro = models.TextField(
        _("开头语"), blank=True, help_text=_("写在各行数字之前；可用 {unit} 表示单位名称。")
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("固定单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    empty_text = models.CharField(
        _("无数据时的写法"),
        max_length=200,
        blank=True,
        help_text=_("各句都没有数字时写这句话，如“本期暂未开展”；不填则略去本部分。"),
    )

    class Meta:
        verbose_name = _("简报部分")
        verbose_name_plural = _("简报部分")
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.heading or str(_("（无标题）"))


class BriefingLine(models.Model):
    """One counted sentence: `pattern` holds `{n}` where the figure goes (`{places}` for the
    names a listing metric gives: lecture places, sites, media by level). `field_key`/
    `field_value` narrow the records to those whose extra field has that value; for the DISTINCT
    metric `distinct_key` is the field whose values are counted. A line whose figure is zero is
    left out, or written as `empty_text` where that is set ("本期暂未开展检查。")."""

    section = models.ForeignKey(BriefingSection, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    metric = models.CharField(_("统计内容"), max_length=20, choices=Metric)
    activity_type = models.ForeignKey(
        "ledgers.ActivityType",
        verbose_name=_("活动类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    field_key = models.CharField(_("筛选字段"), max_length=30, blank=True)
    field_value = models.CharField(_("筛选取值"), max_length=200, blank=True)
    distinct_key = models.CharField(_("计数字段"), max_length=30, blank=True)
    pattern = models.CharField(_("句式"), max_length=500)
    rounding = models.CharField(
        _("数字写法"), max_length=10, choices=Rounding, default=Rounding.EXACT
    )
    empty_text = models.CharField(
        _("为零时的写法"),
        max_length=200,
        blank=True,
        help_text=_("数字为零时写这句话；不填则略去本句（从不写“0次”）。"),
    )

    class Meta:
        verbose_name = _("简报句子")
        verbose_name_plural = _("简报句子")
        ordering = ["section", "order", "id"]

    def __str__(self) -> str:
        return self.pattern


class IssuedBriefing(models.Model):
    """A briefing as issued (印发): the text and every figure it stated, kept as they were.

    `data` holds the paragraphs (runs of text and figures), the figures with their values, the
    signature and date, and `units` — the ids of every unit the briefing reports on (a reader
    must see all of them to open it). The issued text is never recomputed: the page compares it
    with today's count and says "数据已更新" with a link to the current figures when they differ.
    """

    template = models.ForeignKey(
        BriefingTemplate,
        verbose_name=_("简报模板"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="issued",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField(_("开始日期"))
    date_to = models.DateField(_("截止日期"))
    title = models.CharField(_("标题"), max_length=200)
    data = models.JSONField(_("简报内容"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("印发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已印发简报")
        verbose_name_plural = _("已印发简报")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.title
