"""JSON API of the ledger: activity types, activities, attendance, check-in, the type × unit ×
month pivot and per-person counts.

The same services, selectors and scope rules as the pages: a record outside the caller's
`ledger.view` scope is a 404, one seen but not writable a 403, and the services' Chinese field
messages come back as 422 (luoshi.api.api's exception handlers).
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from luoshi.accounts.models import User
from luoshi.api.auth import current_user
from luoshi.api.pages import MAX_PAGE_SIZE, PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.campaigns.access import visible_campaigns, visible_tasks
from luoshi.campaigns.models import Campaign, Track
from luoshi.org.access import (
    get_person_in_scope,
    get_unit_in_scope,
    has_perm,
    require_perm,
    scope_for,
)

from . import hooks, selectors, services
from .access import (
    can_edit_activity,
    get_activity_for_user,
    get_type_for_user,
    recording_units,
    visible_types,
)
from .models import Activity, ActivityType, Category, Participation

router = Router(tags=["台账"])


# --- Schemas --------------------------------------------------------------------------------------


class FieldDefinition(Schema):
    key: str
    label: str
    kind: str = Field(..., description="text、number、date、choice、person、unit、file")
    required: bool = False
    choices: list[str] = []


class TypeOut(Schema):
    id: int
    name: str
    category: str
    category_display: str
    campaign: Ref | None
    track: Ref | None
    takes_attendance: bool
    takes_checkin: bool
    records_hours: bool
    has_venue_category: bool
    has_audience: bool
    is_personal: bool
    fields: list[FieldDefinition]
    description: str
    sort_order: int
    is_active: bool

    @staticmethod
    def resolve_category_display(obj: ActivityType) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_campaign(obj: ActivityType) -> dict | None:
        return ref(obj.campaign)

    @staticmethod
    def resolve_track(obj: ActivityType) -> dict | None:
        return ref(obj.track)


class TypeFilters(Schema):
    q: str = ""
    category: Category | None = None
    active: bool | None = Field(None, description="true：仅启用；false：仅停用；不填：全部")


class TypeCreateIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    category: Category = Category.OTHER
    campaign_id: int | None = None
    track_id: int | None = None
    takes_attendance: bool = True
    takes_checkin: bool = False
    records_hours: bool = False
    has_venue_category: bool = False
    has_audience: bool = False
    is_personal: bool = False
    fields: list[dict[str, Any]] = Field([], description="自定义字段定义 {key, label, kind, …}")
    description: str = ""
    sort_order: int = Field(0, ge=0, le=32767)
    is_active: bool = True


class TypeEditIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    category: Category | None = None
    campaign_id: int | None = None
    track_id: int | None = None
    takes_attendance: bool | None = None
    takes_checkin: bool | None = None
    records_hours: bool | None = None
    has_venue_category: bool | None = None
    has_audience: bool | None = None
    is_personal: bool | None = None
    fields: list[dict[str, Any]] | None = None
    description: str | None = None
    sort_order: int | None = Field(None, ge=0, le=32767)
    is_active: bool | None = Field(None, description="false：停用（活动类型不能删除）")


class ActivityOut(Schema):
    id: int
    type: Ref
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    place: str
    site: Ref | None
    venue_category: str
    unit: Ref
    recorded_by: Ref
    audience: int | None
    hours: Decimal | None
    notes: str
    campaigns: list[Ref]
    participants: int
    commended: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted_at: datetime.datetime | None

    @staticmethod
    def resolve_type(obj: Activity) -> dict | None:
        return ref(obj.type)

    @staticmethod
    def resolve_site(obj: Activity) -> dict | None:
        return ref(hooks.part_value(obj, "site"))  # the heritage site (a record part)

    @staticmethod
    def resolve_unit(obj: Activity) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_recorded_by(obj: Activity) -> dict | None:
        return ref(obj.recorded_by)

    @staticmethod
    def resolve_campaigns(obj: Activity) -> list[dict]:
        return [{"id": c.pk, "name": c.display_name} for c in obj.campaigns.all()]

    @staticmethod
    def resolve_participants(obj: Activity) -> int:
        people = getattr(obj, "people", None)
        return people if people is not None else obj.participations.count()

    @staticmethod
    def resolve_commended(obj: Activity) -> bool:
        return obj.commended_at is not None


class ActivityDetailOut(ActivityOut):
    values: dict[str, Any]
    evidence_task: Ref | None
    can_edit: bool
    checkin_code: str = Field(..., description="六位签到码；仅可修改此记录的人可见")
    checkin_opens_at: datetime.datetime | None
    checkin_closes_at: datetime.datetime | None

    @staticmethod
    def resolve_evidence_task(obj: Activity) -> dict | None:
        task = obj.evidence_task
        return {"id": task.pk, "name": task.title} if task is not None else None


class ActivityPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ActivityOut]


class ActivityFilters(Schema):
    """The activity list page's filters, by the same names."""

    type: int | None = None
    unit: int | None = Field(None, description="单位（含下级；only=true 时仅本单位）")
    only: bool = False
    from_: datetime.date | None = Field(None, alias="from")
    to: datetime.date | None = None
    category: Category | None = None
    campaign: int | None = None
    q: str = ""
    person: int | None = Field(None, description="此人参加过的活动")
    site: int | None = Field(None, description="在此红色资源点位开展的活动")
    field: str = Field("", description="自定义字段标识；与 value 同用：该字段等于 value 的记录")
    value: str = Field("", max_length=200)
    commended: bool = Field(False, description="true：仅评为优秀的记录")
    deleted: bool = Field(False, description="true：已删除的记录（须有 ledger.configure 权限）")


