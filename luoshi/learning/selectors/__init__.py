"""Reading platform figures, scoped to the user: the monthly summary (一月一汇总), person
rankings, the half-year figures of a notice and a staff member's own figures.

Figures come from the `PointRecord`s of confirmed imports only. A unit's row counts the people
who belong to the unit itself (its direct members), so a person belongs to one row per unit they
hold a post in, and a row means the same thing at every level of the tree.

The whole-province summary reads the month's figures stored by the monthly job
(`MonthlySummary`) when no import of that month changed since; otherwise it groups the records
live (one GROUP BY per month on the indexed platform/period/unit). Either way ranking, rates
and flags are computed here, so stored and live pages cannot differ.
"""

import copy
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from luoshi.org.access import scope_for
from luoshi.org.models import Membership, Unit

from ..models import LearningSettings, MonthlySummary, Platform, PointImport, PointRecord

# --- Months ---------------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def parse_month(text: str | None) -> datetime.date | None:
    """ "2026-05" → 2026-05-01; anything else → None."""
    try:
        return datetime.date.fromisoformat(f"{text}-01") if text else None
    except ValueError:
        return None


def half_months(year: int, half: int) -> list[datetime.date]:
    first = 1 if half == 1 else 7
    return [datetime.date(year, first + i, 1) for i in range(6)]


