"""The machinery every move of the chain shares: the errors a refused move raises, the row lock
and the state check, the one function that changes a task's state (saving the fields, writing the timeline step
and the audit record together), and who is told.

Private to the services package; callers import the moves (and IllegalMove, StaleEdit) from
`luoshi.campaigns.services`.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.errors import Conflict
from luoshi.org.access import require_perm
from luoshi.org.models import Role, Unit
from luoshi.workdays.selectors import load_calendar

from .. import rollups, warning_levels
from ..hooks import is_delegate
from ..models import Campaign, Task, TaskEvent, TaskState

S = TaskState


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


class StateChanged(IllegalMove):
    """Someone else moved the task on (or deleted or restored it) between the caller loading it
    and this move taking its lock: the loser of a race. `state` is the state it changed to."""

    code_name = "state_changed"

    def __init__(self, message: str, *, state: str):
        super().__init__(message)
        self.state = state

    def extra(self) -> dict[str, Any]:
        return {"state": self.state}


def lock_task(task: Task) -> str:
    """Lock the task's row until the transaction ends and bring `task` up to date with it, so
    that every check after this sees what the move will change; returns the state the caller
    had loaded (for require_state's `seen`).

    On PostgreSQL this is SELECT … FOR UPDATE: a second move on the task waits here until the
    first commits. On SQLite every transaction is IMMEDIATE (settings), so the second move waits
    at the start of its transaction instead; either way it then reads the committed row.
    StateChanged when the task was deleted or restored in between."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_task() must run inside transaction.atomic()")
    seen, was_deleted = task.state, task.deleted_at is not None
    task.refresh_from_db(from_queryset=Task.objects.select_for_update())
    deleted = task.deleted_at is not None
    if deleted != was_deleted:
        message = (
            _("任务状态已变化：任务“%(task)s”已被删除。")
            if deleted
            else _("任务状态已变化：任务“%(task)s”已被恢复。")
        )
        raise StateChanged(message % {"task": task.title}, state=task.state)
    return seen


def local_today() -> datetime.date:
    """Today in the project's time zone (patched in tests where a move must happen on a date)."""
    return timezone.localdate()


def task_url(task: Task) -> str:
    return reverse("campaigns:task-detail", args=[task.pk])


def require_task_perm(actor: User, perm: str, task: Task) -> None:
    """`perm` on the task's own unit. A plan has no unit: the chain's moves happen on the units'
    tasks, so a plan is refused here rather than checked against "held anywhere"."""
    if task.unit is None:
        raise IllegalMove(
            _("“%(task)s”是任务分解中的任务，请下发给责任单位后在单位任务上办理。")
            % {"task": task.title}
        )
    try:
        require_perm(actor, perm, task.unit)
    except PermissionDenied:
        # Named by a higher app for this task (a volunteer team's leader on its order).
        if not is_delegate(actor, perm, task):
            raise


def require_state(task: Task, allowed: Iterable[str], move: str, *, seen: str = "") -> None:
    """IllegalMove, naming the current and the allowed states, unless the task is in `allowed`.

    `seen` is the state the caller loaded (lock_task's answer): when the task has moved on from
    it since, the caller lost a race and gets StateChanged naming the state it changed to."""
    allowed = list(allowed)
    if task.state not in allowed and seen and seen != task.state:
        raise StateChanged(
            _(
                "任务状态已变化：任务“%(task)s”已由“%(seen)s”变为“%(state)s”，未能%(move)s。请刷新后查看。"
            )
            % {
                "task": task.title,
                "seen": S(seen).label,
                "state": task.get_state_display(),
                "move": move,
            },
            state=task.state,
        )
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


def write_event(
    task: Task, *, actor, action: str, from_state: str = "", note: str = "", **data
) -> TaskEvent:
    """Write a step on the task's timeline. Every change to a task writes one, after the task is
    saved, so this is also where everything derived from the task is brought up to date
    (`settle`)."""
    event = TaskEvent.objects.create(
        task=task,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=task.state,
        note=note,
        data=data,
    )
    settle(task)
    return event


