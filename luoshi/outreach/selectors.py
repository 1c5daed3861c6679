"""Reading outreach data, scoped to the user: lectures and the coverage table (targets by
category × month), every count from the ledger in a couple of GROUP BYs."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity, Category, VenueCategory
from luoshi.ledgers.selectors import ActivityFilter, filter_activities
from luoshi.org.models import Unit

from .access import visible_lecture_targets, visible_teams
from .models import LectureTarget, LectureTeam, TeamMember
from .services import TARGET_CATEGORIES


@dataclass
class OutreachFilter:
    """Coverage and lecture filters: targets of a unit subtree and category, a period, a team,
    one target (the records behind a cell)."""

    unit: Unit | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    team_id: int | None = None
    category: str = ""
    target: LectureTarget | None = None

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period, by default the last six months up to today."""
        date_to = self.date_to or timezone.localdate()
        if self.date_from:
            return self.date_from, date_to
        start = date_to.replace(day=1)
        for _month in range(5):
            start = (start - datetime.timedelta(days=1)).replace(day=1)
        return start, date_to

    def describe(self) -> list[str]:
        """The period (always: it has a default) and the unit in words, for an export's head."""
        date_from, date_to = self.period()
        parts = [_("时间：%(a)s 至 %(b)s") % {"a": date_from, "b": date_to}]
        if self.unit is not None:
            parts.append(_("单位：%(unit)s（含下级）") % {"unit": self.unit.name})
        return parts


def team_list(user) -> QuerySet[LectureTeam]:
    """The lecture teams `user` sees (the team page and the API)."""
    return visible_teams(user).order_by("name")


def target_list(user, *, category: str = "") -> QuerySet[LectureTarget]:
    """Every lecture target `user` sees, active or not, of one venue category or all (the
    target page and the API)."""
    found = visible_lecture_targets(user).order_by("venue_category", "sort_order", "id")
    if category in VenueCategory.values:
        found = found.filter(venue_category=category)
    return found


def targets(user, flt: OutreachFilter) -> QuerySet[LectureTarget]:
    found = visible_lecture_targets(user).filter(is_active=True)
    if flt.unit is not None:
        found = found.filter(unit__path__startswith=flt.unit.path)
    if flt.category:
        found = found.filter(venue_category=flt.category)
    return found.order_by("venue_category", "sort_order", "unit__path", "id")


def _lectures(user, flt: OutreachFilter) -> QuerySet[Activity]:
    date_from, date_to = flt.period()
    return filter_activities(
        user, ActivityFilter(date_from=date_from, date_to=date_to, category=Category.LECTURE)
    )


def lectures(user, flt: OutreachFilter) -> QuerySet[Activity]:
    """Lectures `user` sees in the period, by team, by target, category and unit of the target;
    a generic ledger record counts for a target when its place is the target's name."""
    found = _lectures(user, flt)
    reached = targets(user, flt)
    if flt.target is not None:
        reached = reached.filter(pk=flt.target.pk)
    if flt.team_id:
        found = found.filter(lecture__team_id=flt.team_id)
    if flt.target is not None or flt.unit is not None or flt.category:
        linked = Q(lecture__target__in=reached.values("pk"))
        by_place = Q(lecture__isnull=True, place__in=reached.values("name"))
        found = found.filter(linked | by_place)
    return (
        found.select_related("type", "unit", "lecture__team", "lecture__target")
        .annotate(people=Count("participations", distinct=True))
        .order_by("-starts_at", "-id")
    )


def _month(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _months(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months: list[datetime.date] = []
    current = date_from.replace(day=1)
    while current <= date_to and len(months) < 60:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


@dataclass
class Coverage:
    """Targets (rows, grouped by category) × months: lectures per cell, and per category how
    many targets were reached at least once."""

    months: list[datetime.date] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    summary: list[dict[str, Any]] = field(default_factory=list)


def coverage(user, flt: OutreachFilter) -> Coverage:
    """How many lectures reached each target in each month of the period."""
    date_from, date_to = flt.period()
    rows = list(targets(user, flt))
    found = _lectures(user, flt).annotate(month=TruncMonth("starts_at"))
    cells: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    linked = found.filter(lecture__target__in=[t.pk for t in rows])
    if flt.team_id:
        linked = linked.filter(lecture__team_id=flt.team_id)
    for row in linked.values("lecture__target_id", "month").annotate(n=Count("id")).order_by():
        cells[row["lecture__target_id"]][_month(row["month"])] += row["n"]
    if not flt.team_id:  # a generic record names no team
        by_name: dict[str, list[int]] = defaultdict(list)
        for target in rows:
            by_name[target.name].append(target.pk)
        generic = found.filter(lecture__isnull=True, place__in=list(by_name))
        for place_row in generic.values("place", "month").annotate(n=Count("id")).order_by():
            for target_id in by_name[place_row["place"]]:
                cells[target_id][_month(place_row["month"])] += place_row["n"]
    months = _months(date_from, date_to)
    result = Coverage(months=months)
    totals: dict[str, list[int]] = {category: [0, 0] for category in TARGET_CATEGORIES}
    for target in rows:
        counts = [cells[target.pk].get(month, 0) for month in months]
        total = sum(counts)
        result.rows.append({"target": target, "counts": counts, "total": total})
        reached = totals.setdefault(target.venue_category, [0, 0])
        reached[0] += 1 if total else 0
        reached[1] += 1
    for category, (reached_count, count) in totals.items():
        if count or category in TARGET_CATEGORIES and not flt.category:
            result.summary.append(
                {
                    "category": category,
                    "label": VenueCategory(category).label,
                    "reached": reached_count,
                    "total": count,
                }
            )
    return result


def members_of(teams) -> dict[int, list[TeamMember]]:
    found: dict[int, list[TeamMember]] = defaultdict(list)
    rows = (
        TeamMember.objects.filter(team__in=[t.pk for t in teams])
        .select_related("person")
        .order_by("team_id", "person__pinyin", "id")
    )
    for member in rows:
        found[member.team_id].append(member)
    return found
