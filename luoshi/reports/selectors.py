"""Writing a briefing: every figure counted from stored records for a unit subtree and a period
— the ledger (study, meetings, lectures, inspections, publications, heritage visits), tasks,
supervision notices and accountability, journalists' targets, task forces' problems, learning
platform points.

`write_briefing` returns a `Briefing` (title, paragraphs made of text and figures, signature and
date) that the page, the Word document, the API and the `briefing` command all render, so they
say the same thing. A briefing is the same for every reader: one who does not reach all the
units it reports on cannot open it (404) rather than getting a different one.
"""

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from luoshi.campaigns.models import DONE_STATES, AccountabilityAction, SupervisionNotice, Task
from luoshi.heritage.models import Exhibition, Route
from luoshi.learning.models import Platform, PointRecord
from luoshi.learning.selectors import confirmed_imports
from luoshi.ledgers.models import Activity, Participation, VenueCategory
from luoshi.media.models import JournalistTarget
from luoshi.media.models import Level as MediaLevel
from luoshi.org.access import scope_for, units_for_picker
from luoshi.org.models import Membership, Unit
from luoshi.rectification.models import Problem

from .models import (
    ACTIVITY_METRICS,
    BriefingLine,
    BriefingSection,
    BriefingTemplate,
    IssuedBriefing,
    Metric,
    Rounding,
)

DOCUMENT_LANGUAGE = "zh-hans"
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
        with translation.override(DOCUMENT_LANGUAGE):
            return _("（%(a)s至%(b)s）") % {
                "a": chinese_date(self.date_from),
                "b": chinese_date(self.date_to),
            }

    @property
    def date_text(self) -> str:
        return chinese_date(self.date_to)

    @property
    def figures(self) -> list[Figure]:
        """Each figure once, in the order written (a line with {places} and {n} shows one
        figure in two runs)."""
        seen: list[Figure] = []
        for paragraph in self.paragraphs:
            for part in paragraph.parts:
                if part.figure is not None and not any(part.figure is f for f in seen):
                    seen.append(part.figure)
        return seen

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