def latest_month(platform: str) -> datetime.date:
    """The latest month with a confirmed import, else the month before this one."""
    latest = (
        PointImport.objects.filter(platform=platform, status=PointImport.Status.CONFIRMED)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return month_start(latest) if latest else previous_month(timezone.localdate())


def confirmed_imports(platform: str, start: datetime.date, end: datetime.date) -> list[int]:
    """Ids of the confirmed imports of `platform` whose period starts in [start, end)."""
    return sorted(
        PointImport.objects.filter(
            platform=platform,
            status=PointImport.Status.CONFIRMED,
            period_start__gte=start,
            period_start__lt=end,
        ).values_list("pk", flat=True)
    )


def month_records(platform: str, month: datetime.date) -> QuerySet[PointRecord]:
    """The month's records of confirmed imports (replaced and undone imports drop out)."""
    return PointRecord.objects.filter(
        platform=platform,
        period_start__gte=month,
        period_start__lt=next_month(month),
        point_import_id__in=confirmed_imports(platform, month, next_month(month)),
    )


# --- Settings: the nearest unit up the tree wins ---------------------------------------------------


def subtree_ids(root: Unit) -> list[int]:
    """Ids of the units of `root`'s subtree: filtering records by these uses the records' unit
    index, where a join on the units' path would read the whole month."""
    return list(Unit.objects.filter(path__startswith=root.path).values_list("id", flat=True))


def path_ids(unit: Unit) -> list[int]:
    """The ids on a unit's path, root first ("/1/4/17/" → [1, 4, 17])."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


class SettingsBook:
    """Every unit's effective `LearningSettings`, from one query of the (few) settings rows."""

    def __init__(self) -> None:
        self.rows = {rules.unit_id: rules for rules in LearningSettings.objects.all()}
        self.default = LearningSettings()

    def for_path(self, path: str) -> LearningSettings:
        if not self.rows:
            return self.default
        for part in reversed(path.strip("/").split("/")):
            if part and int(part) in self.rows:
                return self.rows[int(part)]
        return self.default

    def for_unit(self, unit: Unit) -> LearningSettings:
        return self.for_path(unit.path)


def settings_for(unit: Unit) -> LearningSettings:
    """The settings that apply to `unit` (its own, the nearest ancestor's, or the defaults)."""
    rows = {
        rules.unit_id: rules
        for rules in LearningSettings.objects.filter(unit_id__in=path_ids(unit))
    }
    for unit_id in reversed(path_ids(unit)):
        if unit_id in rows:
            return rows[unit_id]
    return LearningSettings()


def active_threshold(rules: LearningSettings, platform: str) -> Decimal:
    """常运用: the month's points (学习强国) or hours (干部网络学院) that make a person active."""
    return Decimal(
        rules.active_points if platform == Platform.STRONG_NATION else rules.active_hours
    )


# --- Who sees what ----------------------------------------------------------------------------------


class Viewer:
    """What one user may see of platform figures, unit by unit, from their scopes (cached)."""

    def __init__(self, user) -> None:
        self.user = user
        self.view = scope_for(user, "learning.view")
        self.manage_scopes = (
            scope_for(user, "learning.import"),
            scope_for(user, "learning.configure"),
        )
        self._member_units: set[int] | None = None

    @property
    def member_units(self) -> set[int]:
        if self._member_units is None:
            self._member_units = set(
                Membership.objects.filter(person_id=self.user.pk).values_list("unit_id", flat=True)
            )
        return self._member_units

    def manages(self, unit: Unit) -> bool:
        """Those who manage a unit's people: the liaisons (import) and the office (configure)."""
        return any(scope.contains(unit) for scope in self.manage_scopes)

    @property
    def manages_everything(self) -> bool:
        return any(scope.everything for scope in self.manage_scopes)

    def sees_unit(self, unit: Unit, rules: LearningSettings) -> bool:
        """A unit's figures: to its managers always; while they are published, to whoever may
        view the unit and to the unit's own people."""
        if self.manages(unit):
            return True
        if not rules.publish_unit_figures:
            return False
        return self.view.contains(unit) or unit.pk in self.member_units

    def sees_people(self, unit: Unit, rules: LearningSettings) -> bool:
        """The per-person ranking of a unit, as the settings allow (the person always sees
        their own figures and rank; that is decided where the row is the viewer's)."""
        if self.manages(unit):
            return True
        visibility = rules.person_ranking_visibility
        if visibility == LearningSettings.RankingVisibility.SCOPE:
            return self.view.contains(unit)
        if visibility == LearningSettings.RankingVisibility.UNIT:
            return unit.pk in self.member_units
        return False


# --- The monthly summary ----------------------------------------------------------------------------


@dataclass
class UnitRow:
    """One unit's figures in a month, ranked among the summary's units by points per person.

    `unit` is a Unit, or a `UnitRef` where a summary lists thousands of units."""

    unit: Any
    headcount: int
    registered: int
    active: int
    value: Decimal
    rules: LearningSettings
    rank: int | None = None
    previous_rank: int | None = None
    registration_rate: float = field(init=False)
    active_rate: float = field(init=False)
    per_person: float = field(init=False)

    def __post_init__(self) -> None:
        # Computed once: sorting and ranking thousands of rows reads them many times.
        self.registration_rate = _rate(self.registered, self.headcount)
        self.active_rate = _rate(self.active, self.headcount)
        self.per_person = round(float(self.value) / self.headcount, 1) if self.headcount else 0.0

    @property
    def change(self) -> int | None:
        """Places gained (+) or lost (−) against the month before; None when new."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def below_registration(self) -> bool:
        return bool(self.headcount) and self.registration_rate < float(
            self.rules.registration_rate_threshold
        )

    @property
    def below_active(self) -> bool:
        return bool(self.headcount) and self.active_rate < float(self.rules.active_rate_threshold)

    @property
    def flagged(self) -> bool:
        return self.below_registration or self.below_active

    @property
    def flags(self) -> list[str]:
        """Why the unit is below the set thresholds (提醒线), in words."""
        from django.utils.translation import gettext as _

        flags = []
        if self.below_registration:
            flags.append(
                _("注册率 %(rate)s%% 低于 %(line)s%%")
                % {
                    "rate": self.registration_rate,
                    "line": _number(self.rules.registration_rate_threshold),
                }
            )
        if self.below_active:
            flags.append(
                _("活跃率 %(rate)s%% 低于 %(line)s%%")
                % {"rate": self.active_rate, "line": _number(self.rules.active_rate_threshold)}
            )
        return flags


@dataclass(frozen=True)
class UnitRef:
    """What a summary row shows of a unit, without building thousands of model instances."""

    id: int
    name: str
    short_name: str
    path: str

    @property
    def pk(self) -> int:
        return self.id

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def __str__(self) -> str:
        return self.name


def _rate(part: int, whole: int) -> float:
    return round(min(100.0, 100.0 * part / whole), 1) if whole else 0.0


class SummaryRows:
    """The ranked rows of a summary, built as `UnitRow`s only when read: a page shows 50 of a
    province's 5,000 units, so the other 4,950 stay plain tuples (fewer objects per request,
    and fewer pauses of the garbage collector)."""

    def __init__(self, entries: list[tuple]) -> None:
        self.entries = (
            entries  # (rank, previous rank, (id, name, short name, path), rules, figures)
        )

    @staticmethod
    def _row(entry: tuple) -> UnitRow:
        rank, previous_rank, unit, rules, (headcount, registered, active, value) = entry
        return UnitRow(
            UnitRef(*unit),
            headcount,
            registered,
            active,
            Decimal(value),
            rules,
            rank=rank,
            previous_rank=previous_rank,
        )

    def __len__(self) -> int:
        return len(self.entries)

    def count(self) -> int:
        return len(self.entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(entry) for entry in self.entries[index]]
        return self._row(self.entries[index])

    def __iter__(self):
        return (self._row(entry) for entry in self.entries)


@dataclass
class Summary:
    """The monthly summary of a unit subtree: rows ranked, the totals, how many are flagged."""

    platform: str
    month: datetime.date
    root: Unit
    rows: SummaryRows
    figures_totals: dict[str, Any]
    flagged_count: int = 0
    stored_at: datetime.datetime | None = None  # when read from the job's MonthlySummary
    hidden: int = 0  # units in the subtree whose figures the viewer may not see
    published_at: datetime.datetime | None = None  # shown as published (一月一汇总 as sent)
    changed: bool = False  # today's count differs from the published one
    has_published: bool = False  # a published summary exists (current figures are shown)

    @property
    def unit_label(self) -> str:
        return str(Platform(self.platform).label)

    @property
    def flagged(self) -> list[UnitRow]:
        return [row for row in self.rows if row.flagged]

    def totals(self) -> dict[str, Any]:
        return self.figures_totals


def _totals(figures: Iterable[list]) -> dict[str, Any]:
    headcount = registered = active = 0
    value = 0.0
    for h, r, a, v in figures:
        headcount, registered, active = headcount + h, registered + r, active + a
        value += float(v)
    return {
        "headcount": headcount,
        "registered": registered,
        "active": active,
        "value": round(value, 2),
        "registration_rate": _rate(registered, headcount),
        "active_rate": _rate(active, headcount),
        "per_person": round(value / headcount, 1) if headcount else 0.0,
    }


Figures = dict[int, list]  # unit id → [headcount, registered, active, value]


def _headcounts(root: Unit | None) -> dict[int, int]:
    """Members per unit, people who were deleted left out (a short NOT IN list rather than a
    join of every membership to its person). A person counts once, in the unit of their primary
    membership (主职): a 兼职 (a further membership) adds no one to that unit's 应注册人数."""
    from luoshi.accounts.models import User

    members = Membership.objects.filter(is_primary=True).exclude(
        person_id__in=User.objects.filter(deleted_at__isnull=False).values("id")
    )
    if root is not None and root.parent_id is not None:
        members = members.filter(unit_id__in=subtree_ids(root))
    return dict(members.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))


