"""Reading assessments: the plan's current run, the score table (filtered), a unit's breakdown,
and whether learning-platform figures are a 考评依据 (with the reason the office gave)."""

from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils.translation import gettext as _

from luoshi.learning.models import LearningSettings, SettingChange
from luoshi.learning.selectors import settings_for
from luoshi.org.models import Unit

from .access import visible_person_scores, visible_unit_scores
from .models import (
    Adjustment,
    Appeal,
    Grade,
    IndicatorLevel,
    ItemScore,
    PersonItemScore,
    PersonScore,
    Plan,
    PlanItem,
    ScoreRun,
    Stage,
    UnitScore,
)


def current_run(plan: Plan) -> ScoreRun | None:
    """The plan's latest finished run: the one every page shows (frozen once units self-assess)."""
    return plan.runs.filter(status=ScoreRun.Status.DONE).order_by("-finished_at", "-id").first()


def latest_run(plan: Plan) -> ScoreRun | None:
    return plan.runs.order_by("-requested_at", "-id").first()


@dataclass(frozen=True)
class LearningBasis:
    enabled: bool
    reason: str


def learning_basis(unit: Unit) -> LearningBasis:
    """Whether platform figures count in the assessment for `unit` (off by default; on only
    where the office set 计入考核评分 with a reason, shown beside the indicator)."""
    rules = settings_for(unit)
    if not rules.use_in_assessment:
        return LearningBasis(False, "")
    change = (
        SettingChange.objects.filter(rules_id=rules.pk, field="use_in_assessment")
        .order_by("-changed_at", "-id")
        .first()
        if isinstance(rules, LearningSettings) and rules.pk
        else None
    )
    return LearningBasis(True, change.reason if change else "")


@dataclass
class ScoreFilter:
    """The score table's filter: category, grade, unit name."""

    category_id: int | None = None
    grade: str = ""
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> "ScoreFilter":
        flt = cls()
        raw = (params.get("category") or "").strip()
        if raw:
            if raw.isdigit():
                flt.category_id = int(raw)
            else:
                flt.errors.append(_("类别参数无效。"))
        grade = (params.get("grade") or "").strip()
        if grade:
            if grade in Grade.values:
                flt.grade = grade
            else:
                flt.errors.append(_("等次参数无效。"))
        flt.text = (params.get("q") or "").strip()[:50]
        return flt

    def describe(self, plan: Plan) -> list[str]:
        parts = [_("方案：%(name)s") % {"name": plan.name}]
        if self.category_id:
            category = plan.categories.filter(pk=self.category_id).first()
            parts.append(_("类别：%(c)s") % {"c": category.name if category else "—"})
        if self.grade:
            parts.append(_("等次：%(g)s") % {"g": Grade(self.grade).label})
        if self.text:
            parts.append(_("单位名称含：%(t)s") % {"t": self.text})
        return parts


def score_table(user, plan: Plan, flt: ScoreFilter) -> QuerySet[UnitScore]:
    """The current run's unit scores in `user`'s scope, with their items (two queries)."""
    run = current_run(plan)
    if run is None:
        return UnitScore.objects.none()
    scores = visible_unit_scores(user, plan).filter(run=run)
    if flt.category_id:
        scores = scores.filter(category_id=flt.category_id)
    if flt.grade:
        scores = scores.filter(grade=flt.grade)
    if flt.text:
        scores = scores.filter(unit_name__contains=flt.text)
    return (
        scores.select_related("category", "unit")
        .prefetch_related(
            Prefetch("items", queryset=ItemScore.objects.order_by("sort_order", "id"))
        )
        .order_by("category__sort_order", "category_id", "rank", "unit__path")
    )


def unit_detail(unit_score: UnitScore) -> dict:
    """A unit's breakdown: items with adjustments (and their evidence), appeals."""
    items = list(
        unit_score.items.select_related("plan_item__indicator")
        .prefetch_related(
            Prefetch(
                "adjustments",
                queryset=Adjustment.objects.select_related("actor").order_by("at", "id"),
            )
        )
        .order_by("sort_order", "id")
    )
    _attach_evidence([adj for item in items for adj in item.adjustments.all()])
    appeals = list(
        Appeal.objects.filter(unit_score=unit_score)
        .select_related("filed_by", "answered_by")
        .order_by("filed_at", "id")
    )
    return {"items": items, "appeals": appeals}


def appeals_of(user, plan: Plan) -> QuerySet[Appeal]:
    run = current_run(plan)
    if run is None:
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(unit_score__in=visible_unit_scores(user, plan).filter(run=run))
        .select_related("unit_score", "filed_by", "answered_by")
        .order_by("answered_at", "-filed_at", "-id")
    )