@dataclass
class Span:
    """What one part counts over: a unit's subtree and the period."""

    unit: Unit
    date_from: datetime.date
    date_to: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return _day_start(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        return _day_start(self.date_to + datetime.timedelta(days=1))

    def records(self) -> QuerySet[Activity]:
        """The ledger's live records of the subtree that began in the period. Every reader
        counts the same records: who may open a briefing is decided before (see access)."""
        return Activity.objects.alive().filter(
            unit__path__startswith=self.unit.path, starts_at__gte=self.start, starts_at__lt=self.end
        )

    def in_subtree(self, prefix: str = "unit__") -> Q:
        return Q(**{f"{prefix}path__startswith": self.unit.path})


def _list_url(line: BriefingLine, span: Span) -> str:
    """The ledger list behind a figure counted from activities (blank for the other metrics)."""
    if line.metric not in ACTIVITY_METRICS:
        return ""
    params = {
        "unit": span.unit.pk,
        "from": span.date_from.isoformat(),
        "to": span.date_to.isoformat(),
    }
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


Count_ = tuple[int, dict[str, list[str]]]


def _coverage(selected: QuerySet[Activity]) -> Count_:
    rows = (
        selected.exclude(Q(venue_category="") | Q(place=""))
        .values_list("venue_category", "place")
        .order_by("starts_at", "id")
    )
    reached: dict[str, list[str]] = {}
    for category, place in rows:
        places = reached.setdefault(category, [])
        if place not in places:
            places.append(place)
    ordered = {
        str(VenueCategory(category).label): reached[category]
        for category in COVERAGE_ORDER
        if category in reached
    }
    return selected.count(), ordered


def _names(names: list[str]) -> dict[str, list[str]]:
    """A plain list of names as the places of a figure (one group without a label)."""
    return {"": names} if names else {}


def _sites(selected: QuerySet[Activity]) -> Count_:
    """The heritage sites the records were held at, in the order first used."""
    names: list[str] = []
    for name in (
        selected.filter(site_visit__isnull=False)
        .order_by("starts_at", "id")
        .values_list("site_visit__site__name", flat=True)
    ):
        if name not in names:
            names.append(name)
    return len(names), _names(names)


def _media(selected: QuerySet[Activity]) -> Count_:
    """Publications per level (中央/省/州/市) and, within each, per channel."""
    rows = (
        selected.filter(publication__isnull=False)
        .values_list("publication__level", "publication__channel__name")
        .annotate(n=Count("id"))
        .order_by("publication__channel__sort_order", "publication__channel__id")
    )
    by_level: dict[str, list[str]] = {}
    total = 0
    for level in MediaLevel.values:
        for row_level, channel, n in rows:
            if row_level == level:
                by_level.setdefault(str(MediaLevel(level).label), []).append(
                    _("%(channel)s%(n)d篇") % {"channel": channel, "n": n}
                )
                total += n
    return total, by_level


def _volunteer(selected: QuerySet[Activity]) -> Count_:
    """Volunteer-service activities (the volunteering app's part of a record) per monthly theme
    (一月一主题), each with its 规定动作 and 自选动作; those without a theme last."""
    rows = (
        selected.filter(service__isnull=False)
        .values_list(
            "service__theme__year",
            "service__theme__month",
            "service__theme__title",
            "service__kind",
        )
        .annotate(n=Count("pk"))
        .order_by("service__theme__year", "service__theme__month", "-service__kind")
    )  # per theme, 规定动作 ("prescribed") before 自选动作 ("chosen")
    kinds = {"prescribed": _("规定动作"), "chosen": _("自选动作")}
    themes: dict[str, list[str]] = {}
    other: list[str] = []
    total = 0
    for _year, month, title, kind, n in rows:
        item = _("%(kind)s%(n)d场") % {"kind": kinds.get(kind, kind), "n": n}
        total += n
        if title:
            label = _("%(month)d月“%(title)s”主题") % {"month": month, "title": title}
            themes.setdefault(label, []).append(item)
        else:
            other.append(item)
    if other:
        themes[_("其他")] = other
    return total, themes


def _tasks(span: Span) -> QuerySet[Task]:
    """The subtree's tasks given to a person in the period (a unit task or a sub-task)."""
    return Task.objects.alive().filter(
        span.in_subtree(),
        owner__isnull=False,
        created_at__gte=span.start,
        created_at__lt=span.end,
    )


def _journalists(span: Span) -> tuple[int, int]:
    """(journalists with a 任务量 in the period, those who met every one of them). A target counts
    when its month or quarter lies within the period, and is met by the person's placements in
    that month or quarter: in total, and at its level where it names one."""
    targets: dict[int, dict[tuple[datetime.date, datetime.date], dict[str, int]]] = {}
    for target in JournalistTarget.objects.filter(
        span.in_subtree(), period_start__gte=span.date_from, period_start__lte=span.date_to
    ):
        if target.period_end <= span.date_to:
            window = targets.setdefault(target.person_id, {}).setdefault(
                (target.period_start, target.period_end), {}
            )
            window[target.level] = window.get(target.level, 0) + target.count
    if not targets:
        return 0, 0
    placements = list(
        Participation.objects.filter(
            person_id__in=targets,
            activity__deleted_at__isnull=True,
            activity__publication__isnull=False,
            activity__starts_at__gte=span.start,
            activity__starts_at__lt=span.end,
        ).values_list("person_id", "activity__starts_at", "activity__publication__level")
    )
    met = 0
    for person_id, windows in targets.items():
        days = [
            (timezone.localtime(when).date(), level)
            for person, when, level in placements
            if person == person_id
        ]
        ok = True
        for (start, end), goals in windows.items():
            inside = [level for day, level in days if start <= day <= end]
            total_goal = goals.get("", sum(n for level, n in goals.items() if level))
            ok = ok and len(inside) >= total_goal
            ok = ok and all(inside.count(level) >= n for level, n in goals.items() if level)
        met += ok
    return len(targets), met


def _platform(span: Span) -> tuple[int, int]:
    """(people of the subtree with points on a learning platform in the period, headcount)."""
    imports = [
        pk
        for platform in Platform.values
        for pk in confirmed_imports(
            platform, span.date_from, span.date_to + datetime.timedelta(days=1)
        )
    ]
    people = (
        PointRecord.objects.filter(
            span.in_subtree(),
            point_import_id__in=imports,
            value__gt=0,
            period_end__lte=span.date_to,
        )
        .values("person_id")
        .distinct()
        .order_by()
        .count()
    )
    headcount = (
        Membership.objects.filter(span.in_subtree(), person__deleted_at__isnull=True)
        .values("person_id")
        .distinct()
        .order_by()
        .count()
    )
    return people, headcount


def count_line(line: BriefingLine, span: Span) -> Count_:
    """The line's count for the span; for a listing metric, also the names it lists (lecture
    places per venue category, sites, media by level) in their order."""
    selected = _line_records(line, span.records())
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
            return _coverage(selected)
        case Metric.JOINT:
            joint = selected.annotate(n=Count("campaigns")).filter(n__gte=2)
            return joint.count(), {}
        case Metric.SITES:
            return _sites(selected)
        case Metric.MEDIA:
            return _media(selected)
        case Metric.VOLUNTEER:
            return _volunteer(selected)
        case Metric.TASKS_ASSIGNED:
            return _tasks(span).count(), {}
        case Metric.ASSIGNEES:
            return _tasks(span).values("owner_id").distinct().order_by().count(), {}
        case Metric.NOTICES:
            notices = SupervisionNotice.objects.filter(
                span.in_subtree("task__unit__"), issued_at__gte=span.start, issued_at__lt=span.end
            )
            return notices.count(), {}
        case Metric.ACCOUNTABILITY:
            actions = AccountabilityAction.objects.filter(
                span.in_subtree("task__unit__"),
                recorded_at__gte=span.start,
                recorded_at__lt=span.end,
            )
            return actions.count(), {}
        case Metric.ROUTES:
            names = list(
                Route.objects.filter(span.in_subtree(), is_active=True, created_at__lt=span.end)
                .order_by("created_at", "id")
                .values_list("name", flat=True)
            )
            return len(names), _names(names)
        case Metric.EXHIBITIONS:
            names = list(
                Exhibition.objects.filter(span.in_subtree(), starts_on__lte=span.date_to)
                .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=span.date_from))
                .order_by("starts_on", "id")
                .values_list("title", flat=True)
            )
            return len(names), _names(names)
        case Metric.JOURNALISTS:
            return _journalists(span)[0], {}
        case Metric.JOURNALISTS_MET:
            return _journalists(span)[1], {}
        case Metric.TASK_FORCES:
            forces = Problem.objects.filter(
                span.in_subtree(), task_force__isnull=False, created_at__lt=span.end
            )
            return forces.values("task_force_id").distinct().order_by().count(), {}
        case Metric.PROBLEMS_SOLVED:
            solved = Problem.objects.filter(
                span.in_subtree(),
                task_force__isnull=False,
                task__state__in=DONE_STATES,
                task__verified_at__gte=span.start,
                task__verified_at__lt=span.end,
            )
            return solved.count(), {}
        case Metric.PLATFORM_PEOPLE:
            return _platform(span)[0], {}
        case Metric.PLATFORM_RATE:
            learners, headcount = _platform(span)
            return (round(learners * 100 / headcount) if headcount else 0), {}
    raise ValueError(f"unknown metric {line.metric!r}")


