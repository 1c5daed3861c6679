"""The working-day calendar: entered years first, then the chinese-calendar package, then weekends."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luoshi.workdays.selectors import Calendar, load_calendar
from luoshi.workdays.services import set_holiday_year

FRIDAY = datetime.date(2099, 1, 2)


def test_beyond_the_package_only_weekends_rest():
    calendar = Calendar()
    assert calendar.source(2099) == "weekends" and calendar.is_estimated(2099)
    assert calendar.add_working_days(FRIDAY, 1) == datetime.date(2099, 1, 5)
    assert calendar.working_days_between(FRIDAY, datetime.date(2099, 1, 9)) == 5
    assert calendar.working_days_between(datetime.date(2099, 1, 9), FRIDAY) == -5
    assert calendar.estimated_years([2099, 2099, 2098]) == [2098, 2099]


def test_the_package_knows_this_years_holidays():
    calendar = Calendar()
    assert calendar.source(2024) == "package"
    assert not calendar.is_workday(datetime.date(2024, 10, 1))  # 国庆节
    assert calendar.is_workday(datetime.date(2024, 10, 12))  # a make-up Saturday


def test_an_entered_year_overrides_weekends_and_the_package():
    calendar = Calendar(
        overrides={datetime.date(2099, 1, 5): False, datetime.date(2099, 1, 3): True},
        entered_years=frozenset({2099}),
    )
    assert calendar.source(2099) == "entered" and not calendar.is_estimated(2099)
    assert calendar.add_working_days(FRIDAY, 1) == datetime.date(2099, 1, 3)
    assert calendar.add_working_days(FRIDAY, 2) == datetime.date(2099, 1, 6)


@pytest.mark.django_db
def test_set_holiday_year_replaces_the_year_and_checks_it(world):
    with pytest.raises(PermissionDenied):
        set_holiday_year(actor=world.liaison, year=2099, holidays=[], workdays=[])
    with pytest.raises(ValidationError):
        set_holiday_year(
            actor=world.office,
            year=2099,
            holidays=[(datetime.date(2099, 1, 5), "假")],
            workdays=[(datetime.date(2099, 1, 5), "班")],
        )
    set_holiday_year(
        actor=world.office, year=2099, holidays=[(datetime.date(2099, 1, 5), "假")], workdays=[]
    )
    set_holiday_year(
        actor=world.office, year=2099, holidays=[(datetime.date(2099, 1, 6), "假")], workdays=[]
    )
    calendar = load_calendar()
    assert calendar.is_workday(datetime.date(2099, 1, 5))
    assert not calendar.is_workday(datetime.date(2099, 1, 6))
