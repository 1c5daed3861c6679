"""Service hours: check-in and check-out by the activity's six-digit code (the ledger's
check-in), hours = check-out − check-in capped at the planned hours, none under the minimum
share of the planned time; the organiser's 补录 (added or corrected hours, with a reason and a
proof file); publicity and objections (organiser first, then the 文明实践中心)."""

import datetime
import re
from decimal import ROUND_DOWN, Decimal

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
from luoshi.files.services import store_upload
from luoshi.ledgers.models import Activity
from luoshi.ledgers.services import check_in
from luoshi.org.access import has_perm
from luoshi.org.models import Role

from .. import rollups
from ..access import can_organise, own_volunteer
from ..models import Objection, ServiceActivity, ServiceHours, SignUp, Volunteer, VolunteerSettings

TENTH = Decimal("0.1")


def _service_by_code(code: str) -> ServiceActivity:
    code = (code or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError({"code": _("请输入 6 位数字签到码。")})
    now = timezone.now()
    activity = (
        Activity.objects.alive()
        .filter(
            checkin_code=code,
            checkin_opens_at__lte=now,
            checkin_closes_at__gte=now,
            service__isnull=False,
        )
        .order_by("-checkin_opens_at")
        .first()
    )
    if activity is None:
        raise ValidationError({"code": _("签到码无效或不在签到、签退时间内。")})
    return activity.service


def _accepted_signup(actor: User, service: ServiceActivity) -> SignUp:
    volunteer = own_volunteer(actor)
    signup = (
        SignUp.objects.select_for_update()
        .filter(service=service, volunteer=volunteer, status=SignUp.Status.ACCEPTED)
        .first()
        if volunteer is not None
        else None
    )
    if signup is None:
        raise ValidationError(
            {
                "code": _("您没有被录用参加“%(title)s”，不能签到。")
                % {"title": service.activity.title}
            }
        )
    return signup


@transaction.atomic
def check_in_volunteer(*, actor: User, code: str) -> SignUp:
    """签到: the ledger's check-in (attendance) and the volunteer's own start time."""
    service = _service_by_code(code)
    signup = _accepted_signup(actor, service)
    check_in(actor=actor, code=code)
    if signup.checked_in_at is None:
        signup.checked_in_at = timezone.now()
        signup.save(update_fields=["checked_in_at"])
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=signup, verb="check_in")
    return signup


def timed_hours(
    checked_in_at: datetime.datetime,
    checked_out_at: datetime.datetime,
    planned: Decimal,
    min_percent: int,
) -> Decimal:
    """Hours from the times (tenths, rounded down), capped at the planned hours; 0 when under
    `min_percent` of the planned time."""
    spent = Decimal((checked_out_at - checked_in_at).total_seconds()) / 3600
    hours = min(spent, planned).quantize(TENTH, rounding=ROUND_DOWN)
    if hours * 100 < planned * min_percent:
        return Decimal(0)
    return hours


def _public_until(now: datetime.datetime, rules: VolunteerSettings) -> datetime.datetime:
    return now + datetime.timedelta(days=rules.publicity_days)


@transaction.atomic
def check_out_volunteer(*, actor: User, code: str) -> tuple[SignUp, ServiceHours | None]:
    """签退: the hours are recorded (计时) and published; none under the minimum share."""
    service = _service_by_code(code)
    signup = _accepted_signup(actor, service)
    if signup.checked_in_at is None:
        raise ValidationError({"code": _("您还没有签到，不能签退。")})
    if signup.checked_out_at is not None:
        raise ValidationError(
            {
                "code": _("您已于 %(at)s 签退。")
                % {"at": timezone.localtime(signup.checked_out_at).strftime("%H:%M")}
            }
        )
    now = timezone.now()
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    rules = VolunteerSettings.load()
    hours = timed_hours(
        signup.checked_in_at, now, service.planned_hours, rules.min_attendance_percent
    )
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=signup,
        verb="check_out",
        changes={"hours": [None, hours]},
    )
    if (
        hours == 0
        or ServiceHours.objects.filter(service=service, volunteer=signup.volunteer).exists()
    ):
        return signup, None
    row = ServiceHours.objects.create(
        service=service,
        volunteer=signup.volunteer,
        unit=service.activity.unit,
        hours=hours,
        method=ServiceHours.Method.TIMED,
        served_on=timezone.localdate(service.activity.starts_at),
        recorded_by=None,
        recorded_at=now,
        public_until=_public_until(now, rules),
    )
    rollups.count_hours(row)
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=row,
        verb="timed",
        changes={"hours": [None, hours], "method": [None, row.method]},
    )
    return signup, row


