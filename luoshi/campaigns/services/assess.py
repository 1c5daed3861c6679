"""考责: the office verifies a completion (pass with a grade and a score, or return), and closes
verified tasks off (销号)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import Notification, User
from luoshi.accounts.services import notify

from ..models import DONE_STATES, Task, TaskEvent
from ._moves import (
    IllegalMove,
    S,
    change_state,
    liaisons_of,
    local_today,
    lock_task,
    require_reason,
    require_state,
    require_task_perm,
    roll_up,
    task_url,
)
from .supervise import refresh_warnings

QUALITY_SCORES: dict[str, Decimal] = {
    Task.Quality.EXCELLENT: Decimal(100),
    Task.Quality.GOOD: Decimal(85),
    Task.Quality.FAIR: Decimal(70),
    Task.Quality.POOR: Decimal(50),
}
LATE_DEDUCTION = Decimal(10)
RETURN_DEDUCTION = Decimal(5)


def score_of(task: Task) -> Decimal:
    """The grade's score, less the deductions for lateness, for each return and for each
    accountability action on the task (never below zero)."""
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
    seen = lock_task(task)
    require_task_perm(actor, "task.verify", task)
    require_state(task, [S.SUBMITTED], _("复核"), seen=seen)
    if not passed:
        require_reason(reason)
        task.returned_count += 1
        task.progress = min(task.progress, 90)
        change_state(
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
            url=task_url(task),
            level=Notification.Level.YELLOW,
            task=task,
        )
        refresh_warnings(tasks=[task])
        roll_up(task.parent)
        return task
    if quality not in Task.Quality.values:
        raise ValidationError({"quality": _("请评定完成质量（优、良、中、差）。")})
    task.quality = quality
    submitted = task.submitted_at.date() if task.submitted_at else local_today()
    task.timeliness = (
        Task.Timeliness.ON_TIME
        if task.deadline is None or submitted <= task.deadline
        else Task.Timeliness.LATE
    )
    task.verified_at = timezone.now()
    task.warning = ""
    task.progress = 100
    task.score = score_of(task)
    change_state(
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
        url=task_url(task),
        task=task,
    )
    roll_up(task.parent)
    return task


@transaction.atomic
def close_task(*, actor: User, task: Task, note: str = "") -> Task:
    """考责: a verified task is closed off (销号)."""
    seen = lock_task(task)
    require_task_perm(actor, "task.verify", task)
    require_state(task, [S.VERIFIED], _("销号"), seen=seen)
    open_subtasks = task.children.alive().exclude(state__in=[*DONE_STATES, S.WITHDRAWN])
    if open_subtasks.exists():
        raise IllegalMove(_("还有 %(n)d 项子任务未办结，不能销号。") % {"n": open_subtasks.count()})
    task.closed_at = timezone.now()
    change_state(
        task,
        actor=actor,
        action=TaskEvent.Action.CLOSE,
        to_state=S.CLOSED,
        note=note,
        fields=["closed_at"],
    )
    return task
