"""Reading the ledger, scoped to the user: filtered activity lists and the type × unit × month pivot."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.files.models import Attachment
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from . import hooks
from .access import visible_activities, visible_types
from .models import (
    LOCAL_MONTH_ZONE,
    Activity,
    ActivityType,
    Category,
    FieldKind,
    LedgerCount,
    LocalMonth,
    Participation,
)


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
    # The higher apps' record parts by name → id (the heritage site: {"site": 3}; hooks.py).
    parts: dict[str, int] = field(default_factory=dict)
    field_key: str = ""  # with field_value: records whose extra field holds this value
    field_value: str = ""
    commended: bool = False  # only records rated 优秀

    def describe(self) -> list[str]:
        """The filters in words, for the head of an export."""
        parts = []
        if self.unit is not None:
            parts.append(_("单位：%(unit)s（含下级）") % {"unit": self.unit.name})
        if self.date_from or self.date_to:
            parts.append(
                _("时间：%(a)s 至 %(b)s")
                % {"a": self.date_from or _("不限"), "b": self.date_to or _("不限")}
            )
        if self.type_id:
            activity_type = ActivityType.objects.filter(pk=self.type_id).first()
            parts.append(_("类型：%(t)s") % {"t": activity_type or "—"})
        if self.category:
            parts.append(_("类别：%(c)s") % {"c": Category(self.category).label})
        if self.field_key and self.field_value:
            parts.append(_("字段“%(k)s”为“%(v)s”") % {"k": self.field_key, "v": self.field_value})
        if self.commended:
            parts.append(_("仅优秀"))
        return parts


@dataclass
class TypeFilter:
    """The activity type list's filters (the page and GET /ledger/types)."""

    text: str = ""
    category: str = ""  # one of Category, "" for every one
    active: bool | None = None  # True: in use only; False: deactivated only


def type_list(user, flt: TypeFilter) -> QuerySet[ActivityType]:
    """The types `user` sees (visible_types) by the filter, each with `used`: its live records."""
    types = visible_types(user).select_related("campaign", "track")
    types = types.annotate(used=Count("activities", filter=Q(activities__deleted_at__isnull=True)))
    if flt.text.strip():
        types = types.filter(name__icontains=flt.text.strip())
    if flt.category in Category.values:
        types = types.filter(category=flt.category)
    if flt.active is not None:
        types = types.filter(is_active=flt.active)
    return types.order_by("sort_order", "id")


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
    for name, value in flt.parts.items():
        activities = activities.filter(hooks.record_part(name).held_at(value))
    if flt.field_key and flt.field_value:
        activities = activities.filter(**{f"values__{flt.field_key}": flt.field_value})
    if flt.commended:
        activities = activities.filter(commended_at__isnull=False)
    return activities


def activity_list(user, flt: ActivityFilter, *, deleted: bool = False) -> QuerySet[Activity]:
    """The filtered list with what each row shows, in one query plus prefetches."""
    return (
        filter_activities(user, flt, deleted=deleted)
        .select_related("type", "unit", "recorded_by", *hooks.related_names())
        .annotate(people=Count("participations", distinct=True))
        .prefetch_related("campaigns")
        .order_by("-starts_at", "-id")
    )


def activity_detail_participants(activity: Activity) -> list[Participation]:
    return list(activity.participations.select_related("person").order_by("checked_in_at", "id"))


def attachments_of(activity: Activity) -> list[Attachment]:
    """The files attached to the record (its photos, its file fields), oldest first."""
    owner_type = ContentType.objects.get_for_model(Activity)
    return list(
        Attachment.objects.filter(owner_type=owner_type, owner_id=activity.pk).order_by("id")
    )


