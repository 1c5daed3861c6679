"""督责: warnings are computed from dates and progress, never set by hand.

red     — the deadline has passed and the task is still open;
yellow  — the unit is behind the time-proportional schedule (序时进度) by the campaign's
          threshold, or the task was returned at least once, or it was not signed in time;
blue    — the deadline is within the campaign's number of working days.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from luoshi.workdays.selectors import Calendar

from .models import OPEN_STATES, Campaign, Task, WarningLevel

SEVERITY: dict[str, int] = {
    WarningLevel.NONE: 0,
    WarningLevel.BLUE: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.RED: 3,
}


@dataclass(frozen=True)
class WarningVerdict:
    """The level a task deserves today and the reasons, in plain words."""

    level: str
    reasons: tuple[str, ...]


def scheduled_percent(task: Task, today: datetime.date) -> int | None:
    """The share of the task's period that has elapsed (序时进度), in percent."""
    start = task.start_date or (task.issued_at.date() if task.issued_at else None)
    if start is None or task.deadline is None or task.deadline <= start:
        return None
    elapsed = (today - start).days / (task.deadline - start).days
    return round(max(0.0, min(1.0, elapsed)) * 100)


def assess(
    task: Task, *, campaign: Campaign, today: datetime.date, calendar: Calendar
) -> WarningVerdict:
    """The warning a unit task deserves today, with the reasons in plain words."""
    if task.state not in OPEN_STATES or task.deadline is None:
        return WarningVerdict(WarningLevel.NONE, ())
    if today > task.deadline:
        days = (today - task.deadline).days
        return WarningVerdict(WarningLevel.RED, (_("已超过完成时限 %(days)d 天") % {"days": days},))
    reasons = []
    if task.returned_count:
        reasons.append(_("复核退回 %(n)d 次") % {"n": task.returned_count})
    if task.state == "issued" and task.sign_deadline and today > task.sign_deadline:
        reasons.append(_("超过签收时限未签收"))
    schedule = scheduled_percent(task, today)
    if schedule is not None and schedule - task.progress >= campaign.yellow_lag_percent:
        reasons.append(
            _("落后序时进度 %(lag)d 个百分点（应达 %(due)d%%，实际 %(done)d%%）")
            % {"lag": schedule - task.progress, "due": schedule, "done": task.progress}
        )
    if reasons:
        return WarningVerdict(WarningLevel.YELLOW, tuple(reasons))
    left = calendar.working_days_between(today, task.deadline)
    if left <= campaign.blue_working_days:
        return WarningVerdict(
            WarningLevel.BLUE, (_("距完成时限还有 %(n)d 个工作日") % {"n": left},)
        )
    return WarningVerdict(WarningLevel.NONE, ())


def worst(levels) -> str:
    return max(levels, key=lambda level: SEVERITY[level], default=WarningLevel.NONE)
