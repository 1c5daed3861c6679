"""The monthly return per unit (counted from the records, page = Excel), the national system's
export in the configured column layout, and scope: the outsider sees no unit A figures."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.volunteering import rollups
from luoshi.volunteering.models import ServiceHours, VolunteerSettings

from .conftest import publish, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_work(network, service_type):
    service = publish(network, service_type, starts_in=1, recruit_in=0.5)
    people = [register(network, network.staff), register(network, network.staff2)]
    served_on = timezone.localdate(service.activity.starts_at)
    for volunteer, hours, method in ((people[0], "2.5", "timed"), (people[1], "1.5", "added")):
        row = ServiceHours.objects.create(
            service=service,
            volunteer=volunteer,
            unit=network.unit_a,
            hours=Decimal(hours),
            method=method,
            reason="漏签" if method == "added" else "",
            served_on=served_on,
            public_until=timezone.now() - datetime.timedelta(minutes=1),
        )
        rollups.count_hours(row)  # as the hour services do
    return service, people, served_on


def test_the_monthly_return_counts_the_records(network, month_of_work, client_for):
    _service, _people, served_on = month_of_work
    url = reverse("volunteering:returns") + f"?month={served_on:%Y-%m}"
    page = client_for(network.centre).get(url)
    (row,) = [r for r in page.context["report"].rows if r.unit == network.unit_a]
    assert (row.activities, row.attendances, row.volunteers) == (1, 2, 2)
    assert (row.hours, row.added_hours) == (Decimal("4.0"), Decimal("1.5"))
    workbook = load_workbook(
        io.BytesIO(client_for(network.centre).get(url + "&export=xlsx").content)
    )
    sheet = workbook.active
    lines = [[c.value for c in r] for r in sheet.iter_rows()]
    unit_line = next(line for line in lines if line[0] == network.unit_a.name)
    assert unit_line[1:7] == [1, 0, 2, 2, 4, 1.5]
    outsider = client_for(network.outsider).get(url)
    assert all(r.unit != network.unit_a for r in outsider.context["report"].rows)


def test_the_national_export_follows_the_configured_columns(network, month_of_work, client_for):
    _service, people, served_on = month_of_work
    rules = VolunteerSettings.load()
    rules.national_columns = [["证件号码", "id_number"], ["姓名", "name"], ["时长", "hours"]]
    rules.save()
    response = client_for(network.liaison).get(
        reverse("volunteering:national-export") + f"?month={served_on:%Y-%m}"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [[c.value for c in r] for r in sheet.iter_rows()]
    header = lines.index(["证件号码", "姓名", "时长"])
    body = lines[header + 1 :]
    assert sorted(line[0] for line in body) == sorted(v.id_number for v in people)
    assert {line[1] for line in body} == {"张三", "赵敏"}
    # Staff may not export identity numbers; the outsider's export has none of unit A.
    assert client_for(network.staff).get(reverse("volunteering:national-export")).status_code == 403
    outsider = client_for(network.outsider).get(
        reverse("volunteering:national-export") + f"?month={served_on:%Y-%m}"
    )
    text = str(
        [
            [c.value for c in r]
            for r in load_workbook(io.BytesIO(outsider.content)).active.iter_rows()
        ]
    )
    assert people[0].id_number not in text
