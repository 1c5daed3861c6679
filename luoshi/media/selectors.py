"""Reading the media matrix, scoped to the user: publication lists and targets vs. placements."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.models import User
from luoshi.ledgers.models import ActivityType, Category, Participation
from luoshi.org.models import Unit

from .access import visible_journalist_targets, visible_publications
from .models import (
    Channel,
    JournalistTarget,
    Level,
    PeriodKind,
    Publication,
    period_end,
    period_label,
)

PERIOD_RE = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class Period:
    """A month ("2026-11") or a quarter ("2026-Q4")."""

    kind: str
    start: datetime.date

    @property
    def end(self) -> datetime.date:
        return period_end(self.kind, self.start)

    @property
    def label(self) -> str:
        return period_label(self.kind, self.start)

    @classmethod
    def parse(cls, text: str | None, *, today: datetime.date | None = None) -> "Period":
        """The period named by `text`; the current month when it names none."""
        match = PERIOD_RE.match((text or "").strip())
        if match is None:
            day = today or timezone.localdate()
            return cls(PeriodKind.MONTH, day.replace(day=1))
        year = int(match.group(1))
        if match.group(3):
            return cls(PeriodKind.QUARTER, datetime.date(year, int(match.group(3)) * 3 - 2, 1))
        return cls(PeriodKind.MONTH, datetime.date(year, int(match.group(2)), 1))

    def previous(self) -> "Period":
        return Period.parse(None, today=self.start - datetime.timedelta(days=1)).as_kind(self.kind)

    def as_kind(self, kind: str) -> "Period":
        if kind == PeriodKind.QUARTER:
            return Period(
                kind, datetime.date(self.start.year, (self.start.month - 1) // 3 * 3 + 1, 1)
            )
        return Period(kind, self.start.replace(day=1))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class PublicationFilter:
    """The GET filters of the publication list (and of the matrix's links into it)."""

    unit: Unit | None = None  # the organising unit and its subtree
    channel_id: int | None = None
    level: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person_id: int | None = None  # an author
    text: str = ""

    def describe(self) -> list[str]:
        """The filters in words, for the head of an export."""
        parts = []
        if self.unit is not None:
            parts.append(_("单位：%(u)s（含下级）") % {"u": self.unit.name})
        if self.channel_id:
            channel = Channel.objects.filter(pk=self.channel_id).first()
            parts.append(_("渠道：%(v)s") % {"v": channel.name if channel else self.channel_id})
        if self.level:
            parts.append(_("级别：%(v)s") % {"v": Level(self.level).label})
        if self.date_from or self.date_to:
            parts.append(
                _("时间：%(a)s 至 %(b)s")
                % {"a": self.date_from or _("不限"), "b": self.date_to or _("不限")}
            )
        if self.person_id:
            person = User.objects.filter(pk=self.person_id).first()
            parts.append(_("作者：%(v)s") % {"v": person.name if person else self.person_id})
        if self.text:
            parts.append(_("关键词：%(v)s") % {"v": self.text})
        return parts


def filter_publications(user, flt: PublicationFilter) -> QuerySet[Publication]:
    publications = visible_publications(user)
    if flt.unit is not None:
        publications = publications.filter(activity__unit__path__startswith=flt.unit.path)
    if flt.channel_id:
        publications = publications.filter(channel_id=flt.channel_id)
    if flt.level:
        publications = publications.filter(level=flt.level)
    if flt.date_from:
        publications = publications.filter(activity__starts_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        publications = publications.filter(
            activity__starts_at__lt=_day_start(flt.date_to + datetime.timedelta(days=1))
        )
    if flt.person_id:
        publications = publications.filter(
            activity__in=Participation.objects.filter(person_id=flt.person_id).values("activity_id")
        )
    if flt.text:
        publications = publications.filter(activity__title__icontains=flt.text)
    return publications


def publication_list(user, flt: PublicationFilter) -> QuerySet[Publication]:
    """The filtered list with its authors, in one query plus one prefetch."""
    return (
        filter_publications(user, flt)
        .select_related("channel", "activity__unit", "activity__type")
        .prefetch_related(
            Prefetch(
                "activity__participations",
                queryset=Participation.objects.select_related("person").order_by("id"),
            )
        )
        .order_by("-activity__starts_at", "-id")
    )


def media_types() -> QuerySet[ActivityType]:
    """Active activity types of the media category (宣传报道 …), in their order."""
    return ActivityType.objects.filter(category=Category.MEDIA, is_active=True).order_by(
        "sort_order", "id"
    )


def channel_list() -> QuerySet[Channel]:
    """Every channel, active or not, in the office's order."""
    return Channel.objects.order_by("sort_order", "id")


def authors_of(publication: Publication) -> str:
    """The authors' names (the activity's participants, prefetched by `publication_list`)."""
    return "、".join(
        p.person.name or p.person.username for p in publication.activity.participations.all()
    )


def target_filters(period: "Period | None", unit: Unit | None) -> list[str]:
    """The period and unit of the matrix or the target list in words, for an export's head."""
    return [
        _("周期：%(period)s；单位：%(unit)s")
        % {
            "period": period.label if period else _("全部"),
            "unit": unit.name if unit else _("全部"),
        }
    ]


def target_list(
    user, *, period: Period | None = None, unit: Unit | None = None
) -> QuerySet[JournalistTarget]:
    targets = visible_journalist_targets(user).select_related("person", "unit")
    if period is not None:
        targets = targets.filter(period_kind=period.kind, period_start=period.start)
    if unit is not None:
        targets = targets.filter(unit__path__startswith=unit.path)
    return targets.order_by("-period_start", "unit__path", "person__pinyin", "level")


# --- The matrix -----------------------------------------------------------------------------------


@dataclass
class MatrixRow:
    person: User
    unit: Unit | None
    target: int | None  # total target (the level-less one, or the sum of the level targets)
    placements: int
    views: int
    by_channel: list[int]
    by_level: list[tuple[int | None, int]]  # (target, placements) per level

    @property
    def rate(self) -> float | None:
        """Completion rate in percent; None without a target."""
        if not self.target:
            return None
        return round(self.placements * 100 / self.target, 1)

    @property
    def under(self) -> bool:
        """Short of the total target or of a level's target."""
        if self.target is not None and self.placements < self.target:
            return True
        return any(t is not None and n < t for t, n in self.by_level)


@dataclass
class Matrix:
    """Targets vs. placements per journalist (rows), channel and level (columns)."""

    period: Period
    channels: list[Channel] = field(default_factory=list)
    levels: list[tuple[str, str]] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    channel_totals: list[int] = field(default_factory=list)
    level_totals: list[tuple[int, int]] = field(default_factory=list)
    target_total: int = 0
    placements_total: int = 0
    views_total: int = 0

    @property
    def rate(self) -> float | None:
        if not self.target_total:
            return None
        return round(self.placements_total * 100 / self.target_total, 1)

    @property
    def under_count(self) -> int:
        return sum(1 for row in self.rows if row.under)


def _period_targets(user, period: Period, unit: Unit | None) -> dict[int, dict[str, int]]:
    """Targets by person and level ("" = total) for the period.

    A target set for exactly this period counts; a person without one gets the sum of their
    targets for the shorter periods inside it (three monthly targets make a quarter's)."""
    targets = visible_journalist_targets(user).filter(
        period_start__gte=period.start, period_start__lte=period.end
    )
    if unit is not None:
        targets = targets.filter(unit__path__startswith=unit.path)
    exact: dict[int, dict[str, int]] = defaultdict(dict)
    inside: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for target in targets.only("person_id", "period_kind", "period_start", "level", "count"):
        if target.period_kind == period.kind and target.period_start == period.start:
            exact[target.person_id][target.level] = target.count
        elif target.period_end <= period.end:
            inside[target.person_id][target.level] += target.count
    result: dict[int, dict[str, int]] = {}
    for person_id in set(exact) | set(inside):
        result[person_id] = dict(exact.get(person_id) or inside[person_id])
    return result


def matrix(
    user, *, period: Period, unit: Unit | None = None, channel_id: int | None = None
) -> Matrix:
    """The matrix for a period, unit subtree and (optionally) one channel: two GROUP BYs."""
    flt = PublicationFilter(
        unit=unit, channel_id=channel_id, date_from=period.start, date_to=period.end
    )
    publications = filter_publications(user, flt)
    grouped = (
        Participation.objects.filter(activity__publication__in=publications.values("pk"))
        .values(
            "person_id",
            "activity__unit_id",
            "activity__publication__channel_id",
            "activity__publication__level",
        )
        .annotate(n=Count("id"), views=Sum("activity__publication__views"))
        .order_by()
    )
    placed: dict[int, dict[tuple[int, str], int]] = defaultdict(lambda: defaultdict(int))
    views: dict[int, int] = defaultdict(int)
    unit_of: dict[int, int] = {}
    for group in grouped:
        person_id = group["person_id"]
        key = (group["activity__publication__channel_id"], group["activity__publication__level"])
        placed[person_id][key] += group["n"]
        views[person_id] += group["views"] or 0
        unit_of.setdefault(person_id, group["activity__unit_id"])
    targets = _period_targets(user, period, unit)
    target_units = dict(
        visible_journalist_targets(user)
        .filter(period_start__gte=period.start, period_start__lte=period.end)
        .values_list("person_id", "unit_id")
    )
    unit_of.update(target_units)
    used = {channel for by_key in placed.values() for channel, _level in by_key}
    channels = list(
        Channel.objects.filter(Q(is_active=True) | Q(pk__in=used))
        .filter(**({"pk": channel_id} if channel_id else {}))
        .order_by("sort_order", "id")
    )
    levels = [(str(value), str(label)) for value, label in Level.choices]
    people = User.objects.filter(pk__in=set(placed) | set(targets)).order_by("pinyin", "id")
    units = Unit.objects.in_bulk(set(unit_of.values()))
    result = Matrix(
        period=period,
        channels=channels,
        levels=levels,
        channel_totals=[0] * len(channels),
        level_totals=[(0, 0)] * len(levels),
    )
    for person in people:
        counts = placed.get(person.pk, {})
        own = targets.get(person.pk, {})
        by_channel = [
            sum(n for (channel, _level), n in counts.items() if channel == c.pk) for c in channels
        ]
        by_level = [
            (own.get(value), sum(n for (_c, level), n in counts.items() if level == value))
            for value, _label in levels
        ]
        level_targets = [t for t, _n in by_level if t is not None]
        total_target = own.get("", sum(level_targets) if level_targets else None)
        row = MatrixRow(
            person=person,
            unit=units.get(unit_of.get(person.pk, 0)),
            target=total_target,
            placements=sum(counts.values()),
            views=views.get(person.pk, 0),
            by_channel=by_channel,
            by_level=by_level,
        )
        result.rows.append(row)
        result.target_total += row.target or 0
        result.placements_total += row.placements
        result.views_total += row.views
        result.channel_totals = [
            a + b for a, b in zip(result.channel_totals, by_channel, strict=True)
        ]
        result.level_totals = [
            (a + (t or 0), b + n)
            for (a, b), (t, n) in zip(result.level_totals, by_level, strict=True)
        ]
    # Under-target journalists first, then by name: the table is read for who is behind.
    result.rows.sort(key=lambda row: (not row.under, row.person.pinyin, row.person.pk))
    return result
