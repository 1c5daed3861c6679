"""The city-wide accountability list (问责记录): the office sees every record, a unit's liaison
only their unit's, an outsider none of another unit's; filters narrow it (a reversed date range is
refused with a Chinese message, not a 500); the Excel export holds exactly the filtered rows."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.campaigns import services as chain
from luoshi.campaigns.models import AccountabilityAction, AccountabilityKind, Task
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

LIST = reverse("campaigns:accountability-list")


def _record(world, unit, reason: str, kind_name: str = "约谈") -> AccountabilityAction:
    task = issued_task(world, title=f"任务：{reason}", units=[unit])[0]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Task.objects.filter(pk=task.pk).update(deadline=yesterday, warning="red")
    task.refresh_from_db()
    return chain.record_accountability(
        actor=world.office,
        task=task,
        kind=AccountabilityKind.objects.get(name=kind_name),
        reason=reason,
        unit=unit,
        document_number=f"茫宣问〔2026〕{unit.pk}号",
    )


@pytest.fixture
def records(world):
    a = _record(world, world.unit_a, "甲单位未按期完成学习任务")
    b = _record(world, world.unit_b, "乙镇台账资料缺失", kind_name="通报批评")
    return a, b


def test_scope_office_all_liaison_own_outsider_none_of_others(world, client_for, records):
    a, b = records
    office = client_for(world.office).get(LIST).content.decode()
    assert a.reason in office and b.reason in office
    liaison = client_for(world.liaison).get(LIST).content.decode()
    assert a.reason in liaison and b.reason not in liaison
    outsider = client_for(world.outsider).get(LIST).content.decode()
    assert a.reason not in outsider and b.reason in outsider
    staff = client_for(world.staff2).get(LIST).content.decode()
    assert a.reason not in staff and b.reason not in staff
    # the export is scoped the same way
    sheet = _sheet(client_for(world.outsider).get(LIST, {"export": "xlsx"}))
    assert _reasons(sheet) == {b.reason}


def test_filters_narrow_the_list(world, client_for, records):
    a, b = records
    office = client_for(world.office)
    kind = AccountabilityKind.objects.get(name="通报批评")
    page = office.get(LIST, {"kind": kind.pk}).content.decode()
    assert b.reason in page and a.reason not in page
    page = office.get(LIST, {"unit": world.unit_a.pk}).content.decode()
    assert a.reason in page and b.reason not in page
    page = office.get(LIST, {"campaign": world.campaign.pk}).content.decode()
    assert a.reason in page and b.reason in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = office.get(LIST, {"date_from": tomorrow}).content.decode()
    assert a.reason not in page and "没有符合条件的问责记录" in page
    today = timezone.localdate().isoformat()
    page = office.get(LIST, {"date_from": today, "date_to": today}).content.decode()
    assert a.reason in page and b.reason in page


def test_reversed_date_range_is_a_clear_error(world, client_for, records):
    office = client_for(world.office)
    reversed_range = {"date_from": "2026-12-31", "date_to": "2026-01-01"}
    # the platform's query bounds drop the reversed range and say so on the list
    response = office.get(LIST, reversed_range, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="accountability-filters"' in page
    assert "早于" in page, page
    # the form itself refuses it too (the list's own check, should the query bounds change)
    from luoshi.campaigns.forms import AccountabilityFilterForm

    form = AccountabilityFilterForm(reversed_range, user=world.office)
    assert not form.is_valid()
    assert form.errors["date_to"] == ["结束日期不能早于开始日期。"]


def test_export_holds_the_filtered_rows(world, client_for, records):
    a, b = records
    office = client_for(world.office)
    sheet = _sheet(office.get(LIST, {"unit": world.unit_b.pk, "export": "xlsx"}))
    assert _reasons(sheet) == {b.reason}
    row = next(r for r in sheet.iter_rows(values_only=True) if b.reason in r)
    assert "通报批评" in row and world.unit_b.name in row and b.document_number in row
    sheet = _sheet(office.get(LIST, {"export": "xlsx"}))
    assert _reasons(sheet) == {a.reason, b.reason}


def test_linked_from_the_task_list(world, client_for):
    assert LIST in client_for(world.liaison).get(reverse("campaigns:task-list")).content.decode()


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(response.content)).active


def _reasons(sheet) -> set[str]:
    reasons = {"甲单位未按期完成学习任务", "乙镇台账资料缺失"}
    return {cell for row in sheet.iter_rows(values_only=True) for cell in row if cell in reasons}
