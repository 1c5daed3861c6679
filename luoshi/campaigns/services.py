"""Every change to campaigns and tasks: one function per move, each checking permission, writing
the task's timeline and the audit log in the same transaction, and notifying people after commit.

The chain's state machine (see docs/architecture.md):

    draft ─issue→ issued ─sign→ signed ─assign→ in_progress ─submit→ submitted ─verify→ verified ─close→ closed
                    │                                 ▲                 │
                    └─withdraw→ withdrawn             └──── return ─────┘
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import Notification, User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.files.services import store_upload
from luoshi.lib.errors import Conflict
from luoshi.lib.workdays import Calendar, load_calendar
from luoshi.org.access import has_perm, require_perm
from luoshi.org.models import Membership, Role, Unit

from . import rollups, warning_levels
from .models import (
    DONE_STATES,
    OPEN_STATES,
    AccountabilityAction,
    AccountabilityKind,
    Campaign,
    HolidayDay,
    HolidayYear,
    LeadingGroupMember,
    Milestone,
    NoticeCounter,
    ProgressReport,
    SupervisionNotice,
    Task,
    TaskEvent,
    TaskState,
    Track,
)

S = TaskState

QUALITY_SCORES: dict[str, Decimal] = {
    Task.Quality.EXCELLENT: Decimal(100),
    Task.Quality.GOOD: Decimal(85),
    Task.Quality.FAIR: Decimal(70),
    Task.Quality.POOR: Decimal(50),
}
LATE_DEDUCTION = Decimal(10)
RETURN_DEDUCTION = Decimal(5)

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


class IllegalMove(Conflict):
    """A move the chain does not allow from the task's current state."""

    code_name = "illegal_move"


class StaleEdit(Conflict):
    """Someone else saved the task since the editor loaded it; `changes` says what they changed."""

    code_name = "stale"

    def __init__(self, message: str, *, changes: list[dict[str, Any]]):
        super().__init__(message)
        self.changes = changes

    def extra(self) -> dict[str, Any]:
        return {
            "changes": [
                {"actor": c["actor"], "at": c["at"].isoformat(), "changes": c["changes"]}
                for c in self.changes
            ]
        }


def _today() -> datetime.date:
    return timezone.localdate()


def _url(task: Task) -> str:
    return reverse("campaigns:task-detail", args=[task.pk])


def _require_task_perm(actor: User, perm: str, task: Task) -> None:
    """`perm` on the task's own unit. A plan has no unit: the chain's moves happen on the units'
    tasks, so a plan is refused here rather than checked against "held anywhere"."""
    if task.unit is None:
        raise IllegalMove(
            _("“%(task)s”是任务分解中的任务，请下发给责任单位后在单位任务上办理。")
            % {"task": task.title}
        )
    require_perm(actor, perm, task.unit)


def _require_state(task: Task, allowed: Iterable[str], move: str) -> None:
    if task.state not in allowed:
        names = "、".join(str(S(state).label) for state in allowed)
        raise IllegalMove(
            _("任务“%(task)s”当前为“%(state)s”，不能%(move)s（只有%(allowed)s的任务可以）。")
            % {
                "task": task.title,
                "state": task.get_state_display(),
                "move": move,
                "allowed": names,
            }
        )


def _event(
    task: Task, *, actor, action: str, from_state: str = "", note: str = "", **data
) -> TaskEvent:
    """Write a step on the task's timeline. Every change to a task writes one, after the task is
    saved, so this is also where the unit's overview counts are brought up to date."""
    event = TaskEvent.objects.create(
        task=task,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=task.state,
        note=note,
        data=data,
    )
    rollups.refresh([task])
    return event


def _move(
    task: Task,
    *,
    actor,
    action: str,
    to_state: str,
    note: str = "",
    fields: Sequence[str] = (),
    **data,
) -> TaskEvent:
    """Change state, save the named fields, and write the timeline and the audit log."""
    from_state = task.state
    task.state = to_state
    task.updated_at = timezone.now()
    task.version = F("version") + 1
    task.save(update_fields=["state", "updated_at", "version", *fields])
    task.refresh_from_db(fields=["version"])
    event = _event(task, actor=actor, action=action, from_state=from_state, note=note, **data)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=task,
        verb=action,
        changes={
            "state": [from_state, to_state],
            **{f: [None, _plain(getattr(task, f))] for f in fields},
        },
        note=note,
    )
    return event


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def liaisons_of(unit: Unit | None) -> list[User]:
    if unit is None:  # a plan: no unit, so no liaisons (every role grant has a unit)
        return []
    return list(
        User.objects.filter(
            role_grants__unit=unit,
            role_grants__role=Role.LIAISON,
            is_active=True,
            deleted_at__isnull=True,
        ).distinct()
    )