class ActivityIn(Schema):
    type_id: int
    unit_id: int
    title: str = Field("", max_length=200)
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    place: str = Field("", max_length=200)
    site_id: int | None = None
    venue_category: str = ""
    audience: int | None = None
    hours: Decimal | None = None
    values: dict[str, Any] = Field({}, description="活动类型自定义字段的值，按字段标识")
    notes: str = ""
    evidence_task_id: int | None = None
    campaign_ids: list[int] | None = Field(None, description="不填：活动类型所计入的专项行动")
    participant_ids: list[int] = []
    checkin_opens_at: datetime.datetime | None = None
    checkin_closes_at: datetime.datetime | None = None


class ActivityEditIn(Schema):
    title: str | None = Field(None, max_length=200)
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place: str | None = Field(None, max_length=200)
    site_id: int | None = None
    venue_category: str | None = None
    unit_id: int | None = None
    audience: int | None = None
    hours: Decimal | None = None
    values: dict[str, Any] | None = None
    notes: str | None = None
    evidence_task_id: int | None = None
    campaign_ids: list[int] | None = None
    checkin_opens_at: datetime.datetime | None = None
    checkin_closes_at: datetime.datetime | None = None


class ActivityReasonIn(Schema):
    reason: str = ""


class ActivityDeletedOut(Schema):
    id: int
    title: str
    deleted_at: datetime.datetime
    detail: str


class ParticipationOut(Schema):
    person: Ref
    source: str
    source_display: str
    checked_in_at: datetime.datetime | None

    @staticmethod
    def resolve_person(obj: Participation) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_source_display(obj: Participation) -> str:
        return obj.get_source_display()


class ParticipantsIn(Schema):
    person_ids: list[int] = Field(..., description="全部参加人员；整体替换（手工更正）")


class CheckinIn(Schema):
    code: str = Field(..., description="六位数字签到码")


class CheckinOut(Schema):
    activity: Ref
    created: bool
    detail: str


class PivotFilters(Schema):
    type: int | None = None
    unit: int | None = Field(None, description="单位及其下级（不填：全部可见范围）")
    from_: datetime.date | None = Field(None, alias="from", description="不填：当年 1 月 1 日")
    to: datetime.date | None = Field(None, description="不填：今天")
    category: Category | None = None
    campaign: int | None = None


class PivotRow(Schema):
    unit: Ref
    type: Ref
    own: bool = Field(
        ..., description="true：所选单位本单位的记录；false：该下级单位及其全部下级的记录"
    )
    counts: list[int]
    total: int


class PivotOut(Schema):
    months: list[str] = Field(..., description="各列月份，YYYY-MM")
    count: int = Field(..., description="行（单位 × 活动类型）总数；rows 为其中一页")
    page: int
    page_size: int
    rows: list[PivotRow]
    column_totals: list[int] = Field(..., description="各月合计（全部行）")
    total: int


class PersonRow(Schema):
    person: Ref
    counts: list[int]
    total: int


class PersonCountsOut(Schema):
    types: list[Ref]
    rows: list[PersonRow]


# --- Helpers --------------------------------------------------------------------------------------


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A time without an offset is read as local time (Asia/Shanghai), as the forms do."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _one(reachable: QuerySet, pk: int | None, field: str, message: str):
    """The object `pk` among those the caller may name (a scoped queryset), None for no id; a
    field error when it is not there."""
    if pk is None:
        return None
    obj = reachable.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: message})
    return obj


