"""Who sees and acts on which campaign and task. 404 outside scope, 403 where seen but not allowed."""

from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .models import Campaign, Task


class IdRow(TypedDict):
    """A row of .values("id"): what a subquery of ids yields."""

    id: int


def units_in(scope) -> QuerySet[Unit, IdRow]:
    """The ids of the units in `scope`, as a subquery (one pass over the unit table)."""
    return Unit.objects.filter(scope.units_q()).values("id")


def visible_tasks_q(user) -> Q:
    """Tasks `user` may see: unit tasks in their task.view scope, plans of campaigns whose office
    is in that scope, and tasks they own themselves.

    The unit scope is written as `unit_id IN (SELECT id FROM org_unit WHERE path LIKE …)`: the
    database evaluates the subquery once instead of joining the unit tree row by row, which on a
    province's 100,000 tasks halves the cost of every count and list.
    """
    scope = scope_for(user, "task.view")
    if scope.everything:
        return Q()
    visible = Q(owner=user)
    if scope.covers_units():
        units = units_in(scope)
        visible |= Q(unit__in=units) | Q(unit__isnull=True, campaign__office_unit__in=units)
    return visible


LARGE_SCOPE_UNITS = 200


def _is_large(scope) -> bool:
    """Whether `scope` reaches at least LARGE_SCOPE_UNITS units (one bounded query)."""
    return Unit.objects.filter(scope.units_q()).order_by()[:LARGE_SCOPE_UNITS].count() >= (
        LARGE_SCOPE_UNITS
    )


def visible_tasks(user, *, units_only: bool = False) -> QuerySet[Task]:
    """The live tasks `user` may see (visible_tasks_q); with `units_only`, plans left out (what
    every count of the units' work wants)."""
    scope = scope_for(user, "task.view")
    tasks = Task.objects.alive()
    if units_only:
        tasks = tasks.filter(unit__isnull=False)
        if scope.everything:
            return tasks
        visible = Q(owner=user)
        if scope.covers_units():
            visible |= Q(unit__in=units_in(scope))
        return tasks.filter(visible)
    if scope.everything:
        return tasks
    if scope.covers_units() and _is_large(scope):
        # Over a large reach, `owner_id + 0` keeps SQLite from answering the OR by merging index
        # lookups of most of the table (and then sorting it all for a page of 25): it scans and
        # filters instead. A small reach is best served by those index lookups.
        units = units_in(scope)
        return tasks.alias(owner_ref=F("owner_id") + 0).filter(
            Q(owner_ref=user.pk)
            | Q(unit__in=units)
            | Q(unit__isnull=True, campaign__office_unit__in=units)
        )
    return tasks.filter(visible_tasks_q(user))


def visible_campaigns(user) -> QuerySet[Campaign]:
    """Campaigns whose office is in `user`'s campaign.view scope, or in which they see a task
    (asked per campaign with EXISTS, which stops at the first task)."""
    scope = scope_for(user, "campaign.view")
    campaigns = Campaign.objects.filter(deleted_at__isnull=True)
    if scope.everything:
        return campaigns
    has_tasks = Exists(visible_tasks(user).filter(campaign=OuterRef("pk")))
    if scope.covers_units():
        return campaigns.filter(Q(office_unit__in=units_in(scope)) | has_tasks)
    return campaigns.filter(has_tasks)


def can_manage_campaign(user, campaign: Campaign) -> bool:
    return scope_for(user, "campaign.manage").contains(campaign.office_unit)


def get_campaign_for_user(user, pk: int, *, manage: bool = False) -> Campaign:
    campaign = visible_campaigns(user).select_related("office_unit").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if manage and not can_manage_campaign(user, campaign):
        raise PermissionDenied
    return campaign


def get_task_for_user(user, pk: int) -> Task:
    """The task if `user` may see it, else 404. Actions check their own permission in services."""
    task = (
        visible_tasks(user)
        .select_related("campaign", "campaign__office_unit", "track", "unit", "owner", "parent")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


def can_view_task(user, task: Task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()
