"""Imports that mean what they say (issue 10): organisation mappings belong to a scope and are
saved only on confirm; a liaison's preview counts other units' rows in one line; people of the
scope absent from the file are 未在导出中 (or kept, by the office); a partial import replaces
exactly its unit's people; the replace prompt counts the earlier import's records."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from luoshi.audit.models import AuditEvent
from luoshi.learning import selectors, services
from luoshi.learning.models import (
    AbsentPolicy,
    ImportRow,
    OrgAlias,
    PersonAlias,
    Platform,
    PointImport,
    PointRecord,
)
from luoshi.org import services as org
from luoshi.org.models import UnitKind
from luoshi.testing import person

from .import_files import strong_nation_rows, upload, xlsx_export

pytestmark = pytest.mark.django_db

A = "市文体旅游广电局"
HEALTH_BRANCH = "中共茫崖市卫生健康委员会支部"
OCTOBER = datetime.date(2026, 10, 1)


def _start(world, rows, *, actor, unit, name="学习强国积分.xlsx"):
    return services.start_import(
        actor=actor,
        platform=Platform.STRONG_NATION,
        unit=unit,
        upload=upload(xlsx_export(strong_nation_rows(rows)), name),
    )


def _figures(world, user, root, unit):
    """Registered people and points of `unit` and the units below it, as the summary shows."""
    summary = selectors.monthly_summary(user, root, Platform.STRONG_NATION, OCTOBER)
    rows = [row for row in summary.rows if row.unit.path.startswith(unit.path)]
    return sum(row.registered for row in rows), sum(row.value for row in rows)


@pytest.fixture
def health(world):
    """市卫生健康委员会 with 孙丽 and 周强 (the 卫健委 rows of the issue)."""
    unit = org.create_unit(
        actor=None, name="市卫生健康委员会", kind=UnitKind.DEPARTMENT, parent=world.city
    )
    person("sunli", "孙丽", unit, phone="13700000011")
    person("zhouqiang", "周强", unit, phone="13700000012")
    return unit


def test_a_discarded_preview_changes_no_mapping(world, client_for, health):
    preview = _start(
        world, [("孙丽", HEALTH_BRANCH, "", 10)], actor=world.liaison, unit=world.unit_a
    )
    services.map_organisation(
        actor=world.liaison, point_import=preview, org_name=HEALTH_BRANCH, unit=world.section_a
    )
    page = client_for(world.liaison).get(reverse("learning:import-detail", args=[preview.pk]))
    assert 'id="staged-organisations"' in page.content.decode()
    services.discard_import(actor=world.liaison, point_import=preview)
    assert not OrgAlias.objects.exists()
    city = _start(
        world,
        [("孙丽", HEALTH_BRANCH, "", 10), ("周强", HEALTH_BRANCH, "", 20)],
        actor=world.office,
        unit=world.city,
    )
    assert city.matched_count == 2 and city.unmatched_count == 0


def test_a_liaisons_mapping_applies_within_their_scope_only(world, health):
    own = _start(
        world,
        [("赵敏", HEALTH_BRANCH, "", 10), ("张三", A, "", 20)],
        actor=world.liaison,
        unit=world.unit_a,
    )
    with pytest.raises(PermissionDenied):  # only units in the liaison's scope
        services.map_organisation(
            actor=world.liaison, point_import=own, org_name=HEALTH_BRANCH, unit=health
        )
    services.map_organisation(
        actor=world.liaison, point_import=own, org_name=HEALTH_BRANCH, unit=world.section_a
    )
    assert not OrgAlias.objects.exists()  # saved on confirm only
    services.confirm_import(actor=world.liaison, point_import=own)
    alias = OrgAlias.objects.get()
    assert (alias.unit, alias.scope_unit, alias.created_by) == (
        world.section_a,
        world.unit_a,
        world.liaison,
    )
    event = AuditEvent.objects.get(object_type="learning.orgalias")
    assert event.actor == world.liaison and HEALTH_BRANCH in event.note

    # The office's city-wide import is not bent by it: the 卫健委 rows match in 卫健委.
    city = _start(
        world,
        [("孙丽", HEALTH_BRANCH, "", 10), ("周强", HEALTH_BRANCH, "", 20)],
        actor=world.office,
        unit=world.city,
    )
    assert {row.unit_id for row in city.rows.all()} == {health.pk}
    # The liaison's next import still uses their own mapping.
    again = _start(
        world,
        [("赵敏", HEALTH_BRANCH, "", 30)],
        actor=world.liaison,
        unit=world.unit_a,
        name="学习强国积分2026-11.xlsx",
    )
    assert again.rows.get().unit == world.section_a


def test_the_offices_mappings_apply_city_wide_and_conflicts_are_shown(world, client_for, health):
    city = _start(world, [("孙丽", "卫健委支部", "", 10)], actor=world.office, unit=world.city)
    services.map_organisation(
        actor=world.office, point_import=city, org_name="卫健委支部", unit=health
    )
    services.confirm_import(actor=world.office, point_import=city)
    assert OrgAlias.objects.get().scope_unit == world.city
    # The liaison's file of the whole city: 卫健委's row is another unit's, counted in a line.
    mine = _start(
        world,
        [("孙丽", "卫健委支部", "", 10), ("张三", A, "", 20), ("陌生人", "某县某局支部", "", 5)],
        actor=world.liaison,
        unit=world.unit_a,
    )
    assert (mine.matched_count, mine.unmatched_count, mine.outside_count) == (1, 0, 2)
    page = client_for(world.liaison).get(reverse("learning:import-detail", args=[mine.pk]))
    text = page.content.decode()
    assert "另有 2 行属于其他单位，已忽略" in text
    assert "?show=outside" not in text  # not listed as work to do
    # A liaison maps the same organisation to their own unit: the office sees the conflict.
    services.map_organisation(
        actor=world.liaison, point_import=mine, org_name="卫健委支部", unit=world.section_a
    )
    services.confirm_import(actor=world.liaison, point_import=mine, skip_pending=True)
    listing = client_for(world.office).get(reverse("learning:org-aliases"), {"conflicts": "1"})
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "卫健委支部" in text and "市卫生健康委员会" in text and "办公室" in text
    assert world.liaison.name in text and world.office.name in text
    assert 'data-conflict="1"' in text
    # The liaison sees only their own scope's mappings.
    theirs = client_for(world.liaison).get(reverse("learning:org-aliases")).content.decode()
    assert "市卫生健康委员会" not in theirs and "办公室" in theirs


def test_hand_matches_are_remembered_on_confirm_only(world):
    preview = _start(world, [("赵小敏", A, "", 10)], actor=world.liaison, unit=world.unit_a)
    row = preview.rows.get()
    services.resolve_row(actor=world.liaison, row=row, person=world.staff2)
    services.discard_import(actor=world.liaison, point_import=preview)
    assert not PersonAlias.objects.exists()


def _office_october(world, staff2_points=500):
    city = _start(
        world,
        [("张三", A, "", 300), ("赵敏", A, "", staff2_points), ("李晓梅", A, "", 200)],
        actor=world.office,
        unit=world.city,
    )
    services.confirm_import(actor=world.office, point_import=city)
    return city


def test_a_partial_import_replaces_exactly_its_units_people(world, client_for):
    _office_october(world)
    assert _figures(world, world.office, world.city, world.unit_a) == (3, Decimal(1000))
    # The liaison's file has two of the unit's three people.
    mine = _start(
        world,
        [("张三", A, "", 442), ("李晓梅", A, "", 500)],
        actor=world.liaison,
        unit=world.unit_a,
    )
    page = client_for(world.liaison).get(reverse("learning:import-detail", args=[mine.pk]))
    text = page.content.decode()
    assert "本次导入范围内有 1 人不在文件中" in text
    assert 'value="keep"' not in text  # only the office may keep earlier values
    with pytest.raises(PermissionDenied):
        services.confirm_import(
            actor=world.liaison, point_import=mine, absent_policy=AbsentPolicy.KEEP
        )
    services.confirm_import(actor=world.liaison, point_import=mine)
    mine.refresh_from_db()
    assert (mine.absent_count, mine.absent_people) == (1, [world.staff2.pk])
    # 办公室's 赵敏 is 未在导出中: the unit's figures are the file's, 2 people and 942 points.
    assert _figures(world, world.office, world.city, world.unit_a) == (2, Decimal(942))
    assert not PointRecord.objects.filter(person=world.staff2).exists()
    detail = client_for(world.liaison).get(reverse("learning:import-detail", args=[mine.pk]))
    assert "未在导出中" in detail.content.decode() and "赵敏" in detail.content.decode()
    # Undoing gives 赵敏 back the office's figure.
    services.undo_import(actor=world.liaison, point_import=mine)
    assert _figures(world, world.office, world.city, world.unit_a) == (3, Decimal(1000))


def test_the_office_may_keep_earlier_values_recorded_on_the_import(world, client_for):
    _office_october(world)
    again = _start(
        world,
        [("张三", A, "", 100)],
        actor=world.office,
        unit=world.city,
        name="学习强国积分补充.xlsx",
    )
    page = client_for(world.office).get(reverse("learning:import-detail", args=[again.pk]))
    assert 'value="keep"' in page.content.decode()
    response = client_for(world.office).post(
        reverse("learning:import-confirm", args=[again.pk]),
        {"replace": "on", "absent_policy": "keep"},
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == PointImport.Status.CONFIRMED
    assert again.absent_policy == AbsentPolicy.KEEP
    assert _figures(world, world.office, world.city, world.unit_a) == (3, Decimal(800))
    event = AuditEvent.objects.get(
        object_type="learning.pointimport", object_id=str(again.pk), verb="确认导入"
    )
    assert "保留" in event.note


def test_the_replace_prompt_counts_the_earlier_imports_records(world):
    first = _office_october(world)
    # An import written in bulk (as the demo's are) stores no count of its own.
    PointImport.objects.filter(pk=first.pk).update(record_count=0)
    again = _start(
        world, [("张三", A, "", 1)], actor=world.office, unit=world.city, name="学习强国.xlsx"
    )
    with pytest.raises(services.ReplaceNeeded) as needed:
        services.confirm_import(actor=world.office, point_import=again)
    assert "（3 条）" in needed.value.messages[0]
    with pytest.raises(ValidationError):
        services.confirm_import(actor=world.office, point_import=again, absent_policy="maybe")
    assert ImportRow.objects.filter(point_import=again).count() == 1


def test_the_api_confirms_with_the_absent_policy_and_reports_it(world, client_for):
    _office_october(world)
    mine = _start(world, [("张三", A, "", 442)], actor=world.liaison, unit=world.unit_a)
    liaison = client_for(world.liaison)
    url = f"/api/learning/imports/{mine.pk}/confirm"
    refused = liaison.post(url, {"absent_policy": "keep"}, content_type="application/json")
    assert refused.status_code == 403
    done = liaison.post(url, {}, content_type="application/json")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["absent_policy"], body["absent_count"]) == (
        "confirmed",
        "absent",
        2,
    )


def test_the_mapping_list_exports_with_its_filter(world, client_for, health):
    city = _start(world, [("孙丽", "卫健委支部", "", 10)], actor=world.office, unit=world.city)
    services.map_organisation(
        actor=world.office, point_import=city, org_name="卫健委支部", unit=health
    )
    services.confirm_import(actor=world.office, point_import=city)
    response = client_for(world.office).get(
        reverse("learning:org-aliases"), {"q": "卫健委", "export": "xlsx"}
    )
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [
        str(cell.value)
        for row in load_workbook(BytesIO(response.content)).active.iter_rows()
        for cell in row
    ]
    assert "卫健委支部" in cells and "市卫生健康委员会" in cells and world.office.name in cells
    assert AuditEvent.objects.filter(action="export", object_type="learning.orgalias").exists()
    assert client_for(world.staff).get(reverse("learning:org-aliases")).status_code == 403
