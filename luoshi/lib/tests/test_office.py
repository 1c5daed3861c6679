"""Office files are inspected before any parser sees them: zip bombs, huge row gaps and files
whose name lies about their type are caught by what the zip holds."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from luoshi.lib.office import Limits, inspect_office_file
from luoshi.lib.xlsx import build_workbook

LIMITS = Limits(unzipped_bytes=200 * 1024 * 1024, members=10_000, ratio=100, rows=500_000)


def _sheet_with_row_gap(last_row: int) -> bytes:
    """A real workbook (openpyxl) with a header, one data row and then one row numbered
    `last_row`, renumbered in the sheet's XML (Excel itself stops at 1,048,576; a crafted file
    does not)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "积分"])
    sheet.append(["张三", 10])
    sheet.append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'r="3"', f'r="{last_row}"'.encode())
                content = content.replace(b'r="A3"', f'r="A{last_row}"'.encode())
                content = content.replace(b'ref="A1:B3"', f'ref="A1:B{last_row}"'.encode())
            target.writestr(item, content)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_ordinary_export_passes_and_is_known_by_content():
    content = build_workbook(title="名单", headers=["姓名"], rows=[["张三"]] * 10)
    inspection = inspect_office_file(content, LIMITS)
    assert inspection.kind == "xlsx"
    assert inspection.rows == 13


def test_a_fifty_million_row_gap_is_refused_before_parsing():
    data = _sheet_with_row_gap(50_000_000)
    assert len(data) < 10_000
    with pytest.raises(ValidationError) as caught:
        inspect_office_file(data, LIMITS)
    assert caught.value.code == "too_many_rows"
    assert caught.value.messages[0] == "工作表声明了 50,000,000 行，超过上限 500,000 行，已拒绝。"


def test_a_row_within_the_limit_passes():
    assert inspect_office_file(_sheet_with_row_gap(400_000), LIMITS).rows == 400_000


def test_a_zip_bomb_is_refused_by_ratio_and_by_size():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": b"a" * (50 << 20)})
    assert len(bomb) < 200_000
    with pytest.raises(ValidationError) as caught:
        inspect_office_file(bomb, LIMITS)
    assert caught.value.code == "zip_ratio"
    small = Limits(unzipped_bytes=10 << 20, members=10_000, ratio=10_000, rows=500_000)
    with pytest.raises(ValidationError) as caught:
        inspect_office_file(bomb, small)
    assert caught.value.code == "zip_size"


def test_too_many_members_are_refused():
    many = _zip({f"part{n}.xml": b"<x/>" for n in range(30)})
    few = Limits(unzipped_bytes=200 << 20, members=20, ratio=100, rows=500_000)
    with pytest.raises(ValidationError) as caught:
        inspect_office_file(many, few)
    assert caught.value.code == "zip_members"


def test_the_type_comes_from_the_content_not_the_name():
    # An .xlsx renamed report.docx is still a workbook; a zip that is no Office file has no kind.
    assert inspect_office_file(_sheet_with_row_gap(3), LIMITS).kind == "xlsx"
    assert inspect_office_file(_zip({"readme.txt": b"hello"}), LIMITS).kind is None
    assert inspect_office_file(b"not a zip at all", LIMITS).kind is None


def test_an_entity_bomb_in_content_types_is_not_expanded():
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Types>&b;</Types>'
    )
    assert inspect_office_file(_zip({"[Content_Types].xml": lol}), LIMITS).kind is None
