"""Setting a campaign up and breaking it down: campaigns, tracks, the leading group, the tasks of
the breakdown (plans) with their milestones, issuing plans to units (明责's first step) and
withdrawing them, and soft delete and restore."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.lib.dates import past_error, require_not_past
from luoshi.org.access import require_perm
from luoshi.org.models import Unit
from luoshi.workdays.selectors import Calendar, load_calendar

from .. import access, rollups
from ..models import Campaign, LeadingGroupMember, Milestone, Task, TaskEvent, Track
from ._moves import (
    IllegalMove,
    S,
    StaleEdit,
    change_state,
    liaisons_of,
    local_today,
    lock_task,
    require_reason,
    require_state,
    roll_up,
    task_url,
    write_event,
)
from .supervise import refresh_warnings

EDITABLE_TASK_FIELDS = (
    "title",
    "description",
    "expected_evidence",
    "priority",
    "track_id",
    "start_date",
    "deadline",
    "kind",
)


# --- Campaign set-up -----------------------------------------------------------------------------


@transaction.atomic
def create_campaign(
    *,
    actor: User,
    name: str,
    office_unit: Unit,
    start_date: datetime.date,
    end_date: datetime.date,
    description: str = "",
    short_name: str = "",
    tracks: Sequence[str] = (),
    notice_prefix: str = "督办",
    blue_working_days: int = 3,
    yellow_lag_percent: int = 20,
    sign_working_days: int = 2,
    reply_working_days: int = 3,
) -> Campaign:
    """The office sets up a campaign with its tracks."""
    require_perm(actor, "campaign.manage", office_unit)
    if end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    campaign = Campaign.objects.create(
        name=name,
        short_name=short_name,
        office_unit=office_unit,
        start_date=start_date,
        end_date=end_date,
        description=description,
        notice_prefix=notice_prefix,
        blue_working_days=blue_working_days,
        yellow_lag_percent=yellow_lag_percent,
        sign_working_days=sign_working_days,
        reply_working_days=reply_working_days,
        created_by=actor,
    )
    record_created(actor=actor, obj=campaign)
    for order, track_name in enumerate(tracks, start=1):
        create_track(actor=actor, campaign=campaign, name=track_name, sort_order=order)
    return campaign


CAMPAIGN_FIELDS = (
    "name",
    "short_name",
    "start_date",
    "end_date",
    "description",
    "status",
    "notice_prefix",
    "blue_working_days",
    "yellow_lag_percent",
    "sign_working_days",
    "reply_working_days",
)


@transaction.atomic
def update_campaign(*, actor: User, campaign: Campaign, **values: Any) -> Campaign:
    require_perm(actor, "campaign.manage", campaign.office_unit)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(campaign, list(values))
    for key, value in values.items():
        setattr(campaign, key, value)
    if campaign.end_date < campaign.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
    campaign.save(update_fields=list(values))
    changes = diff(before, snapshot(campaign, list(values)))
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=campaign, changes=changes)
    return campaign


@transaction.atomic
def create_track(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    description: str = "",
    sort_order: int | None = None,
) -> Track:
    require_perm(actor, "campaign.manage", campaign.office_unit)
    if campaign.tracks.filter(name=name).exists():
        raise ValidationError({"name": _("该专项行动已有名为“%(name)s”的方向。") % {"name": name}})
    if sort_order is None:
        sort_order = campaign.tracks.count() + 1
    track = Track.objects.create(
        campaign=campaign, name=name, description=description, sort_order=sort_order
    )
    record_created(actor=actor, obj=track)
    return track


@transaction.atomic
def set_leading_group(
    *, actor: User, campaign: Campaign, members: Sequence[tuple[User, str, str]]
) -> list[LeadingGroupMember]:
    """Replace the leading group with `members`: (person, seat, title) in display order."""
    require_perm(actor, "campaign.manage", campaign.office_unit)
    before = [
        f"{m.get_seat_display()}:{m.person}"
        for m in campaign.leading_group.select_related("person")
    ]
    campaign.leading_group.all().delete()
    created = LeadingGroupMember.objects.bulk_create(
        LeadingGroupMember(
            campaign=campaign, person=person, seat=seat, title=title, sort_order=order
        )
        for order, (person, seat, title) in enumerate(members, start=1)
    )
    after = [f"{LeadingGroupMember.Seat(seat).label}:{person}" for person, seat, _title in members]
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        verb="leading_group",
        changes={"leading_group": [before, after]},
    )
    return created


# --- Task breakdown ------------------------------------------------------------------------------


@transaction.atomic
def create_task(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    track: Track | None = None,
    description: str = "",
    expected_evidence: str = "",
    priority: int = Task.Priority.NORMAL,
    kind: str = Task.Kind.CAMPAIGN,
    start_date: datetime.date | None = None,
    deadline: datetime.date | None = None,
    deadline_working_days: int | None = None,
    milestones: Sequence[tuple[datetime.date, str]] = (),
) -> Task:
    """The office adds a task to the breakdown (a plan, not yet issued to any unit), with
    optional milestones as (due date, title)."""
    require_perm(actor, "task.issue", campaign.office_unit)
    if track is not None and track.campaign_id != campaign.pk:
        raise ValidationError({"track": _("所选方向不属于该专项行动。")})
    if deadline is None and not deadline_working_days:
        raise ValidationError({"deadline": _("请填写完成时限：具体日期，或下发后若干个工作日。")})
    if deadline and start_date and deadline < start_date:
        raise ValidationError({"deadline": _("完成时限不能早于开始日期。")})
    require_not_past(deadline, field="deadline", label=_("完成时限"))
    task = Task.objects.create(
        campaign=campaign,
        track=track,
        title=title,
        description=description,
        expected_evidence=expected_evidence,
        priority=priority,
        kind=kind,
        start_date=start_date,
        deadline=deadline,
        deadline_working_days=deadline_working_days,
        created_by=actor,
    )
    write_event(task, actor=actor, action=TaskEvent.Action.CREATE)
    record_created(actor=actor, obj=task)
    for due_date, milestone_title in milestones:
        create_milestone(actor=actor, task=task, title=milestone_title, due_date=due_date)
    return task


@transaction.atomic
def update_task(*, actor: User, task: Task, version: int, values: dict[str, Any]) -> Task:
    """Edit a task's content. `version` is the one the editor loaded: when someone else saved in
    between, nothing is written and StaleEdit lists what they changed (no lost update)."""
    unknown = set(values) - set(EDITABLE_TASK_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _require_edit_permission(actor, task)
    current = Task.objects.select_for_update().get(pk=task.pk)
    if current.version != version:
        raise StaleEdit(
            _("任务已被他人修改，您的修改未保存。请核对对方的修改后重新编辑。"),
            changes=_edits_since(current, version),
        )
    before = snapshot(current, list(values))
    for key, value in values.items():
        setattr(current, key, value)
    changes = diff(before, snapshot(current, list(values)))
    if not changes:
        return current
    if current.deadline and current.start_date and current.deadline < current.start_date:
        raise ValidationError({"deadline": _("完成时限不能早于开始日期。")})
    # a new deadline may not lie in the past; one left as it was may have passed since
    if "deadline" in changes:
        require_not_past(current.deadline, field="deadline", label=_("完成时限"))
    current.updated_at = timezone.now()
    current.version = version + 1
    current.save(update_fields=[*values, "updated_at", "version"])
    write_event(
        current,
        actor=actor,
        action=TaskEvent.Action.EDIT,
        from_state=current.state,
        changes=changes,
        version=current.version,
    )
    record(actor=actor, action=AuditEvent.Action.UPDATE, obj=current, changes=changes)
    if "deadline" in changes:
        refresh_warnings(tasks=[current])
    return current


def _require_edit_permission(actor: User, task: Task) -> None:
    """PermissionDenied unless `actor` may edit, delete or restore `task` (access.can_edit_task)."""
    if not access.can_edit_task(actor, task):
        raise PermissionDenied(
            _("只有下达任务的行动办（子任务为分解它的单位）可以修改、删除或恢复该任务。")
        )


@transaction.atomic
def create_milestone(*, actor: User, task: Task, title: str, due_date: datetime.date) -> Milestone:
    """A checkpoint on the way to the task's deadline (里程碑)."""
    _require_edit_permission(actor, task)
    if not title or not title.strip():
        raise ValidationError({"title": _("请填写里程碑名称。")})
    require_not_past(due_date, field="due_date", label=_("计划完成日期"))
    if task.deadline and due_date > task.deadline:
        raise ValidationError(
            {"due_date": _("里程碑日期不能晚于完成时限 %(date)s。") % {"date": task.deadline}}
        )
    milestone = Milestone.objects.create(task=task, title=title.strip()[:200], due_date=due_date)
    record_created(actor=actor, obj=milestone)
    write_event(
        task,
        actor=actor,
        action=TaskEvent.Action.MILESTONE,
        from_state=task.state,
        note=_("新增里程碑：%(date)s %(title)s") % {"date": due_date, "title": milestone.title},
    )
    return milestone