def _unit_of(task: Task) -> Unit:
    """The unit of a unit task; a plan has none."""
    if task.unit is None:
        raise ValueError(f"task {task.pk} is a plan and has no unit")
    return task.unit


def leaders_of(unit: Unit) -> list[User]:
    people = list(
        User.objects.filter(
            role_grants__unit=unit,
            role_grants__role=Role.LEADER,
            is_active=True,
            deleted_at__isnull=True,
        ).distinct()
    )
    if unit.leader_id and all(person.pk != unit.leader_id for person in people):
        people.append(unit.leader)
    return people


def _campaign_staff(campaign: Campaign) -> list[User]:
    return list(
        User.objects.filter(
            role_grants__unit=campaign.office_unit, role_grants__role=Role.OFFICE, is_active=True
        ).distinct()
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
        add_track(actor=actor, campaign=campaign, name=track_name, sort_order=order)
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
def add_track(
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
    _event(task, actor=actor, action=TaskEvent.Action.CREATE)
    record_created(actor=actor, obj=task)
    for due_date, milestone_title in milestones:
        add_milestone(actor=actor, task=task, title=milestone_title, due_date=due_date)
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
    current.updated_at = timezone.now()
    current.version = version + 1
    current.save(update_fields=[*values, "updated_at", "version"])
    _event(
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
    if task.parent is not None and task.parent.unit_id:  # a sub-task the unit made itself
        _require_task_perm(actor, "task.assign", task)
    else:
        require_perm(actor, "task.issue", task.campaign.office_unit)


def can_edit_task(user: User, task: Task) -> bool:
    """Whether `user` may edit, delete or restore `task` (the same rule the services apply)."""
    try:
        _require_edit_permission(user, task)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def add_milestone(*, actor: User, task: Task, title: str, due_date: datetime.date) -> Milestone:
    """A checkpoint on the way to the task's deadline (里程碑)."""
    _require_edit_permission(actor, task)
    if not title or not title.strip():
        raise ValidationError({"title": _("请填写里程碑名称。")})
    if task.deadline and due_date > task.deadline:
        raise ValidationError(
            {"due_date": _("里程碑日期不能晚于完成时限 %(date)s。") % {"date": task.deadline}}
        )
    milestone = Milestone.objects.create(task=task, title=title.strip()[:200], due_date=due_date)
    record_created(actor=actor, obj=milestone)
    _event(
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
    if not (can_edit_task(actor, task) or (task.unit_id and can_report(actor, task))):
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
    _event(
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
    require_perm(actor, "task.issue", task.campaign.office_unit)
    if not task.is_plan:
        raise IllegalMove(_("只能从任务分解中下发任务；单位任务请使用“分解”。"))
    _require_state(task, [S.DRAFT, S.ISSUED], _("下发"))
    if not units:
        raise ValidationError({"units": _("请至少选择一个责任单位。")})
    already = set(task.children.alive().values_list("unit_id", flat=True))
    repeated = [unit.name for unit in units if unit.pk in already]
    if repeated:
        raise ValidationError(
            {"units": _("以下单位已下发过该任务：%(units)s") % {"units": "、".join(repeated)}}
        )
    calendar = load_calendar()
    today = _today()
    now = timezone.now()
    deadline = _deadline_for(task, calendar, today)
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
        _move(
            task,
            actor=actor,
            action=TaskEvent.Action.ISSUE,
            to_state=S.ISSUED,
            note=note,
            fields=["deadline", "issued_by", "issued_at", "start_date"],
            units=unit_names,
        )
    else:
        _event(
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
            url=_url(child),
            task=child,
        )
    return children


@transaction.atomic
def withdraw_task(*, actor: User, task: Task, reason: str) -> Task:
    """The office withdraws a unit task that has not been signed yet."""
    if task.is_plan:
        raise IllegalMove(_("任务分解中的任务不能撤回；请撤回下发给各单位的任务，或删除该任务。"))
    require_perm(actor, "task.issue", task.campaign.office_unit)
    _require_state(task, [S.ISSUED], _("撤回"))
    _require_reason(reason)
    task.warning = ""
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.WITHDRAW,
        to_state=S.WITHDRAWN,
        note=reason,
        fields=["warning"],
    )
    _roll_up(task.parent)
    return task


def _require_reason(reason: str, field: str = "reason") -> None:
    if not reason or not reason.strip():
        raise ValidationError({field: _("请填写理由。")})


@transaction.atomic
def sign_task(*, actor: User, task: Task, note: str = "") -> Task:
    """明责: the unit's liaison signs for the task (签收)."""
    _require_task_perm(actor, "task.sign", task)
    _require_state(task, [S.ISSUED], _("签收"))
    task.signed_by, task.signed_at = actor, timezone.now()
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.SIGN,
        to_state=S.SIGNED,
        note=note,
        fields=["signed_by", "signed_at"],
    )
    refresh_warnings(tasks=[task])
    return task


def _require_member(person: User, unit: Unit | None, field: str = "owner") -> None:
    if not Membership.objects.filter(person=person, unit=unit).exists():
        raise ValidationError(
            {field: _("%(person)s 不是%(unit)s的人员。") % {"person": person, "unit": unit}}
        )


@transaction.atomic
def assign_task(*, actor: User, task: Task, owner: User, note: str = "") -> Task:
    """明责: the liaison names the person responsible (责任人); re-assigning is allowed while open."""
    _require_task_perm(actor, "task.assign", task)
    _require_state(task, [S.SIGNED, S.IN_PROGRESS], _("分派责任人"))
    _require_member(owner, task.unit)
    previous = task.owner
    task.owner = owner
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.ASSIGN,
        to_state=S.IN_PROGRESS,
        note=note,
        fields=["owner"],
        owner=str(owner),
        previous_owner=str(previous) if previous else "",
    )
    notify(
        recipients=[owner],
        title=_("您被确定为任务责任人：%(title)s") % {"title": task.title},
        body=_("完成时限 %(deadline)s。") % {"deadline": task.deadline},
        url=_url(task),
        task=task,
    )
    return task


@transaction.atomic
def assign_as_decided(*, actor: User, task: Task, owner: User, note: str) -> Task:
    """明责 in one step for a decision a meeting took (督办事项): the meeting named the person in
    front of the unit's leaders, so the issuing office signs for the unit and names the owner.

    Only the campaign's office (task.issue) may; the move is written on the task's timeline and
    in the audit log like any other, and the owner and the unit's liaisons are told."""
    require_perm(actor, "task.issue", task.campaign.office_unit)
    _require_state(task, [S.ISSUED], _("分派责任人"))
    _require_member(owner, task.unit)
    task.signed_by, task.signed_at, task.owner = actor, timezone.now(), owner
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.ASSIGN,
        to_state=S.IN_PROGRESS,
        note=note,
        fields=["signed_by", "signed_at", "owner"],
        owner=str(owner),
        previous_owner="",
    )
    notify(
        recipients=[owner, *liaisons_of(task.unit)],
        title=_("会议议定事项：%(title)s") % {"title": task.title},
        body=_("责任人 %(owner)s，完成时限 %(deadline)s。")
        % {"owner": owner, "deadline": task.deadline},
        url=_url(task),
        task=task,
    )
    return task


@dataclass
class SubTaskSpec:
    title: str
    owner: User
    deadline: datetime.date | None = None
    description: str = ""


@transaction.atomic
def decompose_task(*, actor: User, task: Task, items: Sequence[SubTaskSpec]) -> list[Task]:
    """明责: the liaison breaks a unit task into sub-tasks for people of the unit (分解)."""
    _require_task_perm(actor, "task.assign", task)
    _require_state(task, [S.SIGNED, S.IN_PROGRESS], _("分解"))
    if task.is_plan:
        raise IllegalMove(_("任务分解中的任务请下发给单位。"))
    if not items:
        raise ValidationError({"items": _("请至少填写一项子任务。")})
    now = timezone.now()
    subtasks = []
    for index, item in enumerate(items, start=1):
        if not item.title.strip():
            raise ValidationError({"items": _("第 %(n)d 项子任务缺少名称。") % {"n": index}})
        _require_member(item.owner, task.unit, field="items")
        deadline = item.deadline or task.deadline
        if task.deadline and deadline is not None and deadline > task.deadline:
            raise ValidationError(
                {
                    "items": _("第 %(n)d 项子任务的时限不能晚于任务时限 %(date)s。")
                    % {"n": index, "date": task.deadline}
                }
            )
        sub = Task.objects.create(
            campaign_id=task.campaign_id,
            track_id=task.track_id,
            parent=task,
            kind=task.kind,
            title=item.title.strip(),
            description=item.description,
            priority=task.priority,
            unit_id=task.unit_id,
            owner=item.owner,
            state=S.IN_PROGRESS,
            start_date=_today(),
            deadline=deadline,
            issued_by=actor,
            issued_at=now,
            signed_by=item.owner,
            signed_at=now,
            created_by=actor,
        )
        _event(
            sub,
            actor=actor,
            action=TaskEvent.Action.ASSIGN,
            from_state=S.DRAFT,
            owner=str(item.owner),
        )
        record_created(actor=actor, obj=sub, verb="decompose")
        notify(
            recipients=[item.owner],
            title=_("您有新的子任务：%(title)s") % {"title": sub.title},
            body=_("所属任务：%(parent)s；完成时限 %(deadline)s。")
            % {"parent": task.title, "deadline": deadline},
            url=_url(sub),
            task=sub,
        )
        subtasks.append(sub)
    if task.state == S.SIGNED:
        task.owner = task.owner or actor
        _move(
            task,
            actor=actor,
            action=TaskEvent.Action.DECOMPOSE,
            to_state=S.IN_PROGRESS,
            fields=["owner"],
            subtasks=[s.title for s in subtasks],
        )
    else:
        _event(
            task,
            actor=actor,
            action=TaskEvent.Action.DECOMPOSE,
            from_state=task.state,
            subtasks=[s.title for s in subtasks],
        )
        record(
            actor=actor,
            action=AuditEvent.Action.TRANSITION,
            obj=task,
            verb="decompose",
            changes={"subtasks": [None, [s.title for s in subtasks]]},
        )
    refresh_warnings(tasks=subtasks)
    return subtasks


# --- 履责 ------------------------------------------------------------------------------------------


def can_report(user: User, task: Task) -> bool:
    return task.owner_id == user.pk or has_perm(user, "task.report", task.unit)


@transaction.atomic
def report_progress(
    *,
    actor: User,
    task: Task,
    percent: int,
    text: str,
    files: Sequence[UploadedFile] = (),
    links: Sequence[dict[str, str]] = (),
    complete: bool = False,
) -> ProgressReport:
    """履责: the owner (or the liaison) reports progress with evidence; with `complete`, the
    completion report (办结报告), which sends the task to the office for verification."""
    if task.is_plan or not can_report(actor, task):
        raise PermissionDenied(_("只有任务责任人或本单位联络员可以填报进度。"))
    _require_state(task, [S.IN_PROGRESS], _("填报进度"))
    if not text or not text.strip():
        raise ValidationError({"text": _("请填写工作进展。")})
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("进度须在 0 到 100 之间。")})
    if complete and percent != 100:
        raise ValidationError({"percent": _("报送办结时进度应为 100%。")})
    report = ProgressReport.objects.create(
        task=task,
        author=actor,
        percent=percent,
        text=text.strip(),
        is_completion=complete,
        links=list(links),
    )
    attachments = [store_upload(actor=actor, upload=upload, owner=report) for upload in files]
    record_created(actor=actor, obj=report, note=_("附件 %(n)d 个") % {"n": len(attachments)})
    task.progress = percent
    if complete:
        task.submitted_at = timezone.now()
        _move(
            task,
            actor=actor,
            action=TaskEvent.Action.SUBMIT,
            to_state=S.SUBMITTED,
            note=text.strip(),
            fields=["progress", "submitted_at"],
            report=report.pk,
            files=len(attachments),
        )
        notify(
            recipients=_campaign_staff(task.campaign),
            title=_("%(unit)s报送办结，待复核：%(title)s")
            % {"unit": task.unit, "title": task.title},
            url=_url(task),
            task=task,
        )
    else:
        task.updated_at = timezone.now()
        task.save(update_fields=["progress", "updated_at"])
        _event(
            task,
            actor=actor,
            action=TaskEvent.Action.REPORT,
            from_state=task.state,
            note=text.strip(),
            report=report.pk,
            percent=percent,
            files=len(attachments),
        )
    refresh_warnings(tasks=[task])
    _roll_up(task.parent)
    return report


