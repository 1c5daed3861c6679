"""The figures of a half-year notice (半年一通报): per unit over six months, the units and
people commended, the units reminded."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from luoshi.org.models import Membership, Unit

from ..models import PointImport, PointRecord
from . import (
    SettingsBook,
    UnitRow,
    _headcounts,
    _number,
    _rank,
    _rate,
    active_threshold,
    confirmed_imports,
    half_months,
    month_start,
    next_month,
    subtree_ids,
)

# --- Half-year figures (半年一通报) ----------------------------------------------------------------


def half_year_figures(
    root: Unit, platform: str, year: int, half: int, book: SettingsBook | None = None
) -> dict[str, Any]:
    """The half-year's figures per unit of `root`'s subtree and the top learners, as plain data
    (kept in HalfYearNotice.data and rendered into the Word notice and the page).

    Per unit: headcount, registered (anyone with a record in the half), the half's total and
    per-person value, and the average monthly active rate (active person-months over headcount ×
    months with figures). Commended units: the best three by value per person among those that
    meet both thresholds; reminded units: those below a threshold."""
    book = book or SettingsBook()
    months = half_months(year, half)
    start, end = months[0], next_month(months[-1])
    imports = confirmed_imports(platform, start, end)
    imported_months = len(
        {
            month_start(day)
            for day in PointImport.objects.filter(pk__in=imports).values_list(
                "period_start", flat=True
            )
        }
    )
    records = PointRecord.objects.filter(
        platform=platform, point_import_id__in=imports, value__isnull=False
    )
    if root.parent_id is not None:
        records = records.filter(unit_id__in=subtree_ids(root))
    units = {unit.pk: unit for unit in Unit.objects.alive().filter(path__startswith=root.path)}
    thresholds = sorted(
        {active_threshold(book.for_unit(unit), platform) for unit in units.values()}
    ) or [active_threshold(book.default, platform)]
    counts = {
        f"active_{index}": Count("id", filter=Q(value__gte=threshold))
        for index, threshold in enumerate(thresholds)
    }
    grouped: dict[int, dict[str, Any]] = {
        row["unit_id"]: dict(row)
        for row in records.values("unit_id")
        .annotate(registered=Count("person_id", distinct=True), total=Sum("value"), **counts)
        .order_by()
    }
    headcounts = _headcounts(root)
    unit_rows = []
    for unit_id, unit in units.items():
        headcount = headcounts.get(unit_id, 0)
        row = grouped.get(unit_id)
        if not headcount and row is None:
            continue
        rules = book.for_unit(unit)
        index = thresholds.index(active_threshold(rules, platform))
        registered = row["registered"] if row else 0
        total = Decimal(row["total"] or 0) if row else Decimal(0)
        active_months = row[f"active_{index}"] if row else 0
        unit_row = UnitRow(unit, headcount, registered, 0, total, rules)
        active_rate = _rate(active_months, headcount * imported_months) if imported_months else 0.0
        flags = []
        if headcount and unit_row.registration_rate < float(rules.registration_rate_threshold):
            flags.append("registration")
        if headcount and active_rate < float(rules.active_rate_threshold):
            flags.append("active")
        unit_rows.append((unit_row, active_rate, flags))
    ranks = _rank([row for row, _a, _f in unit_rows], key=lambda row: row.per_person)
    table = sorted(
        (
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "rank": ranks.get(row.unit.pk),
                "headcount": row.headcount,
                "registered": row.registered,
                "registration_rate": row.registration_rate,
                "active_rate": active_rate,
                "value": _number(row.value),
                "per_person": row.per_person,
                "below": flags,
            }
            for row, active_rate, flags in unit_rows
        ),
        key=lambda item: (item["rank"] or 10**9, item["unit"]),
    )
    rules = book.for_unit(root)
    commended_units = [item for item in table if item["rank"] and not item["below"]][:3]
    # 提醒 names a unit only where that unit's own settings allow it.
    reminded = [
        item
        for item in table
        if item["below"] and book.for_unit(units[item["unit_id"]]).remind_units
    ]
    people: list[dict[str, Any]] = []
    if rules.commend_top_learners and rules.commend_count:
        top = list(
            records.values("person_id", "person__name")
            .annotate(total=Sum("value"))
            .order_by("-total", "person_id")[: rules.commend_count]
        )
        last_unit = dict(
            records.filter(person_id__in=[row["person_id"] for row in top])
            .order_by("person_id", "period_start")
            .values_list("person_id", "unit__name")
        )
        people = [
            {
                "person_id": row["person_id"],
                "name": row["person__name"],
                "unit": last_unit.get(row["person_id"], ""),
                "value": _number(row["total"]),
            }
            for row in top
        ]
    return {
        "platform": platform,
        "year": year,
        "half": half,
        "months": imported_months,
        "units": table,
        "commended_units": [item["unit"] for item in commended_units],
        "commended_people": people,
        "reminded_units": [{"unit": item["unit"], "below": item["below"]} for item in reminded],
        "remind": bool(reminded),
        "commend_people": rules.commend_top_learners,
    }


# --- What a notice stood on, and what has changed since -------------------------------------------


def roster(root: Unit) -> dict[str, list[int]]:
    """The people counted in each unit's headcount as of now (unit id → person ids), kept with
    a notice so that its 应注册 can be traced to names long after people come and go."""
    from luoshi.accounts.models import User

    members = Membership.objects.exclude(
        person_id__in=User.objects.filter(deleted_at__isnull=False).values("id")
    )
    if root.parent_id is not None:
        members = members.filter(unit_id__in=subtree_ids(root))
    result: dict[str, list[int]] = {}
    for unit_id, person_id in members.order_by("unit_id", "person_id").values_list(
        "unit_id", "person_id"
    ):
        result.setdefault(str(unit_id), []).append(person_id)
    return result


def half_inputs(platform: str, year: int, half: int) -> list[int]:
    """The confirmed imports a half-year's figures are counted from."""
    months = half_months(year, half)
    return confirmed_imports(platform, months[0], next_month(months[-1]))


