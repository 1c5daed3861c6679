"""Reading meetings, scoped to the user: the filtered list, and the agenda items that the
campaign's red and yellow tasks suggest."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import OPEN_STATES, Campaign, Task, WarningLevel
from luoshi.ledgers.models import Activity
from luoshi.org.models import Unit

from .access import visible_decisions, visible_meetings
from .models import Decision


@dataclass
class MeetingFilter:
    """The meeting list's filters, the same for the page and the API."""

    type_id: int | None = None
    unit: Unit | None = None  # the unit and its subtree
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    text: str = ""

    def describe(self) -> list[str]:
        """The filters in words, for the head of an export."""
        parts = []
        if self.unit:
            parts.append(_("单位：%(u)s（含下级）") % {"u": self.unit.name})
        if self.date_from or self.date_to:
            parts.append(
                _("时间：%(a)s 至 %(b)s")
                % {"a": self.date_from or _("不限"), "b": self.date_to or _("不限")}
            )
        return parts


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def meeting_list(user, flt: MeetingFilter) -> QuerySet[Activity]:
    meetings = visible_meetings(user)
    if flt.type_id:
        meetings = meetings.filter(type_id=flt.type_id)
    if flt.unit is not None:
        meetings = meetings.filter(unit__path__startswith=flt.unit.path)
    if flt.date_from:
        meetings = meetings.filter(starts_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        meetings = meetings.filter(
            starts_at__lt=_day_start(flt.date_to + datetime.timedelta(days=1))
        )
    if flt.text:
        meetings = meetings.filter(title__icontains=flt.text)
    return (
        meetings.select_related("type", "unit", "meeting", "meeting__campaign")
        .annotate(
            people=Count("participations", distinct=True),
            decision_count=Count("meeting__decisions", distinct=True),
        )
        .order_by("-starts_at", "-id")
    )


def decisions_of(user, activity: Activity) -> list[Decision]:
    return list(
        visible_decisions(user)
        .filter(meeting__activity=activity)
        .select_related("unit", "owner", "task")
        .order_by("id")
    )


def warning_tasks(user, campaign: Campaign) -> list[Task]:
    """The campaign's open unit tasks with a red or yellow card that `user` sees, red first."""
    return list(
        visible_tasks(user, units_only=True)
        .filter(
            campaign=campaign,
            state__in=OPEN_STATES,
            warning__in=[WarningLevel.RED, WarningLevel.YELLOW],
        )
        .select_related("unit", "owner")
        .order_by("warning", "deadline", "id")  # "red" sorts before "yellow"
    )


def warning_agenda(user, campaign: Campaign) -> str:
    """Agenda lines for a new meeting: one item per red and yellow task (督办 at the meeting)."""
    tasks = warning_tasks(user, campaign)
    if not tasks:
        return ""
    lines = []
    for level, heading in (
        (WarningLevel.RED, _("红色预警任务（已超过完成时限）")),
        (WarningLevel.YELLOW, _("黄色预警任务（进度滞后）")),
    ):
        items = [task for task in tasks if task.warning == level]
        if not items:
            continue
        lines.append(f"{heading}")
        for number, task in enumerate(items, start=1):
            lines.append(
                _(
                    "%(n)d. %(unit)s：%(title)s（完成时限 %(deadline)s，进度 %(progress)d%%%(owner)s）"
                )
                % {
                    "n": number,
                    "unit": task.unit.name if task.unit else "",
                    "title": task.title,
                    "deadline": task.deadline or "—",
                    "progress": task.progress,
                    "owner": _("，责任人 %(p)s") % {"p": task.owner} if task.owner else "",
                }
            )
    return "\n".join(lines)
