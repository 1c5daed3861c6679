"""Meetings (周例会, 月调度会, 半年总结, 年度考核会): a meeting is a ledger activity of a
meeting-category type; `Meeting` adds its agenda and minutes, and each `Decision` of the minutes
owns the 督办事项 task (kind DECISION) it became."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    """The agenda (议程) and minutes (会议纪要) of a meeting activity, and the campaign whose
    tasks it dispatches (decisions become tasks of that campaign)."""

    activity = models.OneToOneField(
        "ledgers.Activity", verbose_name=_("会议"), on_delete=models.PROTECT, related_name="meeting"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agenda = models.TextField(_("会议议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["-activity__starts_at", "-id"]

    def __str__(self) -> str:
        return str(self.activity)


class Decision(models.Model):
    """A decision recorded in the minutes (会议议定事项): who must deliver it by when; `task` is
    the 督办事项 issued to the unit and assigned to the owner in the same step."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("议定事项"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("完成时限"))
    task = models.OneToOneField(
        "campaigns.Task",
        verbose_name=_("督办事项"),
        on_delete=models.PROTECT,
        related_name="meeting_decision",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:50]
