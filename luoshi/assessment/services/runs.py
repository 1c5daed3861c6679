"""Score runs, computed in the background and frozen at the cut-off, and the manual scores and adjustments (a reason and evidence each)."""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record, record_created
from luoshi.files.services import store_upload
from luoshi.lib.errors import Conflict
from luoshi.org.models import Membership, Unit

from .. import rules, selectors
from ..models import (
    Adjustment,
    Indicator,
    IndicatorKind,
    IndicatorLevel,
    ItemScore,
    PersonItemScore,
    PersonScore,
    Plan,
    PlanItem,
    ScoreRun,
    Stage,
    UnitCategory,
    UnitScore,
)
from ..sources import Context, Figure, get_source
from ._moves import WrongStage, _office_move
from .plans import plan_problems

logger = logging.getLogger(__name__)

# --- Score runs -----------------------------------------------------------------------------------


@transaction.atomic
def start_run(*, actor: User, plan: Plan) -> ScoreRun:
    """Queue a computation of the plan at its cut-off (the job computes it and shows progress).
    Only while the plan is being drawn up: once units self-assess, the run is frozen."""
    plan = _office_move(actor, plan, Stage.DRAFT)
    problems = plan_problems(plan)
    if problems:
        raise ValidationError(problems)
    if plan.runs.filter(status__in=[ScoreRun.Status.QUEUED, ScoreRun.Status.RUNNING]).exists():
        raise Conflict(_("该方案正在计分，请等待本次计算完成。"))
    total = sum(c.units.count() for c in plan.categories.all())
    run = ScoreRun.objects.create(plan=plan, cutoff=plan.cutoff, total=total, requested_by=actor)
    record_created(actor=actor, obj=run, verb="start_run")
    from ..tasks import compute_scores

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


def _person_figures(
    ctx: Context, unit: Unit, people: list[int], indicator: Indicator
) -> dict[int, Figure]:
    source = get_source(indicator.source)
    if source is None or source.people is None:
        missing = Figure(None, _("数据来源不能按个人计算：%(key)s") % {"key": indicator.source})
        return dict.fromkeys(people, missing)
    return source.people(ctx, unit, people, indicator.params or {})


