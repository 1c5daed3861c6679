"""明责 inside the unit: signing for a task, naming its owner, breaking it into sub-tasks."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.lib.dates import past_error
from luoshi.org.access import require_perm
from luoshi.org.models import Membership, Unit

from ..models import Task, TaskEvent
from ._moves import (
    IllegalMove,
    S,
    change_state,
    liaisons_of,
    local_today,
    lock_task,
    require_state,
    require_task_perm,
    task_url,
    write_event,
)
from .supervise import refresh_warnings


@transaction.atomic
def sign_task(*, actor: User, task: Task, note: str = "") -> Task:
    """明责: the unit's liaison signs for the task (签收)."""
    seen = lock_task(task)
    require_task_perm(actor, "task.sign", task)
    require_state(task, [S.ISSUED], _("签收"), seen=seen)
    task.signed_by, task.signed_at = actor, timezone.now()
    change_state(
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
    seen = lock_task(task)
    require_task_perm(actor, "task.assign", task)
    require_state(task, [S.SIGNED, S.IN_PROGRESS], _("分派责任人"), seen=seen)
    _require_member(owner, task.unit)
    previous = task.owner
    task.owner = owner
    change_state(
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
        url=task_url(task),
        task=task,
    )
    return task


@transaction.atomic
def assign_as_decided(*, actor: User, task: Task, owner: User, note: str) -> Task:
    """明责 in one step for a decision a meeting took (督办事项): the meeting named the person in
    front of the unit's leaders, so the issuing office signs for the unit and names the owner.

    Only the campaign's office (task.issue) may; the move is written on the task's timeline and
    in the audit log like any other, and the owner and the unit's liaisons are told."""
    seen = lock_task(task)
    require_perm(actor, "task.issue", task.campaign.office_unit)
    require_state(task, [S.ISSUED], _("分派责任人"), seen=seen)
    _require_member(owner, task.unit)
    task.signed_by, task.signed_at, task.owner = actor, timezone.now(), owner
    change_state(
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
        url=task_url(task),
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
    seen = lock_task(task)
    require_task_perm(actor, "task.assign", task)
    require_state(task, [S.SIGNED, S.IN_PROGRESS], _("分解"), seen=seen)
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
        # a sub-task given no deadline of its own keeps its task's, even one already passed
        if message := past_error(item.deadline, label=_("子任务时限")):
            raise ValidationError(
                {"items": _("第 %(n)d 项子任务：%(reason)s") % {"n": index, "reason": message}}
            )
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
            start_date=local_today(),
            deadline=deadline,
            issued_by=actor,
            issued_at=now,
            signed_by=item.owner,
            signed_at=now,
            created_by=actor,
        )
        # a sub-task is born assigned: no earlier state to show on its trail
        write_event(sub, actor=actor, action=TaskEvent.Action.DECOMPOSE, owner=str(item.owner))
        record_created(actor=actor, obj=sub, verb="decompose")
        notify(
            recipients=[item.owner],
            title=_("您有新的子任务：%(title)s") % {"title": sub.title},
            body=_("所属任务：%(parent)s；完成时限 %(deadline)s。")
            % {"parent": task.title, "deadline": deadline},
            url=task_url(sub),
            task=sub,
        )
        subtasks.append(sub)
    if task.state == S.SIGNED:
        task.owner = task.owner or actor
        change_state(
            task,
            actor=actor,
            action=TaskEvent.Action.DECOMPOSE,
            to_state=S.IN_PROGRESS,
            fields=["owner"],
            subtasks=[s.title for s in subtasks],
        )
    else:
        write_event(
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


@transaction.atomic
def open_unit_task(
    *,
    actor: User,
    campaign,
    unit: Unit,
    title: str,
    description: str,
    kind: str,
    deadline: datetime.date | None,
    owner: User | None = None,
    note: str = "",
) -> Task:
    """明责 by the unit itself: its liaison (task.assign on the unit) opens a task of the campaign
    for their own unit — a decision of the unit's own meeting, a problem its own inspection found —
    signed at once and, with an owner, assigned (办理中). It walks the chain like any unit task:
    the office verifies it (task.verify) and it counts in every overview."""
    require_perm(actor, "task.assign", unit)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("请填写任务名称。")
    today = local_today()
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    elif message := past_error(deadline, label=_("完成时限")):
        errors["deadline"] = message
    if owner is not None and not Membership.objects.filter(person=owner, unit=unit).exists():
        errors["owner"] = _("%(person)s 不是%(unit)s的人员。") % {"person": owner, "unit": unit}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    task = Task.objects.create(
        campaign=campaign,
        kind=kind,
        title=title[:200],
        description=description,
        unit=unit,
        owner=owner,
        state=S.IN_PROGRESS if owner else S.SIGNED,
        start_date=today,
        deadline=deadline,
        issued_by=actor,
        issued_at=now,
        signed_by=actor,
        signed_at=now,
        created_by=actor,
    )
    write_event(
        task,
        actor=actor,
        action=TaskEvent.Action.ASSIGN if owner else TaskEvent.Action.SIGN,
        from_state="",
        note=note,
        owner=str(owner or ""),
    )
    record_created(actor=actor, obj=task, verb="open", note=note)
    if owner is not None:
        notify(
            recipients=[owner],
            title=_("您被确定为任务责任人：%(title)s") % {"title": task.title},
            body=_("完成时限 %(deadline)s。") % {"deadline": task.deadline},
            url=task_url(task),
            task=task,
        )
    return task