def compute_figures(
    platform: str, month: datetime.date, root: Unit | None, book: SettingsBook
) -> Figures:
    """Per unit of `root`'s subtree (or of every tree): headcount, registered, active, value —
    three grouped queries whatever the size of the tree."""
    records = month_records(platform, month).filter(value__isnull=False)
    if root is not None and root.parent_id is not None:
        records = records.filter(unit_id__in=subtree_ids(root))
    # Units may set different thresholds; there are few distinct ones, one count each.
    thresholds = sorted(
        {active_threshold(rules, platform) for rules in book.rows.values()}
        | {active_threshold(book.default, platform)}
    )
    counts = {
        f"active_{index}": Count("person_id", distinct=True, filter=Q(value__gte=threshold))
        for index, threshold in enumerate(thresholds)
    }
    grouped = (
        records.values("unit_id")
        .annotate(registered=Count("person_id", distinct=True), total=Sum("value"), **counts)
        .order_by()
    )
    figures: Figures = {
        unit_id: [count, 0, 0, Decimal(0)] for unit_id, count in _headcounts(root).items()
    }
    unit_paths: dict[int, str] = {}
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    if len(book.rows) > 0:
        unit_paths = dict(
            Unit.objects.filter(pk__in={row["unit_id"] for row in rows}).values_list("id", "path")
        )
    for row in rows:
        rules = book.for_path(unit_paths.get(row["unit_id"], "")) if book.rows else book.default
        index = thresholds.index(active_threshold(rules, platform))
        entry = figures.setdefault(row["unit_id"], [0, 0, 0, Decimal(0)])
        entry[1] = row["registered"]
        entry[2] = row[f"active_{index}"]
        entry[3] = Decimal(row["total"] or 0)
    return figures


