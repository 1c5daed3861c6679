"""JSON API of learning: the same services, selectors, filters and scope as the pages.

Imports: upload an export (multipart) → the preview with its counts and mapping → change the
mapping, map organisations, match or skip rows → confirm (409 when the period is already
imported and `replace` is not set) → undo. Reports: monthly summaries, the people of a unit,
rankings, half-year notices and the caller's own figures, under their own tag.
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.api.auth import current_user
from luoshi.api.pages import MAX_PAGE_SIZE, PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.org.access import scope_for

from . import selectors, services
from .access import (
    default_unit,
    get_import_for_user,
    get_import_person_for_user,
    get_import_unit_for_user,
    get_notice_for_user,
    get_row_for_user,
    get_summary_unit_for_user,
    get_unit_page_for_user,
    history_unit,
    visible_imports,
    visible_notices,
)
from .models import ImportRow, Platform, PointImport

router = Router(tags=["学习平台"])
reports = Router(tags=["学习平台汇总与通报"])


# --- Import schemas ------------------------------------------------------------------------------


class ImportOut(Schema):
    id: int
    platform: str
    platform_display: str = Field(alias="get_platform_display")
    unit: Ref
    period_start: datetime.date
    period_end: datetime.date
    period_from_file: bool
    status: str
    status_display: str = Field(alias="get_status_display")
    file_name: str
    file_sha256: str
    title: str
    header_row: int
    mapping: dict[str, str]
    is_cumulative: bool
    row_count: int
    matched_count: int
    unmatched_count: int
    skipped_count: int
    outside_count: int
    ignored_count: int
    record_count: int
    derived_count: int
    absent_policy: str
    absent_count: int
    replaces_id: int | None
    created_by: Ref
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    undone_at: datetime.datetime | None

    @staticmethod
    def resolve_unit(obj: PointImport) -> dict | None:
        return ref(obj.unit)

    @staticmethod
    def resolve_created_by(obj: PointImport) -> dict | None:
        return ref(obj.created_by)


class ImportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportOut]


class ImportRowOut(Schema):
    id: int
    row_number: int
    name: str
    org_name: str
    phone: str
    value: float | None
    total: float | None
    year_value: float | None
    daily_average: float | None
    match: str
    person: Ref | None
    unit: Ref | None
    candidates: list[int]
    note: str

    @staticmethod
    def resolve_person(obj: ImportRow) -> dict | None:
        return ref(obj.person)

    @staticmethod
    def resolve_unit(obj: ImportRow) -> dict | None:
        return ref(obj.unit)


class ImportRowPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ImportRowOut]


class ImportUploadIn(Schema):
    platform: Platform
    unit: int
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


class ImportErrorOut(Schema):
    detail: str
    errors: list[dict]


class ImportMappingIn(Schema):
    mapping: dict[str, str]


class ImportOrganisationIn(Schema):
    org_name: str
    unit: int


class ImportRowIn(Schema):
    person: int | None = None
    skip: bool = False


class ImportConfirmIn(Schema):
    replace: bool = False
    skip_pending: bool = False
    # People of the scope absent from the file: "absent" (未在导出中, the default) or "keep"
    # (their earlier values; the office only).
    absent_policy: str = "absent"


class ImportReplaceOut(Schema):
    detail: str
    code: str
    previous: int


class ImportUndoIn(Schema):
    reason: str = ""


class ImportFilterIn(Schema):
    """The history's filter (selectors.ImportFilter), as the page takes it."""

    platform: Platform | None = None
    status: PointImport.Status | None = None
    month: str | None = None  # YYYY-MM: imports whose period touches the month
    unit: int | None = None  # the unit and the units below; ignored outside learning.view


class ImportRowFilter(Schema):
    match: Literal["pending", "matched", "outside", "skipped", "all"] = "all"


RELATED = ("unit", "created_by")


def _import(user, pk: int, *, write: bool = False) -> PointImport:
    return get_import_for_user(user, pk, write=write)


def _errors(rejected: services.ImportRejected) -> dict:
    return {
        "detail": rejected.messages[0],
        "errors": [
            {"row": e.row, "column": e.column, "message": e.message} for e in rejected.row_errors
        ],
    }


