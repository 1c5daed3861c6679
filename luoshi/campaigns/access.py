"""Who sees and acts on which campaign and task. 404 outside scope, 403 where seen but not allowed."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from luoshi.org.access import scope_for

from .models import Campaign, Task


def visible_tasks_q(user) -> Q:
    """Tasks `user` may see: unit tasks in their task.view scope, plans of campaigns whose office
    is in that scope, and tasks they own themselves."""
    scope = scope_for(user, "task.view")
    if scope.everything:
        return Q()
    unit_q = scope.units_q("unit__") if scope.covers_units() else Q(pk__in=[])
    plan_q = (
        Q(unit__isnull=True) & scope.units_q("campaign__office_unit__")
        if scope.covers_units()
        else Q(pk__in=[])
    )
    return unit_q | plan_q | Q(owner=user)


def visible_tasks(user):
    return Task.objects.alive().filter(visible_tasks_q(user))


def visible_campaigns(user):
    scope = scope_for(user, "campaign.view")
    campaigns = Campaign.objects.filter(deleted_at__isnull=True)
    if scope.everything:
        return campaigns
    task_campaigns = visible_tasks(user).values("campaign_id")
    if scope.covers_units():
        return campaigns.filter(Q(scope.units_q("office_unit__")) | Q(pk__in=task_campaigns))
    return campaigns.filter(pk__in=task_campaigns)


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
