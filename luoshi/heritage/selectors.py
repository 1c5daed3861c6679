"""Reading heritage data: sites, routes and exhibitions, and the activities held at each site for a
period and unit subtree, counted from the ledger within the reader's scope."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.ledgers.access import visible_activities
from luoshi.ledgers.models import Activity, ActivityType, Participation
from luoshi.org.models import Unit

from .models import Exhibition, Route, Site


@dataclass
class CountFilter:
    """Period and unit subtree of the per-site counts (defaults: this year up to today)."""

    unit: Unit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        date_to = self.date_to or timezone.localdate()
        return self.date_from or date_to.replace(month=1, day=1), date_to

    def describe(self) -> list[str]:
        """The period and unit in words, for the head of an export."""
        date_from, date_to = self.bounds()
        parts = [_("活动统计时间：%(a)s 至 %(b)s") % {"a": date_from, "b": date_to}]
        if self.unit is not None:
            parts.append(_("单位：%(u)s（含下级）") % {"u": self.unit.name})
        return parts


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def site_list(*, text: str = "", kind: str = "", active: str = "") -> QuerySet[Site]:
    sites = Site.objects.select_related("unit")
    if text:
        sites = sites.filter(Q(name__icontains=text) | Q(location__icontains=text))
    if kind:
        sites = sites.filter(kind=kind)
    if active in ("1", "0"):
        sites = sites.filter(is_active=active == "1")
    return sites.order_by("name")


def activity_site(activity: Activity) -> Site | None:
    """The heritage site `activity` was held at, None when none (read through its SiteVisit,
    one query unless selected with `site_visit__site`)."""
    visit = getattr(activity, "site_visit", None)  # no visit: RelatedObjectDoesNotExist → None
    return visit.site if visit is not None else None


def held_at(site_id: int) -> Q:
    """The ledger's records held at the site `site_id` (the ledger list's `?site=` filter)."""
    return Q(site_visit__site_id=site_id)


def held_at_sites(user, flt: CountFilter) -> QuerySet[Activity]:
    """Live activities held at a site that `user` may see, in the period and unit subtree."""
    date_from, date_to = flt.bounds()
    activities = visible_activities(user).filter(
        site_visit__isnull=False,
        starts_at__gte=_day_start(date_from),
        starts_at__lt=_day_start(date_to + datetime.timedelta(days=1)),
    )
    if flt.unit is not None:
        activities = activities.filter(unit__path__startswith=flt.unit.path)
    return activities


@dataclass
class Cell:
    """Activities of one type at one site: how many, people who took part, audience reached."""

    activities: int = 0
    participants: int = 0
    audience: int = 0
    link: str = ""


@dataclass
class SiteRow:
    site: Site
    cells: list[Cell]
    total: Cell


@dataclass
class SiteCounts:
    """Per-site counts by activity type (columns), with totals."""

    date_from: datetime.date
    date_to: datetime.date
    types: list[ActivityType] = field(default_factory=list)
    rows: list[SiteRow] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    total: Cell = field(default_factory=Cell)


def _link(flt: CountFilter, site_id: int | None, type_id: int | None) -> str:
    """The ledger's activity list filtered to the same records as one number."""
    date_from, date_to = flt.bounds()
    query: dict[str, str] = {"from": date_from.isoformat(), "to": date_to.isoformat()}
    if flt.unit is not None:
        query["unit"] = str(flt.unit.pk)
    if site_id:
        query["site"] = str(site_id)
    if type_id:
        query["type"] = str(type_id)
    return reverse("ledgers:activity-list") + "?" + urlencode(query)


def site_counts(user, flt: CountFilter, *, sites: QuerySet[Site] | None = None) -> SiteCounts:
    """Activities, participants and audience by site × activity type: two GROUP BYs.

    Participants are counted apart from the activities so that the join does not multiply the
    audience sums."""
    activities = held_at_sites(user, flt)
    if sites is not None:
        activities = activities.filter(site_visit__site__in=sites)
    grouped = (
        activities.values("site_visit__site_id", "type_id")
        .annotate(n=Count("id"), audience=Sum("audience"))
        .order_by()
    )
    people = (
        Participation.objects.filter(activity__in=activities.values("pk"))
        .values("activity__site_visit__site_id", "activity__type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[tuple[int, int], Cell] = defaultdict(Cell)
    for group in grouped:
        cell = cells[(group["site_visit__site_id"], group["type_id"])]
        cell.activities, cell.audience = group["n"], group["audience"] or 0
    for people_group in people:
        key = (people_group["activity__site_visit__site_id"], people_group["activity__type_id"])
        cells[key].participants = people_group["n"]
    date_from, date_to = flt.bounds()
    types = list(
        ActivityType.objects.filter(pk__in={type_id for _site, type_id in cells}).order_by(
            "sort_order", "id"
        )
    )
    listed = list(
        sites if sites is not None else Site.objects.filter(pk__in={s for s, _t in cells})
    )
    listed.sort(key=lambda site: site.name)
    result = SiteCounts(
        date_from=date_from,
        date_to=date_to,
        types=types,
        column_totals=[Cell(link=_link(flt, None, t.pk)) for t in types],
        total=Cell(link=_link(flt, None, None)),
    )
    for site in listed:
        row = SiteRow(site=site, cells=[], total=Cell(link=_link(flt, site.pk, None)))
        for index, activity_type in enumerate(types):
            found = cells.get((site.pk, activity_type.pk), Cell())
            cell = Cell(
                found.activities,
                found.participants,
                found.audience,
                _link(flt, site.pk, activity_type.pk),
            )
            row.cells.append(cell)
            for target in (row.total, result.column_totals[index], result.total):
                target.activities += cell.activities
                target.participants += cell.participants
                target.audience += cell.audience
        result.rows.append(row)
    return result


def activities_at(user, site: Site, flt: CountFilter, limit: int = 20) -> list[Activity]:
    """The latest activities at the site that `user` may see, for the site page."""
    return list(
        held_at_sites(user, flt)
        .filter(site_visit__site=site)
        .select_related("type", "unit")
        .annotate(people=Count("participations"))
        .order_by("-starts_at", "-id")[:limit]
    )


def route_list(*, kind: str = "", text: str = "") -> QuerySet[Route]:
    routes = Route.objects.select_related("unit").annotate(stop_count=Count("stops"))
    if kind:
        routes = routes.filter(kind=kind)
    if text:
        routes = routes.filter(name__icontains=text)
    return routes.order_by("kind", "name")


def route_stops(route: Route) -> list:
    return list(route.stops.select_related("site").order_by("position"))


def exhibition_list(
    *, text: str = "", site_id: int | None = None, on: datetime.date | None = None
) -> QuerySet[Exhibition]:
    exhibitions = Exhibition.objects.select_related("site", "unit")
    if text:
        exhibitions = exhibitions.filter(title__icontains=text)
    if site_id:
        exhibitions = exhibitions.filter(site_id=site_id)
    if on is not None:  # running on that day
        exhibitions = exhibitions.filter(starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )
    return exhibitions.order_by("-starts_on", "-id")


def photos_of(obj) -> list:
    """The attachments (photos first) of a site or an exhibition."""
    from django.contrib.contenttypes.models import ContentType

    from luoshi.files.models import Attachment

    attachments = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(type(obj)), owner_id=obj.pk
    ).order_by("id")
    return sorted(attachments, key=lambda a: not a.is_image)