@transaction.atomic
def add_hours(
    *,
    actor: User,
    service: ServiceActivity,
    volunteer: Volunteer,
    hours: Decimal | None,
    reason: str,
    proof: UploadedFile | None,
) -> ServiceHours:
    """补录: the organiser adds (or corrects) a volunteer's hours at the activity, only with a
    reason and a proof file; marked 补录, audited with the value before, published anew."""
    if not can_organise(actor, service):
        raise PermissionDenied(_("只有活动组织方可以补录服务时长。"))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("补录须填写理由。")
    if proof is None:
        errors["proof"] = _("补录须上传证明材料（签到表、照片等）。")
    if hours is None or not Decimal("0.1") <= hours <= service.planned_hours:
        errors["hours"] = _("补录时长须在 0.1 到计划时长 %(planned)s 小时之间。") % {
            "planned": service.planned_hours
        }
    took_part = SignUp.objects.filter(
        service=service, volunteer=volunteer, status=SignUp.Status.ACCEPTED
    ).exists()
    if not took_part:
        errors["volunteer"] = _("%(name)s 不是该活动录用的志愿者。") % {
            "name": volunteer.masked_name
        }
    if errors:
        raise ValidationError(errors)
    assert hours is not None and proof is not None
    now = timezone.now()
    rules = VolunteerSettings.load()
    row = (
        ServiceHours.objects.select_for_update()
        .filter(service=service, volunteer=volunteer)
        .first()
    )
    before = [row.hours, row.method] if row else [None, None]
    counted = (row.hours, row.method) if row else None
    if row is None:
        row = ServiceHours(
            service=service,
            volunteer=volunteer,
            unit=service.activity.unit,
            served_on=timezone.localdate(service.activity.starts_at),
        )
    row.hours, row.method, row.reason = hours, ServiceHours.Method.ADDED, reason[:300]
    row.recorded_by, row.recorded_at, row.public_until = actor, now, _public_until(now, rules)
    row.save()
    rollups.count_hours(row, before=counted)
    attachment = store_upload(actor=actor, upload=proof, owner=row)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if before[0] is not None else AuditEvent.Action.CREATE,
        obj=row,
        verb="added",
        changes={"hours": [before[0], hours], "method": [before[1], row.method]},
        note=_("补录理由：%(reason)s；证明材料：%(file)s")
        % {"reason": reason, "file": attachment.original_name},
    )
    notify(
        recipients=[volunteer.person],
        title=_("服务时长补录：%(title)s") % {"title": service.activity.title},
        body=_("补录 %(hours)s 小时，公示至 %(until)s，如有异议请在公示期内提出。")
        % {"hours": hours, "until": timezone.localtime(row.public_until).strftime("%Y-%m-%d")},
        url=reverse("volunteering:home"),
    )
    return row


# --- Publicity and objections ---------------------------------------------------------------------


def _organisers(service: ServiceActivity) -> list[User]:
    """Who hears of an objection: the liaisons of the organising unit and the team's leaders."""
    people = list(
        User.objects.filter(
            role_grants__unit=service.activity.unit, role_grants__role=Role.LIAISON, is_active=True
        ).distinct()
    )
    if service.team is not None:
        people += [
            m.volunteer.person
            for m in service.team.members.filter(is_leader=True).select_related("volunteer__person")
            if m.volunteer.person
        ]
    return people


@transaction.atomic
def object_to_hours(
    *, actor: User, hours: ServiceHours, text: str, claimed_hours: Decimal | None = None
) -> Objection:
    """The volunteer objects to their hours within the publicity period."""
    if hours.volunteer.person_id != actor.pk:
        raise PermissionDenied(_("只能对本人的服务时长提出异议。"))
    errors: dict[str, str] = {}
    if timezone.now() > hours.public_until:
        errors["text"] = _("公示期已于 %(at)s 结束。") % {
            "at": timezone.localtime(hours.public_until).strftime("%Y-%m-%d %H:%M")
        }
    if not (text or "").strip():
        errors["text"] = _("请写明异议的理由。")
    if claimed_hours is not None and not Decimal(0) <= claimed_hours <= hours.service.planned_hours:
        errors["claimed_hours"] = _("申请时长须在 0 到计划时长之间。")
    if hours.objections.filter(status__in=[Objection.Status.OPEN, Objection.Status.ESCALATED]):
        errors["text"] = _("已有一项异议正在处理。")
    if errors:
        raise ValidationError(errors)
    objection = Objection.objects.create(
        hours=hours, text=text.strip(), claimed_hours=claimed_hours
    )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=objection,
        changes={"claimed_hours": [None, claimed_hours], "hours": [None, hours.hours]},
        note=text.strip(),
    )
    notify(
        recipients=_organisers(hours.service),
        title=_("服务时长异议：%(title)s") % {"title": hours.service.activity.title},
        body=text.strip(),
        url=reverse("volunteering:activity-detail", args=[hours.service_id]),
    )
    return objection


