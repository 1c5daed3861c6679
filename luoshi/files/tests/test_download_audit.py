"""Every download of an attachment, from the page or the API, leaves one audit row: who, which
file, and the record it belongs to. A refused download leaves none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.files.models import Attachment
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(world) -> Attachment:
    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    upload = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4\n%%EOF\n")
    report = chain.report_progress(
        actor=world.staff, task=task, percent=30, text="已开展", files=[upload]
    )
    return Attachment.objects.get(owner_id=report.pk)


def _downloads():
    return AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD)


def _assert_one_row(world, attachment, channel):
    event = _downloads().get()
    assert event.actor == world.office
    assert event.object_type == "files.attachment"
    assert event.object_id == str(attachment.pk)
    assert event.object_repr == "签到表.pdf"
    assert f"进度报告 #{attachment.owner_id}" in event.note
    assert f"途径：{channel}" in event.note


def test_page_download_is_audited(world, client_for, attachment):
    response = client_for(world.office).get(f"/files/{attachment.pk}/")
    assert response.status_code == 200
    _assert_one_row(world, attachment, "页面")


def test_api_download_is_audited(world, token_api, attachment):
    response = token_api(world.office).get(f"/files/{attachment.pk}")
    assert response.status_code == 200
    _assert_one_row(world, attachment, "API")


def test_refused_download_is_not_recorded_as_a_download(world, client_for, token_api, attachment):
    assert client_for(world.outsider).get(f"/files/{attachment.pk}/").status_code == 404
    assert token_api(world.outsider).get(f"/files/{attachment.pk}").status_code == 404
    assert not _downloads().exists()