def evidence_of(unit_score: UnitScore) -> list:
    """The self-assessment's evidence files of the unit (attachments owned by the unit score)."""
    from django.contrib.contenttypes.models import ContentType

    from luoshi.files.models import Attachment

    return list(
        Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(UnitScore), owner_id=unit_score.pk
        ).order_by("uploaded_at", "id")
    )


@dataclass
class PublicityRow:
    unit_score: UnitScore
    category: str


def publicity_rows(run: ScoreRun) -> list[PublicityRow]:
    """Every assessed unit's total, rank and grade: the 公示 list is public to the assessed."""
    return [
        PublicityRow(us, us.category.name)
        for us in run.unit_scores.select_related("category").order_by(
            "category__sort_order", "category_id", "rank", "unit__path"
        )
    ]


def readable_ids(user, plan: Plan) -> set[int]:
    """The unit scores of the plan whose breakdown `user` may open."""
    return set(visible_unit_scores(user, plan).values_list("pk", flat=True))


def _attach_evidence(adjustments: list[Adjustment]) -> None:
    """Each adjustment's evidence files as `.files` (one query for all)."""
    from django.contrib.contenttypes.models import ContentType

    from luoshi.files.models import Attachment

    by_owner: dict[int, list] = {}
    if adjustments:
        rows = Attachment.objects.filter(
            owner_type=ContentType.objects.get_for_model(Adjustment),
            owner_id__in=[adj.pk for adj in adjustments],
        ).order_by("uploaded_at", "id")
        for attachment in rows:
            if attachment.owner_id is not None:
                by_owner.setdefault(attachment.owner_id, []).append(attachment)
    for adj in adjustments:
        setattr(adj, "files", by_owner.get(adj.pk, []))  # noqa: B010 (read by the template)


# --- Person-level scores --------------------------------------------------------------------------


def has_person_items(plan: Plan) -> bool:
    return PlanItem.objects.filter(
        category__plan=plan, indicator__level=IndicatorLevel.PERSON
    ).exists()


def people_tab(user, plan: Plan) -> bool:
    """Whether the plan's person table is for `user`: the plan has person-level indicators and
    the person manages the assessment of some unit (the office, a liaison)."""
    from luoshi.org.access import has_perm

    from .access import MANAGE, SELF

    return (has_perm(user, MANAGE) or has_perm(user, SELF)) and has_person_items(plan)


@dataclass
class PersonFilter:
    """The person table's filter: category, unit name, person name."""

    category_id: int | None = None
    unit: str = ""
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> "PersonFilter":
        flt = cls()
        raw = (params.get("category") or "").strip()
        if raw:
            if raw.isdigit():
                flt.category_id = int(raw)
            else:
                flt.errors.append(_("类别参数无效。"))
        flt.unit = (params.get("unit") or "").strip()[:50]
        flt.text = (params.get("q") or "").strip()[:50]
        return flt

    def describe(self, plan: Plan) -> list[str]:
        parts = [_("方案：%(name)s") % {"name": plan.name}]
        if self.category_id:
            category = plan.categories.filter(pk=self.category_id).first()
            parts.append(_("类别：%(c)s") % {"c": category.name if category else "—"})
        if self.unit:
            parts.append(_("单位名称含：%(t)s") % {"t": self.unit})
        if self.text:
            parts.append(_("姓名含：%(t)s") % {"t": self.text})
        return parts


def person_table(user, plan: Plan, flt: PersonFilter) -> QuerySet[PersonScore]:
    """The current run's person scores in `user`'s scope, with their items (two queries)."""
    run = current_run(plan)
    if run is None:
        return PersonScore.objects.none()
    scores = visible_person_scores(user, plan).filter(run=run)
    if flt.category_id:
        scores = scores.filter(unit_score__category_id=flt.category_id)
    if flt.unit:
        scores = scores.filter(unit_score__unit_name__contains=flt.unit)
    if flt.text:
        scores = scores.filter(person_name__contains=flt.text)
    return (
        scores.select_related("unit_score__category")
        .prefetch_related(
            Prefetch("items", queryset=PersonItemScore.objects.order_by("sort_order", "id"))
        )
        .order_by("unit_score__category__sort_order", "unit_score__category_id", "rank", "id")
    )


def people_of(user, unit_score: UnitScore) -> list[PersonScore]:
    """The person scores of a unit that `user` may read, by rank."""
    return list(
        visible_person_scores(user)
        .filter(unit_score=unit_score)
        .order_by("rank", "person__pinyin", "id")
    )


def my_person_scores(user) -> list[PersonScore]:
    """One's own scores of the published plans, the latest first (each plan's current run)."""
    current = (
        ScoreRun.objects.filter(plan=OuterRef("run__plan"), status=ScoreRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    return list(
        PersonScore.objects.filter(person=user, run__plan__stage=Stage.PUBLISHED)
        .annotate(current=Subquery(current))
        .filter(run_id=F("current"))
        .select_related("run__plan", "unit_score__category")
        .order_by("-run__plan__period_start", "-id")
    )
