"""Reading a learning platform's admin export: .xlsx, .xls or .csv, as the platform writes it.

Exports are messy: title rows above the table ("2026年10月学习积分统计"), a two-row header with
merged cells, headings that vary by platform and version ("姓 名", "学员姓名"), full-width digits
and spaces, blank rows, a 合计 row at the bottom. `parse_export` finds the header row, maps the
columns by name (synonyms, or the mapping remembered for the platform), reads the period from the
title rows or the file name, and returns every data row with its numbers — or the row-level
errors in Chinese. Nothing here touches the database.

Files are read by python-calamine for .xlsx (`lib.xlsx.sheet_rows`, the reader of every import),
xlrd for .xls, the csv module for .csv (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Windows Excel
saves it).

Before anything is read, a hostile file is refused (ValidationError, code as in `lib.office`):
an .xlsx is inspected by `inspect_office_file` (what the zip inflates to, the sheets' declared
dimension and largest row number, the Office type by content — a Word file renamed .xlsx is
refused); an .xls is refused when its sheet declares more rows than `IMPORT_MAX_ROWS`; every
format stops as soon as it yields more rows than that, so an empty-row gap or a CSV of newlines
cannot make the reader walk millions of rows.

It sits in `services/` beside the import service, its only caller, though it writes nothing:
the first step of an import is reading the file, and keeping it apart from the service lets
its tests run without a database.
"""

import calendar
import csv
import datetime
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from luoshi.lib.office import inspect_office_file
from luoshi.lib.text import BIDI
from luoshi.lib.xlsx import sheet_rows
from luoshi.org.imports import RowError

from ..models import Field

HEADER_SCAN_ROWS = 30  # title rows and a two-row header sit well within the first 30 rows
MAX_ERRORS = 200  # past this many, the list stops: the file is wrong as a whole
CENT = Decimal("0.01")
MAX_FIGURE = 10**10  # the figures' columns hold 12 digits, two of them after the point
NUMBER_FIELDS = (Field.TOTAL, Field.YEAR, Field.MONTH, Field.DAILY_AVERAGE, Field.HOURS)
TEXT_FIELDS = (Field.NAME, Field.ORG, Field.PHONE)

# Headings as the platforms write them, after normalisation (no spaces, half-width, no unit
# in brackets). The first word of each list is the canonical one shown to users.
SYNONYMS: dict[str, tuple[str, ...]] = {
    Field.NAME: ("姓名", "学员姓名", "用户姓名", "真实姓名", "人员姓名", "学员"),
    Field.ORG: (
        "所属组织",
        "所在支部",
        "单位",
        "所在单位",
        "所属单位",
        "所属支部",
        "所在组织",
        "组织名称",
        "工作单位",
        "部门",
    ),
    Field.PHONE: ("手机号", "手机号码", "手机", "联系电话", "电话"),
    Field.TOTAL: ("总积分", "累计积分", "总分", "累计学时", "总学时"),
    Field.YEAR: ("年度积分", "本年积分", "年积分", "本年度积分"),
    Field.MONTH: ("月度积分", "本月积分", "近一个月积分", "当月积分", "月积分", "近30天积分"),
    Field.DAILY_AVERAGE: ("日均分", "日均积分", "日均"),
    Field.HOURS: ("学时", "已获学时", "获得学时", "已修学时", "本期学时", "完成学时"),
}
_BY_HEADING = {heading: name for name, headings in SYNONYMS.items() for heading in headings}
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACES = re.compile(r"\s+")
# Characters no name or organisation holds (control, bidi override, broken): dropped, as a
# platform's export may carry them invisibly.
_UNSTORABLE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{BIDI}]")
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "汇总"})
TOTAL_ROW = re.compile(r"^(合计|总计|小计|汇总)")
MONTH_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
RANGE_RE = re.compile(DATE + r"\s*(?:至|到|--|-|—|–|~|～)\s*" + DATE)
FILE_MONTH_RE = re.compile(r"(20\d{2})[-_.年]?(0[1-9]|1[0-2])(?!\d)")


