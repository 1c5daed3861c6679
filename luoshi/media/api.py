"""JSON API of media: the same services, selectors and scope as the pages."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from luoshi.api.auth import current_user
from luoshi.api.pages import PageParams, paginate
from luoshi.api.schemas import ERRORS, Ref
from luoshi.ledgers.access import recording_units
from luoshi.org.access import (
    get_person_for_user,
    get_person_in_scope,
    get_unit_in_scope,
    require_perm,
    units_with_any_perm,
    visible_people,
)

from . import selectors, services
from .access import (
    TARGET_PERMS,
    get_channel_for_user,
    get_media_type_for_user,
    get_publication_for_user,
)
from .models import JournalistTarget, Level, Publication
from .selectors import Period, PublicationFilter

router = Router(tags=["融媒矩阵"])


class ChannelOut(Schema):
    id: int
    name: str
    sort_order: int
    is_active: bool


class PublicationOut(Schema):
    id: int
    activity_id: int
    title: str
    published_at: datetime.datetime
    channel: Ref
    level: str
    level_display: str
    unit: Ref
    authors: list[Ref]
    link: str
    views: int | None


def _publication_out(publication: Publication) -> dict:
    activity = publication.activity
    return {
        "id": publication.pk,
        "activity_id": activity.pk,
        "title": activity.title,
        "published_at": activity.starts_at,
        "channel": {"id": publication.channel_id, "name": publication.channel.name},
        "level": publication.level,
        "level_display": publication.get_level_display(),
        "unit": {"id": activity.unit_id, "name": activity.unit.name},
        "authors": [
            {"id": p.person_id, "name": p.person.name or p.person.username}
            for p in activity.participations.all()
        ],
        "link": publication.link,
        "views": publication.views,
    }


class PublicationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PublicationOut]


class PublicationFilters(Schema):
    unit: int | None = None
    channel: int | None = None
    level: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person: int | None = None
    q: str = ""


class PublicationIn(Schema):
    unit: int
    title: str
    published_on: datetime.date
    channel: int
    level: str
    authors: list[int]
    link: str = ""
    views: int | None = None
    notes: str = ""
    activity_type: int | None = None


class JournalistTargetOut(Schema):
    id: int
    person: Ref
    unit: Ref
    period: str
    period_kind: str
    period_start: datetime.date
    level: str
    count: int

    @staticmethod
    def resolve_period(obj: JournalistTarget) -> str:
        return obj.period_label


class JournalistTargetIn(Schema):
    person: int
    unit: int
    period: str  # "2026-11" or "2026-Q4"
    level: str = ""
    count: int


class MatrixRowOut(Schema):
    person: Ref
    unit: Ref | None
    target: int | None
    placements: int
    rate: float | None
    under: bool
    views: int
    by_channel: dict[str, int]
    by_level: dict[str, dict[str, int | None]]


class MatrixOut(Schema):
    period: str
    date_from: datetime.date
    date_to: datetime.date
    channels: list[ChannelOut]
    rows: list[MatrixRowOut]
    target_total: int
    placements_total: int
    rate: float | None


@router.get("/channels", response={200: list[ChannelOut], **ERRORS}, summary="传播渠道")
def list_channels(request: HttpRequest):
    require_perm(current_user(request), "ledger.view")
    return list(selectors.channel_list())


def _filter(user, filters: PublicationFilters) -> PublicationFilter:
    unit = get_unit_in_scope(user, filters.unit, perm="ledger.view") if filters.unit else None
    if filters.person:
        get_person_in_scope(user, filters.person, perm="ledger.view")
    return PublicationFilter(
        unit=unit,
        channel_id=filters.channel,
        level=filters.level if filters.level in Level.values else "",
        date_from=filters.date_from,
        date_to=filters.date_to,
        person_id=filters.person,
        text=filters.q.strip(),
    )


@router.get("/publications", response={200: PublicationPage, **ERRORS}, summary="刊播稿件列表")
def list_publications(
    request: HttpRequest, filters: Query[PublicationFilters], page: Query[PageParams]
):
    user = current_user(request)
    require_perm(user, "ledger.view")
    result = paginate(selectors.publication_list(user, _filter(user, filters)), page)
    result["items"] = [_publication_out(p) for p in result["items"]]
    return result


@router.get(
    "/publications/{int:publication_id}",
    response={200: PublicationOut, **ERRORS},
    summary="刊播稿件详情",
)
def get_publication(request: HttpRequest, publication_id: int):
    return _publication_out(get_publication_for_user(current_user(request), publication_id))


@router.post(
    "/publications", response={201: PublicationOut, **ERRORS}, summary="登记稿件（同时计入台账）"
)
def create_publication(request: HttpRequest, payload: PublicationIn):
    user = current_user(request)
    require_perm(user, "ledger.record")
    unit = recording_units(user).filter(pk=payload.unit).first()
    authors = list(visible_people(user, "ledger.record").filter(pk__in=payload.authors))
    if len(authors) != len(set(payload.authors)):
        raise ValidationError({"authors": _("所选作者不在您的数据范围内。")})
    publication = services.create_publication(
        actor=user,
        unit=unit,
        title=payload.title,
        published_at=timezone.make_aware(
            datetime.datetime.combine(payload.published_on, datetime.time(9))
        ),
        channel=get_channel_for_user(user, payload.channel),
        level=payload.level,
        authors=authors,
        link=payload.link,
        views=payload.views,
        notes=payload.notes,
        activity_type=get_media_type_for_user(user, payload.activity_type)
        if payload.activity_type
        else None,
    )
    publication = get_publication_for_user(user, publication.pk)
    return 201, _publication_out(publication)


@router.get("/targets", response={200: list[JournalistTargetOut], **ERRORS}, summary="记者任务量")
def list_targets(request: HttpRequest, period: str = "", unit: int | None = None):
    user = current_user(request)
    require_perm(user, "ledger.view")
    scope_unit = get_unit_in_scope(user, unit, perm="ledger.view") if unit else None
    targets = selectors.target_list(
        user, period=Period.parse(period) if period else None, unit=scope_unit
    )
    return list(targets[:2000])


@router.post(
    "/targets", response={201: JournalistTargetOut, **ERRORS}, summary="下达（修改）记者任务量"
)
def set_target(request: HttpRequest, payload: JournalistTargetIn):
    user = current_user(request)
    if not selectors.PERIOD_RE.match(payload.period):
        raise ValidationError({"period": _("周期须写作月份（如 2026-11）或季度（如 2026-Q4）。")})
    period = Period.parse(payload.period)
    target = services.set_target(
        actor=user,
        person=get_person_for_user(user, payload.person),
        unit=units_with_any_perm(user, *TARGET_PERMS).filter(pk=payload.unit).first(),
        period_kind=period.kind,
        period_start=period.start,
        level=payload.level,
        count=payload.count,
    )
    return 201, target


@router.get("/matrix", response={200: MatrixOut, **ERRORS}, summary="任务量与刊播情况表")
def get_matrix(
    request: HttpRequest, period: str = "", unit: int | None = None, channel: int | None = None
):
    user = current_user(request)
    require_perm(user, "ledger.view")
    scope_unit = get_unit_in_scope(user, unit, perm="ledger.view") if unit else None
    table = selectors.matrix(user, period=Period.parse(period), unit=scope_unit, channel_id=channel)
    rows = [
        {
            "person": {"id": row.person.pk, "name": row.person.name or row.person.username},
            "unit": {"id": row.unit.pk, "name": row.unit.name} if row.unit else None,
            "target": row.target,
            "placements": row.placements,
            "rate": row.rate,
            "under": row.under,
            "views": row.views,
            "by_channel": {c.name: n for c, n in zip(table.channels, row.by_channel, strict=True)},
            "by_level": {
                value: {"target": t, "placements": n}
                for (value, _label), (t, n) in zip(table.levels, row.by_level, strict=True)
            },
        }
        for row in table.rows
    ]
    return {
        "period": table.period.label,
        "date_from": table.period.start,
        "date_to": table.period.end,
        "channels": table.channels,
        "rows": rows,
        "target_total": table.target_total,
        "placements_total": table.placements_total,
        "rate": table.rate,
    }
