"""Office evidence is known by what the zip holds, not by its name, and is checked against zip
bombs; text evidence is only ever downloaded, as plain text with its encoding named."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from luoshi.campaigns import services as chain
from luoshi.files.models import Attachment
from luoshi.files.services import store_upload
from luoshi.lib.xlsx import build_workbook
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("工作方案")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    return build_workbook(title="签到表", headers=["姓名"], rows=[["张三"]])


def test_word_and_excel_are_stored_by_their_content(world):
    word = store_upload(actor=world.staff, upload=SimpleUploadedFile("方案.docx", _docx()))
    assert (word.extension, word.content_type_name) == ("docx", DOCX)
    sheet = store_upload(actor=world.staff, upload=SimpleUploadedFile("签到.et", _xlsx()))
    assert (sheet.extension, sheet.content_type_name) == ("xlsx", XLSX)


def test_a_workbook_named_docx_is_refused_with_what_it_is(world):
    with pytest.raises(ValidationError) as caught:
        store_upload(actor=world.staff, upload=SimpleUploadedFile("report.docx", _xlsx()))
    assert "Excel 工作簿" in caught.value.messages[0] and "扩展名" in caught.value.messages[0]
    assert not Attachment.objects.exists()


def test_a_zip_that_is_no_office_file_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    with pytest.raises(ValidationError, match="不是可识别的 Office 文档"):
        store_upload(actor=world.staff, upload=SimpleUploadedFile("a.docx", buffer.getvalue()))


def test_a_zip_bomb_named_xlsx_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"a" * (30 << 20))
    with pytest.raises(ValidationError, match="压缩比异常"):
        store_upload(actor=world.staff, upload=SimpleUploadedFile("b.xlsx", buffer.getvalue()))


@pytest.mark.parametrize(
    ("content", "charset"),
    [
        ("<script>alert(1)</script>签到".encode(), "utf-8"),
        ("签到名单".encode("gb18030"), "gb18030"),
    ],
)
def test_text_evidence_is_a_plain_text_download(world, client_for, content, charset):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    report = chain.report_progress(
        actor=world.staff,
        task=task,
        percent=30,
        text="已开展",
        files=[SimpleUploadedFile("名单.txt", content)],
    )
    attachment = Attachment.objects.get(owner_id=report.pk)
    response = client_for(world.staff).get(f"/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == f"text/plain; charset={charset}"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
