"""Writing heritage data: sites, routes (ordered stops) and exhibitions, configured by the campaign
office; and the heritage site of a recorded activity.

Every write checks the permission, validates everything before saving anything (photos
included) and writes the audit log in the same transaction.
"""

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.files.services import store_upload
from luoshi.ledgers.access import can_edit_activity
from luoshi.ledgers.models import Activity
from luoshi.org.access import require_perm

from .models import Exhibition, Route, RouteKind, RouteStop, Site, SiteKind, SiteVisit
from .selectors import activity_site

SITE_FIELDS = (
    "name",
    "kind",
    "location",
    "latitude",
    "longitude",
    "description",
    "unit",
    "is_active",
)
ROUTE_FIELDS = ("name", "kind", "description", "unit", "is_active")
EXHIBITION_FIELDS = ("title", "site", "venue", "starts_on", "ends_on", "description", "unit")


def _names(fields: Sequence[str]) -> list[str]:
    return [f"{name}_id" if name in ("unit", "site") else name for name in fields]


def _store_photos(*, actor: User, owner: models.Model, photos: Sequence[UploadedFile]) -> None:
    """Store the photos, every file checked; one bad file rolls the whole change back."""
    errors: list[str] = []
    for photo in photos:
        try:
            store_upload(actor=actor, upload=photo, owner=owner)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"photos": errors})


# --- Sites ----------------------------------------------------------------------------------------