def extra_rows(activity: Activity) -> list[tuple[str, Any, Attachment | None]]:
    """The record's own fields for its page: (label, shown value, attachment of a file field).
    People and units are named from the ids the record holds; a file field shows the record's
    own attachment only."""
    filled = [d for d in activity.type.fields if activity.values.get(d["key"]) not in (None, "")]
    ids: dict[str, set[int]] = {
        kind: set() for kind in (FieldKind.PERSON, FieldKind.UNIT, FieldKind.FILE)
    }
    for definition in filled:
        value = activity.values[definition["key"]]
        if definition["kind"] in ids and str(value).isdigit():
            ids[definition["kind"]].add(int(value))
    people = User.objects.in_bulk(ids[FieldKind.PERSON])
    units = Unit.objects.in_bulk(ids[FieldKind.UNIT])
    files = {a.pk: a for a in attachments_of(activity)} if ids[FieldKind.FILE] else {}
    rows: list[tuple[str, Any, Attachment | None]] = []
    for definition in filled:
        value = activity.values[definition["key"]]
        key = int(value) if str(value).isdigit() else None
        attachment = None
        match definition["kind"]:
            case FieldKind.PERSON:
                person = people.get(key) if key is not None else None
                value = person.name if person else value
            case FieldKind.UNIT:
                unit = units.get(key) if key is not None else None
                value = unit.name if unit else value
            case FieldKind.FILE:
                attachment = files.get(key) if key is not None else None
                value = attachment.original_name if attachment else ""
        rows.append((definition["label"], value, attachment))
    return rows


def prefetch_participants(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("person").order_by("id"),
        )
    )


@dataclass
class Pivot:
    """Counts by row and month column, 逐级汇总: the selected unit's own records ("本单位") and one
    row per direct child unit counting that child's whole subtree, each split by activity type.

    Rows are dicts: unit, type, counts (one per month), total, own (the selected unit's own
    records), drill (the reader may open the child's own pivot). `unit` is the selected unit
    (None: several units at the top of the reader's reach, one row each); `crumbs` its ancestors
    within the reader's scope; `from_counts` whether the numbers were read from LedgerCount.
    """

    months: list[datetime.date] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    total: int = 0
    unit: Unit | None = None
    crumbs: list[Unit] = field(default_factory=list)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    from_counts: bool = False


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


def pivot_period(flt: ActivityFilter) -> tuple[datetime.date, datetime.date]:
    """The pivot's period: as given, by default from 1 January to the end of the current month."""
    date_to = flt.date_to or _month_end(
        max(timezone.localdate(), flt.date_from or datetime.date.min)
    )
    date_from = flt.date_from or date_to.replace(month=1, day=1)
    return date_from, date_to


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
        days=1
    )


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _top_units(user) -> list[Unit]:
    """The units at the top of the reader's ledger.view reach (the roots for "everything")."""
    scope = scope_for(user, "ledger.view")
    if scope.everything:
        return list(Unit.objects.alive().filter(parent__isnull=True).order_by("sort_order", "path"))
    ids = {_path_ids(path)[-1] for path in scope.subtree_paths if _path_ids(path)}
    units = Unit.objects.alive().filter(pk__in=ids | set(scope.unit_ids)).order_by("path")
    # A unit inside another reached subtree is not a top.
    return [
        unit
        for unit in units
        if not any(unit.path.startswith(path) and unit.path != path for path in scope.subtree_paths)
    ]


def _extra_filters(flt: ActivityFilter) -> bool:
    """Whether a filter beyond unit, type, category and period is set (LedgerCount can't)."""
    return bool(
        flt.campaign_id
        or flt.text
        or flt.unit_exact
        or flt.person_id
        or flt.parts
        or (flt.field_key and flt.field_value)
        or flt.commended
    )


RowKey = tuple[int, bool, int]  # (unit id, own records only, type id)


def _counted_cells(
    selected: Unit | None, flt: ActivityFilter, months: list[datetime.date]
) -> dict[RowKey, list[int]]:
    """The rows from LedgerCount: a few hundred rows, whatever the number of records."""
    position = {month: index for index, month in enumerate(months)}
    counts = LedgerCount.objects.filter(month__gte=months[0], month__lte=months[-1])
    if flt.type_id:
        counts = counts.filter(type_id=flt.type_id)
    if flt.category:
        counts = counts.filter(type__category=flt.category)
    if selected is not None:
        own = counts.filter(unit=selected, own__gt=0).values_list(
            "unit_id", "type_id", "month", "own"
        )
        children = counts.filter(unit__parent=selected, subtree__gt=0)
    else:
        own = counts.none().values_list("unit_id", "type_id", "month", "own")
        children = counts.filter(unit__parent__isnull=True, subtree__gt=0)
    parts = [
        (True, own.order_by()),
        (False, children.values_list("unit_id", "type_id", "month", "subtree").order_by()),
    ]
    cells: dict[RowKey, list[int]] = {}
    for is_own, rows in parts:
        for unit_id, type_id, month, n in rows:
            row = cells.setdefault((unit_id, is_own, type_id), [0] * len(months))
            row[position[month]] += n
    return cells