def _roll_up(plan: Task | None) -> None:
    """A plan's progress is the mean of its units' tasks (withdrawn ones left out)."""
    if plan is None or not plan.is_plan:
        return
    children = plan.children.alive().exclude(state=S.WITHDRAWN)
    average = children.aggregate(value=Avg("progress"))["value"]
    plan.progress = round(average or 0)
    plan.warning = warning_levels.worst(children.values_list("warning", flat=True))
    plan.save(update_fields=["progress", "warning"])


# --- 考责 ------------------------------------------------------------------------------------------


def _score(task: Task) -> Decimal:
    score = QUALITY_SCORES[task.quality]
    if task.timeliness == Task.Timeliness.LATE:
        score -= LATE_DEDUCTION
    score -= RETURN_DEDUCTION * task.returned_count
    deductions = sum(
        (
            action.kind.score_deduction
            for action in task.accountability_actions.select_related("kind")
        ),
        Decimal(0),
    )
    return max(Decimal(0), score - deductions)


@transaction.atomic
def verify_task(
    *, actor: User, task: Task, passed: bool, quality: str = "", reason: str = ""
) -> Task:
    """考责: the office verifies a completion (复核): pass with a grade, or return with a reason."""
    _require_task_perm(actor, "task.verify", task)
    _require_state(task, [S.SUBMITTED], _("复核"))
    if not passed:
        _require_reason(reason)
        task.returned_count += 1
        task.progress = min(task.progress, 90)
        _move(
            task,
            actor=actor,
            action=TaskEvent.Action.RETURN,
            to_state=S.IN_PROGRESS,
            note=reason,
            fields=["returned_count", "progress"],
        )
        notify(
            recipients=[task.owner, *liaisons_of(task.unit)],
            title=_("任务被退回：%(title)s") % {"title": task.title},
            body=reason,
            url=_url(task),
            level=Notification.Level.YELLOW,
            task=task,
        )
        refresh_warnings(tasks=[task])
        _roll_up(task.parent)
        return task
    if quality not in Task.Quality.values:
        raise ValidationError({"quality": _("请评定完成质量（优、良、中、差）。")})
    task.quality = quality
    submitted = task.submitted_at.date() if task.submitted_at else _today()
    task.timeliness = (
        Task.Timeliness.ON_TIME
        if task.deadline is None or submitted <= task.deadline
        else Task.Timeliness.LATE
    )
    task.verified_at = timezone.now()
    task.warning = ""
    task.progress = 100
    task.score = _score(task)
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.VERIFY,
        to_state=S.VERIFIED,
        note=reason,
        fields=["quality", "timeliness", "verified_at", "warning", "progress", "score"],
        quality=task.get_quality_display(),
        timeliness=task.get_timeliness_display(),
        score=str(task.score),
    )
    notify(
        recipients=[task.owner, *liaisons_of(task.unit)],
        title=_("任务复核通过：%(title)s（%(quality)s，%(timeliness)s）")
        % {
            "title": task.title,
            "quality": task.get_quality_display(),
            "timeliness": task.get_timeliness_display(),
        },
        url=_url(task),
        task=task,
    )
    _roll_up(task.parent)
    return task


