"""Platform exports as the platforms write them, made by the import tests: title rows, a two-row
header with merged cells, full-width digits, blank and 合计 rows."""

import csv
import io
from collections.abc import Sequence

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

STRONG_NATION_HEADINGS = [
    "序号",
    "姓 名",
    "所在支部",
    "手机号",
    "总积分",
    "年度积分",
    "本月积分",
    "日均分",
]


def strong_nation_rows(people: Sequence[tuple[str, str, str, object]]) -> list[list[object]]:
    """Rows of an export from (name, organisation, phone, month points)."""
    return [
        [index, name, org, phone, 5000 + index, 2000 + index, month, 12.5]
        for index, (name, org, phone, month) in enumerate(people, start=1)
    ]


def xlsx_export(
    rows: Sequence[Sequence[object]],
    *,
    title: str | None = "学习强国 2026年10月学习积分统计",
    headings: Sequence[str] = STRONG_NATION_HEADINGS,
    merged: bool = True,
    total_row: bool = True,
) -> bytes:
    """A title row merged over the table, a note row, a two-row header whose first columns are
    merged down (积分情况 merged across the figures), the rows with a blank row, a 合计 row."""
    book = Workbook()
    sheet = book.active
    width = len(headings)
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.append(["导出时间：2026-11-01 08:00"])
    top = sheet.max_row + 1 if title else 1
    if merged:
        figures_at = next(i for i, h in enumerate(headings) if "积分" in h or "学时" in h)
        upper = [h if i < figures_at else None for i, h in enumerate(headings)]
        upper[figures_at] = "积分情况"
        lower = [None if i < figures_at else h for i, h in enumerate(headings)]
        sheet.append(upper)
        sheet.append(lower)
        for column in range(1, figures_at + 1):
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=top + 1, end_column=column
            )
        sheet.merge_cells(start_row=top, start_column=figures_at + 1, end_row=top, end_column=width)
    else:
        sheet.append(list(headings))
    for index, row in enumerate(rows):
        sheet.append(list(row))
        if index == 1:
            sheet.append([])
    if total_row:
        sheet.append(["合计", None, None, None, 99999, 99999, 99999, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_export(
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "gbk",
    title: str | None = "2026年10月学习积分统计",
    headings: Sequence[str] = STRONG_NATION_HEADINGS,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow([title])
    writer.writerow(headings)
    for row in rows:
        writer.writerow(row)
    writer.writerow(["合计", "", "", "", "", "", "", ""])
    return buffer.getvalue().encode(encoding)


def xls_export(rows: Sequence[Sequence[object]], *, title: str = "2026年10月学习积分统计") -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, title)
    for column, heading in enumerate(STRONG_NATION_HEADINGS):
        sheet.write(1, column, heading)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "学习强国积分.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