def _live_cells(
    user,
    flt: ActivityFilter,
    selected: Unit | None,
    tops: list[Unit],
    months: list[datetime.date],
) -> dict[RowKey, list[int]]:
    """The same rows counted from the records the reader sees (partial scope, extra filters)."""
    by_unit = _pivot_cells(filter_activities(user, flt), months)
    paths = dict(
        Unit.objects.filter(pk__in={unit_id for unit_id, _type_id in by_unit}).values_list(
            "id", "path"
        )
    )
    selected_ids = _path_ids(selected.path) if selected is not None else []
    top_ids = {unit.pk for unit in tops}
    cells: dict[RowKey, list[int]] = {}
    for (unit_id, type_id), counts in by_unit.items():
        ids = _path_ids(paths[unit_id])
        if selected is not None:
            depth = len(selected_ids)
            if ids == selected_ids:
                key = (selected.pk, True, type_id)
            elif ids[:depth] == selected_ids:
                key = (ids[depth], False, type_id)
            else:
                continue
        else:
            row_id = next((pk for pk in ids if pk in top_ids), ids[0])
            key = (row_id, False, type_id)
        row = cells.setdefault(key, [0] * len(months))
        for index, n in enumerate(counts):
            row[index] += n
    return cells


def ledger_pivot(user, flt: ActivityFilter) -> Pivot:
    """The ledger's counts for the selected unit (default: the top of the reader's reach).

    Read from LedgerCount when the reader sees the unit's whole subtree, the period is whole
    months and no filter beyond unit, type and category is set; otherwise counted live from
    the records the reader sees, in the same shape (one GROUP BY).
    """
    scope = scope_for(user, "ledger.view")
    date_from, date_to = pivot_period(flt)
    months = _months(date_from, date_to)
    selected = flt.unit
    tops: list[Unit] = []
    if selected is None:
        tops = _top_units(user)
        if len(tops) == 1:
            selected = tops[0]
    pivot = Pivot(
        months=months,
        column_totals=[0] * len(months),
        unit=selected,
        date_from=date_from,
        date_to=date_to,
    )
    if selected is not None:
        ancestors = Unit.objects.filter(pk__in=_path_ids(selected.path)[:-1]).order_by("path")
        pivot.crumbs = [unit for unit in ancestors if scope.contains(unit)]
    whole_months = date_from.day == 1 and _month_end(date_to) == date_to
    whole_reach = _reads_whole_subtree(user, selected) if selected else scope.everything
    if whole_months and whole_reach and not _extra_filters(flt):
        pivot.from_counts = True
        cells = _counted_cells(selected, flt, months)
    else:
        bounded = ActivityFilter(
            **{**flt.__dict__, "unit": selected, "date_from": date_from, "date_to": date_to}
        )
        cells = _live_cells(user, bounded, selected, tops, months)
    units = Unit.objects.in_bulk({unit_id for unit_id, _own, _type_id in cells})
    types = ActivityType.objects.in_bulk({type_id for _unit_id, _own, type_id in cells})

    def order(key: RowKey) -> tuple[Any, ...]:
        unit, activity_type = units[key[0]], types[key[2]]
        return (not key[1], unit.sort_order, unit.path, activity_type.sort_order, key[2])

    for key in sorted(cells, key=order):
        counts = cells[key]
        total = sum(counts)
        pivot.total += total
        pivot.column_totals = [a + b for a, b in zip(pivot.column_totals, counts, strict=True)]
        unit = units[key[0]]
        pivot.rows.append(
            {
                "unit": unit,
                "type": types[key[2]],
                "counts": counts,
                "total": total,
                "own": key[1],
                "drill": not key[1] and scope.contains(unit),
            }
        )
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
