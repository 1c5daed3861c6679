"""JSON API of learning: the same services, selectors and scope as the pages.

Imports: upload an export (multipart) → the preview with its counts and mapping → change the
mapping, map organisations, match or skip rows → confirm (409 when the period is already
imported and `replace` is not set) → undo. The reports (summaries, rankings, notices) are in
api_reports, mounted on the same router.
"""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref, ref
from luoshi.org.access import get_person_in_scope, get_unit_in_scope, scope_for

from . import api_reports
from . import services_import as services
from .access import get_import_for_user, get_row_for_user, visible_imports
from .models import ImportRow, Platform, PointImport

router = Router(tags=["学习平台"])


# --- Schemas -------------------------------------------------------------------------------------


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


class RowOut(Schema):
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


class RowPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RowOut]


class UploadIn(Schema):
    platform: Platform
    unit: int
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


class ImportErrorOut(Schema):
    detail: str
    errors: list[dict]


class MappingIn(Schema):
    mapping: dict[str, str]


class OrganisationIn(Schema):
    org_name: str
    unit: int


class RowIn(Schema):
    person: int | None = None
    skip: bool = False


class ConfirmIn(Schema):
    replace: bool = False
    skip_pending: bool = False


class ReplaceOut(Schema):
    detail: str
    code: str
    previous: int


class UndoIn(Schema):
    reason: str = ""


class ImportFilter(Schema):
    platform: Platform | None = None
    status: PointImport.Status | None = None


class RowFilter(Schema):
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
def list_imports(request: HttpRequest, filters: Query[ImportFilter], params: Query[PageParams]):
    user = current_user(request)
    imports = visible_imports(user).select_related(*RELATED)
    if filters.platform:
        imports = imports.filter(platform=filters.platform)
    if filters.status:
        imports = imports.filter(status=filters.status)
    return paginate(imports, params)


@router.post(
    "/imports",
    response={201: ImportOut, **ERRORS, 400: ImportErrorOut},
    summary="上传平台导出文件（multipart），返回预览；有错误时 400 并逐行列出，不保存",
)
def upload_import(request: HttpRequest, payload: Form[UploadIn], file: File[UploadedFile]):
    user = current_user(request)
    if scope_for(user, "learning.import").is_empty:
        raise PermissionDenied(_("您没有导入平台数据的权限。"))
    unit = get_unit_in_scope(user, payload.unit, perm="learning.import")
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
    response={200: RowPage, **ERRORS},
    summary="预览行（match=pending 为未匹配及同名待选）",
)
def list_rows(
    request: HttpRequest, import_id: int, filters: Query[RowFilter], params: Query[PageParams]
):
    point_import = _import(current_user(request), import_id)
    rows = point_import.rows.select_related("person", "unit")
    groups = {
        "pending": services.PENDING,
        "matched": (ImportRow.Match.MATCHED,),
        "outside": (ImportRow.Match.OUTSIDE,),
        "skipped": (ImportRow.Match.SKIPPED,),
    }
    if filters.match in groups:
        rows = rows.filter(match__in=groups[filters.match])
    return paginate(rows, params)


@router.put(
    "/imports/{int:import_id}/mapping",
    response={200: ImportOut, **ERRORS, 400: ImportErrorOut},
    summary="修改列对应并重新读取文件",
)
def set_mapping(request: HttpRequest, import_id: int, payload: MappingIn):
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
    summary="平台组织对应单位（记住），并重新匹配",
)
def map_organisation(request: HttpRequest, import_id: int, payload: OrganisationIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    unit = get_unit_in_scope(user, payload.unit, perm="learning.import")
    services.map_organisation(
        actor=user, point_import=point_import, org_name=payload.org_name, unit=unit
    )
    return _import(user, import_id)


@router.post(
    "/imports/{int:import_id}/rows/{int:row_id}",
    response={200: RowOut, **ERRORS},
    summary="手工匹配一行（记住）或跳过",
)
def resolve_row(request: HttpRequest, import_id: int, row_id: int, payload: RowIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    row = get_row_for_user(user, point_import, row_id)
    if not payload.skip and payload.person is None:
        raise ValidationError({"person": _("请选择对应的人员，或选择跳过。")})
    person = (
        None
        if payload.skip or payload.person is None
        else get_person_in_scope(user, payload.person, perm="learning.import")
    )
    row.point_import = point_import
    services.resolve_row(actor=user, row=row, person=person, skip=payload.skip)
    return ImportRow.objects.select_related("person", "unit").get(pk=row.pk)


@router.post(
    "/imports/{int:import_id}/confirm",
    response={200: ImportOut, **ERRORS, 409: ReplaceOut},
    summary="确认导入（同期已导入时须 replace=true）",
)
def confirm(request: HttpRequest, import_id: int, payload: ConfirmIn):
    user = current_user(request)
    point_import = _import(user, import_id, write=True)
    try:
        services.confirm_import(
            actor=user,
            point_import=point_import,
            replace=payload.replace,
            skip_pending=payload.skip_pending,
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
def undo(request: HttpRequest, import_id: int, payload: UndoIn):
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


router.add_router("", api_reports.router)
