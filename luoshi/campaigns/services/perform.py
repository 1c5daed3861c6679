"""履责: progress reports with evidence, and the completion report that asks for verification."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.files.services import store_upload

from .. import access
from ..models import ProgressReport, Task, TaskEvent
from ._moves import (
    S,
    campaign_staff,
    change_state,
    lock_task,
    require_state,
    roll_up,
    task_url,
    write_event,
)
from .supervise import refresh_warnings


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
    seen = lock_task(task)
    if task.is_plan or not access.can_report(actor, task):
        raise PermissionDenied(_("只有任务责任人或本单位联络员可以填报进度。"))
    require_state(task, [S.IN_PROGRESS], _("填报进度"), seen=seen)
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
        change_state(
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
            recipients=campaign_staff(task.campaign),
            title=_("%(unit)s报送办结，待复核：%(title)s")
            % {"unit": task.unit, "title": task.title},
            url=task_url(task),
            task=task,
        )
    else:
        task.updated_at = timezone.now()
        task.save(update_fields=["progress", "updated_at"])
        write_event(
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
    roll_up(task.parent)
    return report


# Tasks whose progress may still move: issued, signed or being worked on (a submitted task waits
# for verification, and what was verified or closed stays as it was assessed).
COUNTED_STATES = (S.ISSUED, S.SIGNED, S.IN_PROGRESS)


@transaction.atomic
def record_counted_progress(*, task: Task, percent: int, note: str) -> bool:
    """履责 counted, not typed: a higher app that counts a task's evidence itself (a prescribed
    action's volunteer activities, linked as the task's evidence) sets its progress. Written on
    the timeline and in the audit log without an actor; True when the progress changed."""
    lock_task(task)
    percent = max(0, min(100, percent))
    if task.is_plan or task.state not in COUNTED_STATES or task.progress == percent:
        return False
    before = task.progress
    task.progress = percent
    task.updated_at = timezone.now()
    task.save(update_fields=["progress", "updated_at"])
    write_event(
        task,
        actor=None,
        action=TaskEvent.Action.REPORT,
        from_state=task.state,
        note=note,
        percent=percent,
        counted=True,
    )
    record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=task,
        verb="counted_progress",
        changes={"progress": [before, percent]},
        note=note,
    )
    refresh_warnings(tasks=[task])
    roll_up(task.parent)
    return True
