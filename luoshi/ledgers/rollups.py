"""Keeping `LedgerCount` equal to the live activities it counts (逐级汇总).

The ledger view of a province (5,000 units, a million records) cannot count its records on every
page view within a second on SQLite, so live records are counted per (unit, type, month): `own`
for the unit's own records, `subtree` for the unit and every unit below it. A page then reads one
row per child unit and type and month. The services call `apply` in their transaction whenever a
record enters or leaves a (unit, type, month) cell (recorded, moved, deleted, restored); `rebuild`
recomputes everything from the activities (bulk loads, repairs, the demo's back-dated records).

Moving a unit in the organisation tree changes its ancestors' subtrees: rebuild afterwards.
"""

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    Expression,
    ExpressionWrapper,
    F,
    PositiveIntegerField,
    Value,
    When,
)
from django.db.models.functions import Greatest, TruncMonth

from luoshi.org.models import Unit

from .models import LOCAL_MONTH_ZONE, Activity, LedgerCount, LocalMonth

Cell = tuple[str, int, datetime.date]  # (unit path, type id, month)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the moment's month in the project's time zone (Asia/Shanghai)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date().replace(day=1)


def cell_of(activity: Activity) -> Cell | None:
    """Where a live activity is counted; None for a deleted one."""
    if activity.deleted_at is not None:
        return None
    path = Unit.objects.filter(pk=activity.unit_id).values_list("path", flat=True).first()
    if path is None:
        return None
    return (path, activity.type_id, month_of(activity.starts_at))


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _bump(cell: Cell, sign: int) -> None:
    path, type_id, month = cell
    ids = _ids(path)
    unit_id = ids[-1]
    rows = LedgerCount.objects.filter(unit_id__in=ids, type_id=type_id, month=month)
    counter = PositiveIntegerField()
    own_after: Expression
    subtree_after: Expression
    if sign > 0:
        own_after = F("own") + Value(1)
        subtree_after = F("subtree") + Value(1)
    else:
        # Never below zero (a PositiveIntegerField), even on counts gone wrong before a rebuild.
        own_after = Greatest(F("own") - Value(1), Value(0))
        subtree_after = Greatest(F("subtree") - Value(1), Value(0))
    own = Case(When(unit_id=unit_id, then=own_after), default=F("own"), output_field=counter)
    subtree = ExpressionWrapper(subtree_after, output_field=counter)
    # The rows there now, locked: the UPDATE counts on exactly these. A row another transaction
    # creates meanwhile is not among them and is counted on below, through its constraint (an
    # UPDATE of "whatever exists" followed by a fresh look would skip such a row on PostgreSQL).
    present = set(rows.select_for_update().values_list("unit_id", flat=True))
    if present:
        rows.filter(unit_id__in=present).update(own=own, subtree=subtree)
    if sign < 0:
        return
    for pk in ids:
        if pk in present:
            continue
        try:
            # A savepoint: another transaction may create the same row between our UPDATE and
            # this INSERT; then the unique constraint refuses it and we count on that row.
            with transaction.atomic():
                LedgerCount.objects.create(
                    unit_id=pk,
                    type_id=type_id,
                    month=month,
                    own=1 if pk == unit_id else 0,
                    subtree=1,
                )
        except IntegrityError:
            LedgerCount.objects.filter(unit_id=pk, type_id=type_id, month=month).update(
                own=F("own") + (1 if pk == unit_id else 0), subtree=F("subtree") + 1
            )


def apply(activity: Activity, sign: int) -> None:
    """Count a live activity in (+1) or out (−1), in the caller's transaction."""
    cell = cell_of(activity)
    if cell is not None:
        _bump(cell, 1 if sign > 0 else -1)


