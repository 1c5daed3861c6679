"""Hostile Office files, built in memory for the tests and the hardening bench (no binary
fixtures in the repository): a workbook whose last row is numbered 50,000,000, a workbook whose
shared strings inflate to hundreds of megabytes, a zip of too many members, a Word file named
.xlsx."""

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook

WORKSHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(
    data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in replace:
                target.writestr(item.filename, replace[item.filename])
            else:
                target.writestr(item, source.read(item.filename))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def row_gap_xlsx(last_row: int = 50_000_000, headings: list[str] | None = None) -> bytes:
    """A header row, one data row, then one row numbered `last_row` (Excel stops at 1,048,576;
    a crafted file does not). About 2 KB."""
    headings = headings or ["姓名", "所在支部", "本月积分"]
    data = _workbook([headings, ["张三", "一支部", 10], ["x"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(WORKSHEET)
    last_column = chr(64 + len(headings))
    sheet = sheet.replace(b'<row r="3"', f'<row r="{last_row}"'.encode())
    sheet = sheet.replace(b'r="A3"', f'r="A{last_row}"'.encode())
    sheet = sheet.replace(
        f'ref="A1:{last_column}3"'.encode(), f'ref="A1:{last_column}{last_row}"'.encode()
    )
    return _rewrite(data, {WORKSHEET: sheet})


def shared_strings_bomb(inflated_mb: int = 400) -> bytes:
    """A real workbook whose sharedStrings.xml inflates to `inflated_mb` MB (one long string,
    compressed about 1,000 to 1: 400 MB is a file of about 400 KB)."""
    data = _workbook([["姓名", "本月积分"], ["张三", 10]])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename != SHARED_STRINGS:
                target.writestr(item, source.read(item.filename))
        with target.open(SHARED_STRINGS, "w", force_zip64=True) as handle:
            handle.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            handle.write(b"<si><t>")
            block = b"a" * (1 << 20)
            for _ in range(inflated_mb):
                handle.write(block)
            handle.write(b"</t></si></sst>")
    return out.getvalue()


def many_members_xlsx(members: int = 20_000) -> bytes:
    """A real workbook padded with `members` tiny extra parts."""
    data = _workbook([["姓名", "本月积分"], ["张三", 10]])
    return _rewrite(data, {}, {f"xl/media/pad{n}.xml": b"<x/>" for n in range(members)})


def renamed_docx() -> bytes:
    """A (minimal) Word document, to be uploaded under an .xlsx name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr(
            "word/document.xml",
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>\xe5\xa7\x93\xe5\x90\x8d</w:t></w:r></w:p></w:body>"
            b"</w:document>",
        )
    return out.getvalue()
