"""The import templates' example row (issue 11): it is marked as an example (grey, with a note
beside it) and an import skips it while it is unchanged, so a template uploaded as downloaded
fails on nothing and creates nothing, and rows filled in below the example import as usual."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.accounts.models import User
from luoshi.audit.models import AuditEvent
from luoshi.org import imports
from luoshi.org.models import Unit

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "unit": ("org:unit-import-template", "org:unit-import"),
    "person": ("org:person-import-template", "org:person-import"),
}


def _template(client, kind: str) -> bytes:
    response = client.get(reverse(TEMPLATES[kind][0]))
    assert response.status_code == 200
    return response.content


def _upload(client, kind: str, data: bytes):
    file = SimpleUploadedFile("模板.xlsx", data, content_type="application/octet-stream")
    return client.post(reverse(TEMPLATES[kind][1]), {"file": file}, follow=True)


def _with_rows(data: bytes, *rows) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_template_uploaded_unchanged_imports_nothing_and_fails_on_nothing(world, client_for, kind):
    client = client_for(world.sysadmin)
    units, people = Unit.objects.count(), User.objects.count()
    response = _upload(client, kind, _template(client, kind))
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse(TEMPLATES[kind][1])
    assert not response.context.get("errors")
    assert any("示例行（第 2 行）" in message for message in _messages(response))
    assert (Unit.objects.count(), User.objects.count()) == (units, people)
    assert not User.objects.filter(username="zhangsan").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_the_example_row_says_it_is_one(world, client_for):
    client = client_for(world.sysadmin)
    for kind in TEMPLATES:
        sheet = load_workbook(io.BytesIO(_template(client, kind))).active
        headers = [cell.value for cell in sheet[1] if cell.value]
        note = sheet.cell(row=2, column=len(headers) + 1).value
        assert note and "示例行" in note
        assert sheet.cell(row=2, column=1).font.italic


def test_rows_below_the_example_import_and_the_example_is_skipped(world, client_for):
    client = client_for(world.sysadmin)
    data = _with_rows(_template(client, "unit"), ["市图书馆", "茫崖市", "部门", "", 1])
    response = _upload(client, "unit", data)
    assert response.redirect_chain[-1][0] == reverse("org:unit-list")
    assert Unit.objects.filter(name="市图书馆", parent=world.city).exists()
    assert Unit.objects.filter(name="市文体旅游广电局").count() == 1
    assert any("示例行（第 2 行）已跳过" in message for message in _messages(response))

    data = _with_rows(
        _template(client, "person"), ["王五", "wangwu", "市文体旅游广电局", "", "", ""]
    )
    _upload(client, "person", data)
    assert User.objects.filter(username="wangwu").exists()
    assert not User.objects.filter(username="zhangsan").exists()


def test_an_edited_example_row_is_data(world):
    """Only the example unchanged is skipped: a row that differs in one cell is the user's."""
    rows, errors, examples = imports.parse_units(
        _edited(lambda sheet: sheet.cell(2, 1, "市图书馆"))
    )
    assert (errors, examples) == ([], [])
    assert [row.name for row in rows] == ["市图书馆"]


def test_a_file_of_headers_only_is_still_refused(world):
    rows, errors, examples = imports.parse_units(_edited(lambda sheet: sheet.delete_rows(2)))
    assert rows == [] and examples == [] and [e.message for e in errors] == ["文件中没有数据行。"]


def _edited(change) -> bytes:
    workbook = load_workbook(io.BytesIO(imports.unit_template()))
    change(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