def _stored(platform: str, month: datetime.date, unit: Unit, key: str):
    """One part of what the monthly job stored for `unit`'s tree ("units" or "ranking") and when,
    unless an import of the month changed since. Only that part is read from the row: the
    ranking is large and the summary page does not need it."""
    stored = (
        MonthlySummary.objects.filter(platform=platform, unit_id=path_ids(unit)[0], month=month)
        .values_list("data__imports", f"data__{key}", "generated_at")
        .first()
    )
    if stored is None:
        return None
    imports, part, generated_at = stored
    if part is None or imports != confirmed_imports(platform, month, next_month(month)):
        return None
    return part, generated_at


def _stored_figures(
    platform: str, month: datetime.date, unit: Unit
) -> tuple[Figures, datetime.datetime] | None:
    """The per-unit figures the monthly job stored for `unit`'s tree, if still current."""
    stored = _stored(platform, month, unit, "units")
    if stored is None:
        return None
    units, generated_at = stored
    # Values stay strings until a row is shown (Decimal(...) for 5,000 units costs time).
    figures = {int(unit_id): values for unit_id, values in units.items()}
    return figures, generated_at


def figures_for(
    platform: str, month: datetime.date, root: Unit, book: SettingsBook
) -> tuple[Figures, datetime.datetime | None]:
    stored = _stored_figures(platform, month, root)
    if stored is not None:
        return stored
    return compute_figures(platform, month, root, book), None


def _rank(rows: list[UnitRow], key) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) by `key`, descending; units with no people are not ranked."""
    ranked = sorted((row for row in rows if row.headcount), key=key, reverse=True)
    ranks: dict[int, int] = {}
    previous_key, previous_rank = None, 0
    for position, row in enumerate(ranked, start=1):
        current = key(row)
        if current != previous_key:
            previous_key, previous_rank = current, position
        ranks[row.unit.pk] = previous_rank
    return ranks


def _competition_ranks(keyed: list[tuple[float, int]]) -> dict[int, int]:
    """{unit id: rank} from (value per person, unit id) pairs, best first, ties sharing a place."""
    ranks: dict[int, int] = {}
    previous_key, previous_rank = None, 0
    for position, (key, unit_id) in enumerate(sorted(keyed, reverse=True), start=1):
        if key != previous_key:
            previous_key, previous_rank = key, position
        ranks[unit_id] = previous_rank
    return ranks


def _per_person(figures: list) -> float:
    return round(float(figures[3]) / figures[0], 1) if figures[0] else 0.0


def published_summary(platform: str, month: datetime.date, root: Unit):
    """The month's summary as the job published it for `root`'s tree: (figures, the month
    before's figures, when, each unit's flag thresholds then), or None before it was published.
    Summaries published before the thresholds were kept have none: today's apply."""
    row = (
        MonthlySummary.objects.filter(
            platform=platform,
            unit_id=path_ids(root)[0],
            month=month,
            published_at__isnull=False,
        )
        .values_list("published", "published_at")
        .first()
    )
    if row is None:
        return None
    published, published_at = row

    def figures(part: str) -> Figures:
        return {int(pk): values for pk, values in (published.get(part) or {}).items()}

    thresholds = {
        int(pk): (Decimal(registration), Decimal(active))
        for pk, (registration, active) in (published.get("thresholds") or {}).items()
    }
    return figures("units"), figures("previous"), published_at, thresholds