def add_many(activities: Iterable[Activity]) -> None:
    """Count many new live activities in at once (an import), in the caller's transaction: the
    same counts as `apply(activity, +1)` for each, in a few statements whatever their number."""
    own: Counter[tuple[int, int, datetime.date]] = Counter()
    for activity in activities:
        if activity.deleted_at is None:
            own[(activity.unit_id, activity.type_id, month_of(activity.starts_at))] += 1
    if not own:
        return
    paths = dict(
        Unit.objects.filter(pk__in={unit_id for unit_id, _t, _m in own}).values_list("id", "path")
    )
    # [own, subtree] to add per (unit, type, month), the unit's ancestors included.
    deltas: dict[tuple[int, int, datetime.date], list[int]] = {}
    for (unit_id, type_id, month), n in own.items():
        if unit_id not in paths:
            continue
        for pk in _ids(paths[unit_id]):
            delta = deltas.setdefault((pk, type_id, month), [0, 0])
            delta[1] += n
            if pk == unit_id:
                delta[0] += n
    type_ids = {type_id for _u, type_id, _m in deltas}
    months = {month for _u, _t, month in deltas}
    unit_ids = {unit_id for unit_id, _t, _m in deltas}
    # The rows there now, locked (as in _bump); the others are created below.
    present = {
        (unit_id, type_id, month): pk
        for pk, unit_id, type_id, month in LedgerCount.objects.select_for_update()
        .filter(unit_id__in=unit_ids, type_id__in=type_ids, month__in=months)
        .values_list("pk", "unit_id", "type_id", "month")
    }
    # One UPDATE per distinct (own, subtree) increment rather than per row.
    groups: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for cell, (own_n, subtree_n) in deltas.items():
        if cell in present:
            groups[(own_n, subtree_n)].append(present[cell])
    for (own_n, subtree_n), pks in groups.items():
        for batch in itertools.batched(pks, 500):
            LedgerCount.objects.filter(pk__in=batch).update(
                own=F("own") + Value(own_n), subtree=F("subtree") + Value(subtree_n)
            )
    missing = [(cell, delta) for cell, delta in deltas.items() if cell not in present]
    try:
        with transaction.atomic():  # a savepoint: another import may create one meanwhile
            LedgerCount.objects.bulk_create(
                [
                    LedgerCount(unit_id=u, type_id=t, month=m, own=own_n, subtree=subtree_n)
                    for (u, t, m), (own_n, subtree_n) in missing
                ],
                batch_size=500,
            )
    except IntegrityError:
        for (u, t, m), (own_n, subtree_n) in missing:
            with transaction.atomic():
                _, created = LedgerCount.objects.get_or_create(
                    unit_id=u, type_id=t, month=m, defaults={"own": own_n, "subtree": subtree_n}
                )
            if not created:
                LedgerCount.objects.filter(unit_id=u, type_id=t, month=m).update(
                    own=F("own") + Value(own_n), subtree=F("subtree") + Value(subtree_n)
                )


def move(before: Cell | None, activity: Activity) -> None:
    """After an edit: the record leaves the cell it was counted in and enters its new one."""
    after = cell_of(activity)
    if before == after:
        return
    if before is not None:
        _bump(before, -1)
    if after is not None:
        _bump(after, 1)


def rebuild(activities=Activity, units=Unit, counts=LedgerCount) -> int:
    """Recompute every count from the live activities; returns the number of rows written.

    One GROUP BY (unit, type, month) over the live records gives `own`; `subtree` adds each
    cell to the unit's ancestors, read from the paths of the units with records. The models are
    parameters so that the migration creating LedgerCount fills it with its historical models.
    """
    month = (
        LocalMonth("starts_at")
        if settings.TIME_ZONE == LOCAL_MONTH_ZONE
        else TruncMonth("starts_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    )
    months: dict[object, datetime.date] = {}  # one date object per month, not per row
    # [own, subtree] per (unit, type, month): each group adds to its unit and its ancestors.
    cells: dict[tuple[int, int, datetime.date], list[int]] = {}
    paths = dict(units.objects.values_list("id", "path"))
    grouped = (
        activities.objects.filter(deleted_at__isnull=True)
        .annotate(month=month)
        .values("unit_id", "type_id", "month")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("unit_id", "type_id", "month", "n")
    )
    for unit_id, type_id, value, n in grouped.iterator(chunk_size=10_000):
        day = months.get(value)
        if day is None:
            if isinstance(value, str):  # SQLite's date() without a converter
                day = datetime.date.fromisoformat(value)
            elif isinstance(value, datetime.datetime):
                day = value.date()
            else:
                day = value
            day = months[value] = day.replace(day=1)
        for pk in _ids(paths[unit_id]):
            cell = cells.get((pk, type_id, day))
            if cell is None:
                cell = cells[(pk, type_id, day)] = [0, 0]
            cell[1] += n
            if pk == unit_id:
                cell[0] += n
    with transaction.atomic():
        counts.objects.all().delete()
        # In batches of our own: bulk_create would make one list of every row first.
        for batch in itertools.batched(cells.items(), 5000):
            counts.objects.bulk_create(
                counts(unit_id=unit_id, type_id=type_id, month=day, own=own, subtree=subtree)
                for (unit_id, type_id, day), (own, subtree) in batch
            )
    return len(cells)


def unit_moved(unit: Unit, old_path: str) -> None:
    """After `unit` moved in the tree (path rewritten): its subtree's counts leave the old
    ancestors and join the new ones. In the caller's transaction (org.services.update_unit)."""
    old = set(_ids(old_path)[:-1])
    new = set(_ids(unit.path)[:-1])
    leaving, joining = sorted(old - new), sorted(new - old)
    if not leaving and not joining:
        return
    moved = LedgerCount.objects.filter(unit=unit, subtree__gt=0).values_list(
        "type_id", "month", "subtree"
    )
    for type_id, month, n in moved:
        cell = LedgerCount.objects.filter(type_id=type_id, month=month)
        cell.filter(unit_id__in=leaving).update(
            subtree=ExpressionWrapper(
                Greatest(F("subtree") - Value(n), Value(0)), output_field=PositiveIntegerField()
            )
        )
        cell.filter(unit_id__in=joining).update(subtree=F("subtree") + Value(n))
        present = set(cell.filter(unit_id__in=joining).values_list("unit_id", flat=True))
        LedgerCount.objects.bulk_create(
            LedgerCount(unit_id=pk, type_id=type_id, month=month, own=0, subtree=n)
            for pk in joining
            if pk not in present
        )
