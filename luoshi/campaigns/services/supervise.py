"""督责: warnings recomputed (and the daily job), supervision notices and their replies,
reminders, and leaders' comments (批示)."""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import Notification, User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.lib.dates import require_not_past
from luoshi.org.access import require_perm
from luoshi.org.models import Unit
from luoshi.workdays.selectors import load_calendar

from .. import access, rollups, warning_levels
from ..documents import supervision_notice_docx
from ..models import OPEN_STATES, NoticeCounter, SupervisionNotice, Task, TaskEvent
from ._moves import (
    IllegalMove,
    S,
    StateChanged,
    campaign_staff,
    leaders_of,
    liaisons_of,
    local_today,
    lock_task,
    require_state,
    require_task_perm,
    roll_up,
    task_url,
    write_event,
)


def _unit_of(task: Task) -> Unit:
    """The unit of a unit task; a plan has none."""
    if task.unit is None:
        raise ValueError(f"task {task.pk} is a plan and has no unit")
    return task.unit


@transaction.atomic
def issue_notice(
    *, actor: User, task: Task, content: str, reply_deadline: datetime.date | None = None
) -> SupervisionNotice:
    """督责: the office issues a numbered supervision notice (督办单) on a unit task.

    Its number comes from the campaign's counter row, locked (and created once, under the
    counter's unique constraint) for the rest of the transaction: no two notices share one."""
    seen = lock_task(task)
    require_perm(actor, "task.supervise", task.unit)
    if task.is_plan:
        raise IllegalMove(_("督办单须针对具体责任单位的任务。"))
    require_state(task, [*OPEN_STATES, S.SUBMITTED], _("督办"), seen=seen)
    if not content or not content.strip():
        raise ValidationError({"content": _("请填写督办事项。")})
    today = local_today()
    campaign = task.campaign
    if reply_deadline is None:
        reply_deadline = load_calendar().add_working_days(today, campaign.reply_working_days)
    require_not_past(reply_deadline, field="reply_deadline", label=_("回复时限"))
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
    write_event(
        task,
        actor=actor,
        action=TaskEvent.Action.SUPERVISE,
        from_state=task.state,
        note=notice.content,
        notice=notice.pk,
        number=notice.number,
    )
    title, body = notice_message(notice)
    notify(
        recipients=[task.owner, *liaisons_of(task.unit)],
        title=title,
        body=body,
        url=task_url(task),
        level=Notification.Level.YELLOW,
        task=task,
    )
    return notice


def notice_message(notice: SupervisionNotice) -> tuple[str, str]:
    """The title and body of the notification of a supervision notice: its number, content and
    reply deadline exactly as the notice states them (one source for both)."""
    title = _("督办单 %(number)s：%(title)s") % {
        "number": notice.number,
        "title": notice.task.title,
    }
    body = _("%(content)s\n请于 %(date)s 前回复。") % {
        "content": notice.content,
        "date": notice.reply_deadline.isoformat(),
    }
    return title, body


@transaction.atomic
def export_notice_document(*, actor: User, notice: SupervisionNotice) -> bytes:
    """The printable 督办单 (Word, 公文 form) of a notice the actor sees (the caller got it
    through access.get_notice_for_user); the download is audited."""
    content = supervision_notice_docx(notice)
    record(actor=actor, action=AuditEvent.Action.DOWNLOAD, obj=notice, verb="download_notice")
    return content


@transaction.atomic
def reply_notice(*, actor: User, notice: SupervisionNotice, reply: str) -> SupervisionNotice:
    """The unit replies to a supervision notice."""
    task = notice.task
    lock_task(task)
    seen = notice.state
    notice.refresh_from_db(from_queryset=SupervisionNotice.objects.select_for_update())
    if not access.can_reply(actor, task):
        raise PermissionDenied(_("只有责任人或本单位联络员可以回复督办单。"))
    if notice.state != SupervisionNotice.State.OPEN:
        if seen == SupervisionNotice.State.OPEN:  # answered since the caller loaded it
            raise StateChanged(
                _("督办单状态已变化：督办单 %(number)s 已由%(person)s回复，未能再次回复。")
                % {"number": notice.number, "person": notice.replied_by},
                state=task.state,
            )
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
    write_event(
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
        url=task_url(task),
        task=task,
    )
    return notice


@transaction.atomic
def remind_task(*, actor: User | None, task: Task, note: str = "") -> list[Notification]:
    """督责: a reminder (催办) to the owner and the liaisons, and to the unit's leaders when red.

    `actor` None means the daily job.
    """
    seen = lock_task(task)
    if actor is not None:
        require_task_perm(actor, "task.remind", task)
    require_state(task, OPEN_STATES, _("催办"), seen=seen)
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
        recipients=recipients, title=title, body=note, url=task_url(task), level=level, task=task
    )
    write_event(
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
    today = today or local_today()
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
            roll_up(Task.objects.get(pk=plan_id))
    if notify_changes:
        for task in worsened:
            write_event(
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


@transaction.atomic
def comment_task(*, actor: User, task: Task, text: str) -> TaskEvent:
    """A leader's comment or instruction (批示) on a task."""
    unit = task.unit or task.campaign.office_unit
    require_perm(actor, "task.comment", unit)
    if not text or not text.strip():
        raise ValidationError({"text": _("请填写批示内容。")})
    event = write_event(
        task, actor=actor, action=TaskEvent.Action.COMMENT, from_state=task.state, note=text.strip()
    )
    record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=task, verb="comment", note=text.strip()
    )
    notify(
        recipients=[task.owner, *liaisons_of(task.unit)]
        if task.unit
        else campaign_staff(task.campaign),
        title=_("%(leader)s 对任务作出批示：%(title)s") % {"leader": actor, "title": task.title},
        body=text.strip(),
        url=task_url(task),
        task=task,
    )
    return event
