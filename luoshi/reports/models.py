"""Briefings (工作简报) written from the ledger's counts.

The campaign office configures a `BriefingTemplate`: ordered `BriefingSection`s (一级 or 二级
headings with an opening sentence) and, in each, ordered `BriefingLine`s. A line names a metric
(what to count in the ledger), a sentence pattern with `{n}` where the figure goes, and how the
figure is written: exactly, or approximately ("20余"). Numbers are never typed: every figure of a
briefing is counted from the stored activities of the unit's subtree within the period.
"""

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


class Rounding(models.TextChoices):
    EXACT = "exact", _("精确数字")
    APPROX = "approx", _("约数（如“20余”）")


class BriefingTemplate(models.Model):
    """A briefing the office configures once and writes for any unit and period.

    `title` may contain `{unit}` (the unit's name). `signature` is the unit named under the text
    (blank: the briefing's unit).
    """

    name = models.CharField(_("模板名称"), max_length=100, unique=True)
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

    `unit` fixes the unit the part reports on (the article's part on 市委宣传部); blank: the unit
    of the 一级 part it belongs to, or the briefing's unit. A fixed unit outside the reader's
    scope leaves its part out.
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

    class Meta:
        verbose_name = _("简报部分")
        verbose_name_plural = _("简报部分")
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.heading or str(_("（无标题）"))


class BriefingLine(models.Model):
    """One counted sentence: `pattern` holds `{n}` where the figure goes (`{places}` for the
    lecture coverage). `field_key`/`field_value` narrow the records to those whose extra field
    has that value; for the DISTINCT metric `distinct_key` is the field whose values are counted."""

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

    class Meta:
        verbose_name = _("简报句子")
        verbose_name_plural = _("简报句子")
        ordering = ["section", "order", "id"]

    def __str__(self) -> str:
        return self.pattern
