"""Writing meetings: a meeting is recorded in the ledger (luoshi.ledgers.services.record_activity)
with its agenda and minutes in the same transaction; each decision of the minutes becomes a
督办事项 task (kind DECISION) with its unit, owner and deadline in one step, through the campaigns
services: created in the breakdown, issued to the unit, signed and assigned to the owner.
"""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, Task
from luoshi.ledgers.models import Activity, ActivityType, Category
from luoshi.ledgers.services import record_activity
from luoshi.lib.dates import past_error
from luoshi.org.access import has_perm, require_perm, units_for_picker
from luoshi.org.models import Membership, Unit

from .access import can_edit_minutes, decision_perm
from .models import Decision, Meeting


@transaction.atomic
def create_meeting(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    participants: Sequence[User] = (),
    campaign: Campaign | None = None,
    agenda: str = "",
    minutes: str = "",
) -> Meeting:
    """Record a meeting in the ledger with its agenda and minutes, all or nothing."""
    if activity_type.category != Category.MEETING:
        raise ValidationError({"type": _("请选择会议类的活动类型。")})
    activity = record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=unit,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        participants=participants,
        campaigns=[campaign] if campaign is not None else [],
    )
    meeting = Meeting.objects.create(
        activity=activity,
        campaign=campaign or activity_type.campaign,
        agenda=(agenda or "").strip(),
        minutes=(minutes or "").strip(),
    )
    record_created(actor=actor, obj=meeting)
    return meeting


@transaction.atomic
def update_minutes(
    *,
    actor: User,
    activity: Activity,
    agenda: str,
    minutes: str,
    campaign: Campaign | None = None,
) -> Meeting:
    """Edit a meeting's agenda and minutes (audited). A meeting recorded through the ledger's own
    form gets its Meeting here, the first time minutes are written."""
    if activity.type.category != Category.MEETING:
        raise ValidationError({"type": _("该活动不是会议。")})
    if not can_edit_minutes(actor, activity):
        raise PermissionDenied(_("您不能修改其他单位的会议纪要。"))
    meeting, created = Meeting.objects.get_or_create(
        activity=activity, defaults={"campaign": campaign or activity.type.campaign}
    )
    names = ["agenda", "minutes", "campaign_id"]
    before = snapshot(meeting, names)
    meeting.agenda = (agenda or "").strip()
    meeting.minutes = (minutes or "").strip()
    if campaign is not None:
        meeting.campaign = campaign
    changes = diff(before, snapshot(meeting, names))
    if changes or created:
        meeting.updated_at = timezone.now()
        meeting.save()
        record(
            actor=actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            obj=meeting,
            changes=changes,
        )
    return meeting


def _assign_as_decided(*, actor: User, task: Task, owner: User, note: str) -> None:
    """Sign the unit's task and name its owner as the meeting decided.

    Where the recorder holds task.sign and task.assign on the unit, the chain's own moves do it.
    Otherwise (the office records a decision for another unit) the chain's assign_as_decided
    signs and assigns in one move, as the meeting decided.
    """
    unit = task.unit
    if has_perm(actor, "task.sign", unit) and has_perm(actor, "task.assign", unit):
        chain.sign_task(actor=actor, task=task, note=note)
        chain.assign_task(actor=actor, task=task, owner=owner, note=note)
        return
    chain.assign_as_decided(actor=actor, task=task, owner=owner, note=note)


@transaction.atomic
def create_decision(
    *,
    actor: User,
    activity: Activity,
    text: str,
    unit: Unit | None,
    owner: User | None,
    deadline: datetime.date | None,
) -> Decision:
    """A decision of the minutes becomes a 督办事项 task for `unit`, owned by `owner`, due on
    `deadline`: created, issued, signed and assigned in one step. The caller fetched `activity`
    through access (the actor sees the meeting)."""
    meeting = getattr(activity, "meeting", None)
    if meeting is None or meeting.campaign is None:
        raise ValidationError(
            {
                "campaign": _(
                    "请先在会议纪要中选择专项行动：议定事项将作为该专项行动的督办事项下发。"
                )
            }
        )
    campaign = meeting.campaign
    perm = decision_perm(actor, meeting)
    if not perm:
        require_perm(actor, "task.issue", campaign.office_unit)
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("请填写议定事项。")
    if unit is None or not units_for_picker(actor, perm).filter(pk=unit.pk).exists():
        errors["unit"] = (
            _("请选择您可以下发任务的责任单位。")
            if perm == "task.issue"
            else _("请选择本单位：联络员只能将议定事项作为本单位的任务。")
        )
    if owner is None:
        errors["owner"] = _("请选择责任人。")
    elif unit is not None and not Membership.objects.filter(person=owner, unit=unit).exists():
        errors["owner"] = _("%(person)s 不是%(unit)s的人员。") % {"person": owner, "unit": unit}
    meeting_day = timezone.localtime(activity.starts_at).date()
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    elif deadline < meeting_day:
        errors["deadline"] = _("完成时限不能早于会议日期 %(date)s。") % {"date": meeting_day}
    elif message := past_error(deadline, label=_("完成时限")):
        errors["deadline"] = message
    if errors:
        raise ValidationError(errors)
    assert unit is not None and owner is not None and deadline is not None
    source = _("%(meeting)s（%(date)s）") % {"meeting": activity.title, "date": meeting_day}
    note = _("会议议定：%(source)s") % {"source": source}
    title = text.splitlines()[0][:200]
    description = _("%(text)s\n来源：%(source)s议定事项") % {"text": text, "source": source}
    if perm == "task.assign":
        task = chain.open_unit_task(
            actor=actor,
            campaign=campaign,
            unit=unit,
            title=title,
            description=description,
            kind=Task.Kind.DECISION,
            deadline=deadline,
            owner=owner,
            note=note,
        )
    else:
        plan = chain.create_task(
            actor=actor,
            campaign=campaign,
            title=title,
            description=description,
            kind=Task.Kind.DECISION,
            start_date=meeting_day,
            deadline=deadline,
        )
        [task] = chain.issue_task(actor=actor, task=plan, units=[unit], note=note)
        _assign_as_decided(actor=actor, task=task, owner=owner, note=note)
    decision = Decision.objects.create(
        meeting=meeting,
        text=text,
        unit=unit,
        owner=owner,
        deadline=deadline,
        task=task,
        created_by=actor,
    )
    record_created(actor=actor, obj=decision, note=_("督办事项 #%(id)d") % {"id": task.pk})
    return decision
