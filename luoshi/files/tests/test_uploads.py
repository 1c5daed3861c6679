"""Uploads: size limit, type by content, images re-encoded without EXIF/GPS, permission-checked download."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from luoshi.campaigns import services as chain
from luoshi.files.models import Attachment
from luoshi.files.services import store_upload
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (36.0, 30.0, 0.0), 3: "E", 4: (90.0, 50.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_image_is_reencoded_without_gps(world):
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)
    attachment = store_upload(actor=world.staff, upload=SimpleUploadedFile("现场.jpg", data))
    stored = Image.open(attachment.file.open("rb"))
    assert stored.size == (40, 30)
    assert not stored.getexif()
    assert attachment.content_type_name == "image/jpeg" and attachment.original_name == "现场.jpg"


def test_type_is_decided_by_content_not_name(world):
    fake = SimpleUploadedFile("照片.png", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError, match="类型无法识别|不允许"):
        store_upload(actor=world.staff, upload=fake)
    pdf_as_docx = SimpleUploadedFile("方案.docx", b"%PDF-1.4\n%...\n")
    assert store_upload(actor=world.staff, upload=pdf_as_docx).extension == "pdf"
    assert Attachment.objects.count() == 1


def test_size_limit(world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="大小限制"):
        store_upload(
            actor=world.staff, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4" + b"0" * 200)
        )


def test_download_only_for_those_who_see_the_task(world, client_for):
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    upload = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n")
    report = chain.report_progress(
        actor=world.staff, task=task, percent=30, text="已开展", files=[upload]
    )
    attachment = Attachment.objects.get(owner_id=report.pk)
    url = f"/files/{attachment.pk}/"
    assert client_for(world.staff).get(url).status_code == 200
    assert client_for(world.office).get(url).status_code == 200
    assert client_for(world.outsider).get(url).status_code == 404
    assert client_for(world.staff2).get(url).status_code == 404