def _many(model, ids: list[int], field: str, message: str) -> list:
    found = model.objects.in_bulk(ids)
    missing = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
    if missing:
        raise ValidationError({field: message % {"ids": "、".join(missing)}})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _parts(values: dict[str, Any]) -> dict[str, Any]:
    """The record parts given by id (`site_id`: the heritage site), looked up by their owners."""
    parts = {}
    for part in hooks.RECORD_PARTS:
        key = f"{part.name}_id"
        if key in values:
            parts[part.name] = part.lookup(values[key]) if values[key] is not None else None
    return parts


def _people(ids: list[int]) -> list[User]:
    return _many(User, ids, "participants", _("人员不存在：%(ids)s"))


def _campaigns(ids: list[int]) -> list[Campaign]:
    return _many(Campaign, ids, "campaigns", _("专项行动不存在：%(ids)s"))


def _filter(user, filters, *, with_person: bool = True) -> selectors.ActivityFilter:
    """The page's filter from the query; a unit or person outside the scope is a 404."""
    unit = None
    if filters.unit is not None:
        unit = get_unit_in_scope(user, filters.unit, perm="ledger.view")
    person_id = getattr(filters, "person", None) if with_person else None
    field_key = getattr(filters, "field", "")
    if person_id is not None:
        get_person_in_scope(user, person_id, perm="ledger.view")
    return selectors.ActivityFilter(
        type_id=filters.type,
        unit=unit,
        date_from=filters.from_,
        date_to=filters.to,
        category=filters.category or "",
        campaign_id=filters.campaign,
        text=getattr(filters, "q", "").strip(),
        unit_exact=getattr(filters, "only", False),
        person_id=person_id,
        parts={
            part.name: value
            for part in hooks.RECORD_PARTS
            if (value := getattr(filters, part.name, None)) is not None
        },
        field_key=field_key if services.KEY_RE.match(field_key) else "",
        field_value=getattr(filters, "value", "").strip(),
        commended=getattr(filters, "commended", False),
    )


def _detail(user, activity_id: int, *, deleted: bool = False) -> Activity:
    activity = get_activity_for_user(user, activity_id, deleted=deleted)
    activity.can_edit = can_edit_activity(user, activity)  # type: ignore[attr-defined]
    if not activity.can_edit:  # type: ignore[attr-defined]
        activity.checkin_code = ""  # the code lets anyone check in: only for its recorders
    return activity


# --- Activity types -------------------------------------------------------------------------------


def _require_ledger(user) -> None:
    if not (
        has_perm(user, "ledger.view")
        or has_perm(user, "ledger.record")
        or has_perm(user, "ledger.configure")
    ):
        raise PermissionDenied(_("您没有查看台账的权限。"))


@router.get("/types", response={200: list[TypeOut], **ERRORS}, summary="活动类型列表")
def list_types(request: HttpRequest, filters: Query[TypeFilters]):
    _require_ledger(current_user(request))
    flt = selectors.TypeFilter(
        text=filters.q, category=str(filters.category or ""), active=filters.active
    )
    return list(selectors.type_list(current_user(request), flt))


@router.get("/types/{int:type_id}", response={200: TypeOut, **ERRORS}, summary="活动类型详情")
def get_type(request: HttpRequest, type_id: int):
    return get_type_for_user(current_user(request), type_id)


def _type_links(user, values: dict[str, Any]) -> dict[str, Any]:
    """The campaign and track a type counts toward, among the campaigns `user` sees."""
    campaigns = visible_campaigns(user)
    if "campaign_id" in values:
        values["campaign"] = _one(
            campaigns, values.pop("campaign_id"), "campaign", _("所选专项行动不存在。")
        )
    if "track_id" in values:
        tracks = Track.objects.filter(campaign__in=campaigns)
        values["track"] = _one(tracks, values.pop("track_id"), "track", _("所选方向不存在。"))
    return values


@router.post("/types", response={201: TypeOut, **ERRORS}, summary="新建活动类型（行动办）")
def create_type(request: HttpRequest, payload: TypeCreateIn):
    user = current_user(request)
    require_perm(user, "ledger.configure")
    values = _type_links(user, payload.model_dump())
    values["category"] = str(values["category"])
    activity_type = services.create_activity_type(actor=user, **values)
    return Status(201, activity_type)


