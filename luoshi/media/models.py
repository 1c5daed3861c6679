"""Media matrix (融媒矩阵): channels, publications and journalists' targets.

A `Publication` is the media half of a ledger `Activity` of a media-category type (宣传报道): the
activity carries title, date, organising unit and authors (its participants) and is counted in
the ledger; the publication adds channel, level, link and views, so one record counts in both the
ledger and the matrix. A `JournalistTarget` (任务量) is how many placements a journalist owes in
a month or a quarter, in total or at one level.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("州")
    CITY = "city", _("市")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")


class Channel(models.Model):
    """A channel of the matrix (报纸, 电视, 微信公众号 …), configured by the campaign office.

    Channels are deactivated, never deleted: publications keep theirs.
    """

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("传播渠道")
        verbose_name_plural = _("传播渠道")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Publication(models.Model):
    """Channel, level, link and views of one published piece; the rest lives on its activity."""

    activity = models.OneToOneField(
        "ledgers.Activity",
        verbose_name=_("台账记录"),
        on_delete=models.CASCADE,
        related_name="publication",
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="publications"
    )
    level = models.CharField(_("级别"), max_length=20, choices=Level)
    link = models.URLField(_("链接"), max_length=500, blank=True)
    views = models.PositiveIntegerField(_("阅读（播放）量"), null=True, blank=True)

    class Meta:
        verbose_name = _("刊播稿件")
        verbose_name_plural = _("刊播稿件")
        indexes = [models.Index(fields=["channel", "level"])]

    def __str__(self) -> str:
        return str(self.activity)


class JournalistTarget(models.Model):
    """A journalist's 任务量 for one month or quarter: `count` placements, at `level` or (blank)
    at any level. `unit` is the unit that set it and whose scope it falls in."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记者"),
        on_delete=models.PROTECT,
        related_name="media_targets",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    period_kind = models.CharField(_("周期"), max_length=10, choices=PeriodKind)
    period_start = models.DateField(_("周期开始"))
    level = models.CharField(_("级别"), max_length=20, choices=Level, blank=True)
    count = models.PositiveIntegerField(_("任务量（篇）"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("记者任务量")
        verbose_name_plural = _("记者任务量")
        ordering = ["-period_start", "unit", "person", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_kind", "period_start", "level"],
                name="media_target_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period_label} {self.count}"

    @property
    def period_end(self) -> datetime.date:
        return period_end(self.period_kind, self.period_start)

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_start)


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The last day of the month or quarter starting on `start`."""
    months = 3 if kind == PeriodKind.QUARTER else 1
    year, month = divmod(start.month - 1 + months, 12)
    return datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)


def period_label(kind: str, start: datetime.date) -> str:
    """ "2026-11" for a month, "2026-Q4" for a quarter (also the value the filters take)."""
    if kind == PeriodKind.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"
