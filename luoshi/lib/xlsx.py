"""Excel in and out: list exports, import templates, and reading uploaded sheets row by row.

Every list export goes through `build_workbook` (the audited download is
`luoshi.audit.services.serve_export`): a title, one note row with the filters and the time of
export, a bold header row with an autofilter, frozen panes below it, column widths fitted to the
content (CJK characters count double), real dates and numbers, and a page set up for printing.
Every text cell is made harmless first: characters an .xlsx cannot hold (control characters, lone
surrogates) are replaced, and a text that Excel would read as a formula (it starts with =, +, -,
@, a tab or a carriage return) gets a leading apostrophe, as OWASP's CSV-injection guidance says.
"""

import datetime
import decimal
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from python_calamine import CalamineWorkbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
HEADER_ROW = 3  # title, note, header
LANDSCAPE_FROM = 7  # columns: a wider list prints across the page
WIDTH_SAMPLE = 2000  # rows looked at to fit the column widths
MIN_WIDTH, MAX_WIDTH = 8, 60

# What XML 1.0 cannot carry (openpyxl raises IllegalCharacterError on them) and lone surrogates.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


def safe_text(value: str) -> str:
    """`value` as a cell text that cannot break the file or run as a formula."""
    text = UNWRITABLE.sub(REPLACEMENT, value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _cell(value: Any) -> Any:
    """A Python value as what the cell holds: dates and numbers stay real, text is made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    return safe_text(str(value))


def display_width(value: Any) -> int:
    """How many Latin characters wide the value prints; a CJK (wide) character counts two."""
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in longest)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = [display_width(header) for header in headers]
    for row in rows[:WIDTH_SAMPLE]:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], display_width(value))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]


def build_workbook(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], notes: Sequence[str] = ()
) -> bytes:
    """One sheet ready to filter and print: the title, one note row (the filters and the time of
    export, joined), the bold header row with an autofilter and frozen panes below it, and the
    rows. Written with openpyxl's write-only mode, so large lists build no cell objects."""
    data = [[_cell(value) for value in row] for row in rows]
    header_texts = [safe_text(str(header)) for header in headers]
    columns = max(len(header_texts), 1)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(safe_text(title)[:31].replace("'", "") or "Sheet1")
    for index, width in enumerate(_widths(header_texts, data), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last = get_column_letter(columns)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(data)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.orientation = "landscape" if columns >= LANDSCAPE_FROM else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    heading = WriteOnlyCell(sheet, value=safe_text(title))
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append(["；".join(safe_text(str(note)) for note in notes if note)])
    header_cells = []
    for text in header_texts:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in data:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_NOTE_FONT = Font(bold=True, color="C00000")


def template_workbook(
    *, title: str, headers: Sequence[str], example: Sequence[Any], help_lines: Sequence[str]
) -> bytes:
    """An import template: headers in bold, one example row, and a second sheet of instructions.

    The example row is grey and italic, with a note beside it (in a column without a header, so
    no import reads it) that it is an example: an import skips a row identical to it
    (`is_example_row`), so the template uploaded unchanged, or with the user's rows below the
    example, imports nothing bogus and fails on nothing."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    sheet.append([*example, gettext("← 示例行：原样保留时不导入，可改写为实际数据或删除")])
    for index, _header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.cell(row=2, column=index).font = EXAMPLE_FONT
        sheet.column_dimensions[get_column_letter(index)].width = 20
    sheet.cell(row=2, column=len(headers) + 1).font = EXAMPLE_NOTE_FONT
    sheet.column_dimensions[get_column_letter(len(headers) + 1)].width = 50
    guide = workbook.create_sheet("填写说明")
    for line in help_lines:
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    for row in guide.iter_rows():
        row[0].alignment = Alignment(wrap_text=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _example_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def is_example_row(values: Mapping[str, Any], example: Mapping[str, Any]) -> bool:
    """Whether a row read by `read_rows` is the template's example row (`example`: its cells by
    column) unchanged — a column the file lacks counts as empty: imports skip it rather than
    import it or refuse it."""
    return all(
        _example_text(values.get(header)) == _example_text(value)
        for header, value in example.items()
    )


_EXACT = 2**53  # floats below this in size hold whole numbers exactly


def _read_cell(value: Any) -> Any:
    """A cell as calamine reads it, in the types openpyxl gave the callers: None for an empty
    cell, int for a whole number (Excel stores every number as a float), datetime for a date."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return int(value)
    if type(value) is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - as openpyxl
    return value


def sheet_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows from A1 as tuples of cells, as openpyxl would give them (None for
    an empty cell, int for a whole number, datetime for a date); blank rows are kept, so the
    n-th row is Excel's row n. Every import's .xlsx reader (people and units, the ledger's
    activities, the learning platforms' exports).

    Read by python-calamine (Rust; several times openpyxl's speed). Raises whatever calamine
    raises for a file that is not a workbook (CalamineError, ValueError, …) when first iterated.
    """
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    for raw in sheet.iter_rows():  # from A1, so numbers are Excel's
        cells: list[Any] = raw  # str, float, bool, date … as calamine reads them
        # _read_cell inlined for the two kinds nearly every cell is (text and numbers): a
        # function call per cell was a third of reading a 200,000-row export.
        yield tuple(
            [
                (value or None)
                if (kind := type(value)) is str
                else (int(value) if value.is_integer() and -_EXACT < value < _EXACT else value)
                if kind is float
                else _read_cell(value)
                for value in cells
            ]
        )


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The first sheet as (headers, [(Excel row number, {header: value})]), skipping blank rows.

    Headers are stripped of spaces (including full-width ones) so "姓 名" matches "姓名". Read by
    `sheet_rows`.
    """
    rows = sheet_rows(data)
    try:
        header_row = next(rows)
    except StopIteration:
        return [], []
    headers = [
        str(value or "").replace(" ", "").replace("\u3000", "").strip() for value in header_row
    ]
    result = []
    for number, values in enumerate(rows, start=2):
        if all(value is None for value in values):
            continue
        result.append(
            (
                number,
                {header: value for header, value in zip(headers, values, strict=False) if header},
            )
        )
    return headers, result
