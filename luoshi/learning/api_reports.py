"""JSON API of the learning reports: monthly summaries, people of a unit, rankings, half-year
notices and the caller's own figures — the same selectors and scope rules as the pages."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from luoshi.api.auth import current_user
from luoshi.api.pages import MAX_PAGE_SIZE, PageParams
from luoshi.api.schemas import ERRORS, Ref

from . import selectors, services_reports
from .access_reports import (
    default_unit,
    get_notice_for_user,
    get_summary_unit_for_user,
    get_unit_page_for_user,
)
from .access_reports import visible_notices as _visible_notices
from .models import Platform

router = Router(tags=["学习平台汇总与通报"])


class ReportParams(Schema):
    unit: int | None = None
    month: str | None = None  # YYYY-MM; the latest imported month by default
    platform: Platform = Platform.XUEXI


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


class SummaryOut(Schema):
    unit: Ref
    platform: str
    month: str
    stored: bool
    hidden_units: int
    totals: dict
    units: list[UnitFiguresOut]


class PersonOut(Schema):
    person: Ref
    unit: Ref
    rank: int
    unit_rank: int
    value: float


class UnitPeopleOut(Schema):
    unit: Ref
    month: str
    everyone: bool
    people: list[PersonOut]


class RankingOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


class NoticeOut(Schema):
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


def _context(request: HttpRequest, params: ReportParams):
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
    return {"id": obj.pk, "name": obj.name}


def _person(row: selectors.PersonRow) -> dict:
    return {
        "person": _ref(row.record.person),
        "unit": _ref(row.record.unit),
        "rank": row.rank,
        "unit_rank": row.unit_rank,
        "value": float(row.record.value or 0),
    }


@router.get("/summaries", response={200: SummaryOut, **ERRORS}, summary="月度汇总（一月一汇总）")
def get_summary(request: HttpRequest, params: Query[ReportParams]):
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


@router.get(
    "/summaries/units/{int:unit_id}/people",
    response={200: UnitPeopleOut, **ERRORS},
    summary="单位内个人排名",
)
def get_unit_people(request: HttpRequest, unit_id: int, params: Query[ReportParams]):
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


@router.get("/rankings", response={200: RankingOut, **ERRORS}, summary="个人排名（比学赶超）")
def get_ranking(request: HttpRequest, params: Query[ReportParams], page: Query[PageParams]):
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


@router.get("/notices", response={200: list[NoticeOut], **ERRORS}, summary="半年通报列表")
def list_notices(request: HttpRequest):
    notices = _visible_notices(current_user(request)).select_related("unit")
    return [_notice(notice) for notice in notices[:200]]


@router.get("/notices/{int:notice_id}", response={200: NoticeOut, **ERRORS}, summary="半年通报详情")
def get_notice(request: HttpRequest, notice_id: int):
    """Reading a notice signs the read receipt of the caller's units (first reader only)."""
    user = current_user(request)
    notice = get_notice_for_user(user, notice_id)
    services_reports.mark_notice_read(actor=user, notice=notice)
    return _notice(notice, full=True)


@router.get("/me", response={200: list[OwnMonthOut], **ERRORS}, summary="本人各月学习数据")
def get_own(request: HttpRequest, platform: Platform = Platform.XUEXI):
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