class ExportError(Exception):
    """The file cannot be read as an export at all (wrong format, no header, no data)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class ExportRow:
    """One data row: its row number as the spreadsheet shows it, the text fields, the numbers."""

    row_number: int
    name: str
    org_name: str
    phone: str
    numbers: dict[str, int | float | Decimal | None]


@dataclass
class ParsedExport:
    """What `parse_export` found: the header and its mapping, the period, the rows or errors."""

    headings: list[str]
    header_row: int
    mapping: dict[str, str]
    title: str = ""
    period: tuple[datetime.date, datetime.date] | None = None
    rows: list[ExportRow] = field(default_factory=list)
    ignored: int = 0  # blank rows and 合计 rows
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fields(self) -> set[str]:
        return set(self.mapping.values())


def normalise(value: Any) -> str:
    """Cell text as compared: NFKC (full-width digits, letters and spaces to half-width), with
    every space removed."""
    if value is None:
        return ""
    if type(value) is str:
        # Most cells are already plain: two C-level checks instead of a copy.
        if (
            unicodedata.is_normalized("NFKC", value)
            and not _SPACES.search(value)
            and not _UNSTORABLE.search(value)
        ):
            return value
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return _UNSTORABLE.sub("", _SPACES.sub("", unicodedata.normalize("NFKC", str(value))))


def heading_key(value: Any) -> str:
    """A heading as looked up in SYNONYMS: normalised, without a unit in brackets ("学时（小时）")."""
    return _BRACKETS.sub("", normalise(value))


def guess_field(heading: str) -> str:
    """The field a heading names, or Field.IGNORE."""
    return _BY_HEADING.get(heading_key(heading), Field.IGNORE)


def parse_number(value: Any) -> int | float | Decimal | None:
    """A figure from a cell: numbers as they are (rounded to cents); text with full-width
    digits, thousands separators or spaces cleaned; blank and "-" as nothing. Raises ValueError
    otherwise. Numbers stay int/float (200,000 rows × 4 figures of Decimal cost a second);
    the database column is a decimal."""
    if value is None:
        return None
    kind = type(value)
    if kind is int:
        number: int | float | Decimal = value
    elif kind is float:
        number = round(value, 2)
    elif kind is bool:
        raise ValueError(value)
    else:
        text = normalise(value).replace(",", "")
        if text in ("", "-", "—", "--", "/"):
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(value) from exc
        if not number.is_finite() or not -MAX_FIGURE < number < MAX_FIGURE:
            raise ValueError(value)
        number = number.quantize(CENT)
    if not -MAX_FIGURE < number < MAX_FIGURE:
        raise ValueError(value)
    return number


def month_period(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def find_period(texts: list[str]) -> tuple[datetime.date, datetime.date] | None:
    """The period named in title rows or a file name: a date range, else a month."""
    for text in texts:
        normal = unicodedata.normalize("NFKC", text)
        match = RANGE_RE.search(normal)
        if match:
            numbers = [int(part) for part in match.groups()]
            try:
                start = datetime.date(numbers[0], numbers[1], numbers[2])
                end = datetime.date(numbers[3], numbers[4], numbers[5])
            except ValueError:
                continue
            if start <= end:
                return start, end
    for text in texts:
        normal = unicodedata.normalize("NFKC", text)
        for pattern in (MONTH_RE, FILE_MONTH_RE):
            match = pattern.search(normal)
            if match and 1 <= int(match.group(2)) <= 12:
                return month_period(int(match.group(1)), int(match.group(2)))
    return None


# --- Reading rows from the three formats ---------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[tuple]:
    """The first sheet of an .xlsx, by the one reader every import uses (`lib.xlsx.sheet_rows`,
    python-calamine): the whole 200,000-row export in about the time calamine needs to read it."""
    rows = sheet_rows(data)
    try:
        first = next(rows, None)
    except Exception as exc:  # calamine raises several kinds of errors for a broken workbook
        raise ExportError(_("无法读取该 Excel 文件，请确认文件未损坏。")) from exc
    if first is None:
        return
    yield first
    yield from rows


def _xls_rows(data: bytes) -> Iterator[tuple]:
    try:
        import xlrd
    except ImportError as exc:  # xlrd is a dependency; a server installed without it says so
        raise ExportError(
            _("服务器未安装 .xls 读取组件（xlrd），请将文件另存为 .xlsx 或 .csv 后上传。")
        ) from exc
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise ExportError(_("无法读取该 .xls 文件，请确认文件未损坏。")) from exc
    sheet = book.sheet_by_index(0)
    if sheet.nrows > settings.IMPORT_MAX_ROWS:
        raise _too_many_rows(sheet.nrows)
    for index in range(sheet.nrows):
        yield tuple(sheet.row_values(index))


def _too_many_rows(rows: int) -> ValidationError:
    return ValidationError(
        _("工作表声明了 %(rows)s 行，超过上限 %(max)s 行，已拒绝。")
        % {"rows": f"{rows:,}", "max": f"{settings.IMPORT_MAX_ROWS:,}"},
        code="too_many_rows",
    )


def _limited(rows: Iterator[tuple]) -> Iterator[tuple]:
    """The rows, refused as soon as there are more than an import takes (counted as they
    stream, so the reader never goes further)."""
    limit = settings.IMPORT_MAX_ROWS
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise ValidationError(
                _("文件超过 %(max)s 行的导入上限，已拒绝，请分批导入。") % {"max": f"{limit:,}"},
                code="too_many_rows",
            )
        yield row


def decode_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ExportError(_("无法识别 CSV 文件的编码，请以 UTF-8 或 GBK 编码保存后上传。")) from exc


def _csv_rows(data: bytes) -> Iterator[tuple]:
    text = decode_text(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        yield tuple(row)


OTHER_OFFICE_KINDS = {"docx": "Word 文档", "pptx": "PowerPoint 演示文稿"}


def read_cells(data: bytes, filename: str) -> Iterator[tuple]:
    """The first sheet's rows as tuples of cell values, by the file's content and name.

    Raises ValidationError at once for a file refused before reading (zip bomb, too many rows
    declared, an Office file that is not a workbook); the rows raise it when they pass the row
    limit."""
    suffix = PurePath(filename).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        kind = inspect_office_file(data).kind
        if kind in OTHER_OFFICE_KINDS:
            raise ValidationError(
                _("文件“%(name)s”的内容是 %(kind)s，不是 Excel 工作簿，未导入。")
                % {"name": filename, "kind": OTHER_OFFICE_KINDS[kind]},
                code="not_workbook",
            )
        return _limited(_xlsx_rows(data))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _limited(_xls_rows(data))
    if suffix in (".csv", ".txt") or suffix == "":
        return _limited(_csv_rows(data))
    raise ExportError(_("仅支持 .xlsx、.xls 或 .csv 格式的导出文件。"))


# --- Finding the header, mapping columns, reading rows -------------------------------------------


def _score(row: tuple) -> int:
    return sum(1 for cell in row if guess_field(cell) != Field.IGNORE)


def _headings(rows: list[tuple], index: int) -> list[str]:
    """The header row's headings; where a cell is empty (merged down from the row above, as in a
    two-row header), the heading above it."""
    row = rows[index]
    above = rows[index - 1] if index > 0 else ()
    headings = []
    for column, cell in enumerate(row):
        text = normalise(cell)
        if not text and column < len(above):
            text = normalise(above[column])
        headings.append(text)
    return headings


def _title(rows: list[tuple], header_index: int) -> str:
    for row in rows[:header_index]:
        texts = [normalise(cell) for cell in row if normalise(cell)]
        if texts:
            return " ".join(str(cell).strip() for cell in row if cell not in (None, ""))[:200]
    return ""


def resolve_mapping(headings: list[str], remembered: dict[str, str] | None) -> dict[str, str]:
    """heading → field for every non-empty heading: the remembered choice first, else by name.
    A field is taken by its first column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for heading in headings:
        if not heading or heading in mapping:
            continue
        choice = (remembered or {}).get(heading) or guess_field(heading)
        if choice not in Field.values:
            choice = Field.IGNORE
        if choice != Field.IGNORE and choice in taken:
            choice = Field.IGNORE
        taken.add(choice)
        mapping[heading] = choice
    return mapping


