"""Rectification (整改): the office's problem list worked off by task forces, and the findings of
market inspections (文化市场检查). Each problem and each finding owns one 整改 task (a unit task of
kind RECTIFICATION) that walks the responsibility chain to 销号; the state is the task's."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskForce(models.Model):
    """A task force (项目攻坚组): a named group of people from several units, with a lead,
    set up by a campaign's office to work off one or more problems."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称"), max_length=100)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组长"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), blank=True, related_name="task_forces"
    )
    description = models.TextField(_("职责"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("项目攻坚组")
        verbose_name_plural = _("项目攻坚组")
        ordering = ["campaign", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="task_force_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    """A problem on the office's list (问题清单), e.g. 宣传宣讲不解渴; `task` is the 整改 task
    issued to the responsible unit when the problem was listed."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("专项行动"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题表现及整改要求"), blank=True)
    source = models.CharField(_("问题来源"), max_length=100, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    task_force = models.ForeignKey(
        TaskForce,
        verbose_name=_("项目攻坚组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    deadline = models.DateField(_("整改时限"))
    task = models.OneToOneField(
        "campaigns.Task",
        verbose_name=_("整改任务"),
        on_delete=models.PROTECT,
        related_name="rectification_problem",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("整改问题")
        verbose_name_plural = _("整改问题")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    """A problem found by a market inspection; `task` is the 整改 task it opened for the
    responsible unit, whose state the inspection page shows until 销号."""

    activity = models.ForeignKey(
        "ledgers.Activity",
        verbose_name=_("检查记录"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    description = models.TextField(_("发现问题"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("整改时限"))
    task = models.OneToOneField(
        "campaigns.Task",
        verbose_name=_("整改任务"),
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return self.description[:50]