@transaction.atomic
def close_task(*, actor: User, task: Task, note: str = "") -> Task:
    """考责: a verified task is closed off (销号)."""
    _require_task_perm(actor, "task.verify", task)
    _require_state(task, [S.VERIFIED], _("销号"))
    open_subtasks = task.children.alive().exclude(state__in=[*DONE_STATES, S.WITHDRAWN])
    if open_subtasks.exists():
        raise IllegalMove(_("还有 %(n)d 项子任务未办结，不能销号。") % {"n": open_subtasks.count()})
    task.closed_at = timezone.now()
    _move(
        task,
        actor=actor,
        action=TaskEvent.Action.CLOSE,
        to_state=S.CLOSED,
        note=note,
        fields=["closed_at"],
    )
    return task


# --- 督责 ------------------------------------------------------------------------------------------


@transaction.atomic
def issue_notice(
    *, actor: User, task: Task, content: str, reply_deadline: datetime.date | None = None
) -> SupervisionNotice:
    """督责: the office issues a numbered supervision notice (督办单) on a unit task."""
    require_perm(actor, "task.supervise", task.unit)
    if task.is_plan:
        raise IllegalMove(_("督办单须针对具体责任单位的任务。"))
    _require_state(task, [*OPEN_STATES, S.SUBMITTED], _("督办"))
    if not content or not content.strip():
        raise ValidationError({"content": _("请填写督办事项。")})
    today = _today()
    campaign = task.campaign
    if reply_deadline is None:
        reply_deadline = load_calendar().add_working_days(today, campaign.reply_working_days)
    if reply_deadline < today:
        raise ValidationError({"reply_deadline": _("回复时限不能早于今天。")})
    counter, _created = NoticeCounter.objects.select_for_update().get_or_create(
        campaign=campaign, year=today.year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    notice = SupervisionNotice.objects.create(
        task=task,
        year=today.year,
        serial=counter.last_serial,
        number=f"{campaign.notice_prefix}〔{today.year}〕{counter.last_serial}号",
        content=content.strip(),
        reply_deadline=reply_deadline,
        issued_by=actor,
    )
    record_created(actor=actor, obj=notice)
    _event(
        task,
        actor=actor,
        action=TaskEvent.Action.SUPERVISE,
        from_state=task.state,
        note=notice.content,
        notice=notice.pk,
        number=notice.number,
    )
    notify(
        recipients=[task.owner, *liaisons_of(task.unit)],
        title=_("督办单 %(number)s：%(title)s") % {"number": notice.number, "title": task.title},
        body=_("%(content)s\n请于 %(date)s 前回复。")
        % {"content": notice.content, "date": reply_deadline},
        url=_url(task),
        level=Notification.Level.YELLOW,
        task=task,
    )
    return notice


@transaction.atomic
def reply_notice(*, actor: User, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    """The unit replies to a supervision notice."""
    task = notice.task
    if not (task.owner_id == actor.pk or has_perm(actor, "task.reply", task.unit)):
        raise PermissionDenied(_("只有责任人或本单位联络员可以回复督办单。"))
    if notice.state != SupervisionNotice.State.OPEN:
        raise IllegalMove(_("督办单 %(number)s 已回复。") % {"number": notice.number})
    if not reply or not reply.strip():
        raise ValidationError({"reply": _("请填写回复内容。")})
    notice.reply = reply.strip()
    notice.replied_by = actor
    notice.replied_at = timezone.now()
    notice.state = SupervisionNotice.State.REPLIED
    notice.save(update_fields=["reply", "replied_by", "replied_at", "state"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=notice,
        verb="reply",
        changes={"reply": [None, notice.reply]},
    )
    _event(
        task,
        actor=actor,
        action=TaskEvent.Action.REPLY,
        from_state=task.state,
        note=notice.reply,
        notice=notice.pk,
        number=notice.number,
    )
    notify(
        recipients=[notice.issued_by],
        title=_("督办单 %(number)s 已回复") % {"number": notice.number},
        body=notice.reply,
        url=_url(task),
        task=task,
    )
    return notice


@transaction.atomic
def remind_task(*, actor: User | None, task: Task, note: str = "") -> list[Notification]:
    """督责: a reminder (催办) to the owner and the liaisons, and to the unit's leaders when red.

    `actor` None means the daily job.
    """
    if actor is not None:
        _require_task_perm(actor, "task.remind", task)
    _require_state(task, OPEN_STATES, _("催办"))
    recipients = [task.owner, *liaisons_of(task.unit)]
    escalated = task.warning == "red"
    if escalated:
        recipients += leaders_of(_unit_of(task))
    level = task.warning or Notification.Level.INFO
    title = _("催办：%(title)s（完成时限 %(deadline)s）") % {
        "title": task.title,
        "deadline": task.deadline,
    }
    notes = notify(
        recipients=recipients, title=title, body=note, url=_url(task), level=level, task=task
    )
    _event(
        task,
        actor=actor,
        action=TaskEvent.Action.REMIND,
        from_state=task.state,
        note=note,
        recipients=sorted({str(n.recipient) for n in notes}),
        escalated=escalated,
    )
    record(actor=actor, action=AuditEvent.Action.TRANSITION, obj=task, verb="remind", note=note)
    return notes


@transaction.atomic
def refresh_warnings(
    *,
    tasks: Sequence[Task] | None = None,
    today: datetime.date | None = None,
    notify_changes: bool = False,
) -> list[Task]:
    """Recompute the warnings of `tasks` (all open unit tasks when None); return those that changed.

    With `notify_changes` (the daily job), a task whose warning got worse is reminded on the spot.
    """
    today = today or _today()
    calendar = load_calendar()
    candidates: Iterable[Task]
    if tasks is None:
        candidates = (
            Task.objects.alive()
            .filter(unit__isnull=False)
            .filter(Q(state__in=OPEN_STATES) | ~Q(warning=""))
            .select_related("campaign", "unit", "owner")
        )
    else:
        candidates = tasks
    changed: list[Task] = []
    worsened: list[Task] = []
    for task in candidates:
        if task.is_plan:
            continue
        result = warning_levels.assess(task, campaign=task.campaign, today=today, calendar=calendar)
        if result.level != task.warning:
            if warning_levels.SEVERITY[result.level] > warning_levels.SEVERITY[task.warning]:
                worsened.append(task)
            task.warning = result.level
            changed.append(task)
    if changed:
        Task.objects.bulk_update(changed, ["warning"], batch_size=500)
        rollups.refresh(changed)
        for plan_id in {task.parent_id for task in changed if task.parent_id}:
            _roll_up(Task.objects.get(pk=plan_id))
    if notify_changes:
        for task in worsened:
            _event(
                task,
                actor=None,
                action=TaskEvent.Action.WARN,
                from_state=task.state,
                note=_("系统预警：%(level)s") % {"level": task.get_warning_display()},
                level=task.warning,
            )
            remind_task(
                actor=None,
                task=task,
                note="；".join(
                    warning_levels.assess(
                        task, campaign=task.campaign, today=today, calendar=calendar
                    ).reasons
                ),
            )
    return changed


@transaction.atomic
def run_daily_supervision(*, today: datetime.date | None = None) -> int:
    """The morning job: recompute warnings (reminding where they got worse) and rebuild the
    overview counts from the tasks, so that nothing can drift for longer than a day."""
    changed = refresh_warnings(today=today, notify_changes=True)
    rollups.rebuild()
    return len(changed)


# --- 问责 ------------------------------------------------------------------------------------------


@transaction.atomic
def record_accountability(
    *,
    actor: User,
    task: Task,
    kind: AccountabilityKind,
    reason: str,
    unit: Unit | None = None,
    person: User | None = None,
    document_number: str = "",
    document: UploadedFile | None = None,
) -> AccountabilityAction:
    """问责: an accountability action on a red or returned task, against its unit and/or a person."""
    require_perm(actor, "task.hold_accountable", task.unit)
    if task.unit is None:  # a plan
        raise IllegalMove(_("问责须针对具体责任单位的任务。"))
    if task.warning != "red" and not task.returned_count:
        raise IllegalMove(_("只有红色预警或被退回过的任务可以问责。"))
    _require_reason(reason)
    if unit is None and person is None:
        raise ValidationError({"unit": _("请指定被问责的单位或人员。")})
    if not kind.is_active:
        raise ValidationError({"kind": _("该问责方式已停用。")})
    action = AccountabilityAction.objects.create(
        task=task,
        kind=kind,
        unit=unit,
        person=person,
        reason=reason.strip(),
        document_number=document_number,
        recorded_by=actor,
    )
    if document is not None:
        store_upload(actor=actor, upload=document, owner=action)
    record_created(actor=actor, obj=action)
    _event(
        task,
        actor=actor,
        action=TaskEvent.Action.ACCOUNTABILITY,
        from_state=task.state,
        note=action.reason,
        kind=kind.name,
        unit=str(unit or ""),
        person=str(person or ""),
        document_number=document_number,
    )
    if task.score is not None:
        task.score = _score(task)
        task.save(update_fields=["score"])
    notify(
        recipients=[person, *leaders_of(task.unit)] if person else leaders_of(task.unit),
        title=_("问责：%(kind)s（%(title)s）") % {"kind": kind.name, "title": task.title},
        body=action.reason,
        url=_url(task),
        level=Notification.Level.RED,
        task=task,
    )
    return action


@transaction.atomic
def comment_task(*, actor: User, task: Task, text: str) -> TaskEvent:
    """A leader's comment or instruction (批示) on a task."""
    unit = task.unit or task.campaign.office_unit
    require_perm(actor, "task.comment", unit)
    if not text or not text.strip():
        raise ValidationError({"text": _("请填写批示内容。")})
    event = _event(
        task, actor=actor, action=TaskEvent.Action.COMMENT, from_state=task.state, note=text.strip()
    )
    record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=task, verb="comment", note=text.strip()
    )
    notify(
        recipients=[task.owner, *liaisons_of(task.unit)]
        if task.unit
        else _campaign_staff(task.campaign),
        title=_("%(leader)s 对任务作出批示：%(title)s") % {"leader": actor, "title": task.title},
        body=text.strip(),
        url=_url(task),
        task=task,
    )
    return event


# --- Soft delete ---------------------------------------------------------------------------------


@transaction.atomic
def delete_task(*, actor: User, task: Task, reason: str) -> Task:
    """Soft-delete a task (restorable). Refused once a score or an accountability record refers to it."""
    _require_edit_permission(actor, task)
    _require_reason(reason)
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
    _event(task, actor=actor, action=TaskEvent.Action.DELETE, from_state=task.state, note=reason)
    record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        obj=task,
        note=reason,
        changes={"deleted_at": [None, now.isoformat()]},
    )
    _roll_up(task.parent)
    return task


@transaction.atomic
def restore_task(*, actor: User, task: Task) -> Task:
    _require_edit_permission(actor, task)
    deleted_at = task.deleted_at
    if deleted_at is None:
        raise IllegalMove(_("任务未被删除。"))
    restored = Task.objects.filter(Q(pk=task.pk) | Q(parent=task, deleted_at=deleted_at))
    ids = list(restored.values_list("pk", flat=True))
    restored.update(deleted_at=None)
    rollups.refresh(Task.objects.filter(pk__in=ids))
    task.deleted_at = None
    _event(task, actor=actor, action=TaskEvent.Action.RESTORE, from_state=task.state)
    record(
        actor=actor,
        action=AuditEvent.Action.RESTORE,
        obj=task,
        changes={"deleted_at": [deleted_at.isoformat(), None]},
    )
    _roll_up(task.parent)
    return task


# --- Holiday schedules ---------------------------------------------------------------------------


@transaction.atomic
def set_holiday_year(
    *,
    actor: User,
    year: int,
    holidays: Sequence[tuple[datetime.date, str]],
    workdays: Sequence[tuple[datetime.date, str]],
    source: str = "",
) -> HolidayYear:
    """Enter (or replace) a year's official holiday schedule: rest days and make-up workdays."""
    require_perm(actor, "calendar.manage")
    errors = [
        _("%(date)s 不在 %(year)d 年内") % {"date": day, "year": year}
        for day, _name in [*holidays, *workdays]
        if day.year != year
    ]
    clash = {day for day, _n in holidays} & {day for day, _n in workdays}
    errors += [_("%(date)s 不能既是假日又是调休上班日") % {"date": day} for day in sorted(clash)]
    if errors:
        raise ValidationError({"days": errors})
    entry, created = HolidayYear.objects.update_or_create(
        year=year, defaults={"source": source, "entered_by": actor, "entered_at": timezone.now()}
    )
    before = sorted(str(day) for day in entry.days.values_list("date", flat=True))
    entry.days.all().delete()
    HolidayDay.objects.bulk_create(
        [
            HolidayDay(holiday_year=entry, date=day, name=name, is_workday=False)
            for day, name in holidays
        ]
        + [
            HolidayDay(holiday_year=entry, date=day, name=name, is_workday=True)
            for day, name in workdays
        ]
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=entry,
        changes={"days": [before, sorted(str(day) for day, _n in [*holidays, *workdays])]},
    )
    return entry


def holiday_export_rows(*, actor: User, years: Sequence[int]) -> list[tuple]:
    """The entered rest days and make-up workdays of `years` for an Excel export (audited)."""
    require_perm(actor, "calendar.manage")
    days = HolidayDay.objects.filter(holiday_year__year__in=list(years)).order_by("date")
    rows = [
        (day.date.year, day.date, _("调休上班") if day.is_workday else _("放假"), day.name)
        for day in days
    ]
    record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="campaigns.holidayday",
        object_repr=_("节假日安排"),
        note=_("年份：%(years)s") % {"years": "、".join(str(y) for y in years)},
    )
    return rows