def _same(a: Figures, b: Figures, ids: set[int]) -> bool:
    def norm(figures: Figures) -> dict[int, tuple]:
        return {
            pk: (v[0], v[1], v[2], Decimal(str(v[3])))
            for pk, v in figures.items()
            if pk in ids and (v[0] or v[1])
        }

    return norm(a) == norm(b)


def monthly_summary(
    user, root: Unit, platform: str, month: datetime.date, *, current_figures: bool = False
) -> Summary:
    """The monthly summary of `root`'s subtree as `user` may see it.

    Once the job has published the month (一月一汇总), the summary shows the figures as
    published — the same page and export forever — with `changed` set when today's count
    differs; `current_figures` shows today's count instead. The caller has checked
    `learning.view` on `root` (learning.access). Units whose figures are not published are left
    out for those who do not manage them (counted in `hidden`). Units with people are ranked by
    value per person; the month before is ranked over the same units for the change (↑↓)."""
    book = SettingsBook()
    viewer = Viewer(user)
    units = list(
        Unit.objects.alive()
        .filter(path__startswith=root.path)
        .values_list("id", "name", "short_name", "path")
    )
    current, stored_at = figures_for(platform, month, root, book)
    before = previous_month(month)
    # No figures at all the month before: nothing to compare with (rather than all tied).
    previous: Figures = {}
    if confirmed_imports(platform, before, month):
        previous, _stored = figures_for(platform, before, root, book)
    published = published_summary(platform, month, root)
    published_at = None
    changed = False
    thresholds: dict[int, tuple[Decimal, Decimal]] = {}
    if published is not None:
        changed = not _same(current, published[0], {unit[0] for unit in units})
        if not current_figures:
            current, previous, published_at, thresholds = published
            stored_at = published_at
    everyone = viewer.manages_everything
    kept = []
    hidden = 0
    for unit in units:
        rules = book.for_path(unit[3])
        if not everyone and not viewer.sees_unit(cast(Unit, UnitRef(*unit)), rules):
            hidden += 1
            continue
        figures = current.get(unit[0])
        if figures is None or not (figures[0] or figures[1]):
            continue
        if unit[0] in thresholds:  # who may see follows today's settings; the flags do not
            rules = copy.copy(rules)
            rules.registration_rate_threshold, rules.active_rate_threshold = thresholds[unit[0]]
        kept.append((unit, rules, figures))
    ranks = _competition_ranks(
        [(_per_person(figures), unit[0]) for unit, _rules, figures in kept if figures[0]]
    )
    previous_ranks = _competition_ranks(
        [
            (_per_person(previous[unit[0]]), unit[0])
            for unit, _rules, _figures in kept
            if unit[0] in previous and previous[unit[0]][0]
        ]
    )
    entries = sorted(
        (
            (ranks.get(unit[0]), previous_ranks.get(unit[0]), unit, rules, figures)
            for unit, rules, figures in kept
        ),
        key=lambda entry: (entry[0] or 10**9, entry[2][3]),
    )
    flagged = sum(
        1
        for _unit, rules, (h, r, a, _v) in kept
        if h
        and (
            _rate(r, h) < float(rules.registration_rate_threshold)
            or _rate(a, h) < float(rules.active_rate_threshold)
        )
    )
    return Summary(
        platform,
        month,
        root,
        SummaryRows(entries),
        _totals(figures for _unit, _rules, figures in kept),
        flagged_count=flagged,
        stored_at=stored_at,
        hidden=hidden,
        published_at=published_at,
        changed=changed,
        has_published=published is not None,
    )


