"""An activity type's import template uploaded as downloaded (issue 11): its example row — a
placeholder unit, so importing it could only fail — is skipped; nothing is created, no error."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.ledgers.models import Activity

pytestmark = pytest.mark.django_db


def _template(client, activity_type) -> bytes:
    response = client.get(reverse("ledgers:type-template", args=[activity_type.pk]))
    assert response.status_code == 200
    return response.content


def _post(client, activity_type, data: bytes):
    file = SimpleUploadedFile("台账.xlsx", data, content_type="application/octet-stream")
    return client.post(
        reverse("ledgers:activity-import"), {"type": activity_type.pk, "file": file}, follow=True
    )


@pytest.mark.parametrize("fixture", ["lecture", "meeting"])
def test_template_uploaded_unchanged_creates_nothing_and_fails_on_nothing(
    world, client_for, request, fixture
):
    activity_type = request.getfixturevalue(fixture)
    client = client_for(world.liaison)
    response = _post(client, activity_type, _template(client, activity_type))
    assert response.status_code == 200
    result = response.context.get("result")
    assert result is None or not result.errors
    messages = [str(message) for message in response.context["messages"]]
    assert any("示例行（第 2 行）" in message for message in messages), messages
    assert not Activity.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_a_row_below_the_example_imports(world, client_for, lecture):
    client = client_for(world.liaison)
    workbook = load_workbook(io.BytesIO(_template(client, lecture)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1] if cell.value]
    row = {
        "活动名称": "挎包宣讲进社区",
        "组织单位": "市文体旅游广电局",
        "开始时间": "2026-03-02 09:00",
        "地点": "花土沟社区",
        "场所类别": "社区",
        "宣讲主题": "二十大精神",
    }
    sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _post(client, lecture, buffer.getvalue())
    assert Activity.objects.get().title == "挎包宣讲进社区"
    messages = [str(message) for message in response.context["messages"]]
    assert any("已导入 1 条" in m and "示例行（第 2 行）已跳过" in m for m in messages), messages
