"""Reading assessments: the plan's current run, the score table (filtered), a unit's breakdown,
and whether learning-platform figures are a 考评依据 (with the reason the office gave)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
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


def _category_param(params, errors: list[str]) -> int | None:
    """The `category` id of a table's filter; a wrong one is named in `errors`."""
    raw = (params.get("category") or "").strip()
    if raw and not raw.isdigit():
        errors.append(_("类别参数无效。"))
    return int(raw) if raw.isdigit() else None


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
        flt.category_id = _category_param(params, flt.errors)
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
        flt.category_id = _category_param(params, flt.errors)
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


# --- The leaders' dashboard (考核驾驶舱) ------------------------------------------------------------

TREND_PLANS = 6  # the periods the trend shows: the chosen plan and up to five before it


@dataclass
class Standing:
    """A unit in the chosen plan with its totals in the earlier plans of the campaign."""

    unit_score: UnitScore
    trend: list[UnitScore | None]  # one per `Dashboard.trend_plans`, None where not assessed

    @property
    def previous(self) -> UnitScore | None:
        return self.trend[-2] if len(self.trend) > 1 else None

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous plan (same category name); None if not ranked then."""
        before = self.previous
        if before is None or before.category.name != self.unit_score.category.name:
            return None
        return before.rank - self.unit_score.rank


@dataclass
class DashboardFilter:
    campaign_id: int | None = None
    plan_id: int | None = None
    category: str = ""
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> "DashboardFilter":
        flt = cls()
        for name in ("campaign", "plan"):
            raw = (params.get(name) or "").strip()
            if raw.isdigit():
                setattr(flt, f"{name}_id", int(raw))
            elif raw:
                flt.errors.append(_("参数“%(name)s”无效。") % {"name": name})
        flt.category = (params.get("category") or "").strip()[:50]
        flt.text = (params.get("q") or "").strip()[:50]
        return flt

    def describe(self, plan: Plan | None) -> list[str]:
        parts = [_("方案：%(name)s") % {"name": plan.name}] if plan else []
        if self.category:
            parts.append(_("类别：%(c)s") % {"c": self.category})
        if self.text:
            parts.append(_("单位名称含：%(t)s") % {"t": self.text})
        return parts


@dataclass
class Dashboard:
    """What a leader reads of a campaign's assessment: the chosen plan's standings in scope,
    grades, appeals, the trend over the campaign's plans, and the latest notices."""

    campaigns: list
    campaign: object | None
    plans: list[Plan]  # the campaign's plans past drafting, with a finished run, oldest first
    plan: Plan | None
    trend_plans: list[Plan]
    categories: list[str]
    chart_category: str
    standings: list[Standing]
    assessed: int  # the units of the chosen plan in scope (whatever the filter)
    grades: list[tuple[str, str, int]]  # (grade, label, units)
    ungraded: int
    average: Decimal | None
    appeals_open: int
    appeals_answered: int
    notices: list
    cases: list  # the campaign's published cases pinned by the office