# --- Endpoints -----------------------------------------------------------------------------------


@router.get("/imports", response={200: ImportPage, **ERRORS}, summary="平台数据导入记录")
def list_imports(request: HttpRequest, filters: Query[ImportFilterIn], params: Query[PageParams]):
    user = current_user(request)
    flt = selectors.ImportFilter(
        platform=filters.platform or "",
        status=filters.status or "",
        month=selectors.parse_month(filters.month),
        unit=history_unit(user, filters.unit),
    )
    return paginate(flt.apply(visible_imports(user).select_related(*RELATED)), params)


@router.post(
    "/imports",
    response={201: ImportOut, **ERRORS, 400: ImportErrorOut},
    summary=(
        "上传平台导出文件（multipart），返回预览；有错误时 400 并逐行列出，不保存；"
        "文件被拒绝（疑似压缩炸弹、行数超过上限、不是 Excel 工作簿）时 422"
    ),
)
def upload_import(request: HttpRequest, payload: Form[ImportUploadIn], file: File[UploadedFile]):
    user = current_user(request)
    if scope_for(user, "learning.import").is_empty:
        raise PermissionDenied(_("您没有导入平台数据的权限。"))
    unit = get_import_unit_for_user(user, payload.unit)
    try:
        point_import = services.start_import(
            actor=user,
            platform=payload.platform,
            unit=unit,
            upload=file,
            period_start=payload.period_start,
            period_end=payload.period_end,
        )
    except services.ImportRejected as rejected:
        return Status(400, _errors(rejected))
    return Status(201, _import(user, point_import.pk))


@router.get("/imports/{int:import_id}", response={200: ImportOut, **ERRORS}, summary="导入详情")
def get_import(request: HttpRequest, import_id: int):
    return _import(current_user(request), import_id)


@router.get(
    "/imports/{int:import_id}/rows",
    response={200: ImportRowPage, **ERRORS},
    summary="预览行（match=pending 为未匹配及同名待选）",
)
def list_rows(
    request: HttpRequest, import_id: int, filters: Query[ImportRowFilter], params: Query[PageParams]
):
    point_import = _import(current_user(request), import_id)
    rows = point_import.rows.select_related("person", "unit")
    if filters.match in selectors.ROW_GROUPS:
        rows = rows.filter(match__in=selectors.ROW_GROUPS[filters.match])
    return paginate(rows, params)


