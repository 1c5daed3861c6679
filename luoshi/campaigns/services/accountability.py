"""问责: accountability actions on a task, and the kinds of action the office configures."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import Notification, User
from luoshi.accounts.services import notify
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.files.services import store_upload
from luoshi.org.access import require_perm
from luoshi.org.models import Unit

from ..models import AccountabilityAction, AccountabilityKind, Task, TaskEvent
from ._moves import IllegalMove, leaders_of, lock_task, require_reason, task_url, write_event
from .assess import score_of


@transaction.atomic
def record_accountability(
    *,
    actor: User,
    task: Task,
    kind: AccountabilityKind,
    reason: str,
    unit: Unit | None = None,
    person: User | None = None,
    document_number: str = "",
    document: UploadedFile | None = None,
) -> AccountabilityAction:
    """问责: an accountability action on a red or returned task, against its unit and/or a person."""
    lock_task(task)
    require_perm(actor, "task.hold_accountable", task.unit)
    if task.unit is None:  # a plan
        raise IllegalMove(_("问责须针对具体责任单位的任务。"))
    if task.warning != "red" and not task.returned_count:
        raise IllegalMove(_("只有红色预警或被退回过的任务可以问责。"))
    require_reason(reason)
    if unit is None and person is None:
        raise ValidationError({"unit": _("请指定被问责的单位或人员。")})
    if not kind.is_active:
        raise ValidationError({"kind": _("该问责方式已停用。")})
    action = AccountabilityAction.objects.create(
        task=task,
        kind=kind,
        unit=unit,
        person=person,
        reason=reason.strip(),
        document_number=document_number,
        recorded_by=actor,
    )
    if document is not None:
        store_upload(actor=actor, upload=document, owner=action)
    record_created(actor=actor, obj=action)
    write_event(
        task,
        actor=actor,
        action=TaskEvent.Action.ACCOUNTABILITY,
        from_state=task.state,
        note=action.reason,
        kind=kind.name,
        unit=str(unit or ""),
        person=str(person or ""),
        document_number=document_number,
    )
    if task.score is not None:
        task.score = score_of(task)
        task.save(update_fields=["score"])
    notify(
        recipients=[person, *leaders_of(task.unit)] if person else leaders_of(task.unit),
        title=_("问责：%(kind)s（%(title)s）") % {"kind": kind.name, "title": task.title},
        body=action.reason,
        url=task_url(task),
        level=Notification.Level.RED,
        task=task,
    )
    return action


# --- 问责方式 (accountability kinds) -----------------------------------------------------------------

ACCOUNTABILITY_KIND_FIELDS = ("name", "severity", "score_deduction", "is_active")


def _deduction(value: Any) -> Decimal:
    """A deduction as the one-decimal Decimal the database holds, so "3" and "3.0" compare equal."""
    amount = Decimal(str(value))
    if amount.is_finite() and abs(amount) < 1000:
        return amount.quantize(Decimal("0.1"))
    return amount


def _check_accountability_kind(kind: AccountabilityKind) -> None:
    """A kind's name is given and unique, its severity 1–99 and its deduction 0–100."""
    errors: dict[str, str] = {}
    if not kind.name:
        errors["name"] = _("请填写问责方式名称。")
    elif len(kind.name) > 50:
        errors["name"] = _("名称不能超过 50 个字。")
    elif AccountabilityKind.objects.filter(name=kind.name).exclude(pk=kind.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的问责方式。") % {"name": kind.name}
    if not 1 <= kind.severity <= 99:
        errors["severity"] = _("严重程度须在 1 到 99 之间。")
    deduction = Decimal(kind.score_deduction)
    if not (deduction.is_finite() and Decimal(0) <= deduction <= Decimal(100)):
        errors["score_deduction"] = _("扣分须在 0 到 100 之间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_accountability_kind(
    *,
    actor: User,
    name: str,
    severity: int = 1,
    score_deduction: Decimal = Decimal(0),
    is_active: bool = True,
) -> AccountabilityKind:
    """The office configures another kind of accountability action (besides 提醒谈话, 约谈, …)."""
    require_perm(actor, "campaign.manage")
    kind = AccountabilityKind(
        name=(name or "").strip(),
        severity=severity,
        score_deduction=_deduction(score_deduction),
        is_active=is_active,
    )
    _check_accountability_kind(kind)
    kind.save()
    record_created(actor=actor, obj=kind)
    return kind


@transaction.atomic
def update_accountability_kind(
    *, actor: User, kind: AccountabilityKind, **values: Any
) -> AccountabilityKind:
    """Rename, re-grade or (de)activate a kind. Kinds are never deleted: records refer to them,
    and an inactive kind is simply no longer offered when accountability is recorded."""
    require_perm(actor, "campaign.manage")
    unknown = set(values) - set(ACCOUNTABILITY_KIND_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    if "score_deduction" in values:
        values["score_deduction"] = _deduction(values["score_deduction"])
    fields = list(values)
    before = snapshot(kind, fields)
    for key, value in values.items():
        setattr(kind, key, value)
    _check_accountability_kind(kind)
    changes = diff(before, snapshot(kind, fields))
    if changes:
        kind.save(update_fields=fields)
        verb = ""
        if set(changes) == {"is_active"}:
            verb = "activate" if kind.is_active else "deactivate"
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=kind, verb=verb, changes=changes)
    return kind
