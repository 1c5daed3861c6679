"""Keeping `MonthlyHours` and `MonthlyVolunteer` equal to the hour records they count.

The monthly return of a province (a month of ~80,000 hour records under 5,000 units) cannot
group its records by city on every page view within 300 ms, so the records are counted per unit
subtree and month (by service date): `MonthlyHours` the records (人次), hours and 补录 hours of a
unit and everything below it, `MonthlyVolunteer` one row per volunteer who served there (the
distinct volunteers, which do not add up from the units below). The hour services call
`count_hours` in their transaction whenever a record is written or its hours or method change;
`rebuild` recomputes everything from the records (bulk loads, repairs, the demo); `unit_moved`
follows a unit moved in the organisation tree (registered in the app's ready()).
"""

import datetime
import itertools
from collections import Counter
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from luoshi.org.models import Unit

from .models import MonthlyHours, MonthlyVolunteer, ServiceHours

ADDED = ServiceHours.Method.ADDED


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _following(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _ids(path: str) -> list[int]:
    """The unit and its ancestors, from its materialised path ("/1/4/17/")."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _add(model, unit_ids: list[int], match: dict, deltas: dict) -> list[int]:
    """Add `deltas` to the rows of `unit_ids` matching `match`, creating the missing ones;
    returns the units whose row this call created."""
    rows = model.objects.filter(unit_id__in=unit_ids, **match)
    changes = {name: F(name) + Value(delta) for name, delta in deltas.items() if delta}
    # The rows there now, locked, are updated; one another transaction creates meanwhile is
    # refused by the unique constraint below and counted on then (as the ledger's counts do).
    present = set(rows.select_for_update().values_list("unit_id", flat=True))
    if present and changes:
        rows.filter(unit_id__in=present).update(**changes)
    created = []
    for pk in unit_ids:
        if pk in present:
            continue
        try:
            with transaction.atomic():
                model.objects.create(unit_id=pk, **match, **deltas)
            created.append(pk)
        except IntegrityError:
            model.objects.filter(unit_id=pk, **match).update(**changes)
    return created


def count_hours(row: ServiceHours, *, before: tuple[Decimal, str] | None = None) -> None:
    """Count a new hour record in (`before` None), or the change of a counted one's hours and
    method (`before` = its hours and method until now), in the caller's transaction."""
    path = Unit.objects.filter(pk=row.unit_id).values_list("path", flat=True).first()
    if path is None:
        return
    ids, month = _ids(path), month_of(row.served_on)
    added = row.hours if row.method == ADDED else Decimal(0)
    if before is None:
        deltas = {"records": 1, "hours": row.hours, "added_hours": added}
    else:
        was_added = before[0] if before[1] == ADDED else Decimal(0)
        deltas = {"records": 0, "hours": row.hours - before[0], "added_hours": added - was_added}
    if not any(deltas.values()):
        return
    _add(MonthlyHours, ids, {"month": month}, deltas)
    if before is None:
        match = {"month": month, "volunteer_id": row.volunteer_id}
        new_to = _add(MonthlyVolunteer, ids, match, {"records": 1})
        # A volunteer new to a subtree this month is one more distinct volunteer there.
        MonthlyHours.objects.filter(unit_id__in=new_to, month=month).update(
            volunteers=F("volunteers") + 1
        )


def recount(hours=ServiceHours, units=Unit):
    """The counts as the records give them, month by month: yields (month, {unit: [records,
    hours, added, volunteers]}, Counter{(unit, volunteer): records}). The models are parameters
    so that the migration creating the counts fills them with its historical models."""
    paths = dict(units.objects.values_list("id", "path"))
    chains: dict[int, list[int]] = {}
    for month in hours.objects.dates("served_on", "month"):
        cells: dict[int, list] = {}
        people: Counter[tuple[int, int]] = Counter()
        rows = (
            hours.objects.filter(served_on__gte=month, served_on__lt=_following(month))
            .order_by()
            .values_list("unit_id", "volunteer_id", "hours", "method")
        )
        for unit_id, volunteer_id, value, method in rows.iterator(chunk_size=10_000):
            chain = chains.get(unit_id)
            if chain is None:
                chain = chains[unit_id] = _ids(paths[unit_id])
            for pk in chain:
                cell = cells.get(pk)
                if cell is None:
                    cell = cells[pk] = [0, Decimal(0), Decimal(0), 0]
                cell[0] += 1
                cell[1] += value
                if method == ADDED:
                    cell[2] += value
                people[(pk, volunteer_id)] += 1
        for pk, _volunteer in people:
            cells[pk][3] += 1
        yield month, cells, people


def rebuild(
    hours=ServiceHours, units=Unit, monthly_hours=MonthlyHours, volunteers=MonthlyVolunteer
):
    """Recompute every count from the hour records; returns the number of rows written."""
    written = 0
    with transaction.atomic():
        monthly_hours.objects.all().delete()
        volunteers.objects.all().delete()
        for month, cells, people in recount(hours, units):
            monthly_hours.objects.bulk_create(
                monthly_hours(
                    unit_id=pk, month=month, records=n, hours=h, added_hours=a, volunteers=v
                )
                for pk, (n, h, a, v) in cells.items()
            )
            # In batches of our own: bulk_create would make one list of every row first.
            for batch in itertools.batched(people.items(), 5000):
                volunteers.objects.bulk_create(
                    volunteers(unit_id=pk, month=month, volunteer_id=v, records=n)
                    for (pk, v), n in batch
                )
            written += len(cells) + len(people)
    return written


def unit_moved(unit: Unit, old_path: str) -> None:
    """After `unit` moved in the tree (paths rewritten): its subtree's counts leave the old
    ancestors and join the new ones, in the caller's transaction (org.services.update_unit)."""
    old, new = set(_ids(old_path)[:-1]), set(_ids(unit.path)[:-1])
    leaving, joining = sorted(old - new), sorted(new - old)
    if not leaving and not joining:
        return
    months = list(MonthlyHours.objects.filter(unit=unit).values_list("month", flat=True))
    for month, n, h, a in MonthlyHours.objects.filter(unit=unit).values_list(
        "month", "records", "hours", "added_hours"
    ):
        cells = MonthlyHours.objects.filter(month=month)
        cells.filter(unit_id__in=leaving).update(
            records=F("records") - n, hours=F("hours") - h, added_hours=F("added_hours") - a
        )
        cells.filter(unit_id__in=leaving, records=0).delete()
        _add(MonthlyHours, joining, {"month": month}, {"records": n, "hours": h, "added_hours": a})
    moved = MonthlyVolunteer.objects.filter(
        unit=unit, month=OuterRef("month"), volunteer=OuterRef("volunteer")
    ).values("records")[:1]
    rows = MonthlyVolunteer.objects.filter(Exists(moved))
    rows.filter(unit_id__in=leaving).update(records=F("records") - Subquery(moved))
    MonthlyVolunteer.objects.filter(unit_id__in=leaving, records=0).delete()
    rows.filter(unit_id__in=joining).update(records=F("records") + Subquery(moved))
    present = set(rows.filter(unit_id__in=joining).values_list("unit_id", "month", "volunteer_id"))
    MonthlyVolunteer.objects.bulk_create(
        (
            MonthlyVolunteer(unit_id=pk, month=month, volunteer_id=volunteer, records=n)
            for month, volunteer, n in MonthlyVolunteer.objects.filter(unit=unit).values_list(
                "month", "volunteer_id", "records"
            )
            for pk in joining
            if (pk, month, volunteer) not in present
        ),
        batch_size=5000,
    )
    distinct = (
        MonthlyVolunteer.objects.filter(unit=OuterRef("unit"), month=OuterRef("month"))
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    MonthlyHours.objects.filter(unit_id__in=leaving + joining, month__in=months).update(
        volunteers=Coalesce(Subquery(distinct), 0)
    )
