"""Platform imports through the services: parsing messy exports, matching, confirm, replace, undo."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luoshi.audit.models import AuditEvent
from luoshi.files.models import Attachment
from luoshi.learning import services
from luoshi.learning.models import (
    ColumnMapping,
    Field,
    ImportRow,
    OrgAlias,
    PersonAlias,
    Platform,
    PointImport,
    PointRecord,
)
from luoshi.testing import person

from .import_files import csv_export, strong_nation_rows, upload, xlsx_export

A = "市文体旅游广电局"
OCTOBER = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def _start(world, data, *, actor=None, unit=None, name="学习强国积分.xlsx", **kwargs):
    return services.start_import(
        actor=actor or world.liaison,
        platform=Platform.STRONG_NATION,
        unit=unit or world.unit_a,
        upload=upload(data, name),
        **kwargs,
    )


def _unit_a_rows(month_staff="１２０"):
    return strong_nation_rows(
        [
            ("张　三", A, "13900005678", 300),
            ("赵敏", A, "", month_staff),
            ("李晓梅", A, "138****5678", "1,050"),
        ]
    )


@pytest.mark.django_db
def test_title_rows_merged_header_synonyms_and_full_width_digits(world):
    point_import = _start(world, xlsx_export(_unit_a_rows()))
    assert point_import.status == PointImport.Status.PREVIEW
    assert (point_import.period_start, point_import.period_end) == OCTOBER
    assert point_import.period_from_file
    assert point_import.header_row == 4  # title, note, then the two-row header
    mapping = point_import.mapping
    assert mapping["姓名"] == Field.NAME  # "姓 名" merged down from the upper header row
    assert mapping["所在支部"] == Field.ORG
    assert mapping["本月积分"] == Field.MONTH
    assert mapping["总积分"] == Field.TOTAL
    assert mapping["序号"] == Field.IGNORE
    assert (point_import.row_count, point_import.matched_count) == (3, 3)
    assert point_import.ignored_count == 2  # the blank row and the 合计 row
    rows = {row.name: row for row in point_import.rows.all()}
    assert rows["张三"].person == world.staff
    assert rows["赵敏"].value == Decimal("120")
    assert rows["李晓梅"].value == Decimal("1050")
    assert not PointRecord.objects.exists()  # nothing counted before confirmation

    services.confirm_import(actor=world.liaison, point_import=point_import)
    records = {r.person_id: r for r in PointRecord.objects.all()}
    assert len(records) == 3
    assert records[world.staff.pk].value == Decimal("300")
    assert records[world.staff.pk].total == Decimal("5001")
    assert records[world.staff.pk].unit == world.unit_a
    assert not records[world.staff.pk].is_derived
    assert (
        ColumnMapping.objects.get(platform=Platform.STRONG_NATION).mapping["本月积分"]
        == Field.MONTH
    )


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_every_encoding_excel_writes(world, encoding):
    point_import = _start(world, csv_export(_unit_a_rows(), encoding=encoding), name="积分.csv")
    assert point_import.matched_count == 3
    assert (point_import.period_start, point_import.period_end) == OCTOBER
    assert point_import.ignored_count == 1  # the 合计 row


@pytest.mark.django_db
def test_xls_export(world):
    pytest.importorskip("xlwt", reason="xlwt (dev only) writes the .xls test file")
    from .import_files import xls_export

    point_import = _start(world, xls_export(_unit_a_rows()), name="积分.xls")
    assert point_import.matched_count == 3


@pytest.mark.django_db
def test_bad_value_in_a_points_column_is_reported_and_nothing_saved(world):
    rows = _unit_a_rows(month_staff="十二")
    with pytest.raises(services.ImportRejected) as caught:
        _start(world, xlsx_export(rows))
    [error] = caught.value.row_errors
    assert (error.row, error.column) == (6, "本月积分")
    assert "不是数字" in error.message
    assert "第 6 行“本月积分”" in caught.value.messages[0]
    assert not PointImport.objects.exists()
    assert not ImportRow.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_period_entered_when_the_file_names_none(world):
    data = xlsx_export(_unit_a_rows(), title=None, merged=False)
    with pytest.raises(services.ImportRejected, match="统计期间"):
        _start(world, data, name="export.xlsx")
    point_import = _start(
        world,
        data,
        name="export.xlsx",
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
    )
    assert point_import.period_start == datetime.date(2026, 9, 1)
    assert not point_import.period_from_file


@pytest.mark.django_db
def test_duplicate_names_in_two_units_are_told_apart(world):
    other_zhang = person("zhangsan2", "张三", world.unit_b, phone="13700000001")
    OrgAlias.objects.create(
        platform=Platform.STRONG_NATION,
        name="中共冷湖镇委员会",
        unit=world.unit_b,
        created_by=world.office,
    )
    rows = strong_nation_rows(
        [
            ("张三", A, "", 10),
            ("张三", "中共冷湖镇委员会", "", 20),
        ]
    )
    point_import = _start(world, xlsx_export(rows), actor=world.office, unit=world.city)
    matched = dict(point_import.rows.values_list("org_name", "person_id"))
    assert matched == {A: world.staff.pk, "中共冷湖镇委员会": other_zhang.pk}

    # Without an organisation the name is ambiguous in the city, unless the phone tells.
    rows = strong_nation_rows([("张三", "", "", 10), ("张三", "", "13700000001", 20)])
    point_import = _start(world, xlsx_export(rows), actor=world.office, unit=world.city)
    first, second = point_import.rows.order_by("row_number")
    assert first.match == ImportRow.Match.AMBIGUOUS
    assert set(first.candidates) == {world.staff.pk, other_zhang.pk}
    assert second.match == ImportRow.Match.MATCHED and second.person == other_zhang


@pytest.mark.django_db
def test_unknown_person_matched_by_hand_is_remembered(world):
    rows = strong_nation_rows([("张三", A, "", 10), ("赵小敏", A, "", 20)])
    point_import = _start(world, xlsx_export(rows))
    unknown = point_import.rows.get(name="赵小敏")
    assert unknown.match == ImportRow.Match.UNMATCHED
    with pytest.raises(ValidationError, match="未匹配"):
        services.confirm_import(actor=world.liaison, point_import=point_import)
    with pytest.raises(ValidationError):  # the same person cannot be imported twice
        services.resolve_row(actor=world.liaison, row=unknown, person=world.staff)
    with pytest.raises(ValidationError):  # nor someone outside the import
        services.resolve_row(actor=world.liaison, row=unknown, person=world.outsider)
    services.resolve_row(actor=world.liaison, row=unknown, person=world.staff2)
    assert not PersonAlias.objects.exists()  # remembered when the import is confirmed
    services.confirm_import(actor=world.liaison, point_import=point_import)
    assert PersonAlias.objects.get(name="赵小敏").person == world.staff2
    assert PointRecord.objects.get(person=world.staff2).value == Decimal("20")

    again = _start(world, xlsx_export(rows), name="学习强国积分2026-11.xlsx", period_start=None)
    assert again.rows.get(name="赵小敏").person == world.staff2


@pytest.mark.django_db
def test_unmatched_rows_skipped_at_confirmation(world):
    rows = strong_nation_rows([("张三", A, "", 10), ("查无此人", A, "", 20)])
    point_import = _start(world, xlsx_export(rows))
    services.confirm_import(actor=world.liaison, point_import=point_import, skip_pending=True)
    point_import.refresh_from_db()
    assert (point_import.record_count, point_import.skipped_count) == (1, 1)


@pytest.mark.django_db
def test_rows_of_other_units_are_reported_not_saved(world):
    rows = strong_nation_rows([("张三", A, "", 10), ("马海燕", "冷湖镇", "", 20)])
    point_import = _start(world, xlsx_export(rows))
    outside = point_import.rows.get(name="马海燕")
    assert outside.match == ImportRow.Match.OUTSIDE
    assert point_import.outside_count == 1
    services.confirm_import(actor=world.liaison, point_import=point_import)
    assert not PointRecord.objects.filter(person=world.outsider).exists()


@pytest.mark.django_db
def test_organisation_mapped_by_hand_rematches_its_rows(world):
    person("zhaomin2", "赵敏", world.unit_b, phone="13700000002")
    rows = strong_nation_rows([("赵敏", "中共茫崖市文体旅游广电局支部", "", 10)])
    point_import = _start(world, xlsx_export(rows), actor=world.office, unit=world.city)
    assert point_import.rows.get().match == ImportRow.Match.AMBIGUOUS
    services.map_organisation(
        actor=world.office,
        point_import=point_import,
        org_name="中共茫崖市文体旅游广电局支部",
        unit=world.section_a,
    )
    row = point_import.rows.get()
    assert (row.match, row.person, row.unit) == (
        ImportRow.Match.MATCHED,
        world.staff2,
        world.section_a,
    )
    assert not OrgAlias.objects.exists()  # saved when the import is confirmed
    services.confirm_import(actor=world.office, point_import=point_import)
    alias = OrgAlias.objects.get(name="中共茫崖市文体旅游广电局支部")
    assert (alias.unit, alias.scope_unit) == (world.section_a, world.city)
    own = _start(world, xlsx_export(rows))
    with pytest.raises(PermissionDenied):
        services.map_organisation(
            actor=world.liaison, point_import=own, org_name="x", unit=world.unit_b
        )


@pytest.mark.django_db
def test_reimport_of_the_same_period_replaces_and_never_doubles(world):
    first = _start(world, xlsx_export(_unit_a_rows()))
    services.confirm_import(actor=world.liaison, point_import=first)
    second = _start(world, xlsx_export(_unit_a_rows(month_staff=150)))
    with pytest.raises(services.ReplaceNeeded):
        services.confirm_import(actor=world.liaison, point_import=second)
    assert PointRecord.objects.count() == 3
    services.confirm_import(actor=world.liaison, point_import=second, replace=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PointImport.Status.REPLACED
    assert second.replaces == first
    assert PointRecord.objects.count() == 3
    assert PointRecord.objects.get(person=world.staff2).value == Decimal("150")

    # Undoing the re-import gives the month back the figures it replaced.
    services.undo_import(actor=world.liaison, point_import=second)
    first.refresh_from_db()
    assert first.status == PointImport.Status.CONFIRMED
    assert PointRecord.objects.get(person=world.staff2).value == Decimal("120")
    assert PointRecord.objects.count() == 3

    # The office importing the whole city for the same month supersedes the unit's figures.
    third = _start(
        world, xlsx_export(_unit_a_rows(month_staff=160)), actor=world.office, unit=world.city
    )
    services.confirm_import(actor=world.office, point_import=third)
    assert PointRecord.objects.count() == 3
    assert PointRecord.objects.get(person=world.staff2).point_import == third


@pytest.mark.django_db
def test_undo_removes_the_figures_and_is_audited(world):
    point_import = _start(world, xlsx_export(_unit_a_rows()))
    services.confirm_import(actor=world.liaison, point_import=point_import)
    services.undo_import(actor=world.liaison, point_import=point_import, reason="文件有误")
    point_import.refresh_from_db()
    assert point_import.status == PointImport.Status.UNDONE
    assert point_import.undone_by == world.liaison
    assert not PointRecord.objects.exists()
    event = AuditEvent.objects.filter(object_type="learning.pointimport", verb="撤销导入").get()
    assert "文件有误" in event.note
    with pytest.raises(ValidationError):
        services.undo_import(actor=world.liaison, point_import=point_import)


@pytest.mark.django_db
def test_monthly_value_derived_from_cumulative_totals(world):
    headings = ["姓名", "单位", "总积分"]
    october = xlsx_export(
        [["张三", A, 1000], ["赵敏", A, 500]], headings=headings, merged=False, total_row=False
    )
    first = _start(world, october)
    assert first.is_cumulative
    services.confirm_import(actor=world.liaison, point_import=first)
    assert PointRecord.objects.get(person=world.staff).value is None  # nothing to derive from

    november = xlsx_export(
        [["张三", A, 1300], ["赵敏", A, 520], ["李晓梅", A, 80]],
        title="学习强国 2026年11月学习积分统计",
        headings=headings,
        merged=False,
        total_row=False,
    )
    second = _start(world, november)
    services.confirm_import(actor=world.liaison, point_import=second)
    records = {r.person_id: r for r in second.records.all()}
    assert records[world.staff.pk].value == Decimal("300")
    assert records[world.staff.pk].is_derived
    assert records[world.staff2.pk].value == Decimal("20")
    assert records[world.liaison.pk].value is None and not records[world.liaison.pk].is_derived
    second.refresh_from_db()
    assert second.derived_count == 2


@pytest.mark.django_db
def test_remap_reads_the_file_again_and_refuses_bad_numbers(world):
    point_import = _start(world, xlsx_export(_unit_a_rows()))
    mapping = dict(point_import.mapping)
    mapping["本月积分"] = Field.IGNORE
    services.remap_import(actor=world.liaison, point_import=point_import, mapping=mapping)
    point_import.refresh_from_db()
    assert point_import.is_cumulative
    assert point_import.rows.get(name="张三").value is None
    mapping["所在支部"] = Field.MONTH  # text in a number column
    with pytest.raises(services.ImportRejected):
        services.remap_import(actor=world.liaison, point_import=point_import, mapping=mapping)
    assert point_import.rows.count() == 3


@pytest.mark.django_db
def test_permissions(world):
    data = xlsx_export(_unit_a_rows())
    with pytest.raises(PermissionDenied):
        _start(world, data, actor=world.outsider)
    with pytest.raises(PermissionDenied):
        _start(world, data, actor=world.staff)
    point_import = _start(world, data)
    with pytest.raises(PermissionDenied):
        services.confirm_import(actor=world.outsider, point_import=point_import)
    services.discard_import(actor=world.liaison, point_import=point_import)
    assert not point_import.rows.exists()


@pytest.mark.django_db
def test_restoring_a_replaced_import_never_doubles(world):
    first = _start(world, xlsx_export(_unit_a_rows()))
    services.confirm_import(actor=world.liaison, point_import=first)
    second = _start(world, xlsx_export(_unit_a_rows(month_staff=150)))
    services.confirm_import(actor=world.liaison, point_import=second, replace=True)
    city = _start(
        world, xlsx_export(_unit_a_rows(month_staff=160)), actor=world.office, unit=world.city
    )
    services.confirm_import(actor=world.office, point_import=city)
    services.undo_import(actor=world.liaison, point_import=second)
    first.refresh_from_db()
    assert first.status == PointImport.Status.CONFIRMED
    assert PointRecord.objects.count() == 3  # the city's figures stand; nothing counted twice
    assert PointRecord.objects.get(person=world.staff2).value == Decimal("160")


def test_confirm_and_undo_store_the_month_summary_again(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from luoshi.learning import tasks

    asked: list[tuple] = []
    fake = type("FakeTask", (), {"enqueue": staticmethod(lambda *args: asked.append(args))})
    monkeypatch.setattr(tasks, "refresh_summaries", fake)
    point_import = _start(world, xlsx_export(_unit_a_rows()))
    month = (point_import.platform, point_import.period_start.isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import(actor=world.liaison, point_import=point_import)
    assert asked == [month]  # once committed, the worker stores the month's summaries again
    with django_capture_on_commit_callbacks(execute=True):
        services.undo_import(actor=world.liaison, point_import=point_import)
    assert asked == [month, month]


@pytest.mark.django_db
def test_the_nightly_job_discards_week_old_previews_and_their_rows(world):
    """A preview left for more than a week loses its staged rows and is discarded, audited as
    the system's; a recent preview and a confirmed import keep theirs."""
    from django.utils import timezone

    from luoshi.learning import tasks

    confirmed = _start(world, xlsx_export(_unit_a_rows()))
    services.confirm_import(actor=world.liaison, point_import=confirmed)
    stale = _start(world, xlsx_export(_unit_a_rows(month_staff=150)))
    recent = _start(world, xlsx_export(_unit_a_rows(month_staff=160)))
    now = timezone.now()
    PointImport.objects.filter(pk__in=[confirmed.pk, stale.pk]).update(
        created_at=now - datetime.timedelta(days=8)
    )
    PointImport.objects.filter(pk=recent.pk).update(created_at=now - datetime.timedelta(days=6))

    assert tasks.discard_stale_previews.call_local() == 1

    stale.refresh_from_db()
    assert stale.status == PointImport.Status.DISCARDED
    assert not ImportRow.objects.filter(point_import=stale).exists()
    event = AuditEvent.objects.get(object_id=str(stale.pk), verb="逾期未确认，自动放弃")
    assert event.actor is None
    assert "删除预览数据 3 行" in event.note
    recent.refresh_from_db()
    assert recent.status == PointImport.Status.PREVIEW
    assert recent.rows.count() == 3
    confirmed.refresh_from_db()
    assert confirmed.status == PointImport.Status.CONFIRMED
    assert confirmed.rows.count() == 3  # what undo needs
    assert PointRecord.objects.filter(point_import=confirmed).count() == 3
    assert tasks.discard_stale_previews.call_local() == 0  # a second run finds nothing