@router.patch(
    "/types/{int:type_id}", response={200: TypeOut, **ERRORS}, summary="修改、停用或启用活动类型"
)
def edit_type(request: HttpRequest, type_id: int, payload: TypeEditIn):
    user = current_user(request)
    activity_type = get_type_for_user(user, type_id)
    require_perm(user, "ledger.configure")
    values = payload.model_dump(exclude_unset=True)
    nullable = {"campaign_id", "track_id"}
    empty = [name for name, value in values.items() if value is None and name not in nullable]
    if empty:
        raise ValidationError({name: _("此项不能为空。") for name in empty})
    values = _type_links(user, values)
    if "category" in values:
        values["category"] = str(values["category"])
    if values:
        services.update_activity_type(actor=user, activity_type=activity_type, **values)
    return get_type_for_user(user, type_id)


# --- Activities -----------------------------------------------------------------------------------


@router.get(
    "/activities",
    response={200: ActivityPage, **ERRORS},
    summary="活动台账（与台账页面相同的筛选，分页）",
)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters], page: Query[PageParams]):
    user = current_user(request)
    require_perm(user, "ledger.view")
    deleted = filters.deleted and has_perm(user, "ledger.configure")
    return paginate(selectors.activity_list(user, _filter(user, filters), deleted=deleted), page)


@router.get(
    "/activities/{int:activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="活动详情",
)
def get_activity(request: HttpRequest, activity_id: int):
    return _detail(current_user(request), activity_id)


@router.post(
    "/activities",
    response={201: ActivityDetailOut, **ERRORS},
    summary="登记活动（含参加人员、自定义字段、计入的专项行动）",
)
def create_activity(request: HttpRequest, payload: ActivityIn):
    user = current_user(request)
    require_perm(user, "ledger.record")
    activity_type = _one(visible_types(user), payload.type_id, "type", _("所选活动类型不存在。"))
    # A unit out of the recording reach is None: the service names the field.
    unit = recording_units(user).filter(pk=payload.unit_id).first()
    parts = _parts(payload.model_dump(exclude_unset=True))
    task = _one(
        visible_tasks(user), payload.evidence_task_id, "evidence_task", _("所选任务不存在。")
    )
    # None: the service counts the record toward the type's campaign.
    # No campaign_ids: the type's own campaign, as on the page; [] counts toward none.
    campaigns = _campaigns(payload.campaign_ids) if payload.campaign_ids is not None else None
    activity = services.record_activity(
        actor=user,
        activity_type=activity_type,
        unit=unit,
        title=payload.title,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        place=payload.place,
        parts=parts,
        venue_category=payload.venue_category,
        audience=payload.audience,
        hours=payload.hours,
        values=payload.values,
        notes=payload.notes,
        evidence_task=task,
        campaigns=campaigns,
        participants=_people(payload.participant_ids),
        checkin_opens_at=_aware(payload.checkin_opens_at),
        checkin_closes_at=_aware(payload.checkin_closes_at),
    )
    return Status(201, _detail(user, activity.pk))


@router.patch(
    "/activities/{int:activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="修改活动（参加人员另用 PUT …/participants）",
)
def edit_activity(request: HttpRequest, activity_id: int, payload: ActivityEditIn):
    user = current_user(request)
    activity = get_activity_for_user(user, activity_id, write=True)
    values = payload.model_dump(exclude_unset=True)
    required = {"title", "starts_at", "place", "venue_category", "unit_id", "notes"}
    empty = [name for name, value in values.items() if value is None and name in required]
    if empty:
        raise ValidationError({name: _("此项不能为空。") for name in empty})
    changes: dict[str, Any] = {}
    for name in ("title", "place", "venue_category", "notes", "audience", "hours"):
        if name in values:
            changes[name] = values[name]
    for name in ("starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"):
        if name in values:
            changes[name] = _aware(values[name])
    if "unit_id" in values:
        changes["unit"] = recording_units(user).filter(pk=values["unit_id"]).first()
    if "evidence_task_id" in values:
        changes["evidence_task"] = _one(
            visible_tasks(user), values["evidence_task_id"], "evidence_task", _("所选任务不存在。")
        )
    campaigns = None
    if values.get("campaign_ids") is not None:
        campaigns = _campaigns(values["campaign_ids"])
    services.update_activity(
        actor=user,
        activity=activity,
        values=values.get("values"),
        campaigns=campaigns,
        parts=_parts(values),
        **changes,
    )
    return _detail(user, activity.pk)


