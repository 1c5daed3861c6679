"""点单-派单-接单-评单: a resident orders a service (on the public page, or a community worker
enters it), the 文明实践中心 reviews it, dispatches it to a team as a task of the team's unit on
the chain, the team's leader or the unit's liaison accepts (signs and takes it on) or hands it
back, publishes an activity for it and closes it with that activity as evidence (the completion report the centre verifies);
the resident rates it with the order code. The resident's name and phone are encrypted and are
never shown back on the public pages."""

import datetime
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, TaskState
from luoshi.lib.dates import past_error
from luoshi.org.access import has_perm, require_perm
from luoshi.org.models import Membership

from ..access import can_handle_order, is_centre
from ..models import ServiceActivity, ServiceOrder, Team
from .volunteers import MOBILE

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_order_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not ServiceOrder.objects.filter(code=code).exists():
            return code
    raise RuntimeError("no free order code")


def _record_move(actor, order: ServiceOrder, before: str, verb: str, note: str = "") -> None:
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=order,
        verb=verb,
        changes={"status": [before, order.status]},
        note=note,
    )


def _require_status(order: ServiceOrder, *allowed: str) -> None:
    if order.status not in allowed:
        raise ValidationError(
            {
                "status": _("点单当前为“%(s)s”，不能进行此项操作。")
                % {"s": order.get_status_display()}
            }
        )


