"""Who sees which problems, task forces, inspections and findings: 404 outside scope.

A problem or a finding is seen by whoever sees its 整改 task (the responsible unit in the
task.view scope, the office, the task's owner); a finding also by whoever sees its inspection.
A task force is seen by those who see its campaign's office (campaign.view) and by its lead
and members. Writing needs task.issue on the campaign's office (the office manages the list).
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from luoshi.campaigns.access import visible_tasks
from luoshi.campaigns.models import Campaign
from luoshi.ledgers.access import recordable_campaigns, visible_activities
from luoshi.ledgers.models import Activity, Category
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .models import Finding, Problem, TaskForce


def visible_task_forces(user) -> QuerySet[TaskForce]:
    if not getattr(user, "is_authenticated", False):
        return TaskForce.objects.none()
    scope = scope_for(user, "campaign.view")
    visible = Q(lead=user) | Q(members=user)
    if scope.covers_units():
        visible |= Q(campaign__office_unit__in=Unit.objects.filter(scope.units_q()).values("id"))
    ids = TaskForce.objects.filter(visible).values("id")
    return TaskForce.objects.filter(pk__in=ids)


def get_task_force_for_user(user, pk: int) -> TaskForce:
    task_force = visible_task_forces(user).select_related("campaign", "lead").filter(pk=pk).first()
    if task_force is None:
        raise Http404
    return task_force


def visible_problems(user) -> QuerySet[Problem]:
    if not getattr(user, "is_authenticated", False):
        return Problem.objects.none()
    return Problem.objects.filter(task__in=visible_tasks(user, units_only=True).values("id"))


def get_problem_for_user(user, pk: int) -> Problem:
    problem = (
        visible_problems(user)
        .select_related("campaign", "unit", "task_force", "task", "task__owner")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        raise Http404
    return problem


def visible_inspections(user) -> QuerySet[Activity]:
    """The inspections (activities of an inspection-category type) `user` sees in the ledger."""
    return visible_activities(user).filter(type__category=Category.INSPECTION)


def get_inspection_for_user(user, pk: int) -> Activity:
    inspection = (
        visible_inspections(user)
        .select_related("type", "unit", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


def visible_findings(user) -> QuerySet[Finding]:
    if not getattr(user, "is_authenticated", False):
        return Finding.objects.none()
    return Finding.objects.filter(
        Q(activity__in=visible_activities(user).values("id"))
        | Q(task__in=visible_tasks(user, units_only=True).values("id"))
    )


def get_finding_for_user(user, pk: int) -> Finding:
    finding = (
        visible_findings(user)
        .select_related("activity", "unit", "task", "task__owner")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    return finding


def managed_campaigns(user) -> QuerySet[Campaign]:
    """Running campaigns whose office `user` works for (task.issue): where they list problems,
    set up task forces and open rectification tasks."""
    scope = scope_for(user, "task.issue")
    if not scope.covers_units():
        return Campaign.objects.none()
    return Campaign.objects.filter(
        deleted_at__isnull=True,
        status=Campaign.Status.ACTIVE,
        office_unit__in=Unit.objects.filter(scope.units_q()).values("id"),
    ).order_by("-start_date", "-id")


def can_manage(user, campaign: Campaign) -> bool:
    return scope_for(user, "task.issue").contains(campaign.office_unit)


def finding_perm(user, inspection: Activity) -> str:
    """The permission under which `user` raises findings of `inspection` ("" if none).

    The campaign's office (task.issue) opens a 整改 task for any unit it may issue to; a unit's
    liaison (task.assign) raises a finding of an inspection of their own unit directly as their
    unit's own task (campaigns.services.open_unit_task), which the office then verifies."""
    if managed_campaigns(user).exists():
        return "task.issue"
    if inspection.unit is not None and scope_for(user, "task.assign").contains(inspection.unit):
        return "task.assign"
    return ""


def finding_campaigns(user, perm: str) -> QuerySet[Campaign]:
    """The running campaigns a finding may open its task in, under `perm` (finding_perm)."""
    if perm == "task.issue":
        return managed_campaigns(user)
    if perm == "task.assign":
        # the campaigns the liaison's own records count toward
        return recordable_campaigns(user).order_by("-start_date", "-id")
    return Campaign.objects.none()
