"""Indicators of the library: created and changed by the office, checked against their source and rule."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created

from .. import rules
from ..access import can_manage
from ..models import (
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    Rule,
)
from ..sources import PARAM_PER_HEAD, get_source

# --- Indicators -----------------------------------------------------------------------------------

INDICATOR_FIELDS = [
    "name",
    "description",
    "kind",
    "level",
    "source",
    "params",
    "rule",
    "target",
    "tiers",
    "per_item",
    "cap",
    "is_active",
]


def _check_indicator(indicator: Indicator) -> None:
    errors: dict[str, str] = {}
    indicator.name = (indicator.name or "").strip()
    if not indicator.name:
        errors["name"] = _("请填写指标名称。")
    elif Indicator.objects.filter(name=indicator.name).exclude(pk=indicator.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的指标。") % {"name": indicator.name}
    source = get_source(indicator.source)
    if source is None:
        errors["source"] = _("没有这个数据来源：%(key)s。") % {"key": indicator.source}
    elif source.manual and indicator.rule != Rule.MANUAL:
        errors["rule"] = _("考核组评分的指标，计分规则须为“考核组评分”。")
    elif not source.manual and indicator.rule == Rule.MANUAL:
        errors["rule"] = _("从记录计算的指标不能由考核组评分；请选“考核组评分”数据来源。")
    unknown = set(indicator.params or {}) - set(source.params if source else ())
    if unknown and source is not None:
        errors["params"] = _("数据来源“%(source)s”不使用这些参数：%(names)s。") % {
            "source": source.label,
            "names": "、".join(sorted(unknown)),
        }
    if indicator.level == IndicatorLevel.PERSON and source is not None:
        if source.people is None or source.manual:
            errors["level"] = _("数据来源“%(source)s”不能按个人计算。") % {"source": source.label}
        elif indicator.kind != IndicatorKind.SCORE:
            errors["level"] = _("个人指标只能是计分指标，不设扣分项、加分项。")
        elif (indicator.params or {}).get(PARAM_PER_HEAD):
            errors["params"] = _("个人指标按本人的记录计算，不按人均计算。")
    for name, message in rules.check_rule(indicator).items():
        errors.setdefault(name, message)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_indicator(*, actor: User, **fields: Any) -> Indicator:
    if not can_manage(actor):
        raise PermissionDenied(_("只有行动办可以维护考核指标。"))
    indicator = Indicator(created_by=actor, **fields)
    _check_indicator(indicator)
    indicator.save()
    record_created(actor=actor, obj=indicator, verb="create_indicator")
    return indicator


@transaction.atomic
def update_indicator(*, actor: User, indicator: Indicator, **fields: Any) -> Indicator:
    if not can_manage(actor):
        raise PermissionDenied(_("只有行动办可以维护考核指标。"))
    from luoshi.audit.services import diff, snapshot

    before = snapshot(indicator, INDICATOR_FIELDS)
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS:
            raise ValidationError(_("未知的指标字段：%(name)s") % {"name": name})
        setattr(indicator, name, value)
    _check_indicator(indicator)
    indicator.save()
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=indicator,
        verb="update_indicator",
        changes=diff(before, snapshot(indicator, INDICATOR_FIELDS)),
    )
    return indicator
