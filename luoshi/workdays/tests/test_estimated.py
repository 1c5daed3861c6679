"""Years beyond the entered schedules and the chinese-calendar package: the weekends-only estimate
still keeps the fixed-date holidays, and every list, export and card marks such deadlines."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.campaigns.models import Task
from luoshi.testing import issued_task
from luoshi.workdays.selectors import Calendar, load_calendar, package_knows
from luoshi.workdays.services import set_holiday_year


def test_2027_is_estimated_and_keeps_the_fixed_holidays():
    calendar = Calendar()
    assert not package_knows(2027), "the package learnt 2027: move this test to a later year"
    assert calendar.is_estimated(2027)
    assert not calendar.is_workday(datetime.date(2027, 1, 1))  # 元旦, a Friday
    assert not calendar.is_workday(datetime.date(2027, 10, 1))  # 国庆节, a Friday
    for day in (1, 2, 3):
        assert not calendar.is_workday(datetime.date(2028, 10, day))
    assert not calendar.is_workday(datetime.date(2028, 5, 1))  # 劳动节, a Monday
    assert calendar.is_workday(datetime.date(2027, 1, 4))
    # Thursday 31 December 2026 (package) + 1 working day: 1 January is 元旦, then the weekend.
    assert calendar.add_working_days(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)
    assert (
        calendar.working_days_between(datetime.date(2027, 9, 30), datetime.date(2027, 10, 8)) == 5
    )


@pytest.mark.django_db
def test_an_entered_2027_decides_instead_of_the_estimate(world):
    set_holiday_year(
        actor=world.office, year=2027, holidays=[], workdays=[(datetime.date(2027, 1, 2), "班")]
    )
    calendar = load_calendar()
    assert not calendar.is_estimated(2027)
    assert calendar.is_workday(datetime.date(2027, 1, 1))  # the office's schedule wins


@pytest.mark.django_db
def test_the_holiday_page_offers_next_years_schedule(world, client_for):
    office = client_for(world.office)
    next_year = timezone.localdate().year + 1
    page = office.get(reverse("workdays:holiday-list")).content.decode()
    assert 'id="next-year"' in page
    assert f"录入 {next_year} 年放假安排" in page
    assert reverse("workdays:holiday-edit", args=[next_year]) in page
    set_holiday_year(actor=world.office, year=next_year, holidays=[], workdays=[])
    page = office.get(reverse("workdays:holiday-list")).content.decode()
    assert 'id="next-year"' not in page


@pytest.mark.django_db
def test_lists_cards_and_exports_mark_estimated_deadlines(world, client_for):
    estimated, known = issued_task(world, title="估算年的任务"), issued_task(world, title="已知年")
    # Plans and unit tasks alike (the plans' deadlines are a month from today).
    Task.objects.filter(title=estimated[0].title).update(deadline=datetime.date(2099, 1, 5))
    Task.objects.filter(title=known[0].title).update(deadline=datetime.date(2024, 1, 5))
    office = client_for(world.office)
    listing = office.get(reverse("campaigns:task-list")).content.decode()
    # The plan and the unit task, each in the table row and the phone card.
    assert listing.count("estimated-deadline") == 4
    bench = client_for(world.liaison).get(reverse("campaigns:workbench")).content.decode()
    assert bench.count("estimated-deadline") == 1 and "2099-01-05" in bench
    workbook = load_workbook(io.BytesIO(office.get(reverse("campaigns:task-export")).content))
    cells = [str(cell.value) for row in workbook.active.iter_rows() for cell in row]
    assert "2099-01-05（工作日估算）" in cells
    assert not any(cell.startswith("2024-01-05（") for cell in cells)
    set_holiday_year(actor=world.office, year=2099, holidays=[], workdays=[])
    listing = office.get(reverse("campaigns:task-list")).content.decode()
    assert "estimated-deadline" not in listing
