"""Reading the rectification list and the inspections, scoped to the user."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from luoshi.campaigns.models import DONE_STATES, TaskState
from luoshi.ledgers.models import Activity, Participation
from luoshi.org.models import Unit

from .access import visible_findings, visible_inspections, visible_problems, visible_task_forces
from .models import Finding, Problem, TaskForce

VENUE_KINDS = ["网吧", "歌舞娱乐场所", "影院", "书店", "印刷企业", "其他"]
RESULTS = ["合格", "责令整改", "立案查处"]


@dataclass
class ProblemFilter:
    campaign_id: int | None = None
    unit: Unit | None = None  # the unit and its subtree
    state: str = ""  # a TaskState, or "open" / "done"
    warning: str = ""
    task_force_id: int | None = None
    text: str = ""


def problem_list(user, flt: ProblemFilter) -> QuerySet[Problem]:
    problems = visible_problems(user)
    if flt.campaign_id:
        problems = problems.filter(campaign_id=flt.campaign_id)
    if flt.unit is not None:
        problems = problems.filter(unit__path__startswith=flt.unit.path)
    if flt.state == "open":
        problems = problems.exclude(task__state__in=[*DONE_STATES, TaskState.WITHDRAWN])
    elif flt.state == "done":
        problems = problems.filter(task__state__in=DONE_STATES)
    elif flt.state:
        problems = problems.filter(task__state=flt.state)
    if flt.warning:
        problems = problems.filter(task__warning=flt.warning)
    if flt.task_force_id:
        problems = problems.filter(task_force_id=flt.task_force_id)
    if flt.text:
        problems = problems.filter(
            Q(title__icontains=flt.text) | Q(description__icontains=flt.text)
        )
    return problems.select_related(
        "campaign", "unit", "task_force", "task_force__lead", "task", "task__owner"
    ).order_by("task__deadline", "id")


def task_force_list(user) -> QuerySet[TaskForce]:
    return (
        visible_task_forces(user)
        .select_related("campaign", "lead")
        .prefetch_related("members")
        .annotate(problem_count=Count("problems", distinct=True))
        .order_by("campaign", "name", "id")
    )


@dataclass
class InspectionFilter:
    unit: Unit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    venue_kind: str = ""
    result: str = ""
    text: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def inspection_list(user, flt: InspectionFilter) -> QuerySet[Activity]:
    """Inspections with their inspectors and findings (with the findings' tasks) prefetched."""
    inspections = visible_inspections(user)
    if flt.unit is not None:
        inspections = inspections.filter(unit__path__startswith=flt.unit.path)
    if flt.date_from:
        inspections = inspections.filter(starts_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        inspections = inspections.filter(
            starts_at__lt=_day_start(flt.date_to + datetime.timedelta(days=1))
        )
    if flt.venue_kind:
        inspections = inspections.filter(values__venue_kind=flt.venue_kind)
    if flt.result:
        inspections = inspections.filter(values__result=flt.result)
    if flt.text:
        inspections = inspections.filter(
            Q(title__icontains=flt.text) | Q(values__venue_name__icontains=flt.text)
        )
    return (
        inspections.select_related("type", "unit")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person").order_by("id"),
            ),
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("unit", "task").order_by("id"),
            ),
        )
        .order_by("-starts_at", "-id")
    )


def findings_of(user, activity: Activity) -> list[Finding]:
    return list(
        visible_findings(user)
        .filter(activity=activity)
        .select_related("unit", "task", "task__owner")
        .order_by("id")
    )
