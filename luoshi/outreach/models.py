"""Outreach lectures (挎包宣讲): lecture teams, lecture targets and the coverage table.

A lecture is a ledger activity of a lecture-category type; `Lecture` (1:1) adds the team that
gave it and the `LectureTarget` (宣讲覆盖点: a place the lectures must reach) it reached.
Lectures recorded through the generic ledger form have no `Lecture` row and count for a target
when their place is the target's name.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledgers.models import VenueCategory


class LectureTeam(models.Model):
    """A lecture team (e.g. 茫崖市挎包宣讲队) led from one unit, with members from several."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("队长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("宣讲队")
        verbose_name_plural = _("宣讲队")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A member of a lecture team (宣讲员)."""

    team = models.ForeignKey(LectureTeam, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("宣讲队员")
        verbose_name_plural = _("宣讲队员")
        ordering = ["team", "person__pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="outreach_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.team}"


class LectureTarget(models.Model):
    """A place the lectures must reach (a pastoral point, a community, an enterprise, a school),
    belonging to a unit (its town, community…); configured by the campaign office."""

    name = models.CharField(_("名称"), max_length=200)
    venue_category = models.CharField(_("场所类别"), max_length=20, choices=VenueCategory)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("宣讲覆盖点")
        verbose_name_plural = _("宣讲覆盖点")
        ordering = ["venue_category", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="outreach_target_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Lecture(models.Model):
    """The outreach part of a lecture activity: the team that gave it and the place it reached."""

    activity = models.OneToOneField(
        "ledgers.Activity",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="lecture",
    )
    team = models.ForeignKey(
        LectureTeam,
        verbose_name=_("宣讲队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    target = models.ForeignKey(
        LectureTarget,
        verbose_name=_("覆盖点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )

    class Meta:
        verbose_name = _("宣讲")
        verbose_name_plural = _("宣讲")

    def __str__(self) -> str:
        return str(self.activity_id)
