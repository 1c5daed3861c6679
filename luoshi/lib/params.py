"""Numbers and dates that people send in: the bounds every API operation and page applies.

A database integer holds −2⁶³ … 2⁶³−1; a larger number is refused before it reaches a query (it
would raise OverflowError there). A page number is at least 1 and at most MAX_PAGE. A date lies
between EARLIEST and LATEST (1900–2100): 0001-01-01 or 9999-12-31 are typing slips, and date
arithmetic on them overflows. A range's end is not before its start.

The GET readers (`parse_int`, `parse_date`, `parse_date_range`) serve the pages' filters: a bad
value means "no filter", never a 500; a reversed range is kept and carries a message the page
shows above its results.
"""

import datetime
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
MAX_PAGE = 100_000
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def int_error(value: int, *, page: bool = False) -> str | None:
    """Why `value` cannot be used as a database integer (or a page number), or None."""
    if page and not 1 <= value <= MAX_PAGE:
        return _("页码应在 1 至 %(max)s 之间。") % {"max": MAX_PAGE}
    if not INT_MIN <= value <= INT_MAX:
        return _("数值超出允许范围（%(min)s 至 %(max)s）。") % {"min": INT_MIN, "max": INT_MAX}
    return None


def date_error(value: datetime.date) -> str | None:
    """Why `value` (a date or a date-time) is not a plausible date, or None."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not EARLIEST <= day <= LATEST:
        return _("日期应在 %(earliest)s 至 %(latest)s 之间。") % {
            "earliest": EARLIEST.isoformat(),
            "latest": LATEST.isoformat(),
        }
    return None


@dataclass(frozen=True)
class DateRange:
    """A period from `start` to `end`, either end open (None)."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def error(self) -> str | None:
        """Why the range is unusable (its end before its start), or None."""
        if self.start is None or self.end is None:
            return None
        start, end = self.start, self.end
        if isinstance(start, datetime.datetime) != isinstance(end, datetime.datetime):
            start, end = _as_date(start), _as_date(end)
        try:
            reversed_ = end < start
        except TypeError:  # one aware and one naive date-time: the schema's business, not ours
            return None
        return _("结束时间不能早于开始时间。") if reversed_ else None


def _as_date(value: datetime.date) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# The names that make a range, by how its start is spelled: an end named like this must not come
# before its start. Used for API schemas and forms alike, so a new filter needs no new code.
RANGE_NAMES = (
    ("from", "to"),
    ("from_", "to"),
    ("start", "end"),
    ("since", "until"),
    ("start_date", "end_date"),
)
RANGE_AFFIXES = (
    ("_from", "_to"),
    ("_start", "_end"),
    ("_starts_on", "_ends_on"),
    ("_opens_at", "_closes_at"),
)
RANGE_PREFIXES = (("starts_", "ends_"), ("start_", "end_"), ("opens_", "closes_"))


def range_pairs(names: list[str]) -> list[tuple[str, str]]:
    """The (start, end) pairs among `names` that name a range, by the naming rules above."""
    present = set(names)
    pairs = [pair for pair in RANGE_NAMES if pair[0] in present and pair[1] in present]
    for name in names:
        for start, end in RANGE_AFFIXES:
            if name.endswith(start) and (other := name[: -len(start)] + end) in present:
                pairs.append((name, other))
        for start, end in RANGE_PREFIXES:
            if name.startswith(start) and (other := end + name[len(start) :]) in present:
                pairs.append((name, other))
    return list(dict.fromkeys(pairs))


def parse_int(value: str | None) -> int | None:
    """A non-negative whole number that fits a database integer, or None."""
    if not value or not value.isdigit():
        return None
    number = int(value)
    return number if number <= INT_MAX else None


def parse_page(value: str | None) -> int:
    """A page number, 1 … MAX_PAGE; anything else is page 1."""
    number = parse_int(value)
    return number if number is not None and 1 <= number <= MAX_PAGE else 1


def parse_date(value: str | None) -> datetime.date | None:
    """An ISO date (2026-11-26) between EARLIEST and LATEST, or None."""
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and date_error(day) is None else None


def parse_date_range(get: QueryDict, start: str = "from", end: str = "to") -> DateRange:
    """The period of a page's filter (`?from=…&to=…`); check `.error()` before using it."""
    return DateRange(parse_date(get.get(start)), parse_date(get.get(end)))
