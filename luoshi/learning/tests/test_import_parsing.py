"""Reading exports without the database: headings, periods, figures, the .xlsx reader."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from luoshi.learning.models import Field
from luoshi.learning.services import parsing

from .import_files import csv_export


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("姓 名", Field.NAME),
        ("学员姓名", Field.NAME),
        ("所在支部", Field.ORG),
        ("单位", Field.ORG),
        ("手机号码", Field.PHONE),
        ("总积分", Field.TOTAL),
        ("年度积分", Field.YEAR),
        ("近一个月积分", Field.MONTH),
        ("本月积分", Field.MONTH),
        ("日均分", Field.DAILY_AVERAGE),
        ("已获学时", Field.HOURS),
        ("学时（小时）", Field.HOURS),
        ("序号", Field.IGNORE),
    ],
)
def test_headings_by_synonym(heading, field):
    assert parsing.guess_field(heading) == field


@pytest.mark.parametrize(
    ("texts", "period"),
    [
        (["学习强国 2026年10月学习积分统计"], ("2026-10-01", "2026-10-31")),
        (["统计时间：2026年4月1日至2026年6月30日"], ("2026-04-01", "2026-06-30")),
        (["统计时间：２０２６.０１.０１－２０２６.０１.１５"], ("2026-01-01", "2026-01-15")),
        (["导出", "积分-2026-02"], ("2026-02-01", "2026-02-28")),
        (["学员学时统计"], None),
    ],
)
def test_period_from_title_or_file_name(texts, period):
    found = parsing.find_period(texts)
    expected = None if period is None else tuple(datetime.date.fromisoformat(day) for day in period)
    assert found == expected


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (120, 120),
        (12.345, 12.35),
        ("１２０", Decimal("120.00")),
        ("1,050", Decimal("1050.00")),
        (" 36.5 ", Decimal("36.50")),
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_figures(cell, number):
    assert parsing.parse_number(cell) == number


@pytest.mark.parametrize("cell", ["abc", "十二", True, "1e400", 10**11])
def test_not_figures(cell):
    with pytest.raises(ValueError):
        parsing.parse_number(cell)


def test_cadre_export_with_hours():
    data = csv_export(
        [["1", "赵敏", "市文体旅游广电局", "", "", "", "", ""]],
        encoding="utf-8",
        title="干部网络学院 2026年10月学时统计",
        headings=["序号", "学员姓名", "所在单位", "已获学时", "x", "y", "z", "w"],
    )
    parsed = parsing.parse_export(data.replace(b",,,,", b",12.5,,,"), "学时.csv")
    assert parsed.mapping["已获学时"] == Field.HOURS
    assert parsed.rows[0].numbers[Field.HOURS] == Decimal("12.50")


def test_no_name_column_is_reported():
    data = csv_export([["1", "赵敏"]], encoding="utf-8", headings=["序号", "所在单位", "总积分"])
    parsed = parsing.parse_export(data, "x.csv")
    assert any("姓名" in error.message for error in parsed.errors)


def test_not_an_export():
    with pytest.raises(parsing.ExportError):
        parsing.parse_export(b"hello", "x.pdf")
    with pytest.raises(parsing.ExportError):
        parsing.parse_export("标题\n一,二\n".encode(), "x.csv")


def test_xlsx_reader_agrees_with_openpyxl():
    """The .xlsx reader (calamine's) against openpyxl's, on gaps, formulas, booleans, floats,
    shared and rich strings."""
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "标题 & <说明>"
    sheet["C1"] = 3.25
    sheet["B3"] = True
    sheet["A3"] = "=1+2"
    sheet["D3"] = 12
    sheet["AA3"] = "远列"
    sheet["A5"] = "第五行"
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    ours = [list(row) for row in parsing._xlsx_rows(data)]
    reference = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    theirs = [list(row) for row in reference.worksheets[0].iter_rows(values_only=True)]

    def trimmed(rows):
        result = []
        for row in rows:
            while row and row[-1] is None:
                row.pop()
            result.append(row)
        while result and not result[-1]:
            result.pop()
        return result

    assert trimmed(ours) == trimmed(theirs)
    assert trimmed(ours)[0] == ["标题 & <说明>", None, 3.25]
