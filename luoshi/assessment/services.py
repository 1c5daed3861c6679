"""Writing assessments: indicators, plans (with weights that sum to 100), score runs computed in
the background and frozen, manual scores and adjustments (reason and evidence), and the workflow
自评 → 审核 → 公示 → 申诉/答复 → 定档 → 发布.

Every write takes the acting person, checks the permission, validates before saving anything,
and writes the audit log in the same transaction.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.campaigns.models import Campaign
from luoshi.files.services import store_upload
from luoshi.lib.errors import Conflict
from luoshi.org.access import has_perm, require_perm
from luoshi.org.models import Unit

from . import rules, selectors
from .access import MANAGE, SELF, can_manage
from .models import (
    STAGE_ORDER,
    Adjustment,
    Appeal,
    Grade,
    Indicator,
    IndicatorKind,
    ItemScore,
    PeriodKind,
    Plan,
    PlanItem,
    Rule,
    ScoreRun,
    Stage,
    UnitCategory,
    UnitScore,
)
from .sources import Context, Figure, get_source

logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)


class WrongStage(Conflict):
    """A move the plan's current stage does not allow."""

    code_name = "wrong_stage"


def _require_stage(plan: Plan, *stages: str) -> None:
    if plan.stage not in stages:
        names = "、".join(str(Stage(stage).label) for stage in stages)
        raise WrongStage(
            _("考核方案当前处于“%(now)s”阶段，此操作只能在“%(allowed)s”阶段进行。")
            % {"now": plan.get_stage_display(), "allowed": names}
        )


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update().select_related("campaign__office_unit").get(pk=plan.pk)


# --- Indicators -----------------------------------------------------------------------------------