@transaction.atomic
def set_milestone_done(*, actor: User, milestone: Milestone, done: bool) -> Milestone:
    """Tick a milestone off (or undo it): the task's editors and whoever may report on it."""
    task = milestone.task
    milestone.refresh_from_db(from_queryset=Milestone.objects.select_for_update())
    if not access.can_tick_milestone(actor, task):
        raise PermissionDenied(_("只有任务责任人、本单位联络员或行动办可以标记里程碑。"))
    if milestone.done == done:
        return milestone
    milestone.done = done
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done", "done_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=milestone,
        changes={"done": [not done, done]},
    )
    write_event(
        task,
        actor=actor,
        action=TaskEvent.Action.MILESTONE,
        from_state=task.state,
        note=(_("完成里程碑：%(title)s") if done else _("里程碑改为未完成：%(title)s"))
        % {"title": milestone.title},
    )
    return milestone


def _edits_since(task: Task, version: int) -> list[dict[str, Any]]:
    events = task.events.filter(
        action=TaskEvent.Action.EDIT, data__version__gt=version
    ).select_related("actor")
    return [
        {"actor": str(event.actor), "at": event.at, "changes": event.data.get("changes", {})}
        for event in events
    ]


def _deadline_for(plan: Task, calendar: Calendar, today: datetime.date) -> datetime.date:
    if plan.deadline:
        return plan.deadline
    return calendar.add_working_days(today, plan.deadline_working_days or 0)