@router.delete(
    "/activities/{int:activity_id}",
    response={200: ActivityDeletedOut, **ERRORS},
    summary="删除活动（行动办可恢复）",
)
def delete_activity(
    request: HttpRequest, activity_id: int, payload: ActivityReasonIn | None = None
):
    user = current_user(request)
    activity = get_activity_for_user(user, activity_id)
    reason = payload.reason.strip() if payload is not None else ""
    services.delete_activity(actor=user, activity=activity, reason=reason)
    assert activity.deleted_at is not None
    return {
        "id": activity.pk,
        "title": activity.title,
        "deleted_at": activity.deleted_at,
        "detail": _("已删除“%(title)s”，行动办可恢复。") % {"title": activity.title},
    }


@router.post(
    "/activities/{int:activity_id}/restore",
    response={200: ActivityDetailOut, **ERRORS},
    summary="恢复已删除的活动（行动办）",
)
def restore_activity(request: HttpRequest, activity_id: int):
    user = current_user(request)
    activity = get_activity_for_user(user, activity_id, deleted=True)
    if not scope_for(user, "ledger.configure").contains(activity.unit):
        raise Http404  # deleted records are out of sight for everyone but the office
    services.restore_activity(actor=user, activity=activity)
    return _detail(user, activity.pk)


# --- Attendance and check-in ----------------------------------------------------------------------


@router.get(
    "/activities/{int:activity_id}/participants",
    response={200: list[ParticipationOut], **ERRORS},
    summary="参加人员",
)
def list_participants(request: HttpRequest, activity_id: int):
    activity = get_activity_for_user(current_user(request), activity_id)
    return selectors.activity_detail_participants(activity)


@router.put(
    "/activities/{int:activity_id}/participants",
    response={200: list[ParticipationOut], **ERRORS},
    summary="更正参加人员（整体替换）",
)
def set_participants(request: HttpRequest, activity_id: int, payload: ParticipantsIn):
    user = current_user(request)
    activity = get_activity_for_user(user, activity_id, write=True)
    services.set_participants(actor=user, activity=activity, people=_people(payload.person_ids))
    return selectors.activity_detail_participants(activity)


@router.post("/checkin", response={200: CheckinOut, **ERRORS}, summary="以六位签到码签到（本人）")
def check_in(request: HttpRequest, payload: CheckinIn):
    try:
        activity, created = services.check_in(actor=current_user(request), code=payload.code)
    except services.CheckinRefused as refused:
        raise ValidationError({"code": refused.messages}) from refused
    detail = (_("签到成功：%(title)s") if created else _("您已签到过：%(title)s")) % {
        "title": activity.title
    }
    return {
        "activity": {"id": activity.pk, "name": activity.title},
        "created": created,
        "detail": detail,
    }


# --- Counts ---------------------------------------------------------------------------------------


@router.get(
    "/pivot",
    response={200: PivotOut, **ERRORS},
    summary="台账统计（逐级汇总）：本单位及各下级单位（含其下级）× 活动类型 × 月份（行分页，合计为全部行）",
)
def pivot(request: HttpRequest, filters: Query[PivotFilters], page: Query[PageParams]):
    user = current_user(request)
    require_perm(user, "ledger.view")
    table = selectors.ledger_pivot(user, _filter(user, filters, with_person=False))
    number = max(page.page, 1)
    size = min(max(page.page_size, 1), MAX_PAGE_SIZE)
    shown = table.rows[(number - 1) * size : number * size]
    return {
        "months": [f"{month:%Y-%m}" for month in table.months],
        "count": len(table.rows),
        "page": number,
        "page_size": size,
        "rows": [
            {
                "unit": ref(row["unit"]),
                "type": ref(row["type"]),
                "own": row["own"],
                "counts": row["counts"],
                "total": row["total"],
            }
            for row in shown
        ],
        "column_totals": table.column_totals,
        "total": table.total,
    }


@router.get(
    "/people-counts",
    response={200: PersonCountsOut, **ERRORS},
    summary="个人参加活动次数（按活动类型；默认学习类）",
)
def people_counts(request: HttpRequest, filters: Query[PivotFilters]):
    user = current_user(request)
    require_perm(user, "ledger.view")
    flt = _filter(user, filters, with_person=False)
    if filters.category is None:
        flt.category = Category.STUDY
    table = selectors.person_counts(user, flt)
    return {
        "types": [ref(t) for t in table.types],
        "rows": [
            {"person": ref(row["person"]), "counts": row["counts"], "total": row["total"]}
            for row in table.rows
        ],
    }