def parse_export(
    data: bytes, filename: str, *, mapping: dict[str, str] | None = None, override: bool = False
) -> ParsedExport:
    """Read an export: header found below any title rows, columns mapped (`mapping` as remembered
    for the platform, or with `override` exactly as the user set it in the preview), the period
    from the title or the file name, every row's numbers checked.

    Raises ExportError when the file as a whole is unusable, ValidationError when it is
    refused as hostile or too large (see `read_cells`); row errors are in `.errors`.
    """
    cells = read_cells(data, filename)
    head: list[tuple] = []
    for row in cells:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        raise ExportError(_("文件是空的。"))
    scores = [_score(row) for row in head]
    best = max(range(len(head)), key=lambda index: scores[index])
    if scores[best] < 2:
        raise ExportError(
            _("在文件前 %(n)d 行中找不到表头（应含“姓名”及积分或学时等列）。")
            % {"n": HEADER_SCAN_ROWS}
        )
    headings = _headings(head, best)
    if override and mapping is not None:
        resolved: dict[str, str] = {
            h: (mapping[h] if mapping.get(h) in Field.values else Field.IGNORE)
            for h in headings
            if h
        }
    else:
        resolved = resolve_mapping(headings, mapping)
    title = _title(head, best)
    texts = [
        " ".join(str(cell) for cell in row if cell not in (None, "")) for row in head[:best]
    ] + [PurePath(filename).stem]
    parsed = ParsedExport(
        headings=headings,
        header_row=best + 1,
        mapping=resolved,
        title=title,
        period=find_period(texts),
    )
    _check_mapping(parsed)
    if parsed.errors:
        return parsed
    _read_rows(parsed, head[best + 1 :], cells, first_number=best + 2)
    if not parsed.rows and not parsed.errors:
        raise ExportError(_("文件中没有数据行。"))
    return parsed


