"""The printable 督办单: a Word document in 公文 form, from the task page and the API, for whoever
sees the notice (404 for the outsider), with the same dates as the notification."""

import io
import re

import pytest
from django.utils import timezone
from docx import Document

from luoshi.accounts.models import Notification
from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.lib.tests.docx_checks import check_official_document

from .conftest import task_in_state

pytestmark = pytest.mark.django_db

CONTENT = "佐证材料未按时上传，请补报并说明原因。"


def chinese(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_notice_prints_in_official_form_from_the_task_page(world, client_for):
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content=CONTENT)
    liaison = client_for(world.liaison)
    page = liaison.get(f"/tasks/{task.pk}/").content.decode()
    url = f"/notices/{notice.pk}/document.docx"
    assert f'href="{url}"' in page  # the download button beside the notice
    response = liaison.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "attachment;" in response["Content-Disposition"]
    issuer = world.campaign.office_unit.name
    document = check_official_document(response.content, author=issuer, title="督办单", tables=1)
    texts = [p.text for p in document.paragraphs if p.text]
    assert texts[0] == issuer  # 版头: the office, then the notice's number over the red line
    assert texts[1] == notice.number
    assert f"{task.unit.name}：" in texts
    assert CONTENT in texts
    # the closing: the office and the day of issue
    assert texts[-2:] == [issuer, chinese(timezone.localdate(notice.issued_at))]
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["任务名称"] == task.title
    assert rows["责任单位"] == task.unit.name
    assert rows["回复时限"] == chinese(notice.reply_deadline)
    assert rows["回复情况"] == "待回复"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD, verb="download_notice", actor=world.liaison
    ).exists()


def test_the_dates_are_the_notifications(world, client_for):
    """The reply deadline printed is the one the notification asks for."""
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content=CONTENT)
    message = Notification.objects.filter(title__contains=notice.number).first()
    asked = re.search(r"请于 ?(\d{4})-(\d{2})-(\d{2}) ?前回复", message.body)
    year, month, day = (int(part) for part in asked.groups())
    response = client_for(world.liaison).get(f"/notices/{notice.pk}/document.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert f"请于{year}年{month}月{day}日前将办理情况通过平台回复" in text


def test_the_reply_is_printed_once_given(world, client_for, api_for):
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content=CONTENT)
    chain.reply_notice(actor=world.liaison, notice=notice, reply="已补报佐证材料。")
    response = api_for(world.office).get(f"/notices/{notice.pk}/document")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["回复情况"].startswith("已补报佐证材料。")


def test_the_outsider_gets_404(world, client_for, api_for):
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content=CONTENT)
    assert client_for(world.outsider).get(f"/notices/{notice.pk}/document.docx").status_code == 404
    assert api_for(world.outsider).get(f"/notices/{notice.pk}/document").status_code == 404
    assert not AuditEvent.objects.filter(verb="download_notice").exists()


def test_the_notice_is_chinese_in_the_english_interface(world):
    from django.utils import translation

    from luoshi.campaigns.documents import supervision_notice_docx

    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content=CONTENT)
    with translation.override("en"):
        content = supervision_notice_docx(notice)
    texts = [p.text for p in Document(io.BytesIO(content)).paragraphs if p.text]
    assert "督办单" in texts
    assert any(text.startswith("请于") for text in texts)