def units_without_last_month(root: Unit, platform: str, year: int, half: int) -> list[str]:
    """The units of `root`'s tree with people that no confirmed import of the half's last month
    (June or December) covers: issuing then would count a month that was never imported for
    them. An import covers the subtree of the unit it was made for (a city-wide one, all)."""
    last = half_months(year, half)[-1]
    paths = [
        path
        for path in PointImport.objects.filter(
            pk__in=confirmed_imports(platform, last, next_month(last))
        ).values_list("unit__path", flat=True)
        if path is not None
    ]
    headcounts = _headcounts(root)
    units = (
        Unit.objects.alive()
        .filter(path__startswith=root.path, pk__in=[pk for pk, n in headcounts.items() if n])
        .order_by("path")
    )
    return [unit.name for unit in units if not any(unit.path.startswith(p) for p in paths)]


COMPARED = ("headcount", "registered", "value")


def notice_changes(notice) -> list[dict[str, Any]]:
    """Where today's count of a notice's half-year differs from what the notice stated: per
    unit, the issued and the current headcount, registered and value (empty: nothing changed).
    The notice itself is never recomputed; this is what the page's "数据已更新" links to."""
    current = half_year_figures(notice.unit, notice.platform, notice.year, notice.half)
    issued = {item["unit_id"]: item for item in notice.data.get("units", [])}
    now = {item["unit_id"]: item for item in current["units"]}
    changes = []
    for unit_id in list(issued) + [pk for pk in now if pk not in issued]:
        before, after = issued.get(unit_id), now.get(unit_id)
        if before and after and all(before[key] == after[key] for key in COMPARED):
            continue
        changes.append(
            {
                "unit": (after or before or {}).get("unit", ""),
                "issued": {key: before[key] for key in COMPARED} if before else None,
                "current": {key: after[key] for key in COMPARED} if after else None,
            }
        )
    return changes