def _check_mapping(parsed: ParsedExport) -> None:
    fields = [f for f in parsed.mapping.values() if f != Field.IGNORE]
    duplicated = {f for f in fields if fields.count(f) > 1}
    for name in sorted(duplicated):
        parsed.errors.append(
            RowError(
                parsed.header_row,
                str(Field(name).label),
                _("有多列对应到“%(field)s”，请只保留一列。") % {"field": Field(name).label},
            )
        )
    if Field.NAME not in fields:
        parsed.errors.append(
            RowError(parsed.header_row, "", _("没有对应到“姓名”的列，请在列对应中指定。"))
        )
    if not any(f in NUMBER_FIELDS for f in fields):
        parsed.errors.append(
            RowError(parsed.header_row, "", _("没有积分或学时列，请在列对应中至少指定一列数值。"))
        )


def _read_rows(
    parsed: ParsedExport, buffered: list[tuple], rest: Iterator[tuple], *, first_number: int
) -> None:
    columns: dict[str, int] = {}
    for index, heading in enumerate(parsed.headings):
        chosen = parsed.mapping.get(heading, Field.IGNORE)
        if heading and chosen != Field.IGNORE and chosen not in columns:
            columns[chosen] = index
    name_at = columns[Field.NAME]
    org_at = columns.get(Field.ORG)
    phone_at = columns.get(Field.PHONE)
    numbers_at = [(f, columns[f]) for f in NUMBER_FIELDS if f in columns]
    labels = {f: _label_of(parsed, index) for f, index in numbers_at}
    width = max(columns.values()) + 1
    rows, errors = parsed.rows, parsed.errors
    organisations: dict[Any, str] = {}  # a few thousand names repeated over 200,000 rows

    for number, raw in enumerate(itertools.chain(buffered, rest), start=first_number):
        row = tuple(raw) + ("",) * (width - len(raw)) if len(raw) < width else raw
        name = normalise(row[name_at])
        if not name and all(cell in (None, "") for cell in row):
            parsed.ignored += 1
            continue
        if name[:2] in TOTAL_WORDS or (not name and _is_total_row(row)):
            parsed.ignored += 1
            continue
        numbers: dict[str, int | float | Decimal | None] = {}
        for key, index in numbers_at:
            cell = row[index]
            if type(cell) is int and 0 <= cell < MAX_FIGURE:  # most figures: nothing to check
                numbers[key] = cell
                continue
            try:
                numbers[key] = parse_number(cell)
            except ValueError:
                if len(errors) < MAX_ERRORS:
                    errors.append(
                        RowError(
                            number,
                            labels[key],
                            _("“%(value)s”不是数字（或超出范围）。")
                            % {"value": str(row[index])[:30]},
                        )
                    )
                numbers[key] = None
            else:
                figure = numbers[key]
                if figure is not None and figure < 0:
                    errors.append(RowError(number, labels[key], _("数值不能为负数。")))
        if not name:
            if any(value is not None for value in numbers.values()):
                errors.append(RowError(number, _("姓名"), _("有数值但没有姓名。")))
            else:
                parsed.ignored += 1  # a note under the table, such as "制表人："
            continue
        if len(name) > 50:
            parsed.ignored += 1  # a remark line under the table, not a person
            continue
        org_name = ""
        if org_at is not None:
            cell = row[org_at]
            org_name = organisations.get(cell, "")
            if not org_name and cell:
                org_name = organisations[cell] = normalise(cell)[:200]
        rows.append(
            ExportRow(
                row_number=number,
                name=name,
                org_name=org_name,
                phone=normalise(row[phone_at])[:20] if phone_at is not None else "",
                numbers=numbers,
            )
        )


def _is_total_row(row: tuple) -> bool:
    return any(TOTAL_ROW.match(normalise(cell)) for cell in row[:3])


def _label_of(parsed: ParsedExport, index: int) -> str:
    return parsed.headings[index] or str(index + 1)