@transaction.atomic
def issue_task(*, actor: User, task: Task, units: Sequence[Unit], note: str = "") -> list[Task]:
    """明责: issue a plan to one or many units; each gets its own task to sign.

    Issuing again to further units adds their tasks; a unit never gets the same task twice.
    """
    seen = lock_task(task)
    require_perm(actor, "task.issue", task.campaign.office_unit)
    if not task.is_plan:
        raise IllegalMove(_("只能从任务分解中下发任务；单位任务请使用“分解”。"))
    # a plan's later states follow its units' tasks (_moves.plan_state): it may be issued to
    # further units in any of them
    require_state(task, [state for state in S if state != S.WITHDRAWN], _("下发"), seen=seen)
    if not units:
        raise ValidationError({"units": _("请至少选择一个责任单位。")})
    # a unit whose task was withdrawn may be issued the task again
    already = set(
        task.children.alive().exclude(state=S.WITHDRAWN).values_list("unit_id", flat=True)
    )
    repeated = [unit.name for unit in units if unit.pk in already]
    if repeated:
        raise ValidationError(
            {"units": _("以下单位已下发过该任务：%(units)s") % {"units": "、".join(repeated)}}
        )
    calendar = load_calendar()
    today = local_today()
    now = timezone.now()
    deadline = _deadline_for(task, calendar, today)
    if message := past_error(deadline, label=_("完成时限")):
        # the units' tasks would be overdue the moment they arrive
        raise ValidationError(
            {"deadline": _("%(reason)s请先修改任务的完成时限，再下发。") % {"reason": message}}
        )
    sign_deadline = calendar.add_working_days(today, task.campaign.sign_working_days)
    children = Task.objects.bulk_create(
        Task(
            campaign_id=task.campaign_id,
            track_id=task.track_id,
            parent=task,
            kind=task.kind,
            title=task.title,
            description=task.description,
            expected_evidence=task.expected_evidence,
            priority=task.priority,
            unit=unit,
            state=S.ISSUED,
            start_date=task.start_date or today,
            deadline=deadline,
            sign_deadline=min(sign_deadline, deadline),
            issued_by=actor,
            issued_at=now,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        for unit in units
    )
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task=child,
            actor=actor,
            action=TaskEvent.Action.ISSUE,
            from_state=S.DRAFT,
            to_state=S.ISSUED,
            note=note,
        )
        for child in children
    )
    rollups.refresh(children)
    for child, unit in zip(children, units, strict=True):
        record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=child,
            verb="issue",
            changes={
                "state": [S.DRAFT, S.ISSUED],
                "unit": [None, unit.name],
                "deadline": [None, deadline.isoformat()],
            },
            note=note,
        )
    unit_names = [unit.name for unit in units]
    if task.state == S.DRAFT:
        if not task.deadline:
            task.deadline = deadline
        task.issued_by, task.issued_at = actor, now
        task.start_date = task.start_date or today
        change_state(
            task,
            actor=actor,
            action=TaskEvent.Action.ISSUE,
            to_state=S.ISSUED,
            note=note,
            fields=["deadline", "issued_by", "issued_at", "start_date"],
            units=unit_names,
        )
    else:
        write_event(
            task,
            actor=actor,
            action=TaskEvent.Action.ISSUE,
            from_state=task.state,
            note=note,
            units=unit_names,
        )
        record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=task,
            verb="issue",
            changes={"units": [None, unit_names]},
        )
    for child in children:
        notify(
            recipients=liaisons_of(child.unit),
            title=_("新任务待签收：%(title)s") % {"title": child.title},
            body=_("请于 %(date)s 前签收，完成时限 %(deadline)s。")
            % {"date": child.sign_deadline, "deadline": child.deadline},
            url=task_url(child),
            task=child,
        )
    # the new tasks' warnings (a deadline already past is red at once) and the plan's figures
    for child in children:
        child.campaign = task.campaign
    refresh_warnings(tasks=children)
    roll_up(task)
    return children


