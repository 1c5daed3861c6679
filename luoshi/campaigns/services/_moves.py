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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.errors import Conflict
from luoshi.org.access import require_perm
from luoshi.org.models import Role, Unit

from .. import rollups, warning_levels
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
    require_perm(actor, perm, task.unit)


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


def roll_up(plan: Task | None) -> None:
    """A plan's progress is the mean of its units' tasks (withdrawn ones left out)."""
    if plan is None or not plan.is_plan:
        return
    children = plan.children.alive().exclude(state=S.WITHDRAWN)
    average = children.aggregate(value=Avg("progress"))["value"]
    plan.progress = round(average or 0)
    plan.warning = warning_levels.worst(children.values_list("warning", flat=True))
    plan.save(update_fields=["progress", "warning"])
