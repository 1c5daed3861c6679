"""The holiday page: entering a year's schedule, the list of years by source, the export, and who
may use it."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.workdays.models import HolidayDay, HolidayYear
from luoshi.workdays.selectors import load_calendar
from luoshi.workdays.services import set_holiday_year

pytestmark = pytest.mark.django_db


def test_entered_year_decides_the_working_days(world, client_for):
    office = client_for(world.office)
    response = office.post(
        reverse("workdays:holiday-edit", args=[2027]),
        {
            "source": "国办发明电〔2026〕7号",
            "lines": "2027-01-01 元旦\n2027-02-06~2027-02-12 春节\n2027-02-13 调休上班\n",
        },
    )
    assert response.status_code == 302
    entry = HolidayYear.objects.get(year=2027)
    assert entry.days.filter(is_workday=False).count() == 8
    assert HolidayDay.objects.get(date=datetime.date(2027, 2, 13)).is_workday
    assert AuditEvent.objects.filter(action="create", object_type="workdays.holidayyear").exists()
    calendar = load_calendar()
    assert calendar.source(2027) == "entered" and not calendar.is_estimated(2027)
    # Friday 5 February: the next working day is the make-up Saturday after the holiday.
    assert calendar.add_working_days(datetime.date(2027, 2, 5), 1) == datetime.date(2027, 2, 13)
    assert calendar.add_working_days(datetime.date(2027, 2, 5), 2) == datetime.date(2027, 2, 15)

    listing = office.get(reverse("workdays:holiday-list")).content.decode()
    assert "已录入" in listing and "国办发明电" in listing
    edit = office.get(reverse("workdays:holiday-edit", args=[2027])).content.decode()
    assert "2027-02-06~2027-02-12 春节" in edit


def test_holiday_pages_keep_their_addresses(world, client_for):
    assert reverse("workdays:holiday-list") == "/holidays/"
    assert reverse("workdays:holiday-edit", args=[2027]) == "/holidays/2027/"
    office = client_for(world.office)
    response = office.get(reverse("workdays:holiday-list"), {"year": "2031"})
    assert response.status_code == 302 and response.url == "/holidays/2031/"
    assert office.get("/holidays/1999/").status_code == 404


def test_holiday_lines_errors_are_numbered_and_nothing_saved(world, client_for):
    response = client_for(world.office).post(
        reverse("workdays:holiday-edit", args=[2027]),
        {
            "lines": "2027-01-01 元旦\n2027-02-30 春节\n国庆节\n2026-10-01 国庆\n"
            "2027-02-12~2027-02-06 春节\n2027-01-01 又一次元旦"
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    for number in (2, 3, 4, 5, 6):
        assert f"第 {number} 行" in page
    assert "第 1 行：" not in page and "已在第 1 行出现" in page
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_holiday_list_marks_estimated_years(world, client_for):
    page = client_for(world.office).get(reverse("workdays:holiday-list")).content.decode()
    calendar = load_calendar()
    year = timezone.localdate().year + 2
    assert calendar.is_estimated(year)
    assert "估算（周末和固定节日）" in page and "尚未录入" in page


def test_holiday_export_is_filtered_and_audited(world, client_for):
    set_holiday_year(
        actor=world.office,
        year=2027,
        holidays=[(datetime.date(2027, 1, 1), "元旦")],
        workdays=[(datetime.date(2027, 2, 13), "调休上班")],
    )
    office = client_for(world.office)
    response = office.get(reverse("workdays:holiday-list"), {"source": "entered", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "节假日安排"
    assert values[1][0].startswith("筛选条件：来源：已录入；年份：2027")
    assert "导出时间：" in values[1][0]
    assert values[2] == ("年份", "日期", "类型", "名称")
    assert [(row[0], row[2], row[3]) for row in values[3:]] == [
        (2027, "放假", "元旦"),
        (2027, "调休上班", "调休上班"),
    ]
    assert (
        AuditEvent.objects.filter(action="export", object_type="workdays.holidayday").count() == 1
    )
    page = office.get(reverse("workdays:holiday-list"), {"source": "entered"}).content.decode()
    assert "<td>2027</td>" in page and f"<td>{timezone.localdate().year + 2}</td>" not in page
    assert (
        client_for(world.liaison)
        .get(reverse("workdays:holiday-list"), {"export": "xlsx"})
        .status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["liaison", "leader", "staff", "outsider"])
def test_holiday_pages_need_calendar_manage(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("workdays:holiday-list")).status_code == 403
    assert client.get(reverse("workdays:holiday-edit", args=[2027])).status_code == 403
    assert (
        client.post(reverse("workdays:holiday-edit", args=[2027]), {"lines": ""}).status_code == 403
    )
    assert not HolidayYear.objects.exists()
