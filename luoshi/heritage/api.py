"""JSON API of heritage: the same services, selectors and scope as the pages. Sites, routes and
exhibitions are shared reference data (ledger.view); the counts of activities held at a site
are the caller's own scope of the ledger."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS, Ref
from luoshi.org.access import get_unit_in_scope

from . import selectors
from .access import get_exhibition_for_user, get_route_for_user, get_site_for_user
from .models import Exhibition, Route, RouteKind, Site, SiteKind

router = Router(tags=["红色资源"])


class SiteOut(Schema):
    id: int
    name: str
    kind: str
    kind_display: str
    location: str
    latitude: float | None
    longitude: float | None
    description: str
    unit: Ref | None
    is_active: bool


def _site_out(site: Site) -> dict:
    return {
        "id": site.pk,
        "name": site.name,
        "kind": site.kind,
        "kind_display": site.get_kind_display(),
        "location": site.location,
        "latitude": float(site.latitude) if site.latitude is not None else None,
        "longitude": float(site.longitude) if site.longitude is not None else None,
        "description": site.description,
        "unit": {"id": site.unit_id, "name": site.unit.name} if site.unit else None,
        "is_active": site.is_active,
    }


class CountOut(Schema):
    activity_type: Ref
    activities: int
    participants: int
    audience: int


class SiteDetailOut(SiteOut):
    date_from: datetime.date
    date_to: datetime.date
    activities: int
    participants: int
    audience: int
    by_type: list[CountOut]
    photos: list[int]


class CountParams(Schema):
    unit: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class StopOut(Schema):
    position: int
    site: Ref
    notes: str


class RouteOut(Schema):
    id: int
    name: str
    kind: str
    kind_display: str
    description: str
    stops: list[StopOut]


class ExhibitionOut(Schema):
    id: int
    title: str
    site: Ref | None
    venue: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    description: str
    unit: Ref | None


def _check(request: HttpRequest):
    from django.http import Http404

    from .access import can_view_heritage

    user = current_user(request)
    if not can_view_heritage(user):
        raise Http404
    return user


def _filter(user, params: CountParams) -> selectors.CountFilter:
    unit = get_unit_in_scope(user, params.unit, perm="ledger.view") if params.unit else None
    return selectors.CountFilter(unit=unit, date_from=params.date_from, date_to=params.date_to)


@router.get("/sites", response={200: list[SiteOut], **ERRORS}, summary="红色资源点位")
def list_sites(request: HttpRequest, q: str = "", kind: str = "", active: str = ""):
    """The same sites as the page for the same filters (an unknown kind filters nothing)."""
    _check(request)
    sites = selectors.site_list(text=q, kind=kind if kind in SiteKind.values else "", active=active)
    return [_site_out(site) for site in sites]


@router.get(
    "/sites/{int:site_id}",
    response={200: SiteDetailOut, **ERRORS},
    summary="点位详情及在此开展的活动统计",
)
def get_site(request: HttpRequest, site_id: int, params: Query[CountParams]):
    user = _check(request)
    site = get_site_for_user(user, site_id)
    counts = selectors.site_counts(
        user, _filter(user, params), sites=Site.objects.filter(pk=site.pk)
    )
    row = counts.rows[0]
    data = _site_out(site)
    data.update(
        {
            "date_from": counts.date_from,
            "date_to": counts.date_to,
            "activities": row.total.activities,
            "participants": row.total.participants,
            "audience": row.total.audience,
            "by_type": [
                {
                    "activity_type": {"id": t.pk, "name": t.name},
                    "activities": cell.activities,
                    "participants": cell.participants,
                    "audience": cell.audience,
                }
                for t, cell in zip(counts.types, row.cells, strict=True)
            ],
            "photos": [a.pk for a in selectors.photos_of(site)],
        }
    )
    return data


@router.get("/routes", response={200: list[RouteOut], **ERRORS}, summary="线路（按顺序的点位）")
def list_routes(request: HttpRequest, kind: str = "", q: str = ""):
    _check(request)
    return [
        _route_out(route)
        for route in selectors.route_list(
            kind=kind if kind in RouteKind.values else "", text=q
        ).prefetch_related("stops__site")
    ]


@router.get("/routes/{int:route_id}", response={200: RouteOut, **ERRORS}, summary="线路详情")
def get_route(request: HttpRequest, route_id: int):
    return _route_out(get_route_for_user(_check(request), route_id))


def _route_out(route: Route) -> dict:
    return {
        "id": route.pk,
        "name": route.name,
        "kind": route.kind,
        "kind_display": route.get_kind_display(),
        "description": route.description,
        "stops": [
            {
                "position": s.position,
                "site": {"id": s.site_id, "name": s.site.name},
                "notes": s.notes,
            }
            for s in sorted(route.stops.all(), key=lambda s: s.position)
        ],
    }


@router.get("/exhibitions", response={200: list[ExhibitionOut], **ERRORS}, summary="展览")
def list_exhibitions(
    request: HttpRequest, site: int | None = None, q: str = "", running: bool = False
):
    _check(request)
    on = timezone.localdate() if running else None
    return list(selectors.exhibition_list(text=q, site_id=site, on=on))


@router.get(
    "/exhibitions/{int:exhibition_id}", response={200: ExhibitionOut, **ERRORS}, summary="展览详情"
)
def get_exhibition(request: HttpRequest, exhibition_id: int) -> Exhibition | HttpResponse:
    return get_exhibition_for_user(_check(request), exhibition_id)