def _lock(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def place_order(
    *,
    actor: User | None,
    name: str,
    phone: str,
    community: str,
    need: str,
    preferred_time: str = "",
) -> ServiceOrder:
    """点单: a resident (actor None, from the public page) or a worker entering it for them."""
    name, phone = (name or "").strip(), re.sub(r"\s+", "", phone or "")
    community, need = (community or "").strip(), (need or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写联系人。")
    if not MOBILE.match(phone):
        errors["phone"] = _("请填写 11 位手机号码。")
    if not community:
        errors["community"] = _("请填写所在社区或村。")
    if len(need) < 5:
        errors["need"] = _("请具体说明需要什么服务（至少 5 个字）。")
    if errors:
        raise ValidationError(errors)
    order = ServiceOrder.objects.create(
        code=new_order_code(),
        name=name[:50],
        phone=phone,
        community=community[:100],
        need=need[:2000],
        preferred_time=(preferred_time or "").strip()[:100],
        entered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record(
        actor=order.entered_by,
        action=AuditEvent.Action.CREATE,
        obj=order,
        changes={"community": [None, order.community], "status": [None, order.status]},
        note=_("群众点单（联系人信息加密保存）"),
    )
    return order


@transaction.atomic
def review_order(
    *, actor: User, order: ServiceOrder, accept: bool, category: str = "", reason: str = ""
) -> ServiceOrder:
    """The centre accepts the order with a category, or declines it with a reason the resident
    sees with the order code."""
    if not is_centre(actor):
        raise PermissionDenied(_("只有文明实践中心可以审核点单。"))
    order = _lock(order)
    _require_status(order, ServiceOrder.Status.SUBMITTED)
    if accept and not (category or "").strip():
        raise ValidationError({"category": _("受理时请选择或填写服务类别。")})
    if not accept and not (reason or "").strip():
        raise ValidationError({"reason": _("不予受理须说明理由（群众凭点单编号可以看到）。")})
    before = order.status
    order.status = ServiceOrder.Status.ACCEPTED if accept else ServiceOrder.Status.DECLINED
    order.category = (category or "").strip()[:50]
    order.decline_reason = "" if accept else reason.strip()[:300]
    order.reviewed_by, order.reviewed_at = actor, timezone.now()
    order.save()
    _record_move(actor, order, before, "review", order.decline_reason)
    return order


@transaction.atomic
def dispatch_order(
    *,
    actor: User,
    order: ServiceOrder,
    team: Team,
    campaign: Campaign,
    deadline: datetime.date | None,
) -> ServiceOrder:
    """派单: a task of the centre's campaign issued to the team's unit, with a deadline. A
    handed-back order is dispatched again: its earlier task is withdrawn first."""
    if not is_centre(actor):
        raise PermissionDenied(_("只有文明实践中心可以派单。"))
    require_perm(actor, "task.issue", campaign.office_unit)
    order = _lock(order)
    _require_status(order, ServiceOrder.Status.ACCEPTED)
    errors: dict[str, str] = {}
    if not team.is_active:
        errors["team"] = _("请选择启用中的志愿服务队。")
    if deadline is None:
        errors["deadline"] = _("请填写不早于今天的办理时限。")
    elif message := past_error(deadline, label=_("办理时限")):
        errors["deadline"] = message
    if errors:
        raise ValidationError(errors)
    assert deadline is not None
    if order.task is not None and order.task.state != TaskState.WITHDRAWN:
        chain.withdraw_task(
            actor=actor,
            task=order.task,
            reason=_("点单退回重新派单：%(r)s") % {"r": order.handback_reason or "—"},
        )
    plan = chain.create_task(
        actor=actor,
        campaign=campaign,
        title=_("群众点单 %(code)s：%(category)s")
        % {"code": order.code, "category": order.category},
        description=_("%(community)s：%(need)s（期望时间：%(time)s）")
        % {"community": order.community, "need": order.need, "time": order.preferred_time or "—"},
        expected_evidence=_("为该点单开展的志愿服务活动记录。"),
        deadline=deadline,
    )
    (task,) = chain.issue_task(
        actor=actor, task=plan, units=[team.unit], note=_("派单给%(team)s") % {"team": team.name}
    )
    before = order.status
    order.status, order.team, order.task, order.deadline = (
        ServiceOrder.Status.DISPATCHED,
        team,
        task,
        deadline,
    )
    order.dispatched_at, order.handback_reason = timezone.now(), ""
    order.save()
    _record_move(actor, order, before, "dispatch", team.name)
    return order


def _require_team_side(actor: User, order: ServiceOrder) -> None:
    if not can_handle_order(actor, order):
        raise PermissionDenied(_("只有承接队伍的队长或所属单位的联络员可以办理该点单。"))


@transaction.atomic
def take_order(*, actor: User, order: ServiceOrder) -> ServiceOrder:
    """接单: the team (a leader) or its unit (the liaison) signs the task and takes it on, the
    taker as its owner — who must be one of the unit's people (the chain's rule for owners)."""
    order = _lock(order)
    _require_team_side(actor, order)
    _require_status(order, ServiceOrder.Status.DISPATCHED)
    assert order.task is not None
    if not Membership.objects.filter(person=actor, unit=order.task.unit).exists():
        raise ValidationError(
            {
                "status": _(
                    "接单人将作为派单任务的责任人，须是%(unit)s的人员；请由该单位的人员接单。"
                )
                % {"unit": order.task.unit}
            }
        )
    chain.sign_task(actor=actor, task=order.task, note=_("接单"))
    chain.assign_task(actor=actor, task=order.task, owner=actor, note=_("接单"))
    before = order.status
    order.status, order.taken_at = ServiceOrder.Status.TAKEN, timezone.now()
    order.save(update_fields=["status", "taken_at"])
    _record_move(actor, order, before, "take")
    return order


@transaction.atomic
def hand_back_order(*, actor: User, order: ServiceOrder, reason: str) -> ServiceOrder:
    """The team's unit hands the order back to the centre with a reason; the centre
    dispatches it again."""
    order = _lock(order)
    _require_team_side(actor, order)
    _require_status(order, ServiceOrder.Status.DISPATCHED)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("退回须说明理由。")})
    before = order.status
    order.status, order.handback_reason = ServiceOrder.Status.ACCEPTED, reason.strip()[:300]
    order.save(update_fields=["status", "handback_reason"])
    _record_move(actor, order, before, "hand_back", order.handback_reason)
    return order


@transaction.atomic
def close_order(*, actor: User, order: ServiceOrder, service: ServiceActivity) -> ServiceOrder:
    """The unit closes the order with the activity it held for it: the task's completion report
    with the activity as evidence, for the centre to verify."""
    order = _lock(order)
    _require_team_side(actor, order)
    _require_status(order, ServiceOrder.Status.TAKEN)
    if service.order_id != order.pk or service.activity.deleted_at is not None:
        raise ValidationError({"service": _("请选择为该点单开展的志愿服务活动。")})
    assert order.task is not None
    chain.report_progress(
        actor=actor,
        task=order.task,
        percent=100,
        text=_("已开展志愿服务活动“%(title)s”（%(date)s）。")
        % {
            "title": service.activity.title,
            "date": timezone.localtime(service.activity.starts_at).strftime("%Y-%m-%d"),
        },
        complete=True,
    )
    before = order.status
    order.status, order.closed_at = ServiceOrder.Status.CLOSED, timezone.now()
    order.save(update_fields=["status", "closed_at"])
    _record_move(actor, order, before, "close", service.activity.title)
    return order


@transaction.atomic
def rate_order(*, code: str, rating: int | None, comment: str = "") -> ServiceOrder:
    """评单: the resident rates a closed order with its code (1–5), once."""
    order = (
        ServiceOrder.objects.select_for_update().filter(code=(code or "").strip().upper()).first()
    )
    if order is None:
        raise ValidationError({"code": _("没有找到该点单编号。")})
    if order.status != ServiceOrder.Status.CLOSED:
        raise ValidationError({"rating": _("点单办结后才能评价。")})
    if order.rating is not None:
        raise ValidationError({"rating": _("该点单已评价。")})
    if rating is None or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("请选择 1 至 5 分。")})
    order.rating, order.rating_comment = rating, (comment or "").strip()[:300]
    order.rated_at = timezone.now()
    order.save(update_fields=["rating", "rating_comment", "rated_at"])
    record(
        actor=None,
        action=AuditEvent.Action.UPDATE,
        obj=order,
        verb="rate",
        changes={"rating": [None, rating]},
        note=order.rating_comment,
    )
    return order


def may_dispatch(user) -> bool:
    return is_centre(user) and has_perm(user, "task.issue")