def places_text(metric: str, places: dict[str, list[str]]) -> str:
    """The names of a listing metric as the sentence writes them: 进牧区（A、B）、进社区（C）
    for the coverage, 中央级（人民网2篇）… for the media, A、B、C for a plain list."""
    if metric == Metric.COVERAGE:
        return "、".join(
            _("进%(category)s（%(places)s）") % {"category": category, "places": "、".join(names)}
            for category, names in places.items()
        )
    if metric == Metric.MEDIA:
        return "、".join(
            _("%(level)s级媒体（%(items)s）") % {"level": level, "items": "、".join(items)}
            for level, items in places.items()
        )
    if metric == Metric.VOLUNTEER:
        return "、".join(f"{label}（{'、'.join(items)}）" for label, items in places.items())
    return "、".join(name for names in places.values() for name in names)


def coverage_text(places: dict[str, list[str]]) -> str:
    return places_text(Metric.COVERAGE, places)


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
                parts.append(Part(places_text(figure.metric, figure.places), figure))
            case "unit":
                parts.append(Part(unit.name))
        position = match.end()
    if position < len(pattern):
        parts.append(Part(pattern[position:]))
    return parts


CLAUSE_END = "，、；：,;:"
SENTENCE_END = "。！？!?"


def _close(parts: list[Part]) -> list[Part]:
    """End a part's text as a sentence: a clause left open by a line that was left out ("…，")
    ends with "。"."""
    if parts and parts[-1].figure is None:
        text = parts[-1].text.rstrip()
        if text and text[-1] in CLAUSE_END:
            parts[-1] = Part(text[:-1] + "。")
        elif text and text[-1] not in SENTENCE_END + "”）)":
            parts[-1] = Part(text + "。")
    elif parts:
        parts.append(Part("。"))
    return parts


