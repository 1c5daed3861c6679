"""LedgerCount stays equal to the live records: record, move, delete, restore, import, rebuild."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from luoshi.ledgers import rollups, services
from luoshi.ledgers.models import LedgerCount

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _record(world, activity_type, *, when, unit=None, actor=None):
    return services.record_activity(
        actor=actor or world.liaison,
        activity_type=activity_type,
        unit=unit or world.unit_a,
        title=f"{activity_type.name}活动",
        starts_at=when,
        participants=[],
    )


def _counts() -> dict[tuple[int, int, datetime.date], tuple[int, int]]:
    return {
        (row.unit_id, row.type_id, row.month): (row.own, row.subtree)
        for row in LedgerCount.objects.all()
        if row.own or row.subtree
    }


def _assert_equals_rebuild() -> dict:
    kept = _counts()
    rollups.rebuild()
    assert _counts() == kept
    return kept


def test_record_counts_the_unit_and_every_ancestor(world, meeting):
    _record(world, meeting, when=_at(MARCH.replace(day=5)), unit=world.section_a)
    _record(world, meeting, when=_at(MARCH.replace(day=6)))
    counts = _assert_equals_rebuild()
    assert counts[(world.section_a.pk, meeting.pk, MARCH)] == (1, 1)
    assert counts[(world.unit_a.pk, meeting.pk, MARCH)] == (1, 2)
    assert counts[(world.city.pk, meeting.pk, MARCH)] == (0, 2)
    assert counts[(world.city.parent_id, meeting.pk, MARCH)] == (0, 2)
    assert (world.unit_b.pk, meeting.pk, MARCH) not in counts


def test_month_is_the_shanghai_month(world, meeting):
    # 31 March 17:00 UTC is 1 April 01:00 in Shanghai.
    moment = datetime.datetime(2026, 3, 31, 17, 0, tzinfo=datetime.UTC)
    _record(world, meeting, when=moment)
    counts = _assert_equals_rebuild()
    assert counts[(world.unit_a.pk, meeting.pk, APRIL)] == (1, 1)


def test_moves_of_unit_and_date_delete_and_restore(world, meeting):
    activity = _record(world, meeting, when=_at(MARCH.replace(day=5)), unit=world.section_a)
    services.update_activity(actor=world.liaison, activity=activity, unit=world.unit_a)
    counts = _assert_equals_rebuild()
    assert (world.section_a.pk, meeting.pk, MARCH) not in counts
    assert counts[(world.unit_a.pk, meeting.pk, MARCH)] == (1, 1)
    services.update_activity(actor=world.liaison, activity=activity, starts_at=_at(APRIL))
    counts = _assert_equals_rebuild()
    assert (world.unit_a.pk, meeting.pk, MARCH) not in counts
    assert counts[(world.city.pk, meeting.pk, APRIL)] == (0, 1)
    # An edit that moves nothing leaves the counts alone.
    services.update_activity(actor=world.liaison, activity=activity, title="改名")
    assert _assert_equals_rebuild() == counts
    services.delete_activity(actor=world.liaison, activity=activity)
    assert _assert_equals_rebuild() == {}
    services.restore_activity(actor=world.office, activity=activity)
    counts = _assert_equals_rebuild()
    assert counts[(world.unit_a.pk, meeting.pk, APRIL)] == (1, 1)


def test_a_refused_edit_changes_no_count(world, meeting):
    activity = _record(world, meeting, when=_at(MARCH))
    with pytest.raises(Exception):  # noqa: B017, PT011 — the service refuses the outsider's unit
        services.update_activity(actor=world.liaison, activity=activity, unit=world.unit_b)
    assert _counts()[(world.unit_a.pk, meeting.pk, MARCH)] == (1, 1)
    assert (world.unit_b.pk, meeting.pk, MARCH) not in _counts()


def test_import_counts_and_a_refused_file_counts_nothing(world, client_for, lecture):
    client = client_for(world.liaison)
    template = client.get(reverse("ledgers:type-template", args=[lecture.pk]))
    headers = [
        c.value
        for c in next(
            load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(max_row=1)
        )
    ]

    def upload(rows):
        base = {
            "组织单位": "市文体旅游广电局",
            "开始时间": "2026-03-02 09:00",
            "场所类别": "社区",
            "宣讲主题": "二十大精神",
        }
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(headers)
        for values in rows:
            row = {**base, **values}
            sheet.append([row.get(header, "") for header in headers])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return SimpleUploadedFile("宣讲.xlsx", buffer.getvalue())

    good = [{"活动名称": f"宣讲第{n}场"} for n in range(3)]
    response = client.post(
        reverse("ledgers:activity-import"), {"type": lecture.pk, "file": upload(good)}
    )
    assert response.status_code == 302
    assert _assert_equals_rebuild()[(world.unit_a.pk, lecture.pk, MARCH)] == (3, 3)
    bad = [{"活动名称": "新宣讲"}, {"活动名称": "坏行", "组织单位": "冷湖镇"}]
    response = client.post(
        reverse("ledgers:activity-import"), {"type": lecture.pk, "file": upload(bad)}
    )
    assert response.status_code == 200
    assert _counts()[(world.unit_a.pk, lecture.pk, MARCH)] == (3, 3)


def test_management_command_rebuilds(world, meeting, capsys):
    _record(world, meeting, when=_at(MARCH))
    LedgerCount.objects.all().delete()
    call_command("ledger_counts")
    assert "records counted: 1" in capsys.readouterr().out
    assert _counts()[(world.unit_a.pk, meeting.pk, MARCH)] == (1, 1)


def test_a_moved_unit_takes_its_counts_along(world, meeting):
    from luoshi.org import services as org

    _record(world, meeting, when=_at(MARCH), unit=world.section_a)
    _record(world, meeting, when=_at(MARCH))
    org.update_unit(actor=world.sysadmin, unit=world.section_a, parent=world.unit_b)
    counts = _assert_equals_rebuild()  # the move itself carried the counts
    assert counts[(world.unit_a.pk, meeting.pk, MARCH)] == (1, 1)
    assert counts[(world.unit_b.pk, meeting.pk, MARCH)] == (0, 1)
    assert counts[(world.city.pk, meeting.pk, MARCH)] == (0, 2)
