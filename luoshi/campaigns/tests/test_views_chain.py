"""The responsibility chain through the task page, move by move, asserting the database."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from luoshi.campaigns.models import ProgressReport, Task, TaskEvent, TaskState
from luoshi.files.models import Attachment
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


def png_upload(name="photo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def url(name, pk):
    return reverse(f"campaigns:{name}", args=[pk])


def test_whole_chain_by_page(world, client_for):
    office = client_for(world.office)
    campaign = world.campaign
    track = campaign.tracks.first()
    response = office.post(
        reverse("campaigns:task-create", args=[campaign.pk]),
        {
            "track": track.pk,
            "title": "开展“晨读+分享”",
            "description": "每周一次",
            "expected_evidence": "签到表、照片",
            "priority": 1,
            "kind": "campaign",
            "deadline_mode": "workdays",
            "deadline_working_days": 20,
            "milestones": "",
        },
    )
    plan = Task.objects.get(title="开展“晨读+分享”", parent__isnull=True)
    assert response.status_code == 302 and response.url == url("task-detail", plan.pk)
    assert plan.deadline is None and plan.deadline_working_days == 20

    response = office.post(
        url("task-issue", plan.pk), {"units": [world.unit_a.pk, world.unit_b.pk]}
    )
    assert response.status_code == 302
    children = {child.unit_id: child for child in plan.children.all()}
    assert set(children) == {world.unit_a.pk, world.unit_b.pk}
    task = children[world.unit_a.pk]
    assert task.state == TaskState.ISSUED and task.deadline is not None

    liaison = client_for(world.liaison)
    page = liaison.get(url("task-detail", task.pk))
    assert page.status_code == 200 and "签收" in page.content.decode()
    assert liaison.post(url("task-sign", task.pk), {"note": "收到"}).status_code == 302
    response = liaison.post(url("task-assign", task.pk), {"owner": world.staff.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.owner == world.staff

    staff = client_for(world.staff)
    response = staff.post(
        url("task-report", task.pk),
        {"percent": 60, "text": "已开展三次", "files": [png_upload()], "links": ""},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=task)
    assert report.attachments.count() == 1
    attachment = report.attachments.get()
    assert attachment.is_image
    page = staff.get(url("task-detail", task.pk)).content.decode()
    assert reverse("files:download", args=[attachment.pk]) in page
    assert staff.get(reverse("files:download", args=[attachment.pk])).status_code == 200

    response = staff.post(
        url("task-report", task.pk),
        {"percent": 100, "text": "全部完成", "complete": "on", "links": "台账 /ledgers/1/"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED

    response = office.post(
        url("task-verify", task.pk), {"decision": "return", "reason": "缺签到表"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.returned_count == 1

    staff.post(
        url("task-report", task.pk), {"percent": 100, "text": "补充签到表", "complete": "on"}
    )
    response = office.post(url("task-verify", task.pk), {"decision": "pass", "quality": "good"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.VERIFIED and task.quality == "good" and task.score is not None

    assert office.post(url("task-close", task.pk), {"note": ""}).status_code == 302
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED

    page = office.get(url("task-detail", task.pk)).content.decode()
    actions = list(task.events.values_list("action", flat=True))
    assert actions == [
        "issue",
        "sign",
        "assign",
        "report",
        "submit",
        "return",
        "submit",
        "verify",
        "close",
    ]
    timeline = page[page.index('id="timeline"') :]
    timeline = timeline[: timeline.index("</ul>")]
    assert re.findall(r'<li class="tl-(\w+)"', timeline) == actions
    for action in actions:
        assert f"<strong>{TaskEvent.Action(action).label}</strong>" in timeline
    assert "缺签到表" in page and "李晓梅" in page and "待复核 → 办理中" in page

    plan_page = office.get(url("task-detail", plan.pk)).content.decode()
    assert "市文体旅游广电局" in plan_page and "冷湖镇" in plan_page
    plan.refresh_from_db()
    assert plan.progress == 50


def test_issue_to_all_departments_under_a_parent(world, client_for):
    plan = issued_task(world, units=[world.unit_b])[0].parent
    office = client_for(world.office)
    page = office.get(url("task-issue", plan.pk)).content.decode()
    assert f'name="under" value="{world.city.pk}"' in page
    response = office.post(url("task-issue", plan.pk), {"under": [world.city.pk]})
    assert response.status_code == 302
    units = set(plan.children.values_list("unit_id", flat=True))
    assert {world.office_unit.pk, world.unit_a.pk, world.unit_b.pk} <= units
    assert world.section_a.pk not in units  # only direct sub-units
    assert plan.children.filter(unit=world.unit_b).count() == 1


def test_decompose_notice_reply_remind_comment(world, client_for):
    task = issued_task(world)[0]
    liaison, office = client_for(world.liaison), client_for(world.office)
    liaison.post(url("task-sign", task.pk), {})
    response = liaison.post(
        url("task-decompose", task.pk),
        {
            "sub-TOTAL_FORMS": 3,
            "sub-INITIAL_FORMS": 0,
            "sub-0-title": "收集签到表",
            "sub-0-owner": world.staff.pk,
            "sub-1-title": "拍摄照片",
            "sub-1-owner": world.staff2.pk,
            "sub-2-title": "",
        },
    )
    assert response.status_code == 302
    assert task.children.count() == 2
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS

    response = office.post(
        url("notice-create", task.pk), {"content": "请加快进度", "reply_deadline": "2099-01-01"}
    )
    assert response.status_code == 302
    notice = task.notices.get()
    assert notice.number.startswith("茫宣督")
    response = liaison.post(url("notice-reply", notice.pk), {"reply": "本周内完成"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.state == "replied"

    assert office.post(url("task-remind", task.pk), {"note": "请抓紧"}).status_code == 302
    leader = client_for(world.leader)
    assert leader.post(url("task-comment", task.pk), {"text": "务必按时完成"}).status_code == 302
    assert set(task.events.values_list("action", flat=True)) >= {
        "decompose",
        "supervise",
        "reply",
        "remind",
        "comment",
    }
    page = leader.get(url("task-detail", task.pk)).content.decode()
    assert "务必按时完成" in page and "本周内完成" in page and "收集签到表" in page


def test_accountability_on_returned_task(world, client_for):
    from luoshi.campaigns import services as chain
    from luoshi.campaigns.models import AccountabilityKind

    task = issued_task(world)[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=False, reason="材料不全")
    kind = AccountabilityKind.objects.filter(is_active=True).first()
    office = client_for(world.office)
    response = office.post(
        url("accountability-create", task.pk),
        {
            "kind": kind.pk,
            "target_unit": "on",
            "person": world.staff.pk,
            "reason": "材料弄虚作假",
            "document_number": "茫宣发〔2026〕1号",
        },
    )
    assert response.status_code == 302
    action = task.accountability_actions.get()
    assert action.unit == world.unit_a and action.person == world.staff
    page = office.get(url("task-detail", task.pk)).content.decode()
    assert "材料弄虚作假" in page and kind.name in page


def test_disallowed_upload_is_refused_and_nothing_saved(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = issued_task(world)[0]
    from luoshi.campaigns import services as chain

    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    fake = SimpleUploadedFile(
        "photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    )
    staff = client_for(world.staff)
    response = staff.post(
        url("task-report", task.pk), {"percent": 30, "text": "进展", "files": [fake]}
    )
    assert response.status_code == 400
    assert (
        "不允许上传此类文件" in response.content.decode() or "无法识别" in response.content.decode()
    )
    assert ProgressReport.objects.count() == 0
    assert Attachment.objects.count() == 0
    task.refresh_from_db()
    assert task.progress == 0
    assert not task.events.filter(action="report").exists()


def _queries_for(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_task_page_queries_do_not_grow_with_its_records(world, client_for):
    from luoshi.campaigns import services as chain

    tasks = issued_task(world, units=[world.unit_a, world.unit_b])
    task = tasks[0]
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)

    def add_records():
        chain.report_progress(
            actor=world.staff, task=task, percent=10, text="进展", files=[png_upload()]
        )
        chain.issue_notice(actor=world.office, task=task, content="请加快")
        chain.decompose_task(
            actor=world.liaison,
            task=task,
            items=[chain.SubTaskSpec(title="子任务", owner=world.staff2)],
        )

    add_records()
    office = client_for(world.office)
    path = url("task-detail", task.pk)
    plan_path = url("task-detail", task.parent_id)
    few, plan_few = _queries_for(office, path), _queries_for(office, plan_path)
    for _ in range(3):
        add_records()
    assert _queries_for(office, path) == few
    assert _queries_for(office, plan_path) == plan_few


def test_accountability_document_of_a_disallowed_type_is_refused(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from luoshi.campaigns.models import AccountabilityAction, AccountabilityKind

    task = issued_task(world)[0]
    Task.objects.filter(pk=task.pk).update(warning="red")
    kind = AccountabilityKind.objects.filter(is_active=True).first()
    fake = SimpleUploadedFile("决定.pdf", b"MZ\x90\x00" + b"\x00" * 300)
    response = client_for(world.office).post(
        url("accountability-create", task.pk),
        {"kind": kind.pk, "target_unit": "on", "reason": "逾期", "document": fake},
    )
    assert response.status_code == 400
    assert "不允许上传此类文件" in response.content.decode()
    assert not AccountabilityAction.objects.exists() and not Attachment.objects.exists()
    assert not TaskEvent.objects.filter(task=task, action="accountability").exists()


def test_task_page_shows_the_computed_warning_and_its_reasons(world, client_for):
    task = issued_task(world, days=2)[0]
    assert task.warning == "blue"  # computed by the issue, not by the daily job
    page = client_for(world.liaison).get(url("task-detail", task.pk)).content.decode()
    assert 'class="badge warning-blue"' in page and "距完成时限还有" in page
    Task.objects.filter(pk=task.pk).update(returned_count=1)
    page = client_for(world.liaison).get(url("task-detail", task.pk)).content.decode()
    assert 'class="badge warning-yellow"' in page and "复核退回 1 次" in page


def test_htmx_action_with_errors_is_swapped_in(world, client_for):
    task = issued_task(world)[0]
    client = client_for(world.office)
    path = url("task-withdraw", task.pk)
    assert client.post(path, {"reason": ""}).status_code == 400
    response = client.post(path, {"reason": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    page = client.get(url("task-detail", task.pk)).content.decode()
    assert 'hx-boost="true"' in page
    task.refresh_from_db()
    assert task.state == TaskState.ISSUED
