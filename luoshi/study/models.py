"""Study: study groups, the designated reading list, reading records and reflection essays.

Reading records and essays are ledger activities of personal types (luoshi.ledgers); this app
keeps what the ledger does not: the groups a unit studies in, the campaign's designated reading
list (指定读本), and which activity types are the campaign's reading and essay types.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StudyGroup(models.Model):
    """A unit's study group (e.g. 马克思主义学习小组) with its members; a whole group can be
    picked as participants of a study session at once."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("学习小组")
        verbose_name_plural = _("学习小组")
        ordering = ["unit__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="study_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """A person in a study group, as its leader (组长) or a member (成员)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("组长")
        MEMBER = "member", _("成员")

    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=10, choices=Role, default=Role.MEMBER)

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["group", "role", "person__pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="study_group_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.group}"


class Reading(models.Model):
    """One book of a campaign's designated reading list (指定读本), in the office's order."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(_("书名"), max_length=200)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("指定读本")
        verbose_name_plural = _("指定读本")
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "title"], name="study_reading_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class StudySettings(models.Model):
    """Which personal activity types are a campaign's reading records and essays, so that the
    study pages and counts know them (the demo: 每月读一本好书 and 心得体会)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.CASCADE,
        related_name="study_settings",
    )
    reading_type = models.ForeignKey(
        "ledgers.ActivityType",
        verbose_name=_("读书记录的活动类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    essay_type = models.ForeignKey(
        "ledgers.ActivityType",
        verbose_name=_("心得体会的活动类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("学习设置")
        verbose_name_plural = _("学习设置")

    def __str__(self) -> str:
        return str(self.campaign)
