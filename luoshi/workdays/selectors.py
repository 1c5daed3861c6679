"""Working days in China: weekends, public holidays and make-up workdays (调休).

Which source decides a year, in order: the schedule the office entered in luoshi
(workdays.HolidayYear), then the chinese-calendar package for the years it knows, then weekends
only, less the fixed-date holidays (元旦, 劳动节 1 May, 国庆 1–3 October) — in which case
`Calendar.is_estimated(year)` is true and every page, export and card that shows such a deadline
says so (`estimated_mark`).
"""

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import HolidayDay, HolidayYear

# The holidays whose dates never move, which the weekends-only estimate still keeps. Spring
# Festival, Qingming, Dragon Boat and Mid-Autumn follow the lunar calendar and the State Council's
# yearly schedule (with its make-up workdays), so an estimated year cannot know them.
FIXED_HOLIDAYS = {
    (1, 1): _("元旦"),
    (5, 1): _("劳动节"),
    (10, 1): _("国庆节"),
    (10, 2): _("国庆节"),
    (10, 3): _("国庆节"),
}


def fixed_holiday(day: datetime.date) -> str:
    """The name of the fixed-date holiday on `day`, or ""."""
    return str(FIXED_HOLIDAYS.get((day.month, day.day), ""))


@dataclass
class Calendar:
    """A working-day calendar; `overrides` maps a date to True (workday) or False (rest day)."""

    overrides: dict[datetime.date, bool] = field(default_factory=dict)
    entered_years: frozenset[int] = frozenset()

    def source(self, year: int) -> str:
        if year in self.entered_years:
            return "entered"
        if package_knows(year):
            return "package"
        return "weekends"

    def is_estimated(self, year: int) -> bool:
        return self.source(year) == "weekends"

    def is_workday(self, day: datetime.date) -> bool:
        if day.year in self.entered_years:
            return self.overrides.get(day, day.weekday() < 5)
        if package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5 and not fixed_holiday(day)

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def estimated_years(self, years: Iterable[int]) -> list[int]:
        return sorted({year for year in years if self.is_estimated(year)})


@functools.cache
def package_knows(year: int) -> bool:
    """Whether the chinese-calendar package has `year`'s official schedule."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def load_calendar() -> Calendar:
    """The calendar with the office's entered schedules (two queries)."""
    years = frozenset(HolidayYear.objects.values_list("year", flat=True))
    overrides = dict(HolidayDay.objects.values_list("date", "is_workday"))
    return Calendar(overrides=overrides, entered_years=years)


def entered_years() -> QuerySet[HolidayYear]:
    """The entered schedules with their counts of rest days (`rest`) and make-up workdays
    (`work`), for the holiday list."""
    return HolidayYear.objects.select_related("entered_by").annotate(
        rest=Count("days", filter=Q(days__is_workday=False)),
        work=Count("days", filter=Q(days__is_workday=True)),
    )


def holiday_year(year: int) -> HolidayYear | None:
    """The schedule entered for `year`, if any."""
    return HolidayYear.objects.filter(year=year).first()


def holiday_days(years: Iterable[int]) -> QuerySet[HolidayDay]:
    """The entered rest days and make-up workdays of `years`, in date order."""
    return HolidayDay.objects.filter(holiday_year__year__in=list(years)).order_by("date")


def deadline_cell(calendar: Calendar, day: datetime.date | None) -> datetime.date | str | None:
    """An export's deadline cell: the date, or "2027-01-05（工作日估算）" when the working days
    it was counted with are only estimated (the year's 放假安排 not entered)."""
    if day is None or not calendar.is_estimated(day.year):
        return day
    return _("%(date)s（工作日估算）") % {"date": day.isoformat()}
