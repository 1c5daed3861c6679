"""Reading the ledger, scoped to the user: filtered activity lists and the type × unit × month pivot."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .access import visible_activities
from .models import LOCAL_MONTH_ZONE, Activity, ActivityType, LocalMonth, Participation


@dataclass
class ActivityFilter:
    """The list filters (GET parameters of the activity list and the ledger view)."""

    type_id: int | None = None
    unit: Unit | None = None  # the unit and its subtree
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    category: str = ""
    campaign_id: int | None = None
    text: str = ""
    unit_exact: bool = False  # the unit itself, not its subtree (links from the ledger view)
    person_id: int | None = None  # activities this person took part in
    site_id: int | None = None  # held at this heritage site
    field_key: str = ""  # with field_value: records whose extra field holds this value
    field_value: str = ""
    commended: bool = False  # only records rated 优秀


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _reads_whole_subtree(user, unit: Unit | None) -> bool:
    """Whether `user` sees every record of `unit` and the units below it."""
    if unit is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_for(user, "ledger.view")
    return scope.everything or any(unit.path.startswith(path) for path in scope.subtree_paths)


def filter_activities(user, flt: ActivityFilter, *, deleted: bool = False) -> QuerySet[Activity]:
    if _reads_whole_subtree(user, flt.unit):
        # Every record under the filter's unit is in the reader's scope: the visibility test
        # (with its OR for one's own records) would change nothing and keep the database from
        # answering from the unit index alone.
        activities: QuerySet[Activity] = Activity.objects.filter(deleted_at__isnull=not deleted)
    else:
        activities = visible_activities(user, deleted=deleted)
    if flt.type_id:
        activities = activities.filter(type_id=flt.type_id)
    if flt.unit is not None and flt.unit_exact:
        activities = activities.filter(unit=flt.unit)
    elif flt.unit is not None:
        # A subquery on the unit paths (indexed) rather than a join: the planners then walk the
        # subtree's units and each unit's records.
        subtree = Unit.objects.filter(path__startswith=flt.unit.path).values("id")
        activities = activities.filter(unit__in=subtree)
    if flt.date_from:
        activities = activities.filter(starts_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        activities = activities.filter(
            starts_at__lt=_day_start(flt.date_to + datetime.timedelta(days=1))
        )
    if flt.category:
        activities = activities.filter(type__category=flt.category)
    if flt.campaign_id:
        activities = activities.filter(campaigns__id=flt.campaign_id)
    if flt.text:
        activities = activities.filter(title__icontains=flt.text)
    if flt.person_id:
        activities = activities.filter(
            pk__in=Participation.objects.filter(person_id=flt.person_id).values("activity_id")
        )
    if flt.site_id:
        activities = activities.filter(site_id=flt.site_id)
    if flt.field_key and flt.field_value:
        activities = activities.filter(**{f"values__{flt.field_key}": flt.field_value})
    if flt.commended:
        activities = activities.filter(commended_at__isnull=False)
    return activities


def activity_list(user, flt: ActivityFilter, *, deleted: bool = False) -> QuerySet[Activity]:
    """The filtered list with what each row shows, in one query plus prefetches."""
    return (
        filter_activities(user, flt, deleted=deleted)
        .select_related("type", "unit", "recorded_by")
        .annotate(people=Count("participations", distinct=True))
        .prefetch_related("campaigns")
        .order_by("-starts_at", "-id")
    )


def activity_detail_participants(activity: Activity) -> list[Participation]:
    return list(activity.participations.select_related("person").order_by("checked_in_at", "id"))


def prefetch_participants(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("person").order_by("id"),
        )
    )


@dataclass
class Pivot:
    """Counts by (unit, type) row and month column."""

    months: list[datetime.date] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    total: int = 0


def _months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months: list[datetime.date] = []
    current = date_from.replace(day=1)
    while current <= date_to and len(months) < 120:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


PIVOT_MONTHS_IN_SQL = 36  # up to this many month columns, the database pivots (see below)


def _pivot_cells(
    activities: QuerySet[Activity], months: list[datetime.date]
) -> dict[tuple[int, int], list[int]]:
    """Counts per month column for each (unit id, type id) with records, in one GROUP BY."""
    # No join in filter_activities repeats an activity (a campaign is linked once), so a plain
    # COUNT counts each record once; counting starts_at (never null) reads only the covering index.
    if len(months) <= PIVOT_MONTHS_IN_SQL:
        # One row per (unit, type), with a COUNT per month over the local month's range of
        # starts_at: plain comparisons on a column of the covering index (no date function per
        # row, any time zone), and a fraction of the rows a (unit, type, month) grouping returns.
        starts = [_day_start(month) for month in months]
        ends = [*starts[1:], _day_start((months[-1] + datetime.timedelta(days=32)).replace(day=1))]
        columns = {
            f"m{index}": Count("starts_at", filter=Q(starts_at__gte=start, starts_at__lt=end))
            for index, (start, end) in enumerate(zip(starts, ends, strict=True))
        }
        grouped = (
            activities.values("unit_id", "type_id")
            .annotate(**columns)
            .order_by()
            .values_list("unit_id", "type_id", *columns)
        )
        # Only ids and counts: read them straight from the cursor, without Django's per-value
        # converters (which cost more than the query for a province's 70,000 rows).
        sql, params = grouped.query.sql_with_params()
        with connections[grouped.db].cursor() as cursor:
            cursor.execute(sql, params)
            return {(row[0], row[1]): list(row[2:]) for row in cursor.fetchall()}
    # A long period: group by month too. LocalMonth is plain SQL (fixed at UTC+8); TruncMonth
    # with a time zone calls Python per row on SQLite.
    month_of = (
        LocalMonth("starts_at")
        if settings.TIME_ZONE == LOCAL_MONTH_ZONE
        else TruncMonth("starts_at")
    )
    position = {month: index for index, month in enumerate(months)}
    cells: dict[tuple[int, int], list[int]] = {}
    for unit_id, type_id, month, n in (
        activities.annotate(month=month_of)
        .values("unit_id", "type_id", "month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit_id", "type_id", "month", "n")
    ):
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        counts = cells.setdefault((unit_id, type_id), [0] * len(months))
        index = position.get(month.replace(day=1))
        if index is not None:
            counts[index] = n
    return cells


def ledger_pivot(user, flt: ActivityFilter) -> Pivot:
    """Counts of live activities by activity type × organising unit × month, in one GROUP BY."""
    today = timezone.localdate()
    date_to = flt.date_to or today
    date_from = flt.date_from or date_to.replace(month=1, day=1)
    bounded = ActivityFilter(**{**flt.__dict__, "date_from": date_from, "date_to": date_to})
    months = _months(date_from, date_to)
    cells = _pivot_cells(filter_activities(user, bounded), months)
    units = Unit.objects.in_bulk({unit_id for unit_id, _type_id in cells})
    types = ActivityType.objects.in_bulk({type_id for _unit_id, type_id in cells})
    pivot = Pivot(months=months, column_totals=[0] * len(months))
    # Rows by unit (tree order), then type; ranks make the sort key two integers.
    unit_rank = {pk: rank for rank, pk in enumerate(sorted(units, key=lambda pk: units[pk].path))}
    type_rank = {
        pk: rank for rank, pk in enumerate(sorted(types, key=lambda pk: (types[pk].sort_order, pk)))
    }
    for unit_id, type_id in sorted(cells, key=lambda key: (unit_rank[key[0]], type_rank[key[1]])):
        counts = cells[(unit_id, type_id)]
        total = sum(counts)
        pivot.total += total
        pivot.rows.append(
            {"unit": units[unit_id], "type": types[type_id], "counts": counts, "total": total}
        )
    if pivot.rows:
        pivot.column_totals = [sum(column) for column in zip(*cells.values(), strict=True)]
    return pivot


@dataclass
class PersonTable:
    """Participations per person (rows) and activity type (columns)."""

    types: list[ActivityType] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


def person_counts(user, flt: ActivityFilter) -> PersonTable:
    """How many live activities of each type each person took part in (one GROUP BY)."""
    from luoshi.accounts.models import User

    grouped = (
        Participation.objects.filter(activity__in=filter_activities(user, flt).values("pk"))
        .values("person_id", "activity__type_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[int, dict[int, int]] = defaultdict(dict)
    for row in grouped:
        cells[row["person_id"]][row["activity__type_id"]] = row["n"]
    type_ids = {type_id for by_type in cells.values() for type_id in by_type}
    types = list(ActivityType.objects.filter(pk__in=type_ids).order_by("sort_order", "id"))
    people = User.objects.filter(pk__in=list(cells)).order_by("pinyin", "id")
    table = PersonTable(types=types)
    for person in people:
        counts = [cells[person.pk].get(t.pk, 0) for t in types]
        table.rows.append({"person": person, "counts": counts, "total": sum(counts)})
    return table