def _apply(objection: Objection, actor: User) -> None:
    """An upheld objection with claimed hours corrects them (audited)."""
    if objection.claimed_hours is None:
        return
    row = objection.hours
    before = row.hours
    row.hours = objection.claimed_hours
    row.save(update_fields=["hours"])
    rollups.count_hours(row, before=(before, row.method))
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=row,
        verb="objection_upheld",
        changes={"hours": [before, row.hours]},
    )


def _decide(
    objection: Objection,
    *,
    actor: User,
    uphold: bool,
    reply: str,
    reply_field: str,
    verb: str,
    title: str,
) -> Objection:
    """The organiser's answer or the centre's ruling, once it may be given: upheld (the claimed
    hours applied) or rejected, with the reply in `reply_field`; audited, the volunteer told
    (`title`, with the activity's title)."""
    before = objection.status
    objection.status = Objection.Status.UPHELD if uphold else Objection.Status.REJECTED
    setattr(objection, reply_field, reply)
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", reply_field, "decided_at"])
    if uphold:
        _apply(objection, actor)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=objection,
        verb=verb,
        changes={"status": [before, objection.status]},
        note=reply,
    )
    notify(
        recipients=[objection.hours.volunteer.person],
        title=title % {"title": objection.hours.service.activity.title},
        body=reply,
        url=reverse("volunteering:home"),
    )
    return objection


@transaction.atomic
def answer_objection(*, actor: User, objection: Objection, uphold: bool, reply: str) -> Objection:
    """The organiser answers: upheld (hours corrected to what was claimed) or rejected with a
    reason (the volunteer may then take it to the centre)."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("hours__service__activity")
        .get(pk=objection.pk)
    )
    if not can_organise(actor, objection.hours.service):
        raise PermissionDenied(_("只有活动组织方可以答复异议。"))
    if objection.status != Objection.Status.OPEN:
        raise ValidationError({"reply": _("这项异议已处理。")})
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写答复意见。")})
    return _decide(
        objection,
        actor=actor,
        uphold=uphold,
        reply=reply.strip(),
        reply_field="organiser_reply",
        verb="answer",
        title=_("异议答复：%(title)s"),
    )


@transaction.atomic
def escalate_objection(*, actor: User, objection: Objection) -> Objection:
    """The volunteer takes an objection the organiser rejected to the 文明实践中心 (once)."""
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.hours.volunteer.person_id != actor.pk:
        raise PermissionDenied(_("只能提请复核本人的异议。"))
    if objection.status != Objection.Status.REJECTED or objection.centre_reply:
        raise ValidationError({"objection": _("只有组织方未采纳的异议可以提请文明实践中心复核。")})
    objection.status = Objection.Status.ESCALATED
    objection.save(update_fields=["status"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=objection,
        verb="escalate",
        changes={"status": [Objection.Status.REJECTED, Objection.Status.ESCALATED]},
    )
    return objection


@transaction.atomic
def rule_objection(*, actor: User, objection: Objection, uphold: bool, reply: str) -> Objection:
    """The 文明实践中心 rules on an escalated objection; its ruling is final."""
    objection = (
        Objection.objects.select_for_update().select_related("hours__unit").get(pk=objection.pk)
    )
    if not has_perm(actor, "volunteer.centre", objection.hours.unit):
        raise PermissionDenied(_("只有文明实践中心可以复核异议。"))
    if objection.status != Objection.Status.ESCALATED:
        raise ValidationError({"reply": _("这项异议不在复核中。")})
    if not (reply or "").strip():
        raise ValidationError({"reply": _("请填写复核意见。")})
    return _decide(
        objection,
        actor=actor,
        uphold=uphold,
        reply=reply.strip(),
        reply_field="centre_reply",
        verb="rule",
        title=_("异议复核结果：%(title)s"),
    )
