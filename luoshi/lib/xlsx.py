"""Excel in and out: list exports, import templates, and reading uploaded sheets row by row."""

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None:
        return ""
    if isinstance(value, str | int | float | datetime.date):
        return value
    return str(value)


def build_workbook(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], notes: Sequence[str] = ()
) -> bytes:
    """One sheet: a title line, optional notes (filters applied, time of export), a header row and
    the rows. Streams with openpyxl's write-only mode, so large lists do not build cell objects."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Sheet1")
    sheet.freeze_panes = f"A{3 + len(notes)}"
    for index in range(len(headers)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 18
    sheet.append([title])
    for note in notes:
        sheet.append([note])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def template_workbook(
    *, title: str, headers: Sequence[str], example: Sequence[Any], help_lines: Sequence[str]
) -> bytes:
    """An import template: headers in bold, one example row, and a second sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    sheet.append(list(example))
    for index, _header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 20
    guide = workbook.create_sheet("填写说明")
    for line in help_lines:
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    for row in guide.iter_rows():
        row[0].alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The first sheet as (headers, [(Excel row number, {header: value})]), skipping blank rows.

    Headers are stripped of spaces (including full-width ones) so "姓 名" matches "姓名".
    """
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        return [], []
    headers = [
        str(value or "").replace(" ", "").replace("\u3000", "").strip() for value in header_row
    ]
    result = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(value in (None, "") for value in values):
            continue
        result.append(
            (
                number,
                {header: value for header, value in zip(headers, values, strict=False) if header},
            )
        )
    workbook.close()
    return headers, result