@transaction.atomic
def withdraw_task(*, actor: User, task: Task, reason: str) -> Task:
    """The office withdraws a unit task that has not been signed yet."""
    seen = lock_task(task)
    if task.is_plan:
        raise IllegalMove(_("任务分解中的任务不能撤回；请撤回下发给各单位的任务，或删除该任务。"))
    require_perm(actor, "task.issue", task.campaign.office_unit)
    require_state(task, [S.ISSUED], _("撤回"), seen=seen)
    require_reason(reason)
    task.warning = ""
    change_state(
        task,
        actor=actor,
        action=TaskEvent.Action.WITHDRAW,
        to_state=S.WITHDRAWN,
        note=reason,
        fields=["warning"],
    )
    roll_up(task.parent)
    return task


# --- Soft delete ---------------------------------------------------------------------------------


@transaction.atomic
def delete_task(*, actor: User, task: Task, reason: str) -> Task:
    """Soft-delete a task (restorable). Refused once a score or an accountability record refers to it."""
    lock_task(task)
    _require_edit_permission(actor, task)
    require_reason(reason)
    if task.score is not None or task.accountability_actions.exists():
        raise IllegalMove(_("任务已有考评得分或问责记录，不能删除。"))
    if (
        task.children.alive()
        .filter(Q(score__isnull=False) | Q(accountability_actions__isnull=False))
        .exists()
    ):
        raise IllegalMove(_("下级任务已有考评得分或问责记录，不能删除。"))
    now = timezone.now()
    ids = [task.pk, *task.children.alive().values_list("pk", flat=True)]
    Task.objects.filter(pk__in=ids).update(deleted_at=now)
    rollups.refresh(Task.objects.filter(pk__in=ids))
    task.deleted_at = now
    write_event(
        task, actor=actor, action=TaskEvent.Action.DELETE, from_state=task.state, note=reason
    )
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=task,
        note=reason,
        changes={"deleted_at": [None, now.isoformat()]},
    )
    roll_up(task.parent)
    return task


@transaction.atomic
def restore_task(*, actor: User, task: Task) -> Task:
    lock_task(task)
    _require_edit_permission(actor, task)
    deleted_at = task.deleted_at
    if deleted_at is None:
        raise IllegalMove(_("任务未被删除。"))
    restored = Task.objects.filter(Q(pk=task.pk) | Q(parent=task, deleted_at=deleted_at))
    ids = list(restored.values_list("pk", flat=True))
    restored.update(deleted_at=None)
    rollups.refresh(Task.objects.filter(pk__in=ids))
    task.deleted_at = None
    write_event(task, actor=actor, action=TaskEvent.Action.RESTORE, from_state=task.state)
    record(
        actor=actor,
        action=AuditEvent.Action.RESTORE,
        obj=task,
        changes={"deleted_at": [deleted_at.isoformat(), None]},
    )
    roll_up(task.parent)
    return task