@router.put(
    "/imports/{int:import_id}/mapping",
    response={200: ImportOut, **ERRORS, 400: ImportErrorOut},
    summary="修改列对应并重新读取文件",
)
def set_mapping(request: HttpRequest, import_id: int, payload: ImportMappingIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    try:
        services.remap_import(actor=user, point_import=point_import, mapping=payload.mapping)
    except services.ImportRejected as rejected:
        return Status(400, _errors(rejected))
    return _import(user, import_id)


@router.post(
    "/imports/{int:import_id}/organisations",
    response={200: ImportOut, **ERRORS},
    summary="平台组织对应单位（确认导入时按导入人的范围记住），并重新匹配",
)
def map_organisation(request: HttpRequest, import_id: int, payload: ImportOrganisationIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    unit = get_import_unit_for_user(user, payload.unit)
    services.map_organisation(
        actor=user, point_import=point_import, org_name=payload.org_name, unit=unit
    )
    return _import(user, import_id)


@router.post(
    "/imports/{int:import_id}/rows/{int:row_id}",
    response={200: ImportRowOut, **ERRORS},
    summary="手工匹配一行（确认导入时记住）或跳过",
)
def resolve_row(request: HttpRequest, import_id: int, row_id: int, payload: ImportRowIn):
    user = current_user(request)
    row = get_row_for_user(user, row_id, write=True)
    if row.point_import_id != import_id:
        raise Http404
    if not payload.skip and payload.person is None:
        raise ValidationError({"person": _("请选择对应的人员，或选择跳过。")})
    person = (
        None
        if payload.skip or payload.person is None
        else get_import_person_for_user(user, payload.person)
    )
    return services.resolve_row(actor=user, row=row, person=person, skip=payload.skip)


@router.post(
    "/imports/{int:import_id}/confirm",
    response={200: ImportOut, **ERRORS, 409: ImportReplaceOut},
    summary="确认导入（同期已导入时须 replace=true）",
)
def confirm(request: HttpRequest, import_id: int, payload: ImportConfirmIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    try:
        services.confirm_import(
            actor=user,
            point_import=point_import,
            replace=payload.replace,
            skip_pending=payload.skip_pending,
            absent_policy=payload.absent_policy,
        )
    except services.ReplaceNeeded as needed:
        return Status(
            409,
            {"detail": needed.messages[0], "code": "replace", "previous": needed.previous.pk},
        )
    return _import(user, import_id)


@router.post(
    "/imports/{int:import_id}/undo", response={200: ImportOut, **ERRORS}, summary="撤销导入"
)
def undo(request: HttpRequest, import_id: int, payload: ImportUndoIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    services.undo_import(actor=user, point_import=point_import, reason=payload.reason)
    return _import(user, import_id)


@router.post(
    "/imports/{int:import_id}/discard", response={200: ImportOut, **ERRORS}, summary="放弃预览"
)
def discard(request: HttpRequest, import_id: int):
    user = current_user(request)
    services.discard_import(actor=user, point_import=_import(user, import_id, write=True))
    return _import(user, import_id)


# --- Reports -------------------------------------------------------------------------------------


class LearningReportParams(Schema):
    unit: int | None = None
    month: str | None = None  # YYYY-MM; the latest imported month by default
    platform: Platform = Platform.STRONG_NATION


class UnitFiguresOut(Schema):
    unit: Ref
    rank: int | None
    previous_rank: int | None
    change: int | None
    headcount: int
    registered: int
    registration_rate: float
    active: int
    active_rate: float
    value: float
    per_person: float
    flags: list[str]


class MonthlySummaryOut(Schema):
    unit: Ref
    platform: str
    month: str
    stored: bool
    hidden_units: int
    totals: dict
    units: list[UnitFiguresOut]


class RankedPersonOut(Schema):
    person: Ref
    unit: Ref
    rank: int
    unit_rank: int
    value: float


class UnitPeopleOut(Schema):
    unit: Ref
    month: str
    everyone: bool
    people: list[RankedPersonOut]


class PersonRankingOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[RankedPersonOut]


class HalfYearNoticeOut(Schema):
    id: int
    number: str
    title: str
    recipients: str
    unit: Ref
    platform: str
    year: int
    half: int
    issued_at: datetime.datetime
    data: dict | None = None


class OwnMonthOut(Schema):
    month: str
    unit: Ref
    value: float | None
    total: float | None
    is_derived: bool
    unit_rank: int | None
    unit_size: int


def _context(request: HttpRequest, params: LearningReportParams):
    user = current_user(request)
    unit = (
        get_summary_unit_for_user(user, params.unit)
        if params.unit is not None
        else default_unit(user)
    )
    if unit is None:
        raise PermissionDenied
    month = selectors.parse_month(params.month) or selectors.latest_month(params.platform)
    return user, unit, month


def _ref(obj) -> dict:
    """A Ref of a unit or person (ref() for model instances; the summary's UnitRefs too)."""
    return {"id": obj.pk, "name": obj.name}


def _person(row: selectors.PersonRow) -> dict:
    return {
        "person": _ref(row.record.person),
        "unit": _ref(row.record.unit),
        "rank": row.rank,
        "unit_rank": row.unit_rank,
        "value": float(row.record.value or 0),
    }


@reports.get(
    "/summaries", response={200: MonthlySummaryOut, **ERRORS}, summary="月度汇总（一月一汇总）"
)
def get_summary(request: HttpRequest, params: Query[LearningReportParams]):
    user, unit, month = _context(request, params)
    summary = selectors.monthly_summary(user, unit, params.platform, month)
    return {
        "unit": _ref(unit),
        "platform": params.platform,
        "month": f"{month:%Y-%m}",
        "stored": summary.stored_at is not None,
        "hidden_units": summary.hidden,
        "totals": {
            key: float(value) if not isinstance(value, int) else value
            for key, value in summary.totals().items()
        },
        "units": [
            {
                "unit": _ref(row.unit),
                "rank": row.rank,
                "previous_rank": row.previous_rank,
                "change": row.change,
                "headcount": row.headcount,
                "registered": row.registered,
                "registration_rate": row.registration_rate,
                "active": row.active,
                "active_rate": row.active_rate,
                "value": float(row.value),
                "per_person": row.per_person,
                "flags": row.flags,
            }
            for row in summary.rows
        ],
    }


@reports.get(
    "/summaries/units/{int:unit_id}/people",
    response={200: UnitPeopleOut, **ERRORS},
    summary="单位内个人排名",
)
def get_unit_people(request: HttpRequest, unit_id: int, params: Query[LearningReportParams]):
    user = current_user(request)
    unit = get_unit_page_for_user(user, unit_id)
    month = selectors.parse_month(params.month) or selectors.latest_month(params.platform)
    rules = selectors.settings_for(unit)
    viewer = selectors.Viewer(user)
    if not viewer.sees_unit(unit, rules):
        raise Http404
    everyone = viewer.sees_people(unit, rules)
    rows = selectors.unit_people(params.platform, month, unit)
    if not everyone:
        rows = [row for row in rows if row.record.person_id == user.pk]
    for row in rows:
        row.record.unit = unit
    return {
        "unit": _ref(unit),
        "month": f"{month:%Y-%m}",
        "everyone": everyone,
        "people": [_person(row) for row in rows],
    }


@reports.get(
    "/rankings", response={200: PersonRankingOut, **ERRORS}, summary="个人排名（比学赶超）"
)
def get_ranking(request: HttpRequest, params: Query[LearningReportParams], page: Query[PageParams]):
    user, unit, month = _context(request, params)
    ranked = selectors.Ranking(user, unit, params.platform, month)
    number = max(page.page, 1)
    size = min(max(page.page_size, 1), MAX_PAGE_SIZE)
    rows = ranked[(number - 1) * size : number * size]
    return {
        "count": ranked.count(),
        "page": number,
        "page_size": size,
        "items": [_person(row) for row in rows],
    }


def _notice(notice, *, full: bool = False) -> dict:
    return {
        "id": notice.pk,
        "number": notice.number,
        "title": notice.title,
        "recipients": notice.recipients,
        "unit": _ref(notice.unit),
        "platform": notice.platform,
        "year": notice.year,
        "half": notice.half,
        "issued_at": notice.issued_at,
        "data": notice.data if full else None,
    }


class HalfYearNoticeFilterIn(Schema):
    """The notice list's filter (selectors.NoticeFilter), as the page takes it."""

    year: int | None = None
    platform: Platform | None = None


@reports.get("/notices", response={200: list[HalfYearNoticeOut], **ERRORS}, summary="半年通报列表")
def list_notices(request: HttpRequest, filters: Query[HalfYearNoticeFilterIn]):
    flt = selectors.NoticeFilter(year=filters.year, platform=filters.platform or "")
    notices = flt.apply(visible_notices(current_user(request))).select_related("unit")
    return [_notice(notice) for notice in notices[:200]]


@reports.get(
    "/notices/{int:notice_id}", response={200: HalfYearNoticeOut, **ERRORS}, summary="半年通报详情"
)
def get_notice(request: HttpRequest, notice_id: int):
    """Reading a notice signs the read receipt of the caller's units (first reader only)."""
    user = current_user(request)
    notice = get_notice_for_user(user, notice_id)
    services.mark_notice_read(actor=user, notice=notice)
    return _notice(notice, full=True)


@reports.get("/me", response={200: list[OwnMonthOut], **ERRORS}, summary="本人各月学习数据")
def get_own(request: HttpRequest, platform: Platform = Platform.STRONG_NATION):
    return [
        {
            "month": f"{item['month']:%Y-%m}",
            "unit": _ref(item["unit"]),
            "value": float(item["record"].value) if item["record"].value is not None else None,
            "total": float(item["record"].total) if item["record"].total is not None else None,
            "is_derived": item["record"].is_derived,
            "unit_rank": item["unit_rank"],
            "unit_size": item["unit_size"],
        }
        for item in selectors.own_months(current_user(request), platform)
    ]


router.add_router("", reports)