def _number(value: Decimal | float) -> str:
    """300.00 → "300", 2.50 → "2.5"."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def summary_payload(platform: str, month: datetime.date, root: Unit) -> dict[str, Any]:
    """What the monthly job keeps in MonthlySummary.data: the raw figures of every unit of the
    tree and the imports they came from (a later import makes them stale)."""
    figures = compute_figures(platform, month, root, SettingsBook())
    return {
        "imports": confirmed_imports(platform, month, next_month(month)),
        "units": {
            str(unit_id): [h, r, a, str(v)] for unit_id, (h, r, a, v) in figures.items() if h or r
        },
    }


# --- A staff member's own figures -------------------------------------------------------------------


def own_months(user, platform: str, months: int = 12) -> list[dict[str, Any]]:
    """The person's own figures month by month (newest first), with their rank in their unit."""
    since = month_start(timezone.localdate())
    for _ in range(months):
        since = previous_month(since)
    imports = confirmed_imports(platform, since, next_month(timezone.localdate()))
    better = (
        PointRecord.objects.filter(
            point_import_id=OuterRef("point_import_id"),
            unit_id=OuterRef("unit_id"),
            value__gt=OuterRef("value"),
        )
        .order_by()
        .values("point_import_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    size = (
        PointRecord.objects.filter(
            point_import_id=OuterRef("point_import_id"),
            unit_id=OuterRef("unit_id"),
            value__isnull=False,
        )
        .order_by()
        .values("point_import_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    records = (
        PointRecord.objects.filter(person=user, platform=platform, point_import_id__in=imports)
        .select_related("unit")
        .annotate(
            better=Coalesce(Subquery(better, output_field=IntegerField()), 0),
            ranked=Coalesce(Subquery(size, output_field=IntegerField()), 0),
        )
        .order_by("-period_start", "unit_id")
    )
    return [
        {
            "month": month_start(record.period_start),
            "record": record,
            "unit": record.unit,
            "unit_rank": record.better + 1 if record.value is not None else None,  # type: ignore[attr-defined]
            "unit_size": record.ranked,  # type: ignore[attr-defined]
        }
        for record in records
    ]


def member_units(user) -> list[Unit]:
    return list(
        Unit.objects.alive()
        .filter(pk__in=Membership.objects.filter(person=user).values("unit_id"))
        .order_by("path")
    )


def unit_label(platform: str) -> str:
    from django.utils.translation import gettext as _

    return _("积分") if platform == Platform.STRONG_NATION else _("学时")


# The ranking, the half-year figures and the list filters live in their own modules; their names are part of the
# selectors' interface (imported last: they build on what is defined above).
from .filters import (  # noqa: E402
    ROW_GROUPS,
    ImportFilter,
    NoticeFilter,
    OrgAliasFilter,
    visible_org_aliases,
)
from .notices import (  # noqa: E402
    half_inputs,
    half_year_figures,
    notice_changes,
    roster,
    units_without_last_month,
)
from .ranking import (  # noqa: E402
    RANKING_COLUMNS,
    PersonRow,
    Ranking,
    RankingFile,
    rank_page,
    ranking_columns,
    ranking_queryset,
    ranking_units,
    unit_people,
)

__all__ = [
    "RANKING_COLUMNS",
    "ROW_GROUPS",
    "ImportFilter",
    "OrgAliasFilter",
    "visible_org_aliases",
    "NoticeFilter",
    "PersonRow",
    "Ranking",
    "RankingFile",
    "half_inputs",
    "half_year_figures",
    "notice_changes",
    "rank_page",
    "ranking_columns",
    "ranking_queryset",
    "ranking_units",
    "roster",
    "unit_people",
    "units_without_last_month",
]
