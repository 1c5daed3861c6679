"""Who sees and acts on which campaign and task. 404 outside scope, 403 where seen but not allowed.

Every lookup of the campaigns' objects by the pages and the API goes through a helper here with
the one signature `get_<obj>_for_user(user, pk, *, write=False)`, and the permission predicates
the pages and the API show (`can_edit_task`, `can_report`, `allowed_moves`) live here too.
"""

from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from luoshi.org.access import has_perm, require_perm, scope_for
from luoshi.org.models import Unit

from .models import (
    OPEN_STATES,
    AccountabilityKind,
    Campaign,
    Milestone,
    SupervisionNotice,
    Task,
    TaskState,
)

S = TaskState


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


def _is_large(user, scope) -> bool:
    """Whether `scope` reaches at least LARGE_SCOPE_UNITS units (one bounded query, asked once
    per request: the answer is kept on the user object, as the scopes are — a page that builds
    the visible tasks three times asked it three times)."""
    known = getattr(user, "_luoshi_large_scopes", None)
    if known is None:
        known = user._luoshi_large_scopes = {}
    if scope not in known:
        reached = Unit.objects.filter(scope.units_q()).order_by()[:LARGE_SCOPE_UNITS].count()
        known[scope] = reached >= LARGE_SCOPE_UNITS
    return known[scope]


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
    if scope.covers_units() and _is_large(user, scope):
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


def get_campaign_for_user(user, pk: int, *, write: bool = False) -> Campaign:
    """The campaign if `user` may see it (404 otherwise); with `write`, only for those who
    manage it (403 for the others who see it)."""
    campaign = visible_campaigns(user).select_related("office_unit").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    if write and not can_manage_campaign(user, campaign):
        raise PermissionDenied
    return campaign


TASK_RELATED = ("campaign", "campaign__office_unit", "track", "unit", "owner", "parent")


def get_task_for_user(user, pk: int, *, write: bool = False) -> Task:
    """The live task if `user` may see it, else 404; with `write`, 403 unless they may edit it.
    The chain's moves check their own permission in the services."""
    task = visible_tasks(user).select_related(*TASK_RELATED).filter(pk=pk).first()
    if task is None:
        raise Http404
    if write and not can_edit_task(user, task):
        raise PermissionDenied
    return task


def get_restorable_task_for_user(user, pk: int, *, write: bool = False) -> Task:
    """A task in `user`'s scope, deleted or not (what restoring looks up: the service refuses a
    task that is not deleted with a Conflict), else 404; with `write`, 403 unless they may edit
    (and so restore) it."""
    scoped = Task.objects.filter(visible_tasks_q(user)).select_related(*TASK_RELATED).filter(pk=pk)
    found = scoped.first()
    if found is None:
        raise Http404
    if write and not can_edit_task(user, found):
        raise PermissionDenied
    return found


def can_view_task(user, task: Task) -> bool:
    return visible_tasks(user).filter(pk=task.pk).exists()


def visible_notices(user) -> QuerySet[SupervisionNotice]:
    """Supervision notices on the live tasks `user` may see."""
    return SupervisionNotice.objects.filter(
        task__in=visible_tasks(user).values("pk")
    ).select_related("task", "task__unit", "task__campaign", "issued_by", "replied_by")


def can_reply(user, task: Task) -> bool:
    """Whether `user` may answer the supervision notices on `task` (its owner or task.reply)."""
    return not task.is_plan and (
        task.owner_id == user.pk or has_perm(user, "task.reply", task.unit)
    )


def get_notice_for_user(user, pk: int, *, write: bool = False) -> SupervisionNotice:
    """The notice if `user` sees its task, else 404; with `write`, 403 unless they may reply."""
    notice = visible_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    if write and not can_reply(user, notice.task):
        raise PermissionDenied
    return notice


def get_milestone_for_user(user, pk: int, *, write: bool = False) -> Milestone:
    """The milestone if `user` sees its task, else 404; with `write`, 403 unless they may tick
    it off."""
    milestone = (
        Milestone.objects.filter(pk=pk, task__in=visible_tasks(user))
        .select_related("task", "task__campaign", "task__unit", "task__parent")
        .first()
    )
    if milestone is None:
        raise Http404
    if write and not can_tick_milestone(user, milestone.task):
        raise PermissionDenied
    return milestone