def _sections_with_units(
    template: BriefingTemplate, unit: Unit
) -> list[tuple[BriefingSection, Unit, int, int]]:
    """Each section with the unit it reports on and its heading numbers (一、 / （一）). A unit
    briefing's part fixed on a unit outside the briefing's unit is not that unit's to report,
    and is left out (for every reader alike); numbering skips it."""
    sections = list(
        template.sections.select_related("unit")
        .prefetch_related("lines__activity_type")
        .order_by("order", "id")
    )
    office = template.kind == BriefingTemplate.Kind.OFFICE
    result = []
    part_unit, first, second, skipping = unit, 0, 0, False
    for section in sections:
        fixed = section.unit
        if section.level == BriefingSection.Level.FIRST:
            part_unit = fixed or unit
            skipping = not office and not part_unit.path.startswith(unit.path)
            if skipping:
                continue
            first, second = first + 1, 0
            result.append((section, part_unit, first, 0))
        else:
            section_unit = fixed or part_unit
            if skipping or (not office and not section_unit.path.startswith(unit.path)):
                continue
            second += 1
            result.append((section, section_unit, first, second))
    return result


def covered_units(template: BriefingTemplate, unit: Unit) -> list[Unit]:
    """Every unit a briefing reports on (each with its subtree): the briefing's unit, and in an
    office briefing the unit of each part."""
    units = {unit.pk: unit}
    for _section, section_unit, _first, _second in _sections_with_units(template, unit):
        units.setdefault(section_unit.pk, section_unit)
    return list(units.values())


def write_briefing(
    *,
    template: BriefingTemplate,
    unit: Unit,
    date_from: datetime.date,
    date_to: datetime.date,
    user=None,
) -> Briefing:
    """The briefing of `unit` (and its subtree) for the period. It is the same for everyone who
    may read it: with a `user`, a reader who does not reach every unit it reports on gets 404
    (access.check_briefing_readable), never a briefing with a part left out.

    A line whose figure is zero is left out (or written as its `empty_text`), and a part left
    with nothing to say is left out (or says its `empty_text`): a briefing never says "0次"."""
    if user is not None:
        from .access import check_briefing_readable

        check_briefing_readable(user, template, unit)
    # The briefing is a Chinese document whatever the reader's interface language.
    with translation.override(DOCUMENT_LANGUAGE):
        return _write(template, unit, date_from, date_to)


def _write(
    template: BriefingTemplate, unit: Unit, date_from: datetime.date, date_to: datetime.date
) -> Briefing:
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
    pending_heading: Paragraph | None = None
    for section, section_unit, first, second in _sections_with_units(template, unit):
        span = Span(section_unit, date_from, date_to)
        heading = section.heading.replace("{unit}", section_unit.name)
        counted: list[Part] = []
        lines = list(section.lines.all())
        for line in lines:
            value, places = count_line(line, span)
            if not value:
                if line.empty_text:
                    counted.append(Part(line.empty_text.replace("{unit}", section_unit.name)))
                continue
            figure = Figure(
                line_id=line.pk,
                metric=line.metric,
                value=value,
                text=write_number(value, line.rounding),
                url=_list_url(line, span),
                places=places,
            )
            counted += _fill(line.pattern, figure, section_unit)
        parts: list[Part] = []
        if lines and not counted:
            if not section.empty_text:
                continue  # nothing to report: the part is left out
            parts = [Part(section.empty_text.replace("{unit}", section_unit.name))]
        else:
            if section.intro:
                parts.append(Part(section.intro.replace("{unit}", section_unit.name)))
            parts += counted
            if lines:
                parts = _close(parts)
        if second == 0:
            pending_heading = (
                Paragraph("heading", lead=f"{chinese_ordinal(first)}、{heading}")
                if heading
                else None
            )
            if parts:
                if pending_heading:
                    briefing.paragraphs.append(pending_heading)
                    pending_heading = None
                briefing.paragraphs.append(Paragraph("body", parts=parts))
        else:
            if pending_heading:
                briefing.paragraphs.append(pending_heading)
                pending_heading = None
            lead = f"（{chinese_ordinal(second)}）{heading}" if heading else ""
            briefing.paragraphs.append(Paragraph("body", lead=lead, parts=parts))
    _renumber(briefing)
    return briefing