INDICATOR_FIELDS = [
    "name",
    "description",
    "kind",
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
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.DRAFT)
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
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.DRAFT)
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
    total = sum((weight for _i, weight in rows), Decimal(0))
    if total != HUNDRED:
        raise ValidationError(
            {
                "items": _("“%(category)s”类计分指标的权重合计为 %(total)s 分，应为 100 分。")
                % {"category": category.name, "total": rules._n(total)}
            }
        )
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
        total = sum(
            (i.weight for i in category.items.all() if i.indicator.kind == IndicatorKind.SCORE),
            Decimal(0),
        )
        if total != HUNDRED:
            problems.append(
                _("“%(c)s”类计分指标的权重合计为 %(t)s 分，应为 100 分。")
                % {"c": category.name, "t": rules._n(total)}
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


# --- Score runs -----------------------------------------------------------------------------------


@transaction.atomic
def start_run(*, actor: User, plan: Plan) -> ScoreRun:
    """Queue a computation of the plan at its cut-off (the job computes it and shows progress).
    Only while the plan is being drawn up: once units self-assess, the run is frozen."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.DRAFT)
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(problems)
    if plan.runs.filter(status__in=[ScoreRun.Status.QUEUED, ScoreRun.Status.RUNNING]).exists():
        raise Conflict(_("该方案正在计分，请等待本次计算完成。"))
    total = sum(c.units.count() for c in plan.categories.all())
    run = ScoreRun.objects.create(plan=plan, cutoff=plan.cutoff, total=total, requested_by=actor)
    record_created(actor=actor, obj=run, verb="start_run")
    from .tasks import compute_scores

    transaction.on_commit(lambda: compute_scores.enqueue(run.pk))
    return run


def _context(plan: Plan, cutoff: datetime.date) -> Context:
    return Context(
        campaign_id=plan.campaign_id, start=plan.period_start, end=plan.period_end, cutoff=cutoff
    )


def _figure(ctx: Context, unit: Unit, indicator: Indicator) -> Figure:
    source = get_source(indicator.source)
    if source is None:
        return Figure(None, _("数据来源已不存在：%(key)s") % {"key": indicator.source})
    if source.learning and not selectors.learning_basis(unit).enabled:
        return Figure(None, _("学习平台数据未设为该单位的考评依据"))
    return source.compute(ctx, unit, indicator.params or {})


def compute_run(*, run_id: int) -> ScoreRun:
    """Compute every unit's figures (reading, with progress), then store the run in one write.

    Called by the background job; the figures are read as at the run's cut-off and stored with
    their records, so the run renders the same whatever the records do afterwards."""
    run = ScoreRun.objects.select_related("plan").get(pk=run_id)
    if run.status == ScoreRun.Status.DONE:
        return run
    ScoreRun.objects.filter(pk=run.pk).update(status=ScoreRun.Status.RUNNING, done=0, error="")
    plan = run.plan
    ctx = _context(plan, run.cutoff)
    categories = list(
        plan.categories.prefetch_related("items__indicator", "units").order_by("sort_order", "id")
    )
    try:
        figures: dict[tuple[int, int], Figure] = {}
        done = 0
        for category in categories:
            for unit in category.units.all():
                for item in category.items.all():
                    figures[(unit.pk, item.pk)] = _figure(ctx, unit, item.indicator)
                done += 1
                ScoreRun.objects.filter(pk=run.pk).update(done=done)
        _store_run(run, categories, figures)
    except Exception as exc:
        logger.exception("score run %s failed", run.pk)
        ScoreRun.objects.filter(pk=run.pk).update(
            status=ScoreRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store_run(run: ScoreRun, categories: list[UnitCategory], figures) -> None:
    for category in categories:
        units = list(category.units.all())
        items = list(category.items.all())
        best = {
            item.pk: max(
                (
                    figures[(u.pk, item.pk)].value
                    for u in units
                    if figures[(u.pk, item.pk)].value is not None
                ),
                default=None,
            )
            for item in items
        }
        for unit in units:
            unit_score = UnitScore.objects.create(
                run=run,
                unit=unit,
                category=category,
                unit_name=unit.name,
                computed_total=0,
                total=0,
            )
            rows = []
            for position, item in enumerate(items):
                figure = figures[(unit.pk, item.pk)]
                indicator = item.indicator
                source = get_source(indicator.source)
                points = rules.score(indicator, item.weight, figure.value, best[item.pk])
                rows.append(
                    ItemScore(
                        unit_score=unit_score,
                        plan_item=item,
                        indicator_name=indicator.name,
                        kind=indicator.kind,
                        weight=item.weight,
                        value=figure.value,
                        value_text=figure.text[:300],
                        formula=rules.formula(
                            indicator, item.weight, str(source.unit_label) if source else ""
                        ),
                        computed=points,
                        score=points,
                        records=figure.records,
                        record_count=figure.record_count,
                        sort_order=position,
                    )
                )
            ItemScore.objects.bulk_create(rows)
            total = _total(rows)
            unit_score.computed_total = unit_score.total = total
            unit_score.save(update_fields=["computed_total", "total"])
    _rank(run)
    ScoreRun.objects.filter(pk=run.pk).update(
        status=ScoreRun.Status.DONE, finished_at=timezone.now()
    )


def _total(items: Sequence[ItemScore]) -> Decimal:
    total = sum((item.signed_score for item in items), Decimal(0))
    return rules.points(max(total, Decimal(0)))


def _rank(run: ScoreRun) -> None:
    """Rank within each category, ties sharing a place (1, 2, 2, 4)."""
    by_category: dict[int, list[UnitScore]] = defaultdict(list)
    for unit_score in run.unit_scores.order_by("-total", "unit__path"):
        by_category[unit_score.category_id].append(unit_score)
    changed = []
    for scores in by_category.values():
        for position, unit_score in enumerate(scores, start=1):
            if position > 1 and scores[position - 2].total == unit_score.total:
                unit_score.rank = scores[position - 2].rank
            else:
                unit_score.rank = position
            changed.append(unit_score)
    UnitScore.objects.bulk_update(changed, ["rank"])


def _retotal(unit_score: UnitScore) -> None:
    unit_score.total = _total(list(unit_score.items.all()))
    unit_score.save(update_fields=["total"])
    _rank(unit_score.run)


# --- Manual scores and adjustments ----------------------------------------------------------------


def _store_evidence(actor: User, owner, evidence: Sequence[UploadedFile]) -> list[str]:
    return [
        store_upload(actor=actor, upload=upload, owner=owner).original_name for upload in evidence
    ]


def _new_score(item: ItemScore, raw: Any) -> Decimal:
    try:
        value = rules.points(Decimal(str(raw)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"score": _("分值“%(v)s”不是数字。") % {"v": raw}}) from exc
    most = item.weight if item.kind == IndicatorKind.SCORE else item.plan_item.indicator.cap
    most = most or Decimal(0)
    if not Decimal(0) <= value <= most:
        raise ValidationError(
            {
                "score": _("“%(name)s”的得分应在 0～%(most)s 分之间。")
                % {"name": item.indicator_name, "most": rules._n(most)}
            }
        )
    return value


@transaction.atomic
def adjust_item(
    *,
    actor: User,
    item: ItemScore,
    score: Any,
    reason: str,
    evidence: Sequence[UploadedFile] = (),
    step: str = Adjustment.Step.REVIEW,
) -> Adjustment:
    """Score a manual item, or change a computed score: only with a reason and evidence,
    shown beside the score and audited. Until 公示 ends (answers to appeals included)."""
    plan = item.unit_score.run.plan
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.DRAFT, Stage.SELF, Stage.REVIEW, Stage.PUBLICITY)
    if plan.stage == Stage.PUBLICITY and step != Adjustment.Step.APPEAL:
        raise WrongStage(_("公示期间只能在答复申诉时调整得分。"))
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("请填写评分或调整的理由。")
    if not evidence:
        errors["evidence"] = _("请上传佐证材料。")
    if errors:
        raise ValidationError(errors)
    item = (
        ItemScore.objects.select_for_update().select_related("plan_item__indicator").get(pk=item.pk)
    )
    new = _new_score(item, score)
    if item.computed is None and step == Adjustment.Step.REVIEW:
        step = Adjustment.Step.MANUAL
    adjustment = Adjustment.objects.create(
        item=item, step=step, old_score=item.score, new_score=new, reason=reason, actor=actor
    )
    names = _store_evidence(actor, adjustment, evidence)
    old = item.score
    item.score = new
    item.save(update_fields=["score"])
    _retotal(item.unit_score)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=item,
        verb="adjust_item",
        changes={"score": [str(old) if old is not None else None, str(new)]},
        note=_("理由：%(reason)s；佐证：%(files)s") % {"reason": reason, "files": "、".join(names)},
    )
    return adjustment


# --- The workflow ---------------------------------------------------------------------------------


def _move(actor: User, plan: Plan, to: str, note: str = "") -> Plan:
    before = plan.stage
    plan.stage = to
    fields = ["stage"]
    if to == Stage.PUBLICITY:
        plan.publicity_until = timezone.localdate() + datetime.timedelta(days=plan.publicity_days)
        fields.append("publicity_until")
    if to == Stage.PUBLISHED:
        plan.published_at = timezone.now()
        fields.append("published_at")
    plan.save(update_fields=fields)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=plan,
        verb=f"plan_{to}",
        changes={"stage": [before, to]},
        note=note,
    )
    return plan


@transaction.atomic
def open_self_assessment(*, actor: User, plan: Plan) -> Plan:
    """Freeze the latest run and let the units self-assess (编制 → 自评)."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.DRAFT)
    if selectors.current_run(plan) is None:
        raise Conflict(_("请先计算得分，再组织单位自评。"))
    if plan.runs.filter(status__in=[ScoreRun.Status.QUEUED, ScoreRun.Status.RUNNING]).exists():
        raise Conflict(_("该方案正在计分，请等待本次计算完成。"))
    return _move(actor, plan, Stage.SELF)


@transaction.atomic
def submit_self_assessment(
    *,
    actor: User,
    unit_score: UnitScore,
    note: str,
    evidence: Sequence[UploadedFile] = (),
) -> UnitScore:
    """The unit's 自评: its notes on the scores, with evidence for the manual items."""
    require_perm(actor, SELF, unit_score.unit)
    plan = _locked_plan(unit_score.run.plan)
    _require_stage(plan, Stage.SELF)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写自评说明。")})
    unit_score = UnitScore.objects.select_for_update().get(pk=unit_score.pk)
    unit_score.self_note = note
    unit_score.self_submitted_by = actor
    unit_score.self_submitted_at = timezone.now()
    unit_score.save(update_fields=["self_note", "self_submitted_by", "self_submitted_at"])
    names = _store_evidence(actor, unit_score, evidence)
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=unit_score,
        verb="self_assess",
        note=_("自评说明：%(note)s；佐证：%(files)s")
        % {"note": note, "files": "、".join(names) or "—"},
    )
    return unit_score