def _current_runs(plans) -> dict[int, int]:
    """Each plan's current run (the latest finished), in one query."""
    latest = (
        ScoreRun.objects.filter(plan=OuterRef("pk"), status=ScoreRun.Status.DONE)
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    return {
        plan_id: run_id
        for plan_id, run_id in plans.annotate(current=Subquery(latest)).values_list("pk", "current")
        if run_id is not None
    }


def dashboard(user, flt: DashboardFilter) -> Dashboard:
    """The dashboard in `user`'s scope, in a fixed number of queries whatever the units and
    plans (the plans, their current runs, the unit scores, the appeals, the notices)."""
    from django.db.models import Count

    from .access import visible_notices, visible_plans
    from .models import Notice

    results = visible_plans(user).exclude(stage=Stage.DRAFT)
    runs = _current_runs(results)
    plans = list(
        results.filter(pk__in=runs).select_related("campaign").order_by("period_start", "id")
    )
    campaigns = list({p.campaign_id: p.campaign for p in reversed(plans)}.values())
    campaign = next((c for c in campaigns if c.pk == flt.campaign_id), None)
    if campaign is None and flt.plan_id:
        campaign = next((p.campaign for p in plans if p.pk == flt.plan_id), None)
    if campaign is None and campaigns:
        campaign = campaigns[0]  # the campaign of the latest plan
    plans = [p for p in plans if campaign is not None and p.campaign_id == campaign.pk]
    plan = next((p for p in plans if p.pk == flt.plan_id), plans[-1] if plans else None)
    trend_plans = (
        plans[max(0, plans.index(plan) - TREND_PLANS + 1) : plans.index(plan) + 1] if plan else []
    )
    scores = list(
        visible_unit_scores(user)
        .filter(run_id__in=[runs[p.pk] for p in trend_plans])
        .select_related("category", "run")
        .order_by("category__sort_order", "category_id", "rank", "unit__path")
    )
    by_plan: dict[tuple[int, int], UnitScore] = {
        (score.run.plan_id, score.unit_id): score for score in scores
    }
    current = [s for s in scores if plan is not None and s.run.plan_id == plan.pk]
    categories = list(dict.fromkeys(s.category.name for s in current))
    shown = [
        s
        for s in current
        if (not flt.category or s.category.name == flt.category)
        and (not flt.text or flt.text in s.unit_name)
    ]
    standings = [Standing(s, [by_plan.get((p.pk, s.unit_id)) for p in trend_plans]) for s in shown]
    counts = dict.fromkeys(Grade.values, 0)
    for s in current:
        if s.grade:
            counts[s.grade] += 1
    totals = [s.total for s in current]
    appeals = (
        Appeal.objects.filter(unit_score__in=[s.pk for s in current]).aggregate(
            open=Count("pk", filter=Q(answered_at__isnull=True)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
        )
        if current
        else {"open": 0, "answered": 0}
    )
    notices = list(
        visible_notices(user).filter(state=Notice.State.ISSUED).order_by("-issued_at", "-id")[:5]
    )
    from .models import TypicalCase

    cases = (
        list(
            TypicalCase.objects.filter(
                campaign=campaign, state=TypicalCase.State.PUBLISHED, pinned=True
            )
            .select_related("unit")
            .order_by("-reviewed_at", "-id")[:6]
        )
        if campaign is not None
        else []
    )
    return Dashboard(
        campaigns=campaigns,
        campaign=campaign,
        plans=plans,
        plan=plan,
        trend_plans=trend_plans,
        categories=categories,
        chart_category=flt.category if flt.category in categories else next(iter(categories), ""),
        standings=standings,
        assessed=len(current),
        grades=[(g.value, str(g.label), counts[g.value]) for g in Grade],
        ungraded=sum(1 for s in current if not s.grade),
        average=(sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"))
        if totals
        else None,
        appeals_open=appeals["open"],
        appeals_answered=appeals["answered"],
        notices=notices,
        cases=cases,
    )


def dashboard_charts(board: Dashboard) -> dict:
    """ECharts options (and click targets) from the dashboard's own figures: the chosen plan's
    totals of the units shown in one category (best first, at most 20), and the average total of
    the units shown per category over the trend's plans."""
    from django.urls import reverse

    category = board.chart_category
    top = [s for s in board.standings if s.unit_score.category.name == category][:20]
    names = [s.unit_score.unit_name for s in top]
    bars = {
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": names},
        "tooltip": {"trigger": "axis"},
        "series": [{"type": "bar", "data": [float(s.unit_score.total) for s in top]}],
    }
    links = {
        s.unit_score.unit_name: reverse("assessment:unit-score", args=[s.unit_score.pk])
        for s in top
    }
    labels = [p.name for p in board.trend_plans]
    series = []
    for name in board.categories:
        points = []
        for position, _plan in enumerate(board.trend_plans):
            totals = [
                then.total
                for s in board.standings
                if (then := s.trend[position]) is not None and then.category.name == name
            ]
            points.append(float(sum(totals, Decimal(0)) / len(totals)) if totals else None)
        series.append({"type": "line", "name": name, "data": points, "connectNulls": True})
    line = {
        "grid": {"left": 8, "right": 24, "top": 32, "bottom": 8, "containLabel": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": series,
    }
    plan_links = {p.name: reverse("assessment:score-table", args=[p.pk]) for p in board.trend_plans}
    return {
        "bars": bars,
        "bar_links": links,
        "bar_height": 60 + 24 * len(top),
        "line": line,
        "line_links": plan_links,
    }


# --- 典型案例 --------------------------------------------------------------------------------------


@dataclass
class CaseFilter:
    """The case library's filter: state, track name, practice, text."""

    state: str = ""
    track: str = ""
    practice: str = ""
    text: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params) -> "CaseFilter":
        from .models import TypicalCase

        flt = cls()
        state = (params.get("state") or "").strip()
        if state in TypicalCase.State.values:
            flt.state = state
        elif state:
            flt.errors.append(_("状态参数无效。"))
        flt.track = (params.get("track") or "").strip()[:100]
        flt.practice = (params.get("practice") or "").strip()[:50]
        flt.text = (params.get("q") or "").strip()[:50]
        return flt

    def describe(self) -> list[str]:
        from .models import TypicalCase

        parts = []
        if self.state:
            parts.append(_("状态：%(s)s") % {"s": TypicalCase.State(self.state).label})
        if self.track:
            parts.append(_("方向：%(t)s") % {"t": self.track})
        if self.practice:
            parts.append(_("实践类别：%(p)s") % {"p": self.practice})
        if self.text:
            parts.append(_("标题或单位含：%(t)s") % {"t": self.text})
        return parts


def case_list(user, flt: CaseFilter):
    """The cases `user` may read, with where each was used (notices issued citing it)."""
    from django.db.models import Count

    from .access import visible_cases
    from .models import Notice

    cases = visible_cases(user)
    if flt.state:
        cases = cases.filter(state=flt.state)
    if flt.track:
        cases = cases.filter(track__name=flt.track)
    if flt.practice:
        cases = cases.filter(practice=flt.practice)
    if flt.text:
        cases = cases.filter(Q(title__contains=flt.text) | Q(unit__name__contains=flt.text))
    return (
        cases.select_related("unit", "track", "campaign")
        .annotate(
            cited=Count("notices", filter=Q(notices__state=Notice.State.ISSUED), distinct=True),
            records=Count("activities", distinct=True),
        )
        .order_by("-pinned", "-reviewed_at", "-submitted_at", "-id")
    )


def case_uses(case) -> list:
    """Where a case was used: the issued notices that promote it (and the dashboard, if pinned)."""
    from .models import Notice

    return list(case.notices.filter(state=Notice.State.ISSUED).order_by("-issued_at", "-id"))


def case_choices(user) -> tuple[list[str], list[str]]:
    """The tracks and practices of the cases `user` reads, for the filter."""
    from .access import visible_cases

    cases = visible_cases(user)
    tracks = sorted(set(cases.exclude(track=None).values_list("track__name", flat=True)))
    practices = sorted(set(cases.exclude(practice="").values_list("practice", flat=True)))
    return tracks, practices
