"""The registry of indicator sources: what an indicator counts for one unit in one period.

A source is a function `(ctx, unit, params) -> Figure`: the value, the value in words, and the
records behind it (each a label and the address of its page), read as the records stood at the
plan's cut-off. Apps add sources with `register_source` (the built-in ones are in `chain` and
`domain`); the indicator form offers every registered source, and the params it reads.
"""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from luoshi.org.models import Membership, Unit

# The params a source may read, as the indicator form offers them.
PARAM_TYPES = "types"  # activity type ids
PARAM_VENUES = "venues"  # venue categories (牧区/社区/企业/校园)
PARAM_LEVELS = "levels"  # media levels
PARAM_KINDS = "kinds"  # accountability kind ids
PARAM_PER_HEAD = "per_head"  # divide by the unit's people
PARAM_PLATFORM = "platform"  # a learning platform

MAX_RECORDS = 300  # records kept per figure; the count is always the full one


@dataclass(frozen=True)
class Context:
    """The period of a plan as its sources read it."""

    campaign_id: int
    start: datetime.date
    end: datetime.date
    cutoff: datetime.date

    @property
    def last_day(self) -> datetime.date:
        """The last day whose records count: the period's end, or the cut-off if earlier."""
        return min(self.end, self.cutoff)

    @property
    def start_at(self) -> datetime.datetime:
        return _day_start(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        """The first moment after the counted days."""
        return _day_start(self.last_day + datetime.timedelta(days=1))

    @property
    def cutoff_at(self) -> datetime.datetime:
        """The first moment after the cut-off day: a record made later does not count."""
        return _day_start(self.cutoff + datetime.timedelta(days=1))


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass
class Figure:
    """What a source found: the value, in words, and the records behind it."""

    value: Decimal | None
    text: str
    records: list[dict[str, str]] = field(default_factory=list)
    record_count: int = 0


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    group: str | Promise
    unit_label: str | Promise  # 次, %, 篇, 天 …
    compute: Callable[[Context, Unit, dict[str, Any]], Figure]
    params: tuple[str, ...] = ()
    manual: bool = False
    learning: bool = (
        False  # platform figures: a 考评依据 only where the office set it, with a reason
    )
    # The person-level reading (个人指标): (ctx, unit, person ids, params) → a figure per person.
    people: Callable[[Context, Unit, list[int], dict[str, Any]], dict[int, "Figure"]] | None = None


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    """Add a source (apps call this from AppConfig.ready(); the built-in ones at import)."""
    SOURCES[source.key] = source


def attach_people(
    key: str, compute: Callable[[Context, Unit, list[int], dict[str, Any]], dict[int, Figure]]
) -> None:
    """Let a registered source be read for each person of a unit too (a person-level indicator)."""
    SOURCES[key] = dataclasses.replace(SOURCES[key], people=compute)


def get_source(key: str) -> Source | None:
    return SOURCES.get(key)


def source_choices() -> list[tuple[str, str]]:
    return [(s.key, f"{s.group}：{s.label}") for s in SOURCES.values()]


# --- Helpers the sources share --------------------------------------------------------------------


def quantize(value: Decimal | int | float) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """A percentage, or None when there is nothing to divide by."""
    if not whole:
        return None
    return quantize(Decimal(part) * 100 / Decimal(whole))


def subtree_q(unit: Unit, prefix: str) -> dict[str, str]:
    """The filter for records of `unit` and the units below it."""
    return {f"{prefix}path__startswith": unit.path}


def head_count(unit: Unit) -> int:
    """The people of the unit and its subtree (each counted once)."""
    return (
        Membership.objects.filter(unit__path__startswith=unit.path, person__deleted_at__isnull=True)
        .values("person_id")
        .distinct()
        .count()
    )


def records(rows, label: Callable[[Any], str], url: Callable[[Any], str]) -> list[dict[str, str]]:
    return [{"label": label(row), "url": url(row)} for row in rows[:MAX_RECORDS]]


def count_figure(
    count: int,
    unit: Unit,
    params: dict[str, Any],
    what: str,
    rows: list[dict[str, str]],
) -> Figure:
    """A count, per head when the indicator says so ("5 次", "0.42 次/人（5 次，12 人）")."""
    from django.utils.translation import gettext as _

    if params.get(PARAM_PER_HEAD):
        heads = head_count(unit)
        value = quantize(Decimal(count) / heads) if heads else None
        text = _("%(value)s %(what)s/人（共 %(count)d %(what)s，%(heads)d 人）") % {
            "value": value if value is not None else "—",
            "what": what,
            "count": count,
            "heads": heads,
        }
        return Figure(value, text, rows, count)
    return Figure(Decimal(count), f"{count} {what}", rows, count)


from . import chain, domain, people, volunteer  # noqa: E402,F401 (the built-ins register themselves)