def _renumber(briefing: Briefing) -> None:
    """Number the headings that were written: a part left out leaves no gap (一、二、…)."""
    first = second = 0
    for paragraph in briefing.paragraphs:
        if paragraph.kind == "heading":
            first, second = first + 1, 0
            paragraph.lead = chinese_ordinal(first) + "、" + paragraph.lead.split("、", 1)[1]
        elif paragraph.lead.startswith("（"):
            second += 1
            paragraph.lead = f"（{chinese_ordinal(second)}）" + paragraph.lead.split("）", 1)[1]


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


# --- Issued briefings: the text as it went out ---------------------------------------------------


def briefing_data(briefing: Briefing) -> dict:
    """Everything an issued briefing says, as plain data (IssuedBriefing.data): paragraphs as
    runs of text pointing at their figure, the figures with their values, the signature, the
    template and the units it reports on."""
    figures = briefing.figures
    index = {id(figure): position for position, figure in enumerate(figures)}
    return {
        "template": briefing.template.name,
        "kind": briefing.template.kind,
        "title": briefing.title,
        "signature": briefing.signature,
        "units": [unit.pk for unit in covered_units(briefing.template, briefing.unit)],
        "paragraphs": [
            {
                "kind": paragraph.kind,
                "lead": paragraph.lead,
                "parts": [
                    [part.text, index[id(part.figure)] if part.figure is not None else None]
                    for part in paragraph.parts
                ],
            }
            for paragraph in briefing.paragraphs
        ],
        "figures": [
            {
                "line": figure.line_id,
                "metric": figure.metric,
                "value": figure.value,
                "text": figure.text,
                "url": figure.url,
                "places": figure.places,
            }
            for figure in figures
        ],
    }


def issued_briefing(issued: IssuedBriefing) -> Briefing:
    """An issued briefing as it went out, rebuilt from its data (never recounted): the page,
    the Word document and the API render it as they render a briefing written now."""
    data = issued.data
    figures = [
        Figure(
            line_id=item["line"],
            metric=item["metric"],
            value=item["value"],
            text=item["text"],
            url=item["url"],
            places=item["places"],
        )
        for item in data.get("figures", [])
    ]
    template = issued.template or BriefingTemplate(name=data.get("template", ""))
    return Briefing(
        template=template,
        unit=issued.unit,
        date_from=issued.date_from,
        date_to=issued.date_to,
        title=data.get("title", issued.title),
        signature=data.get("signature", ""),
        paragraphs=[
            Paragraph(
                paragraph["kind"],
                lead=paragraph["lead"],
                parts=[
                    Part(text, figures[position] if position is not None else None)
                    for text, position in paragraph["parts"]
                ],
            )
            for paragraph in data.get("paragraphs", [])
        ],
    )


def issued_is_current(issued: IssuedBriefing) -> bool | None:
    """Whether counting again today would write the same briefing (None: its template is gone,
    so there is nothing to compare with). The issued one is never changed either way."""
    if issued.template is None:
        return None
    now = write_briefing(
        template=issued.template,
        unit=issued.unit,
        date_from=issued.date_from,
        date_to=issued.date_to,
    )
    return briefing_data(now)["paragraphs"] == issued.data.get("paragraphs")


def visible_issued(user) -> QuerySet[IssuedBriefing]:
    """Issued briefings of units in `user`'s `ledger.view` scope (each is then opened only by a
    reader who reaches every unit it reports on: reports.access.get_issued_for_user)."""
    from .access import reaches_subtree

    scope = scope_for(user, "ledger.view")
    if not scope.covers_units():
        return IssuedBriefing.objects.none()
    issued = IssuedBriefing.objects.filter(scope.units_q("unit__"))
    # Only those the reader may open: every unit reported on reached with its subtree.
    units = Unit.objects.in_bulk(
        {pk for data in issued.values_list("data__units", flat=True) for pk in (data or [])}
    )
    reach = {pk: reaches_subtree(user, unit) for pk, unit in units.items()}
    readable = [
        pk
        for pk, data in issued.values_list("pk", "data__units")
        if data and all(reach.get(unit_id, False) for unit_id in data)
    ]
    return IssuedBriefing.objects.filter(pk__in=readable).select_related(
        "unit", "issued_by", "template"
    )