def _check_site(site: Site) -> None:
    errors: dict[str, str] = {}
    if not site.name:
        errors["name"] = _("请填写点位名称。")
    elif Site.objects.filter(name=site.name).exclude(pk=site.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的点位。") % {"name": site.name}
    if site.kind not in SiteKind.values:
        errors["kind"] = _("请选择点位类别。")
    if site.latitude is not None and not Decimal(-90) <= Decimal(site.latitude) <= Decimal(90):
        errors["latitude"] = _("纬度须在 -90 到 90 之间。")
    if site.longitude is not None and not Decimal(-180) <= Decimal(site.longitude) <= Decimal(180):
        errors["longitude"] = _("经度须在 -180 到 180 之间。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_site(
    *,
    actor: User,
    name: str,
    kind: str = SiteKind.OTHER,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    description: str = "",
    unit=None,
    is_active: bool = True,
    photos: Sequence[UploadedFile] = (),
) -> Site:
    """The office adds a heritage site, with photos."""
    require_perm(actor, "ledger.configure")
    site = Site(
        name=(name or "").strip()[:100],
        kind=kind,
        location=(location or "").strip()[:200],
        latitude=latitude,
        longitude=longitude,
        description=description or "",
        unit=unit,
        is_active=is_active,
    )
    _check_site(site)
    site.save()
    _store_photos(actor=actor, owner=site, photos=photos)
    record_created(actor=actor, obj=site, note=_("照片 %(n)d 张") % {"n": len(photos)})
    return site


@transaction.atomic
def update_site(
    *, actor: User, site: Site, photos: Sequence[UploadedFile] = (), **values: Any
) -> Site:
    """Change a site's fields and add photos (audited)."""
    require_perm(actor, "ledger.configure")
    unknown = set(values) - set(SITE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = _names(list(values))
    before = snapshot(site, names)
    for key, value in values.items():
        if key in ("name", "location") and value is not None:
            value = value.strip()
        setattr(site, key, value)
    _check_site(site)
    site.save()
    _store_photos(actor=actor, owner=site, photos=photos)
    changes = diff(before, snapshot(site, names))
    if photos:
        changes["photos"] = [None, [photo.name for photo in photos]]
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=site, changes=changes)
    return site


# --- Routes ---------------------------------------------------------------------------------------


def _check_route(route: Route, stops: Sequence[tuple[Site, str]]) -> None:
    errors: dict[str, Any] = {}
    if not route.name:
        errors["name"] = _("请填写线路名称。")
    elif Route.objects.filter(name=route.name).exclude(pk=route.pk).exists():
        errors["name"] = _("已有名为“%(name)s”的线路。") % {"name": route.name}
    if route.kind not in RouteKind.values:
        errors["kind"] = _("请选择线路类别（红色旅游线路或学习体验线路）。")
    if len(stops) < 2:
        errors["stops"] = _("一条线路至少包括两个点位。")
    if errors:
        raise ValidationError(errors)


def _set_stops(route: Route, stops: Sequence[tuple[Site, str]]) -> None:
    route.stops.all().delete()
    RouteStop.objects.bulk_create(
        RouteStop(route=route, site=site, position=index, notes=(notes or "").strip()[:300])
        for index, (site, notes) in enumerate(stops, start=1)
    )


def _stop_names(stops: Sequence[tuple[Site, str]]) -> list[str]:
    return [f"{site.name}：{notes}" if notes else site.name for site, notes in stops]


@transaction.atomic
def create_route(
    *,
    actor: User,
    name: str,
    kind: str,
    stops: Sequence[tuple[Site, str]],
    description: str = "",
    unit=None,
    is_active: bool = True,
) -> Route:
    """The office lays out a route: sites in order, with notes per stop."""
    require_perm(actor, "ledger.configure")
    route = Route(
        name=(name or "").strip()[:100],
        kind=kind,
        description=description or "",
        unit=unit,
        is_active=is_active,
    )
    _check_route(route, stops)
    route.save()
    _set_stops(route, stops)
    record_created(actor=actor, obj=route, note=" → ".join(_stop_names(stops)))
    return route


@transaction.atomic
def update_route(
    *,
    actor: User,
    route: Route,
    stops: Sequence[tuple[Site, str]] | None = None,
    **values: Any,
) -> Route:
    """Change a route; `stops` (when given) replaces the whole order."""
    require_perm(actor, "ledger.configure")
    unknown = set(values) - set(ROUTE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = _names(list(values))
    before = snapshot(route, names)
    current = [(stop.site, stop.notes) for stop in route.stops.select_related("site")]
    for key, value in values.items():
        setattr(route, key, value.strip() if key == "name" else value)
    _check_route(route, stops if stops is not None else current)
    route.save()
    changes = diff(before, snapshot(route, names))
    if stops is not None and _stop_names(stops) != _stop_names(current):
        _set_stops(route, stops)
        changes["stops"] = [_stop_names(current), _stop_names(stops)]
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=route, changes=changes)
    return route


# --- Exhibitions ----------------------------------------------------------------------------------


def _check_exhibition(exhibition: Exhibition) -> None:
    errors: dict[str, str] = {}
    if not exhibition.title:
        errors["title"] = _("请填写展览名称。")
    if exhibition.site_id is None and not exhibition.venue:
        errors["venue"] = _("请选择所在点位或填写展出地点。")
    if exhibition.starts_on is None:
        errors["starts_on"] = _("请填写开展日期。")
    elif exhibition.ends_on is not None and exhibition.ends_on < exhibition.starts_on:
        errors["ends_on"] = _("闭展日期不能早于开展日期。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_exhibition(
    *,
    actor: User,
    title: str,
    starts_on: datetime.date | None,
    site: Site | None = None,
    venue: str = "",
    ends_on: datetime.date | None = None,
    description: str = "",
    unit=None,
    photos: Sequence[UploadedFile] = (),
) -> Exhibition:
    """The office records an exhibition, at a site or another venue, with photos."""
    require_perm(actor, "ledger.configure")
    exhibition = Exhibition(
        title=(title or "").strip()[:200],
        site=site,
        venue=(venue or "").strip()[:200],
        starts_on=starts_on,  # type: ignore[misc]  # checked just below
        ends_on=ends_on,
        description=description or "",
        unit=unit,
    )
    _check_exhibition(exhibition)
    exhibition.save()
    _store_photos(actor=actor, owner=exhibition, photos=photos)
    record_created(actor=actor, obj=exhibition)
    return exhibition


@transaction.atomic
def update_exhibition(
    *, actor: User, exhibition: Exhibition, photos: Sequence[UploadedFile] = (), **values: Any
) -> Exhibition:
    require_perm(actor, "ledger.configure")
    unknown = set(values) - set(EXHIBITION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    names = _names(list(values))
    before = snapshot(exhibition, names)
    for key, value in values.items():
        setattr(exhibition, key, value.strip() if key in ("title", "venue") else value)
    _check_exhibition(exhibition)
    exhibition.save()
    _store_photos(actor=actor, owner=exhibition, photos=photos)
    changes = diff(before, snapshot(exhibition, names))
    if photos:
        changes["photos"] = [None, [photo.name for photo in photos]]
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=exhibition, changes=changes)
    return exhibition


# --- The site of an activity ----------------------------------------------------------------------
# The ledger's record part "site" (registered in HeritageConfig.ready, see luoshi.ledgers.hooks):
# the record form, record_activity, update_activity and the ledger API go through these.


def site_by_id(pk: int) -> Site:
    """The site an API caller named by id; a Chinese field error when there is none."""
    site = Site.objects.filter(pk=pk).first()
    if site is None:
        raise ValidationError({"site": _("所选红色资源点位不存在。")})
    return site


def check_activity_site(site: Site | None, current: Site | None) -> str:
    """Why `site` may not be given to an activity held at `current` ("" when it may): a
    deactivated site takes no new activities (one it already holds stays)."""
    if site is not None and not site.is_active and site != current:
        return _("红色资源点位“%(name)s”已停用。") % {"name": site.name}
    return ""


def save_activity_site(activity: Activity, site: Site | None) -> dict[str, list[Any]]:
    """Keep `site` as the activity's (None: none), inside the caller's transaction; the audit
    changes ({"site_id": [before, after]}), empty when nothing changed."""
    visit = SiteVisit.objects.filter(activity=activity).first()
    before = visit.site_id if visit is not None else None
    after = site.pk if site is not None else None
    if before == after:
        return {}
    if site is None:
        assert visit is not None
        visit.delete()
    elif visit is None:
        SiteVisit.objects.create(activity=activity, site=site)
    else:
        visit.site = site
        visit.save(update_fields=["site"])
    activity._state.fields_cache.pop("site_visit", None)  # the next read sees the new visit
    return {"site_id": [before, after]}


@transaction.atomic
def set_activity_site(*, actor: User, activity: Activity, site: Site | None) -> Activity:
    """Say at which heritage site a recorded activity was held (or none); audited on the
    activity. Whoever may edit the activity may set it; a deactivated site is refused."""
    require_perm(actor, "ledger.record")
    if not can_edit_activity(actor, activity):
        raise PermissionDenied(_("您不能修改其他单位的台账记录。"))
    message = check_activity_site(site, activity_site(activity))
    if message:
        raise ValidationError({"site": message})
    changes = save_activity_site(activity, site)
    if changes:
        record(actor=actor, action=AuditEvent.Action.UPDATE, obj=activity, changes=changes)
    return activity