# --- 问责方式 (accountability kinds) -----------------------------------------------------------------

ACCOUNTABILITY_KIND_FIELDS = ("name", "severity", "score_deduction", "is_active")


def _deduction(value: Any) -> Decimal:
    """A deduction as the one-decimal Decimal the database holds, so "3" and "3.0" compare equal."""
    amount = Decimal(str(value))
    if amount.is_finite() and abs(amount) < 1000:
        return amount.quantize(Decimal("0.1"))
    return amount


def _check_accountability_kind(kind: AccountabilityKind) -> None:
    """A kind's name is given and unique, its severity 1–99 and its deduction 0–100."""
    errors: dict[str, str] = {}
    if not kind.name:
        errors["name"] = _("请填写问责方式名称。")
    elif len(kind.name) > 50:
        errors["name"] = _("名称不能超过 50 个字。")
    elif AccountabilityKind.objects.filter(name=kind.name).exclude(pk=kind.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的问责方式。") % {"name": kind.name}
    if not 1 <= kind.severity <= 99:
        errors["severity"] = _("严重程度须在 1 到 99 之间。")
    deduction = Decimal(kind.score_deduction)
    if not (deduction.is_finite() and Decimal(0) <= deduction <= Decimal(100)):
        errors["score_deduction"] = _("扣分须在 0 到 100 之间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_accountability_kind(
    *,
    actor: User,
    name: str,
    severity: int = 1,
    score_deduction: Decimal = Decimal(0),
    is_active: bool = True,
) -> AccountabilityKind:
    """The office configures another kind of accountability action (besides 提醒谈话, 约谈, …)."""
    require_perm(actor, "campaign.manage")
    kind = AccountabilityKind(
        name=(name or "").strip(),
        severity=severity,
        score_deduction=_deduction(score_deduction),
        is_active=is_active,
    )
    _check_accountability_kind(kind)
    kind.save()
    record_created(actor=actor, obj=kind)
    return kind


@transaction.atomic
def update_accountability_kind(
    *, actor: User, kind: AccountabilityKind, **values: Any
) -> AccountabilityKind:
    """Rename, re-grade or (de)activate a kind. Kinds are never deleted: records refer to them,
    and an inactive kind is simply no longer offered when accountability is recorded."""
    require_perm(actor, "campaign.manage")
    unknown = set(values) - set(ACCOUNTABILITY_KIND_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    if "score_deduction" in values:
        values["score_deduction"] = _deduction(values["score_deduction"])
    fields = list(values)
    before = snapshot(kind, fields)
    for key, value in values.items():
        setattr(kind, key, value)
    _check_accountability_kind(kind)
    changes = diff(before, snapshot(kind, fields))
    if changes:
        kind.save(update_fields=fields)
        verb = ""
        if set(changes) == {"is_active"}:
            verb = "activate" if kind.is_active else "deactivate"
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=kind, verb=verb, changes=changes)
    return kind


def accountability_kind_export_rows(*, actor: User, kinds: Iterable[AccountabilityKind]) -> list:
    """Rows of the kinds list (annotated with `used`) for an Excel export (audited)."""
    require_perm(actor, "campaign.manage")
    rows = [
        (
            kind.name,
            kind.severity,
            kind.score_deduction,
            _("启用") if kind.is_active else _("停用"),
            getattr(kind, "used", 0),
        )
        for kind in kinds
    ]
    record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="campaigns.accountabilitykind",
        object_repr=_("问责方式"),
        note=_("共 %(n)d 条") % {"n": len(rows)},
    )
    return rows