def change_state(
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
    event = write_event(task, actor=actor, action=action, from_state=from_state, note=note, **data)
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
    """The unit's active liaisons (联络员), who sign, assign and are told of its tasks."""
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


def leaders_of(unit: Unit) -> list[User]:
    """The unit's active leaders by role grant, and its named leader: told when a task turns
    red or someone is held accountable."""
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


def campaign_staff(campaign: Campaign) -> list[User]:
    """The staff of the campaign's office, told when a completion waits for verification."""
    return list(
        User.objects.filter(
            role_grants__unit=campaign.office_unit, role_grants__role=Role.OFFICE, is_active=True
        ).distinct()
    )


def require_reason(reason: str, field: str = "reason") -> None:
    if not reason or not reason.strip():
        raise ValidationError({field: _("请填写理由。")})


def settle(task: Task, *, today: datetime.date | None = None, calendar=None) -> None:
    """Bring every figure derived from `task` up to date in the caller's transaction: its own
    warning for today (a unit task), the overview counts of its unit, and, up the tree, the
    progress of a parent with sub-tasks and the progress, warning and state of its plan
    (`roll_up`). Every move and edit calls this through `write_event`, so a figure is never
    stale after the move that changed it; the daily job only catches time passing."""
    today = today or local_today()
    calendar = calendar or load_calendar()
    if task.unit_id is not None and task.deleted_at is None:
        if task.children.alive().exists() and task.state in (S.SIGNED, S.IN_PROGRESS):
            _roll_up_subtasks(task)
        level = warning_levels.assess(
            task, campaign=task.campaign, today=today, calendar=calendar
        ).level
        if level != task.warning:
            task.warning = level
            task.save(update_fields=["warning"])
    rollups.refresh([task])
    parent = task.parent if task.parent_id else None
    if parent is None:
        return
    if parent.is_plan:
        roll_up(parent)
    elif parent.state in (S.SIGNED, S.IN_PROGRESS):
        settle(parent, today=today, calendar=calendar)


def _roll_up_subtasks(task: Task) -> None:
    """A task broken into sub-tasks is as far on as its sub-tasks: the mean of their progress,
    each sub-task weighing the same (withdrawn and deleted ones left out; a verified or closed
    sub-task counts 100%)."""
    values = list(task.children.alive().exclude(state=S.WITHDRAWN).values_list("state", "progress"))
    if not values:
        return
    progress = round(
        sum(100 if state in (S.VERIFIED, S.CLOSED) else p for state, p in values) / len(values)
    )
    if progress != task.progress:
        task.progress = progress
        task.save(update_fields=["progress"])


def plan_state(states: Sequence[str], *, issued: bool) -> str:
    """The state a plan shows, from the states of its units' tasks (withdrawn ones left out):

    - none issued (or all withdrawn): 草稿, or 待签收 once it was issued;
    - every unit task 待签收: 待签收;
    - any unit task still open (待签收, 待分派, 办理中): 办理中;
    - none open, some 待复核: 待复核;
    - all 已办结 or 已销号: 已销号 when all are 已销号, else 已办结.
    """
    if not states:
        return S.ISSUED if issued else S.DRAFT
    present = set(states)
    if present == {S.ISSUED}:
        return S.ISSUED
    if present & {S.ISSUED, S.SIGNED, S.IN_PROGRESS}:
        return S.IN_PROGRESS
    if S.SUBMITTED in present:
        return S.SUBMITTED
    if present == {S.CLOSED}:
        return S.CLOSED
    return S.VERIFIED


def roll_up(plan: Task | None) -> None:
    """A plan follows its units' tasks (withdrawn ones left out): its progress is their mean,
    its warning the worst of theirs, its state `plan_state` of theirs."""
    if plan is None or not plan.is_plan:
        return
    plan.refresh_from_db(fields=["state", "progress", "warning", "issued_at"])
    children = plan.children.alive().exclude(state=S.WITHDRAWN)
    rows = list(children.values_list("state", "progress", "warning"))
    progress = round(sum(row[1] for row in rows) / len(rows)) if rows else 0
    warning = warning_levels.worst(row[2] for row in rows)
    state = plan_state([row[0] for row in rows], issued=plan.issued_at is not None)
    if (progress, warning, state) == (plan.progress, plan.warning, plan.state):
        return
    plan.progress, plan.warning, plan.state = progress, warning, state
    plan.save(update_fields=["progress", "warning", "state"])
