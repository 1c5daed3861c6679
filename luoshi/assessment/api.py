"""JSON API of the assessment: the same services, selectors and scope as the pages.

Scores and adjustments that need evidence files (manual scores, changed scores) are made on the
pages, which take the uploads; the API reads them and moves the workflow."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from luoshi.accounts.models import User
from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.campaigns.access import get_campaign_for_user

from . import selectors, services
from .access import (
    can_use,
    get_appeal_for_user,
    get_case_for_user,
    get_person_score_for_user,
    get_plan_for_user,
    get_unit_score_for_user,
    visible_indicators,
    visible_plans,
)
from .models import Appeal, Indicator, ItemScore, Plan, ScoreRun, UnitScore

router = Router(tags=["考核"])


class AssessmentIndicatorOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    source: str
    params: dict
    rule: str
    target: Decimal | None
    tiers: list
    per_item: Decimal | None
    cap: Decimal | None
    is_active: bool


class AssessmentIndicatorIn(Schema):
    name: str
    kind: str = "score"
    level: str = "unit"
    source: str
    params: dict = {}
    rule: str = "linear"
    target: Decimal | None = None
    tiers: list = []
    per_item: Decimal | None = None
    cap: Decimal | None = None
    description: str = ""
    is_active: bool = True


class AssessmentPlanItemOut(Schema):
    indicator: Ref
    weight: Decimal

    @staticmethod
    def resolve_indicator(obj) -> dict | None:
        return ref(obj.indicator)


class AssessmentCategoryOut(Schema):
    id: int
    name: str
    units: list[Ref]
    items: list[AssessmentPlanItemOut]

    @staticmethod
    def resolve_units(obj) -> list:
        return [ref(unit) for unit in obj.units.all()]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())


class AssessmentPlanOut(Schema):
    id: int
    name: str
    campaign: Ref
    period_kind: str
    period_start: datetime.date
    period_end: datetime.date
    cutoff: datetime.date
    publicity_days: int
    excellent_quota: int
    stage: str
    publicity_until: datetime.date | None

    @staticmethod
    def resolve_campaign(obj: Plan) -> dict | None:
        return ref(obj.campaign)


class AssessmentPlanDetailOut(AssessmentPlanOut):
    categories: list[AssessmentCategoryOut]

    @staticmethod
    def resolve_categories(obj: Plan) -> list:
        return list(obj.categories.prefetch_related("units", "items__indicator"))


class AssessmentPlanIn(Schema):
    campaign_id: int
    name: str
    period_kind: str
    period_start: datetime.date
    period_end: datetime.date
    cutoff: datetime.date
    publicity_days: int = 5
    excellent_quota: int = 30


class AssessmentRunOut(Schema):
    id: int
    status: str
    cutoff: datetime.date
    total: int
    done: int
    percent: int
    finished_at: datetime.datetime | None


class AssessmentRecordRef(Schema):
    label: str
    url: str


class AssessmentItemOut(Schema):
    id: int
    indicator: str
    kind: str
    weight: Decimal
    value: Decimal | None
    value_text: str
    formula: str
    computed: Decimal | None
    score: Decimal | None
    record_count: int
    records: list[AssessmentRecordRef]

    @staticmethod
    def resolve_indicator(obj: ItemScore) -> str:
        return obj.indicator_name


class AssessmentUnitScoreOut(Schema):
    id: int
    unit: Ref
    category: str
    total: Decimal
    computed_total: Decimal
    rank: int
    grade: str
    self_submitted_at: datetime.datetime | None

    @staticmethod
    def resolve_unit(obj: UnitScore) -> dict | None:
        return {"id": obj.unit_id, "name": obj.unit_name}

    @staticmethod
    def resolve_category(obj: UnitScore) -> str:
        return obj.category.name


class AssessmentUnitScoreDetailOut(AssessmentUnitScoreOut):
    self_note: str
    review_note: str
    items: list[AssessmentItemOut]

    @staticmethod
    def resolve_items(obj: UnitScore) -> list:
        return list(obj.items.order_by("sort_order", "id"))


class AssessmentPersonItemOut(Schema):
    id: int
    indicator: str
    weight: Decimal
    value: Decimal | None
    value_text: str
    formula: str
    score: Decimal
    record_count: int
    records: list[AssessmentRecordRef]

    @staticmethod
    def resolve_indicator(obj) -> str:
        return obj.indicator_name


class AssessmentPersonScoreOut(Schema):
    id: int
    person: Ref
    unit: Ref
    category: str
    total: Decimal
    rank: int

    @staticmethod
    def resolve_person(obj) -> dict:
        return {"id": obj.person_id, "name": obj.person_name}

    @staticmethod
    def resolve_unit(obj) -> dict:
        return {"id": obj.unit_score.unit_id, "name": obj.unit_score.unit_name}

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.unit_score.category.name


class AssessmentPersonScoreDetailOut(AssessmentPersonScoreOut):
    items: list[AssessmentPersonItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.order_by("sort_order", "id"))


class AssessmentPersonFilters(Schema):
    category: str | None = None
    unit: str | None = None
    q: str | None = None


class AssessmentAppealOut(Schema):
    id: int
    unit_score_id: int
    reason: str
    filed_at: datetime.datetime
    answer: str
    answered_at: datetime.datetime | None


class AssessmentNoteIn(Schema):
    note: str = ""


class AssessmentReasonIn(Schema):
    reason: str


class AssessmentAnswerIn(Schema):
    answer: str


class AssessmentGradeIn(Schema):
    grade: str
    reason: str


class AssessmentScoreFilters(Schema):
    category: str | None = None
    grade: str | None = None
    q: str | None = None


@router.get(
    "/indicators", response={200: list[AssessmentIndicatorOut], **ERRORS}, summary="考核指标库"
)
def list_indicators(request: HttpRequest):
    user = current_user(request)
    if not can_use(user):
        raise PermissionDenied(_("您没有使用考核功能的权限。"))
    return list(visible_indicators(user))


@router.post(
    "/indicators", response={201: AssessmentIndicatorOut, **ERRORS}, summary="新增考核指标"
)
def create_indicator(request: HttpRequest, payload: AssessmentIndicatorIn):
    indicator: Indicator = services.create_indicator(
        actor=current_user(request), **payload.model_dump()
    )
    return 201, indicator


@router.get("/plans", response={200: list[AssessmentPlanOut], **ERRORS}, summary="考核方案")
def list_plans(request: HttpRequest):
    user = current_user(request)
    if not can_use(user):
        raise PermissionDenied(_("您没有使用考核功能的权限。"))
    return list(visible_plans(user).order_by("-period_start", "-id"))


@router.post("/plans", response={201: AssessmentPlanOut, **ERRORS}, summary="制定考核方案")
def create_plan(request: HttpRequest, payload: AssessmentPlanIn):
    user = current_user(request)
    data = payload.model_dump()
    campaign = get_campaign_for_user(user, data.pop("campaign_id"))
    return 201, services.create_plan(actor=user, campaign=campaign, **data)


@router.get(
    "/plans/{int:plan_id}",
    response={200: AssessmentPlanDetailOut, **ERRORS},
    summary="考核方案详情",
)
def get_plan(request: HttpRequest, plan_id: int):
    return get_plan_for_user(current_user(request), plan_id)


@router.post(
    "/plans/{int:plan_id}/runs",
    response={202: AssessmentRunOut, **ERRORS},
    summary="开始计分（后台）",
)
def start_run(request: HttpRequest, plan_id: int):
    user = current_user(request)
    plan = get_plan_for_user(user, plan_id, write=True)
    return 202, services.start_run(actor=user, plan=plan)


@router.get(
    "/plans/{int:plan_id}/runs/latest",
    response={200: AssessmentRunOut, **ERRORS},
    summary="计分进度",
)
def latest_run(request: HttpRequest, plan_id: int):
    plan = get_plan_for_user(current_user(request), plan_id)
    run: ScoreRun | None = selectors.latest_run(plan)
    if run is None:
        raise Http404
    return run


MOVES = {
    "open-self": services.open_self_assessment,
    "review": services.start_review,
    "publicity": services.start_publicity,
    "grade": services.grade_plan,
    "publish": services.publish_plan,
}


@router.post(
    "/plans/{int:plan_id}/moves/{move}",
    response={200: AssessmentPlanOut, **ERRORS},
    summary="推进考核流程（open-self、review、publicity、grade、publish）",
)
def move_plan(request: HttpRequest, plan_id: int, move: str):
    user = current_user(request)
    plan = get_plan_for_user(user, plan_id, write=True)
    service = MOVES.get(move)
    if service is None:
        raise Http404
    return service(actor=user, plan=plan)


@router.get(
    "/plans/{int:plan_id}/scores",
    response={200: list[AssessmentUnitScoreOut], **ERRORS},
    summary="得分表",
)
def list_scores(request: HttpRequest, plan_id: int, filters: Query[AssessmentScoreFilters]):
    user = current_user(request)
    plan = get_plan_for_user(user, plan_id)
    flt = selectors.ScoreFilter.from_params(filters.model_dump(exclude_none=True))
    if flt.errors:
        raise ValidationError(flt.errors)
    return list(selectors.score_table(user, plan, flt))


@router.get(
    "/scores/{int:score_id}",
    response={200: AssessmentUnitScoreDetailOut, **ERRORS},
    summary="单位得分明细",
)
def get_score(request: HttpRequest, score_id: int):
    return get_unit_score_for_user(current_user(request), score_id)


@router.get(
    "/plans/{int:plan_id}/people",
    response={200: list[AssessmentPersonScoreOut], **ERRORS},
    summary="个人得分（本人、管理其单位考核的人员可见）",
)
def list_person_scores(request: HttpRequest, plan_id: int, filters: Query[AssessmentPersonFilters]):
    user = current_user(request)
    plan = get_plan_for_user(user, plan_id)
    flt = selectors.PersonFilter.from_params(filters.model_dump(exclude_none=True))
    if flt.errors:
        raise ValidationError(flt.errors)
    return list(selectors.person_table(user, plan, flt))


@router.get(
    "/people/mine",
    response={200: list[AssessmentPersonScoreOut], **ERRORS},
    summary="我的个人得分（已发布的考核）",
)
def my_person_scores(request: HttpRequest):
    return selectors.my_person_scores(current_user(request))


@router.get(
    "/people/{int:person_score_id}",
    response={200: AssessmentPersonScoreDetailOut, **ERRORS},
    summary="个人得分明细",
)
def get_person_score(request: HttpRequest, person_score_id: int):
    return get_person_score_for_user(current_user(request), person_score_id)


def _writable_score(request: HttpRequest, score_id: int) -> tuple[User, UnitScore]:
    """The caller and a unit score they may act on (404 outside scope, 403 if only seen)."""
    user = current_user(request)
    return user, get_unit_score_for_user(user, score_id, write=True)


@router.post(
    "/scores/{int:score_id}/self",
    response={200: AssessmentUnitScoreOut, **ERRORS},
    summary="提交自评",
)
def self_assess(request: HttpRequest, score_id: int, payload: AssessmentNoteIn):
    user, unit_score = _writable_score(request, score_id)
    return services.submit_self_assessment(actor=user, unit_score=unit_score, note=payload.note)


@router.post(
    "/scores/{int:score_id}/review",
    response={200: AssessmentUnitScoreOut, **ERRORS},
    summary="审核单位",
)
def review(request: HttpRequest, score_id: int, payload: AssessmentNoteIn):
    user, unit_score = _writable_score(request, score_id)
    return services.review_unit(actor=user, unit_score=unit_score, note=payload.note)


@router.post(
    "/scores/{int:score_id}/grade",
    response={200: AssessmentUnitScoreOut, **ERRORS},
    summary="调整等次",
)
def grade(request: HttpRequest, score_id: int, payload: AssessmentGradeIn):
    user, unit_score = _writable_score(request, score_id)
    return services.set_grade(
        actor=user, unit_score=unit_score, grade=payload.grade, reason=payload.reason
    )


@router.post(
    "/scores/{int:score_id}/appeals",
    response={201: AssessmentAppealOut, **ERRORS},
    summary="提出申诉",
)
def file_appeal(request: HttpRequest, score_id: int, payload: AssessmentReasonIn):
    user, unit_score = _writable_score(request, score_id)
    return 201, services.file_appeal(actor=user, unit_score=unit_score, reason=payload.reason)


@router.get(
    "/plans/{int:plan_id}/appeals",
    response={200: list[AssessmentAppealOut], **ERRORS},
    summary="申诉",
)
def list_appeals(request: HttpRequest, plan_id: int):
    user = current_user(request)
    return list(selectors.appeals_of(user, get_plan_for_user(user, plan_id)))


@router.post(
    "/appeals/{int:appeal_id}/answer",
    response={200: AssessmentAppealOut, **ERRORS},
    summary="答复申诉（调整得分须上传佐证，请在页面上操作）",
)
def answer_appeal(request: HttpRequest, appeal_id: int, payload: AssessmentAnswerIn):
    user = current_user(request)
    appeal: Appeal = get_appeal_for_user(user, appeal_id, write=True)
    return services.answer_appeal(actor=user, appeal=appeal, answer=payload.answer)


# --- 典型案例 --------------------------------------------------------------------------------------


class AssessmentCaseOut(Schema):
    id: int
    title: str
    summary: str
    campaign: Ref
    unit: Ref
    track: str
    practice: str
    state: str
    pinned: bool
    review_note: str
    submitted_at: datetime.datetime
    records: list[AssessmentRecordRef]

    @staticmethod
    def resolve_campaign(obj) -> dict | None:
        return ref(obj.campaign)

    @staticmethod
    def resolve_unit(obj) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_track(obj) -> str:
        return obj.track.name if obj.track else ""

    @staticmethod
    def resolve_records(obj) -> list[dict]:
        from django.urls import reverse

        return [
            {
                "label": f"{a.starts_at:%Y-%m-%d} {a.title}",
                "url": reverse("ledgers:activity-detail", args=[a.pk]),
            }
            for a in obj.activities.order_by("starts_at", "id")
        ]


class AssessmentCaseIn(Schema):
    campaign_id: int
    unit_id: int
    title: str
    summary: str
    activity_ids: list[int]
    track_id: int | None = None
    practice: str = ""


class AssessmentCaseReviewIn(Schema):
    publish: bool
    note: str = ""


class AssessmentCaseFilters(Schema):
    state: str | None = None
    track: str | None = None
    practice: str | None = None
    q: str | None = None


@router.get("/cases", response={200: list[AssessmentCaseOut], **ERRORS}, summary="典型案例库")
def list_cases(request: HttpRequest, filters: Query[AssessmentCaseFilters]):
    flt = selectors.CaseFilter.from_params(filters.model_dump(exclude_none=True))
    if flt.errors:
        raise ValidationError(flt.errors)
    return list(selectors.case_list(current_user(request), flt).prefetch_related("activities"))


@router.get("/cases/{int:case_id}", response={200: AssessmentCaseOut, **ERRORS}, summary="典型案例")
def get_case(request: HttpRequest, case_id: int):
    return get_case_for_user(current_user(request), case_id)


@router.post("/cases", response={201: AssessmentCaseOut, **ERRORS}, summary="报送典型案例")
def submit_case(request: HttpRequest, payload: AssessmentCaseIn):
    from luoshi.ledgers.access import visible_activities
    from luoshi.org.access import units_with_any_perm

    from .access import MANAGE, SELF

    user = current_user(request)
    campaign = get_campaign_for_user(user, payload.campaign_id)
    unit = units_with_any_perm(user, SELF, MANAGE).filter(pk=payload.unit_id).first()
    if unit is None:
        raise ValidationError({"unit_id": _("请选择您可以报送案例的单位。")})
    activities = list(visible_activities(user).filter(pk__in=payload.activity_ids))
    missing = sorted(set(payload.activity_ids) - {a.pk for a in activities})
    if missing:
        raise ValidationError(
            {
                "activity_ids": _("以下记录不存在或您无权查看：%(ids)s。")
                % {"ids": "、".join(map(str, missing))}
            }
        )
    track = campaign.tracks.filter(pk=payload.track_id).first() if payload.track_id else None
    if payload.track_id and track is None:
        raise ValidationError({"track_id": _("该方向不属于本专项行动。")})
    case = services.submit_case(
        actor=user,
        campaign=campaign,
        unit=unit,
        title=payload.title,
        summary=payload.summary,
        activities=activities,
        track=track,
        practice=payload.practice,
    )
    return 201, case


@router.post(
    "/cases/{int:case_id}/review",
    response={200: AssessmentCaseOut, **ERRORS},
    summary="审核典型案例（发布或退回）",
)
def review_case(request: HttpRequest, case_id: int, payload: AssessmentCaseReviewIn):
    user = current_user(request)
    case = get_case_for_user(user, case_id, write=True)
    return services.review_case(actor=user, case=case, publish=payload.publish, note=payload.note)
