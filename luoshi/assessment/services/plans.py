"""Plans (考核方案): the period, the categories of assessed units, the indicators and their weights (summing to 100), and the copy for the next period."""

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.campaigns.models import Campaign
from luoshi.org.access import require_perm
from luoshi.org.models import Unit

from .. import rules, selectors
from ..access import MANAGE
from ..models import (
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    PeriodKind,
    Plan,
    PlanItem,
    Stage,
    UnitCategory,
)
from ..sources import get_source
from ._moves import HUNDRED, _office_move

# --- Plans ----------------------------------------------------------------------------------------


def _check_period(
    kind: str, start: datetime.date, end: datetime.date, cutoff: datetime.date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in PeriodKind.values:
        errors["period_kind"] = _("请选择考核周期。")
    if end < start:
        errors["period_end"] = _("截止日期不能早于起始日期。")
    if cutoff < start:
        errors["cutoff"] = _("数据截止日期不能早于考核起始日期。")
    return errors


@transaction.atomic
def create_plan(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    period_kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    cutoff: datetime.date,
    publicity_days: int = 5,
    excellent_quota: int = 30,
) -> Plan:
    require_perm(actor, MANAGE, campaign.office_unit)
    errors = _check_period(period_kind, period_start, period_end, cutoff)
    if not (name or "").strip():
        errors["name"] = _("请填写方案名称。")
    if not 0 <= excellent_quota <= 100:
        errors["excellent_quota"] = _("优秀比例应在 0～100 之间。")
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(
        campaign=campaign,
        name=name.strip(),
        period_kind=period_kind,
        period_start=period_start,
        period_end=period_end,
        cutoff=cutoff,
        publicity_days=publicity_days,
        excellent_quota=excellent_quota,
        created_by=actor,
    )
    record_created(actor=actor, obj=plan, verb="create_plan")
    return plan


def _check_units(plan: Plan, category: UnitCategory | None, units: Sequence[Unit]) -> None:
    taken = (
        UnitCategory.units.through.objects.filter(
            unitcategory__plan=plan, unit_id__in=[u.pk for u in units]
        )
        .exclude(unitcategory=category)
        .select_related("unit", "unitcategory")
    )
    clashes = [f"{row.unit.name}（{row.unitcategory.name}）" for row in taken]
    if clashes:
        raise ValidationError(
            {
                "units": _("以下单位已在本方案的其他类别中：%(names)s。")
                % {"names": "、".join(clashes)}
            }
        )


@transaction.atomic
def save_category(
    *,
    actor: User,
    plan: Plan,
    name: str,
    units: Sequence[Unit],
    category: UnitCategory | None = None,
    sort_order: int = 0,
) -> UnitCategory:
    """Add or change a category of assessed units (部门, 乡镇, 企事业, 学校)."""
    plan = _office_move(actor, plan, Stage.DRAFT)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写类别名称。")})
    same_name = UnitCategory.objects.filter(plan=plan, name=name)
    if category is not None:
        same_name = same_name.exclude(pk=category.pk)
    if same_name.exists():
        raise ValidationError({"name": _("本方案已有“%(name)s”类别。") % {"name": name}})
    if not units:
        raise ValidationError({"units": _("请选择参评单位。")})
    _check_units(plan, category, units)
    created = category is None
    if category is None:
        category = UnitCategory.objects.create(plan=plan, name=name, sort_order=sort_order)
    else:
        category.name, category.sort_order = name, sort_order
        category.save(update_fields=["name", "sort_order"])
    category.units.set(units)
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        obj=category,
        verb="save_category",
        changes={"units": [None, [u.name for u in units]]},
    )
    return category


def _weight(value: Any, row: int) -> Decimal:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {"items": _("第 %(row)d 行：权重“%(value)s”不是数字。") % {"row": row, "value": value}}
        ) from exc
    if weight < 0 or weight > 100:
        raise ValidationError({"items": _("第 %(row)d 行：权重应在 0～100 之间。") % {"row": row}})
    return weight


