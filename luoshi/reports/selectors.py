"""Writing a briefing: every figure counted from the ledger for a unit subtree and a period.

`write_briefing` returns a `Briefing` (title, paragraphs made of text and figures, signature and
date) that the page, the Word document, the API and the `briefing` command all render, so they
say the same thing. With a user, only the activities that user sees are counted and a part fixed
on a unit outside their scope is left out; without one (the command), everything counts.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.ledgers.access import visible_activities
from luoshi.ledgers.models import Activity, Participation, VenueCategory
from luoshi.org.access import scope_for, units_for_picker
from luoshi.org.models import Unit

from .models import BriefingLine, BriefingSection, BriefingTemplate, Metric, Rounding

PLACEHOLDER_RE = re.compile(r"\{(n|places|unit)\}")
CHINESE_DIGITS = "一二三四五六七八九十"
COVERAGE_ORDER = [
    VenueCategory.PASTORAL,
    VenueCategory.COMMUNITY,
    VenueCategory.ENTERPRISE,
    VenueCategory.CAMPUS,
    VenueCategory.GOVERNMENT,
    VenueCategory.OTHER,
]


def write_number(n: int, rounding: str) -> str:
    """A figure as the briefing writes it: exactly, or approximately as "N余" — the count floored
    to tens (23 → "20余"). Below 10, and on a round ten (20 is "20", not "more than 20"), the
    approximate figure is the exact one."""
    if rounding != Rounding.APPROX or n < 10 or n % 10 == 0:
        return str(n)
    return f"{n // 10 * 10}余"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings seldom pass twenty)."""
    if n <= 10:
        return CHINESE_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens - 1]
    return head + "十" + (CHINESE_DIGITS[ones - 1] if ones else "")


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Figure:
    """One counted figure: the count, how it is written, and the list of records behind it."""

    line_id: int
    metric: str
    value: int
    text: str
    url: str = ""
    places: dict[str, list[str]] = field(default_factory=dict)  # coverage: category label → places


@dataclass
class Part:
    """A run of a paragraph: plain text, or a figure (linked on the page)."""

    text: str
    figure: Figure | None = None


@dataclass
class Paragraph:
    """A paragraph: a 一级 heading ("heading") or body text with an optional run-in 二级 heading."""

    kind: str  # "heading" | "body"
    lead: str = ""
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.lead + "".join(part.text for part in self.parts)


@dataclass
class Briefing:
    template: BriefingTemplate
    unit: Unit
    date_from: datetime.date
    date_to: datetime.date
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    signature: str = ""

    @property
    def period(self) -> str:
        return _("（%(a)s至%(b)s）") % {
            "a": chinese_date(self.date_from),
            "b": chinese_date(self.date_to),
        }

    @property
    def date_text(self) -> str:
        return chinese_date(self.date_to)

    @property
    def figures(self) -> list[Figure]:
        return [p.figure for para in self.paragraphs for p in para.parts if p.figure is not None]

    def plain_text(self) -> str:
        """The briefing as plain text (the command's output): title, period, paragraphs, then
        the unit and the date."""
        lines = [self.title, self.period, ""]
        for paragraph in self.paragraphs:
            lines.append(paragraph.text if paragraph.kind == "heading" else "　　" + paragraph.text)
        lines += ["", self.signature, self.date_text]
        return "\n".join(lines) + "\n"


def briefing_units(user) -> QuerySet[Unit]:
    """The units `user` may write a briefing for: those in the `ledger.view` scope."""
    return units_for_picker(user, "ledger.view").order_by("path")


def active_templates() -> QuerySet[BriefingTemplate]:
    return BriefingTemplate.objects.filter(is_active=True).order_by("name", "id")


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _records(user, unit: Unit, date_from: datetime.date, date_to: datetime.date) -> QuerySet:
    activities = visible_activities(user) if user is not None else Activity.objects.alive()
    return activities.filter(
        unit__path__startswith=unit.path,
        starts_at__gte=_day_start(date_from),
        starts_at__lt=_day_start(date_to + datetime.timedelta(days=1)),
    )


def _list_url(line: BriefingLine, unit: Unit, date_from, date_to) -> str:
    params = {"unit": unit.pk, "from": date_from.isoformat(), "to": date_to.isoformat()}
    if line.activity_type_id:
        params = {"type": line.activity_type_id, **params}
    if line.field_key:
        params |= {"field": line.field_key, "value": line.field_value}
    if line.metric == Metric.COMMENDED:
        params["commended"] = "1"
    return reverse("ledgers:activity-list") + "?" + urlencode(params)


def _line_records(line: BriefingLine, records: QuerySet[Activity]) -> QuerySet[Activity]:
    if line.activity_type_id:
        records = records.filter(type_id=line.activity_type_id)
    if line.field_key:
        records = records.filter(**{f"values__{line.field_key}": line.field_value})
    return records