@transaction.atomic
def start_review(*, actor: User, plan: Plan) -> Plan:
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.SELF)
    return _move(actor, plan, Stage.REVIEW)


@transaction.atomic
def review_unit(*, actor: User, unit_score: UnitScore, note: str) -> UnitScore:
    """The office's 审核 of one unit (score changes go through `adjust_item`)."""
    plan = unit_score.run.plan
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.REVIEW)
    unit_score = UnitScore.objects.select_for_update().get(pk=unit_score.pk)
    unit_score.review_note = (note or "").strip()
    unit_score.reviewed_by = actor
    unit_score.reviewed_at = timezone.now()
    unit_score.save(update_fields=["review_note", "reviewed_by", "reviewed_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.TRANSITION,
        obj=unit_score,
        verb="review_unit",
        note=unit_score.review_note,
    )
    return unit_score


@transaction.atomic
def start_publicity(*, actor: User, plan: Plan) -> Plan:
    """公示: every manual item must be scored; the list is public for `publicity_days`."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.REVIEW)
    run = selectors.current_run(plan)
    assert run is not None
    unscored = list(
        ItemScore.objects.filter(unit_score__run=run, score__isnull=True)
        .select_related("unit_score")
        .order_by("unit_score__unit_name")[:10]
    )
    if unscored:
        raise Conflict(
            _("以下考核组评分项尚未评分：%(items)s。")
            % {"items": "、".join(f"{i.unit_score.unit_name}·{i.indicator_name}" for i in unscored)}
        )
    return _move(actor, plan, Stage.PUBLICITY)


@transaction.atomic
def file_appeal(*, actor: User, unit_score: UnitScore, reason: str) -> Appeal:
    """申诉: during 公示, the unit's liaison objects with a reason."""
    require_perm(actor, SELF, unit_score.unit)
    plan = _locked_plan(unit_score.run.plan)
    _require_stage(plan, Stage.PUBLICITY)
    if plan.publicity_until and timezone.localdate() > plan.publicity_until:
        raise Conflict(
            _("公示期已于 %(day)s 结束，不能再提出申诉。") % {"day": plan.publicity_until}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写申诉理由。")})
    appeal = Appeal.objects.create(unit_score=unit_score, reason=reason, filed_by=actor)
    record_created(actor=actor, obj=appeal, verb="file_appeal")
    return appeal


@transaction.atomic
def answer_appeal(
    *,
    actor: User,
    appeal: Appeal,
    answer: str,
    item: ItemScore | None = None,
    score: Any = None,
    evidence: Sequence[UploadedFile] = (),
) -> Appeal:
    """答复: the office answers; with `item` and `score`, the score changes (reason: the answer)."""
    plan = appeal.unit_score.run.plan
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    _require_stage(_locked_plan(plan), Stage.PUBLICITY)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.answered_at is not None:
        raise Conflict(_("该申诉已答复。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复意见。")})
    if item is not None:
        if item.unit_score_id != appeal.unit_score_id:
            raise ValidationError({"item": _("只能调整申诉单位的得分。")})
        adjust_item(
            actor=actor,
            item=item,
            score=score,
            reason=answer,
            evidence=evidence,
            step=Adjustment.Step.APPEAL,
        )
    appeal.answer = answer
    appeal.answered_by = actor
    appeal.answered_at = timezone.now()
    appeal.save(update_fields=["answer", "answered_by", "answered_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=appeal,
        verb="answer_appeal",
        note=answer,
    )
    return appeal


def default_grade(plan: Plan, unit_score: UnitScore, excellent_slots: int) -> str:
    if unit_score.rank <= excellent_slots and unit_score.total >= plan.good_line:
        return Grade.EXCELLENT
    if unit_score.total >= plan.good_line:
        return Grade.GOOD
    if unit_score.total >= plan.fair_line:
        return Grade.FAIR
    return Grade.POOR


def excellent_slots(plan: Plan, size: int) -> int:
    """优秀 places of a category of `size` units under the plan's quota (rounded down)."""
    return size * plan.excellent_quota // 100


@transaction.atomic
def grade_plan(*, actor: User, plan: Plan) -> Plan:
    """定档: after 公示 (every appeal answered), grade each unit: 优秀 for the best within the
    quota and at least the 良好 line, then 良好 / 一般 / 较差 by the plan's lines."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.PUBLICITY)
    if plan.publicity_until and timezone.localdate() <= plan.publicity_until:
        raise Conflict(_("公示期至 %(day)s，期满后方可定档。") % {"day": plan.publicity_until})
    run = selectors.current_run(plan)
    assert run is not None
    open_appeals = Appeal.objects.filter(unit_score__run=run, answered_at__isnull=True).count()
    if open_appeals:
        raise Conflict(_("还有 %(n)d 件申诉未答复。") % {"n": open_appeals})
    scores = list(run.unit_scores.all())
    sizes: dict[int, int] = defaultdict(int)
    for unit_score in scores:
        sizes[unit_score.category_id] += 1
    for unit_score in scores:
        unit_score.grade = default_grade(
            plan, unit_score, excellent_slots(plan, sizes[unit_score.category_id])
        )
    UnitScore.objects.bulk_update(scores, ["grade"])
    return _move(actor, plan, Stage.GRADING)


@transaction.atomic
def set_grade(*, actor: User, unit_score: UnitScore, grade: str, reason: str) -> UnitScore:
    """Change one unit's grade (with a reason), within the 优秀 quota of its category."""
    plan = unit_score.run.plan
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.GRADING)
    if grade not in Grade.values:
        raise ValidationError({"grade": _("请选择等次。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整等次的理由。")})
    peers = UnitScore.objects.filter(run=unit_score.run, category=unit_score.category)
    if grade == Grade.EXCELLENT:
        slots = excellent_slots(plan, peers.count())
        taken = peers.filter(grade=Grade.EXCELLENT).exclude(pk=unit_score.pk).count()
        if taken + 1 > slots:
            raise ValidationError(
                {
                    "grade": _(
                        "“%(category)s”类优秀名额为 %(slots)d 个（不超过 %(quota)d%%），已评 %(taken)d 个。"
                    )
                    % {
                        "category": unit_score.category.name,
                        "slots": slots,
                        "quota": plan.excellent_quota,
                        "taken": taken,
                    }
                }
            )
    before = unit_score.grade
    unit_score.grade = grade
    unit_score.save(update_fields=["grade"])
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=unit_score,
        verb="set_grade",
        changes={"grade": [before, grade]},
        note=reason,
    )
    return unit_score


@transaction.atomic
def publish_plan(*, actor: User, plan: Plan) -> Plan:
    """发布: the grades become the result; nothing of the run changes any more."""
    require_perm(actor, MANAGE, plan.campaign.office_unit)
    plan = _locked_plan(plan)
    _require_stage(plan, Stage.GRADING)
    return _move(actor, plan, Stage.PUBLISHED)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


def may_self_assess(user, unit_score: UnitScore) -> bool:
    return has_perm(user, SELF, unit_score.unit) and unit_score.run.plan.stage == Stage.SELF


def export_result_notice(*, actor: User, plan: Plan) -> bytes:
    """The result notice (Word) of a published plan the actor sees; the download is audited."""
    from .documents import result_notice_docx

    if plan.stage != Stage.PUBLISHED:
        raise WrongStage(_("考核结果发布后方可下载结果通报。"))
    run = selectors.current_run(plan)
    assert run is not None
    content = result_notice_docx(plan, run)
    record(actor=actor, action=AuditEvent.Action.DOWNLOAD, obj=plan, verb="download_result")
    return content