@transaction.atomic
def set_items(
    *,
    actor: User,
    category: UnitCategory,
    items: Sequence[tuple[Indicator, Any]],
) -> list[PlanItem]:
    """Set a category's indicators and weights. The weights of the scoring indicators must sum to
    100; deductions and bonuses carry no weight (their caps bound them)."""
    plan = category.plan
    plan = _office_move(actor, plan, Stage.DRAFT)
    seen: set[int] = set()
    rows: list[tuple[Indicator, Decimal]] = []
    for row, (indicator, raw) in enumerate(items, start=1):
        if indicator.pk in seen:
            raise ValidationError(
                {
                    "items": _("第 %(row)d 行：指标“%(name)s”重复。")
                    % {"row": row, "name": indicator}
                }
            )
        seen.add(indicator.pk)
        weight = _weight(raw, row) if indicator.kind == IndicatorKind.SCORE else Decimal(0)
        if indicator.kind == IndicatorKind.SCORE and weight <= 0:
            raise ValidationError(
                {
                    "items": _("第 %(row)d 行：指标“%(name)s”的权重应大于 0。")
                    % {"row": row, "name": indicator}
                }
            )
        source = get_source(indicator.source)
        if source is not None and source.learning:
            basis = selectors.learning_basis(plan.campaign.office_unit)
            if not basis.enabled:
                raise ValidationError(
                    {
                        "items": _(
                            "第 %(row)d 行：学习平台数据默认不作为考评依据。如确需使用，请先在"
                            "“平台数据使用设置”中将“计入考核评分”设为“是”并填写理由。"
                        )
                        % {"row": row}
                    }
                )
        rows.append((indicator, weight))
    problems = _weight_problems(category.name, rows)
    if problems:
        raise ValidationError({"items": problems})
    category.items.all().delete()
    created = PlanItem.objects.bulk_create(
        PlanItem(category=category, indicator=indicator, weight=weight, sort_order=position)
        for position, (indicator, weight) in enumerate(rows)
    )
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=category,
        verb="set_items",
        changes={"items": [None, [f"{i.name}:{w}" for i, w in rows]]},
    )
    return created


def plan_problems(plan: Plan) -> list[str]:
    """What keeps a plan from being computed (no categories, a category without units or with
    weights that do not sum to 100)."""
    problems = []
    categories = list(plan.categories.prefetch_related("items__indicator", "units"))
    if not categories:
        problems.append(_("方案还没有参评单位类别。"))
    for category in categories:
        if not category.units.all():
            problems.append(_("“%(c)s”类没有参评单位。") % {"c": category.name})
        problems += _weight_problems(
            category.name, [(i.indicator, i.weight) for i in category.items.all()]
        )
    return problems


def _weight_problems(category: str, rows: Sequence[tuple[Indicator, Decimal]]) -> list[str]:
    """The unit's scoring weights must sum to 100; so must the person-level ones, if any."""
    unit = [
        w for i, w in rows if i.level != IndicatorLevel.PERSON and i.kind == IndicatorKind.SCORE
    ]
    person = [w for i, w in rows if i.level == IndicatorLevel.PERSON]
    problems = []
    total = sum(unit, Decimal(0))
    if total != HUNDRED:
        problems.append(
            _("“%(c)s”类计分指标的权重合计为 %(t)s 分，应为 100 分。")
            % {"c": category, "t": rules._n(total)}
        )
    total = sum(person, Decimal(0))
    if person and total != HUNDRED:
        problems.append(
            _("“%(c)s”类个人指标的权重合计为 %(t)s 分，应为 100 分。")
            % {"c": category, "t": rules._n(total)}
        )
    return problems


def _shift(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


PERIOD_MONTHS = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF: 6,
    PeriodKind.YEAR: 12,
}


@transaction.atomic
def copy_plan(
    *,
    actor: User,
    source: Plan,
    name: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    cutoff: datetime.date | None = None,
) -> Plan:
    """A new plan for the next period with the categories, units, indicators and weights of
    `source` (the period moves on by its own length unless given)."""
    require_perm(actor, MANAGE, source.campaign.office_unit)
    months = PERIOD_MONTHS[PeriodKind(source.period_kind)]
    start = period_start or source.period_end + datetime.timedelta(days=1)
    end = period_end or _shift(start, months) - datetime.timedelta(days=1)
    lag = source.cutoff - source.period_end
    plan = create_plan(
        actor=actor,
        campaign=source.campaign,
        name=name or _("%(name)s（复制）") % {"name": source.name},
        period_kind=source.period_kind,
        period_start=start,
        period_end=end,
        cutoff=cutoff or end + lag,
        publicity_days=source.publicity_days,
        excellent_quota=source.excellent_quota,
    )
    plan.good_line, plan.fair_line, plan.copied_from = source.good_line, source.fair_line, source
    plan.save(update_fields=["good_line", "fair_line", "copied_from"])
    for category in source.categories.prefetch_related("units", "items"):
        copy = UnitCategory.objects.create(
            plan=plan, name=category.name, sort_order=category.sort_order
        )
        copy.units.set(category.units.filter(deleted_at__isnull=True))
        PlanItem.objects.bulk_create(
            PlanItem(
                category=copy,
                indicator_id=item.indicator_id,
                weight=item.weight,
                sort_order=item.sort_order,
            )
            for item in category.items.all()
        )
    record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=plan,
        verb="copy_plan",
        note=_("复制自“%(name)s”") % {"name": source.name},
    )
    return plan