def count_line(line: BriefingLine, records: QuerySet[Activity]) -> tuple[int, dict[str, list]]:
    """The line's count over `records` (already narrowed to the unit and period); for the
    coverage, also the places reached per venue category, in the order of first visit."""
    selected = _line_records(line, records)
    match line.metric:
        case Metric.ACTIVITIES:
            return selected.count(), {}
        case Metric.COMMENDED:
            return selected.filter(commended_at__isnull=False).count(), {}
        case Metric.DISTINCT:
            key = f"values__{line.distinct_key}"
            return (
                selected.exclude(**{f"{key}__isnull": True})
                .values(key)
                .distinct()
                .order_by()
                .count(),
                {},
            )
        case Metric.PERSON_TIMES:
            people = Participation.objects.filter(activity__in=selected.values("pk"))
            return people.count(), {}
        case Metric.PEOPLE:
            people = Participation.objects.filter(activity__in=selected.values("pk"))
            return people.values("person_id").distinct().order_by().count(), {}
        case Metric.AUDIENCE:
            return selected.aggregate(total=Sum("audience"))["total"] or 0, {}
        case Metric.COVERAGE:
            rows = (
                selected.exclude(Q(venue_category="") | Q(place=""))
                .values_list("venue_category", "place")
                .order_by("starts_at", "id")
            )
            reached: dict[str, list[str]] = {}
            total = selected.count()
            for category, place in rows:
                places = reached.setdefault(category, [])
                if place not in places:
                    places.append(place)
            ordered = {
                str(VenueCategory(category).label): reached[category]
                for category in COVERAGE_ORDER
                if category in reached
            }
            return total, ordered
    raise ValueError(f"unknown metric {line.metric!r}")


def coverage_text(places: dict[str, list[str]]) -> str:
    """进牧区（A、B）、进社区（C）…: the categories reached and the places in each."""
    return "、".join(
        _("进%(category)s（%(places)s）") % {"category": category, "places": "、".join(names)}
        for category, names in places.items()
    )


def _fill(pattern: str, figure: Figure, unit: Unit) -> list[Part]:
    parts: list[Part] = []
    position = 0
    for match in PLACEHOLDER_RE.finditer(pattern):
        if match.start() > position:
            parts.append(Part(pattern[position : match.start()]))
        match match.group(1):
            case "n":
                parts.append(Part(figure.text, figure))
            case "places":
                parts.append(Part(coverage_text(figure.places) or _("（暂无）"), figure))
            case "unit":
                parts.append(Part(unit.name))
        position = match.end()
    if position < len(pattern):
        parts.append(Part(pattern[position:]))
    return parts


def _sections_with_units(
    template: BriefingTemplate, unit: Unit
) -> list[tuple[BriefingSection, Unit, int, int]]:
    """Each section with the unit it reports on and its heading numbers (一、 / （一）)."""
    sections = list(
        template.sections.select_related("unit")
        .prefetch_related("lines__activity_type")
        .order_by("order", "id")
    )
    result = []
    part_unit, first, second = unit, 0, 0
    for section in sections:
        if section.level == BriefingSection.Level.FIRST:
            first, second = first + 1, 0
            part_unit = section.unit or unit
            result.append((section, part_unit, first, 0))
        else:
            second += 1
            result.append((section, section.unit or part_unit, first, second))
    return result


def write_briefing(
    *,
    user,
    template: BriefingTemplate,
    unit: Unit,
    date_from: datetime.date,
    date_to: datetime.date,
) -> Briefing:
    """The briefing of `unit` (and its subtree) for the period, as `user` may see it (None: the
    whole ledger). One aggregate per line: a template holds a dozen lines, whatever the data."""
    scope = scope_for(user, "ledger.view") if user is not None else None
    briefing = Briefing(
        template=template,
        unit=unit,
        date_from=date_from,
        date_to=date_to,
        title=template.title.replace("{unit}", unit.name),
        signature=template.signature or unit.name,
    )
    if template.intro:
        briefing.paragraphs.append(
            Paragraph("body", parts=[Part(template.intro.replace("{unit}", unit.name))])
        )
    records_by_unit: dict[int, QuerySet[Activity]] = {}
    for section, section_unit, first, second in _sections_with_units(template, unit):
        if scope is not None and not scope.contains(section_unit):
            continue  # a part on a unit the reader does not see is left out
        records = records_by_unit.get(section_unit.pk)
        if records is None:
            records = records_by_unit[section_unit.pk] = _records(
                user, section_unit, date_from, date_to
            )
        heading = section.heading.replace("{unit}", section_unit.name)
        parts: list[Part] = []
        if section.intro:
            parts.append(Part(section.intro.replace("{unit}", section_unit.name)))
        for line in section.lines.all():
            value, places = count_line(line, records)
            figure = Figure(
                line_id=line.pk,
                metric=line.metric,
                value=value,
                text=write_number(value, line.rounding),
                url=_list_url(line, section_unit, date_from, date_to),
                places=places,
            )
            parts += _fill(line.pattern, figure, section_unit)
        if second == 0:
            if heading:
                briefing.paragraphs.append(
                    Paragraph("heading", lead=f"{chinese_ordinal(first)}、{heading}")
                )
            if parts:
                briefing.paragraphs.append(Paragraph("body", parts=parts))
        else:
            lead = f"（{chinese_ordinal(second)}）{heading}" if heading else ""
            briefing.paragraphs.append(Paragraph("body", lead=lead, parts=parts))
    return briefing


def briefing_counts(briefing: Briefing) -> list[dict]:
    """The figures for the API: line, metric, value, text, link and places."""
    return [
        {
            "line": figure.line_id,
            "metric": figure.metric,
            "value": figure.value,
            "text": figure.text,
            "url": figure.url,
            "places": figure.places,
        }
        for figure in briefing.figures
    ]