def get_accountability_kind_for_user(user, pk: int, *, write: bool = False) -> AccountabilityKind:
    """A configured accountability kind (every kind is public; 404 for an unknown id); with
    `write`, those without campaign.manage get 403 before anything is looked up."""
    if write:
        require_perm(user, "campaign.manage")
    kind = AccountabilityKind.objects.filter(pk=pk).first()
    if kind is None:
        raise Http404
    return kind


# --- Permission predicates -----------------------------------------------------------------------


def can_edit_task(user, task: Task) -> bool:
    """Whether `user` may edit, delete or restore `task`: the office that issues the campaign's
    tasks, or for a sub-task a unit made itself, whoever assigns that unit's tasks. The services
    refuse an edit, delete or restore by calling this."""
    if task.parent is not None and task.parent.unit_id:
        return task.unit is not None and has_perm(user, "task.assign", task.unit)
    return has_perm(user, "task.issue", task.campaign.office_unit)


def can_create_task(user, campaign: Campaign) -> bool:
    """Whether `user` may add tasks to the campaign's breakdown: its office's issuers."""
    return has_perm(user, "task.issue", campaign.office_unit)


def can_report(user, task: Task) -> bool:
    """Whether `user` may report progress on `task`: its owner or the unit's reporter."""
    return task.owner_id == user.pk or has_perm(user, "task.report", task.unit)


def can_tick_milestone(user, task: Task) -> bool:
    """Whether `user` may mark the task's milestones done: its editors and its reporters."""
    return can_edit_task(user, task) or (not task.is_plan and can_report(user, task))


MOVES = (
    "edit",
    "delete",
    "issue",
    "sign",
    "assign",
    "decompose",
    "report",
    "verify",
    "close",
    "withdraw",
    "notice",
    "reply",
    "remind",
    "accountability",
    "comment",
    "milestone",
    "tick_milestone",
)
"""Every move on a task, in the order the task page offers them."""


def move_flags(user, task: Task) -> dict[str, bool]:
    """Each of MOVES with whether `user` may make it on `task` now: the services' permission
    plus the chain's state (what the page's action forms and the API's `moves` show)."""
    unit = task.unit
    plan = task.is_plan
    top_unit_task = not plan and (task.parent is None or task.parent.unit_id is None)
    open_ = task.state in OPEN_STATES
    edit = can_edit_task(user, task)
    assign = (
        top_unit_task
        and task.state in (S.SIGNED, S.IN_PROGRESS)
        and has_perm(user, "task.assign", unit)
    )
    flags = {
        "edit": edit,
        "delete": edit,
        "issue": plan
        and task.state != S.WITHDRAWN
        and has_perm(user, "task.issue", task.campaign.office_unit),
        "sign": not plan and task.state == S.ISSUED and has_perm(user, "task.sign", unit),
        "assign": assign,
        "decompose": assign,
        "report": not plan and task.state == S.IN_PROGRESS and can_report(user, task),
        "verify": not plan and task.state == S.SUBMITTED and has_perm(user, "task.verify", unit),
        "close": not plan and task.state == S.VERIFIED and has_perm(user, "task.verify", unit),
        "withdraw": not plan
        and task.state == S.ISSUED
        and has_perm(user, "task.issue", task.campaign.office_unit),
        "notice": not plan
        and task.state in (*OPEN_STATES, S.SUBMITTED)
        and has_perm(user, "task.supervise", unit),
        # only while a notice waits for an answer: there is nothing to reply to otherwise
        "reply": can_reply(user, task)
        and task.notices.filter(state=SupervisionNotice.State.OPEN).exists(),
        "remind": not plan and open_ and has_perm(user, "task.remind", unit),
        "accountability": not plan
        and (task.warning == "red" or task.returned_count > 0)
        and has_perm(user, "task.hold_accountable", unit),
        "comment": has_perm(user, "task.comment", unit or task.campaign.office_unit),
        "milestone": edit,
        "tick_milestone": can_tick_milestone(user, task) and task.milestones.exists(),
    }
    return flags


def allowed_moves(user, task: Task) -> list[str]:
    """The moves `user` may make on `task` now, in MOVES order: exactly the buttons of the task
    page and the `moves` of the task in the API."""
    return [name for name, allowed in move_flags(user, task).items() if allowed]