def _people_of(unit: Unit) -> list[int]:
    """The people of the unit and its subtree, each once, in name order."""
    return list(
        Membership.objects.filter(unit__path__startswith=unit.path, person__deleted_at__isnull=True)
        .order_by("person__pinyin", "person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )


def _is_person(item: PlanItem) -> bool:
    return item.indicator.level == IndicatorLevel.PERSON


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
        person_figures: dict[tuple[int, int, int], Figure] = {}
        people: dict[int, list[int]] = {}
        done = 0
        for category in categories:
            person_items = [item for item in category.items.all() if _is_person(item)]
            for unit in category.units.all():
                for item in category.items.all():
                    if not _is_person(item):
                        figures[(unit.pk, item.pk)] = _figure(ctx, unit, item.indicator)
                if person_items:
                    people[unit.pk] = _people_of(unit)
                for item in person_items:
                    for person_id, figure in _person_figures(
                        ctx, unit, people[unit.pk], item.indicator
                    ).items():
                        person_figures[(unit.pk, item.pk, person_id)] = figure
                done += 1
                ScoreRun.objects.filter(pk=run.pk).update(done=done)
        _store_run(run, categories, figures, person_figures, people)
    except Exception as exc:
        logger.exception("score run %s failed", run.pk)
        ScoreRun.objects.filter(pk=run.pk).update(
            status=ScoreRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


@transaction.atomic
def _store_run(
    run: ScoreRun,
    categories: list[UnitCategory],
    figures: dict[tuple[int, int], Figure],
    person_figures: dict[tuple[int, int, int], Figure],
    people: dict[int, list[int]],
) -> None:
    for category in categories:
        units = list(category.units.all())
        items = [item for item in category.items.all() if not _is_person(item)]
        best = {item.pk: _best(figures[(u.pk, item.pk)].value for u in units) for item in items}
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
                fields = _frozen(item, figures[(unit.pk, item.pk)], best[item.pk], position)
                rows.append(
                    ItemScore(
                        unit_score=unit_score,
                        kind=item.indicator.kind,
                        computed=fields["score"],
                        **fields,
                    )
                )
            ItemScore.objects.bulk_create(rows)
            total = _total(rows)
            unit_score.computed_total = unit_score.total = total
            unit_score.save(update_fields=["computed_total", "total"])
        person_items = [item for item in category.items.all() if _is_person(item)]
        if person_items:
            _store_people(run, category, person_items, person_figures, people)
    _rank(run)
    _rank_people(run)
    ScoreRun.objects.filter(pk=run.pk).update(
        status=ScoreRun.Status.DONE, finished_at=timezone.now()
    )


def _store_people(
    run: ScoreRun,
    category: UnitCategory,
    items: list[PlanItem],
    figures: dict[tuple[int, int, int], Figure],
    people: dict[int, list[int]],
) -> None:
    """Each person of the category's units on its person-level indicators (BEST: the best
    person of the category), frozen as the units' items are."""
    unit_scores = list(run.unit_scores.filter(category=category))
    keys = [(us, person_id) for us in unit_scores for person_id in people.get(us.unit_id, [])]
    names = {
        u.pk: u.name or u.username
        for u in User.objects.filter(pk__in={p for _us, p in keys}).only("name", "username")
    }
    best = {
        item.pk: _best(figures[(us.unit_id, item.pk, p)].value for us, p in keys) for item in items
    }
    scores = PersonScore.objects.bulk_create(
        PersonScore(run=run, unit_score=us, person_id=p, person_name=names.get(p, ""), total=0)
        for us, p in keys
    )
    rows = []
    for person_score, (us, person_id) in zip(scores, keys, strict=True):
        total = Decimal(0)
        for position, item in enumerate(items):
            figure = figures[(us.unit_id, item.pk, person_id)]
            fields = _frozen(item, figure, best[item.pk], position)
            fields["score"] = fields["score"] or Decimal(0)  # never manual: always computed
            total += fields["score"]
            rows.append(PersonItemScore(person_score=person_score, **fields))
        person_score.total = rules.points(total)
    PersonItemScore.objects.bulk_create(rows)
    PersonScore.objects.bulk_update(scores, ["total"])


def _rank_people(run: ScoreRun) -> None:
    """Rank the people within each category, ties sharing a place."""
    by_category: dict[int, list[PersonScore]] = defaultdict(list)
    for person_score in run.person_scores.select_related("unit_score").order_by(
        "-total", "person__pinyin", "id"
    ):
        by_category[person_score.unit_score.category_id].append(person_score)
    PersonScore.objects.bulk_update(_share_places(by_category.values()), ["rank"])


def _share_places(groups: Iterable[list[Any]]) -> list[Any]:
    """Rank each group (sorted best first) 1, 2, 2, 4: a tie shares the place. Returns them all."""
    ranked = []
    for rows in groups:
        for position, row in enumerate(rows, start=1):
            tied = position > 1 and rows[position - 2].total == row.total
            row.rank = rows[position - 2].rank if tied else position
            ranked.append(row)
    return ranked


def _frozen(item: PlanItem, figure: Figure, best: Decimal | None, position: int) -> dict:
    """What an item score keeps of its figure: the figure, its formula in words, the points
    and the records (the fields `ItemScore` and `PersonItemScore` share)."""
    indicator = item.indicator
    source = get_source(indicator.source)
    return {
        "plan_item": item,
        "indicator_name": indicator.name,
        "weight": item.weight,
        "value": figure.value,
        "value_text": figure.text[:300],
        "formula": rules.formula(indicator, item.weight, str(source.unit_label) if source else ""),
        "score": rules.score(indicator, item.weight, figure.value, best),
        "records": figure.records,
        "record_count": figure.record_count,
        "sort_order": position,
    }


def _best(values: Iterable[Decimal | None]) -> Decimal | None:
    """The best figure of a category (for the proportion-of-the-best rule); None if none."""
    found = [value for value in values if value is not None]
    return max(found) if found else None


def _total(items: Sequence[ItemScore]) -> Decimal:
    total = sum((item.signed_score for item in items), Decimal(0))
    return rules.points(max(total, Decimal(0)))


def _rank(run: ScoreRun) -> None:
    """Rank within each category, ties sharing a place (1, 2, 2, 4)."""
    by_category: dict[int, list[UnitScore]] = defaultdict(list)
    for unit_score in run.unit_scores.order_by("-total", "unit__path"):
        by_category[unit_score.category_id].append(unit_score)
    UnitScore.objects.bulk_update(_share_places(by_category.values()), ["rank"])


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
    plan = _office_move(actor, plan, Stage.DRAFT, Stage.SELF, Stage.REVIEW, Stage.PUBLICITY)
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
