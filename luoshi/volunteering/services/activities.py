"""Publishing volunteer activities (a ledger activity of category 志愿服务 recorded through
record_activity, with its ServiceActivity, positions and skills), and sign-ups: capacity per
position, the wait list and its automatic promotion, approval, cancellation before the cut-off.

Sign-ups of one activity are serialised on its ServiceActivity row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's transactions are IMMEDIATE), so the count of accepted sign-ups read inside
the lock is the count the new one is added to: a position never takes more than its capacity.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.ledgers.models import Activity, ActivityType, Category
from luoshi.ledgers.services import record_activity
from luoshi.lib.dates import past_error
from luoshi.org.models import Unit

from ..access import can_lead_team, can_organise, can_publish, own_volunteer
from ..models import (
    Position,
    PrescribedAction,
    ServiceActivity,
    ServiceOrder,
    SignUp,
    Skill,
    Team,
    Theme,
    VolunteerSettings,
)
from .themes import sync_action_progress

CHECKIN_LEAD = datetime.timedelta(minutes=30)
CHECKOUT_GRACE = datetime.timedelta(hours=1)
HELD = (SignUp.Status.PENDING, SignUp.Status.ACCEPTED, SignUp.Status.WAITLISTED)


@dataclass
class PositionSpec:
    name: str
    capacity: int
    description: str = ""


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _publish_errors(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    planned_hours: Decimal | None,
    recruit_until: datetime.datetime | None,
    positions: Sequence[PositionSpec],
    team: Team | None,
    action: PrescribedAction | None,
    order: ServiceOrder | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if order is not None and (
        order.status != ServiceOrder.Status.TAKEN or order.team is None or unit != order.team.unit
    ):
        errors["order"] = _("只能为本单位队伍已接单的点单发布活动。")
    if order is not None and action is not None:
        errors["order"] = _("点单活动不作为规定动作登记。")
    if activity_type.category != Category.VOLUNTEER:
        errors["type"] = _("“%(name)s”不是志愿服务类活动。") % {"name": activity_type.name}
    organiser = team or (order.team if order is not None else None)
    if unit is None or not can_publish(actor, unit, organiser):
        errors["unit"] = _("请选择您可以发布志愿服务活动的组织单位（队长只能以本队名义发布）。")
    if starts_at is None or ends_at is None:
        errors["ends_at"] = _("请填写活动的开始和结束时间。")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间。")
    if planned_hours is None or not Decimal("0.5") <= planned_hours <= Decimal(24):
        errors["planned_hours"] = _("计划时长须在 0.5 到 24 小时之间。")
    elif starts_at and ends_at and ends_at > starts_at:
        span = Decimal((ends_at - starts_at).total_seconds()) / 3600
        if planned_hours > span:
            errors["planned_hours"] = _("计划时长不能超过活动时间（%(span)s 小时）。") % {
                "span": round(span, 1)
            }
    if recruit_until is None:
        errors["recruit_until"] = _("请填写报名截止时间。")
    elif message := past_error(recruit_until, label=_("报名截止时间")):
        errors["recruit_until"] = message
    elif starts_at and recruit_until > starts_at:
        errors["recruit_until"] = _("报名截止时间不能晚于活动开始时间。")
    if not positions:
        errors["positions"] = _("请至少设置一个岗位。")
    for number, spec in enumerate(positions, start=1):
        if not spec.name.strip() or spec.capacity < 1:
            errors["positions"] = _("第 %(n)d 个岗位：请填写岗位名称，招募人数至少 1 人。") % {
                "n": number
            }
            break
    if team is not None and (not team.is_active or not can_lead_team(actor, team)):
        errors["team"] = _("请选择您可以组织活动的启用中的志愿服务队。")
    plan = action.plan_task if action is not None else None
    if (
        action is not None
        and unit is not None
        and "unit" not in errors
        and not (plan is not None and plan.children.filter(unit=unit, deleted_at=None).exists())
    ):
        errors["action"] = _("%(unit)s没有承接规定动作“%(action)s”。") % {
            "unit": unit.name,
            "action": action.title,
        }
    return errors


@transaction.atomic
def publish_activity(
    *,
    actor: User,
    activity_type: ActivityType,
    unit: Unit | None,
    title: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    planned_hours: Decimal | None,
    recruit_until: datetime.datetime | None,
    positions: Sequence[PositionSpec],
    place: str = "",
    requirements: str = "",
    needs_approval: bool = False,
    theme: Theme | None = None,
    action: PrescribedAction | None = None,
    team: Team | None = None,
    order: ServiceOrder | None = None,
    skills: Sequence[Skill] = (),
    notes: str = "",
    uploads: Sequence[UploadedFile] = (),
) -> ServiceActivity:
    """Publish a volunteer activity: the ledger record (counted once by the ledger, pivot and
    briefing), its check-in window around the start and end, and the recruitment. Under a
    prescribed action the record is the evidence of the unit's task, whose progress is then
    counted again."""
    errors = _publish_errors(
        actor=actor,
        activity_type=activity_type,
        unit=unit,
        starts_at=starts_at,
        ends_at=ends_at,
        planned_hours=planned_hours,
        recruit_until=recruit_until,
        positions=positions,
        team=team,
        action=action,
        order=order,
    )
    if errors:
        raise ValidationError(errors)
    assert unit is not None and starts_at and ends_at and planned_hours and recruit_until
    evidence_task = None
    if action is not None:
        theme = action.theme
        assert action.plan_task is not None
        evidence_task = action.plan_task.children.alive().get(unit=unit)
    elif order is not None:
        evidence_task, team = order.task, team or order.team
    activity = record_activity(
        actor=actor,
        activity_type=activity_type,
        unit=unit,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        hours=planned_hours,
        notes=notes,
        evidence_task=evidence_task,
        uploads=uploads,
        checkin_opens_at=starts_at - CHECKIN_LEAD,
        checkin_closes_at=ends_at + CHECKOUT_GRACE,
    )
    service = ServiceActivity.objects.create(
        activity=activity,
        kind=ServiceActivity.Kind.PRESCRIBED if action else ServiceActivity.Kind.CHOSEN,
        theme=theme,
        action=action,
        team=team,
        order=order,
        planned_hours=planned_hours,
        requirements=(requirements or "").strip(),
        recruit_until=recruit_until,
        needs_approval=needs_approval,
    )
    service.skills.set(skills)
    Position.objects.bulk_create(
        Position(
            service=service,
            name=spec.name.strip()[:100],
            capacity=spec.capacity,
            description=spec.description.strip()[:300],
        )
        for spec in positions
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=service,
        verb="publish",
        changes={
            "kind": [None, service.kind],
            "theme": [None, str(theme or "")],
            "action": [None, str(action or "")],
            "team": [None, str(team or "")],
            "positions": [None, [f"{p.name}×{p.capacity}" for p in positions]],
            "recruit_until": [None, recruit_until],
            "needs_approval": [None, needs_approval],
        },
        note=_("发布志愿服务活动：%(title)s") % {"title": activity.title},
    )
    if action is not None:
        sync_action_progress(action)
    return service


def _lock(service: ServiceActivity) -> ServiceActivity:
    return ServiceActivity.objects.select_for_update().select_related("activity").get(pk=service.pk)


def _accepted(position: Position) -> int:
    return position.signups.filter(status=SignUp.Status.ACCEPTED).count()


def _url(service: ServiceActivity) -> str:
    return reverse("volunteering:activity-detail", args=[service.pk])


@transaction.atomic
def sign_up(*, actor: User, service: ServiceActivity, position: Position) -> SignUp:
    """The actor signs up for a position: accepted while places are left, else wait-listed;
    pending when the organiser approves sign-ups. One sign-up per activity and volunteer."""
    volunteer = own_volunteer(actor)
    if volunteer is None or not volunteer.is_active:
        raise ValidationError({"position": _("请先注册志愿者，再报名参加活动。")})
    service = _lock(service)
    if position.service_id != service.pk:
        raise ValidationError({"position": _("所选岗位不属于该活动。")})
    now = timezone.now()
    if service.activity.deleted_at is not None:
        raise ValidationError({"position": _("该活动已取消。")})
    if now > service.recruit_until:
        raise ValidationError(
            {"position": _("报名已于 %(at)s 截止。") % {"at": _local(service.recruit_until)}}
        )
    if SignUp.objects.filter(service=service, volunteer=volunteer, status__in=HELD).exists():
        raise ValidationError({"position": _("您已报名该活动。")})
    if service.needs_approval:
        status = SignUp.Status.PENDING
    elif _accepted(position) < position.capacity:
        status = SignUp.Status.ACCEPTED
    else:
        status = SignUp.Status.WAITLISTED
    signup = SignUp.objects.create(
        service=service,
        position=position,
        volunteer=volunteer,
        status=status,
        created_at=now,
        decided_at=now if status != SignUp.Status.PENDING else None,
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=signup,
        verb="sign_up",
        changes={"status": [None, status], "position": [None, position.name]},
    )
    return signup


def _promote(service: ServiceActivity, position: Position, *, actor: User | None) -> SignUp | None:
    """The first wait-listed volunteer of the position takes the freed place, and is told."""
    if _accepted(position) >= position.capacity:
        return None
    waiting = (
        position.signups.filter(status=SignUp.Status.WAITLISTED)
        .select_related("volunteer__person")
        .order_by("created_at", "id")
        .first()
    )
    if waiting is None:
        return None
    waiting.status, waiting.decided_at = SignUp.Status.ACCEPTED, timezone.now()
    waiting.save(update_fields=["status", "decided_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=waiting,
        verb="promote",
        changes={"status": [SignUp.Status.WAITLISTED, SignUp.Status.ACCEPTED]},
        note=_("候补递补"),
    )
    notify(
        recipients=[waiting.volunteer.person],
        title=_("候补成功：%(title)s") % {"title": service.activity.title},
        body=_("您候补的岗位“%(position)s”已有空位，您已被录用。活动时间 %(at)s。")
        % {"position": position.name, "at": _local(service.activity.starts_at)},
        url=_url(service),
    )
    return waiting


@transaction.atomic
def cancel_signup(*, actor: User, signup: SignUp, reason: str = "") -> SignUp:
    """The volunteer cancels (until the cut-off before the start), or the organiser does; a
    freed place goes to the first on the wait list."""
    service = _lock(signup.service)
    signup.refresh_from_db()
    mine = signup.volunteer.person_id == actor.pk
    if not mine and not can_organise(actor, service):
        raise PermissionDenied(_("您不能取消这条报名。"))
    if signup.status not in HELD:
        raise ValidationError(
            {"signup": _("这条报名已是“%(s)s”。") % {"s": signup.get_status_display()}}
        )
    if signup.checked_in_at is not None:
        raise ValidationError({"signup": _("已签到的报名不能取消。")})
    cutoff = service.activity.starts_at - datetime.timedelta(
        hours=VolunteerSettings.load().cancel_cutoff_hours
    )
    if mine and not can_organise(actor, service) and timezone.now() > cutoff:
        raise ValidationError(
            {
                "signup": _("活动开始前 %(at)s 起不能再取消报名，请联系组织方。")
                % {"at": _local(cutoff)}
            }
        )
    before = signup.status
    signup.status, signup.decided_at = SignUp.Status.CANCELLED, timezone.now()
    signup.save(update_fields=["status", "decided_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=signup,
        verb="cancel",
        changes={"status": [before, SignUp.Status.CANCELLED]},
        note=reason,
    )
    if before == SignUp.Status.ACCEPTED:
        _promote(service, signup.position, actor=actor)
    return signup


@transaction.atomic
def decide_signup(*, actor: User, signup: SignUp, accept: bool, reason: str = "") -> SignUp:
    """The organiser approves a pending sign-up (accepted while places are left, else
    wait-listed) or declines it."""
    service = _lock(signup.service)
    if not can_organise(actor, service):
        raise PermissionDenied(_("只有活动组织方可以审核报名。"))
    signup.refresh_from_db()
    if signup.status != SignUp.Status.PENDING:
        raise ValidationError({"signup": _("这条报名已处理。")})
    if not accept:
        status = SignUp.Status.REJECTED
    elif _accepted(signup.position) < signup.position.capacity:
        status = SignUp.Status.ACCEPTED
    else:
        status = SignUp.Status.WAITLISTED
    signup.status, signup.decided_at = status, timezone.now()
    signup.save(update_fields=["status", "decided_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=signup,
        verb="decide",
        changes={"status": [SignUp.Status.PENDING, status]},
        note=reason,
    )
    notify(
        recipients=[signup.volunteer.person],
        title=_("报名结果：%(title)s") % {"title": service.activity.title},
        body=signup.get_status_display(),
        url=_url(service),
    )
    return signup


def activity_service(activity: Activity) -> ServiceActivity | None:
    return ServiceActivity.objects.filter(activity=activity).first()
