"""Every move of the chain through the API, asserting the database, the timeline and the audit
log; the optimistic lock on edits (409 with the changes made since); uploads."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from luoshi.accounts.models import Notification
from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import (
    AccountabilityAction,
    AccountabilityKind,
    ProgressReport,
    SupervisionNotice,
    Task,
    TaskEvent,
    TaskState,
)
from luoshi.files.models import Attachment
from luoshi.testing import issued_task

from .conftest import png_upload, task_in_state

pytestmark = pytest.mark.django_db


def _plan(world, **extra) -> Task:
    return chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="组织专题读书班",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        **extra,
    )


def test_create_plan_task(world, api_for):
    track = world.campaign.tracks.get(name="能力大提升")
    response = api_for(world.office).post(
        "/tasks",
        {
            "campaign_id": world.campaign.pk,
            "track_id": track.pk,
            "title": "开展业务培训",
            "description": "每季度一次",
            "priority": 1,
            "deadline_working_days": 10,
        },
    )
    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["id"])
    assert (task.title, task.track, task.priority, task.state) == (
        "开展业务培训",
        track,
        1,
        "draft",
    )
    assert task.deadline_working_days == 10 and task.unit is None
    assert task.events.get().action == TaskEvent.Action.CREATE
    assert AuditEvent.objects.filter(object_type="campaigns.task", object_id=str(task.pk)).exists()


def test_create_task_field_errors_in_chinese(world, api_for):
    office = api_for(world.office)
    response = office.post("/tasks", {"campaign_id": world.campaign.pk, "title": "无时限"})
    assert response.status_code == 422
    assert "完成时限" in response.json()["errors"]["deadline"][0]
    other_track = chain.create_campaign(
        actor=world.office,
        name="另一专项行动",
        office_unit=world.office_unit,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + datetime.timedelta(days=10),
        tracks=["其他"],
    ).tracks.get()
    response = office.post(
        "/tasks",
        {
            "campaign_id": world.campaign.pk,
            "title": "x",
            "track_id": other_track.pk,
            "deadline": "2027-01-01",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"]["track_id"] == ["所选方向不属于该专项行动。"]
    assert not Task.objects.filter(title="x").exists()


def test_issue_to_several_units(world, api_for):
    plan = _plan(world)
    response = api_for(world.office).post(
        f"/tasks/{plan.pk}/issue",
        {"unit_ids": [world.unit_a.pk, world.unit_b.pk], "note": "请落实"},
    )
    assert response.status_code == 201, response.content
    children = Task.objects.filter(parent=plan)
    assert {c.unit for c in children} == {world.unit_a, world.unit_b}
    assert {c["id"] for c in response.json()} == {c.pk for c in children}
    assert all(c.state == TaskState.ISSUED for c in children)
    plan.refresh_from_db()
    assert plan.state == TaskState.ISSUED


def test_issue_refuses_units_outside_scope(world, api_for):
    plan = _plan(world)
    response = api_for(world.office).post(
        f"/tasks/{plan.pk}/issue", {"unit_ids": [world.city.parent_id]}
    )
    assert response.status_code == 422
    assert "unit_ids" in response.json()["errors"]
    assert not Task.objects.filter(parent=plan).exists()


def test_sign_assign_report_submit_verify_close(world, api_for):
    task = issued_task(world)[0]
    liaison, staff, office = api_for(world.liaison), api_for(world.staff), api_for(world.office)

    assert liaison.post(f"/tasks/{task.pk}/sign", {"note": "已签收"}).status_code == 200
    response = liaison.post(f"/tasks/{task.pk}/assign", {"owner_id": world.staff.pk})
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == world.staff.pk
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.owner == world.staff

    response = staff.upload(
        f"/tasks/{task.pk}/reports",
        {"percent": 60, "text": "已组织三次晨读", "files": [png_upload("晨读.png")]},
    )
    assert response.status_code == 201, response.content
    report = ProgressReport.objects.get(pk=response.json()["id"])
    assert (report.percent, report.author, report.is_completion) == (60, world.staff, False)
    attachment = Attachment.objects.get(owner_id=report.pk)
    assert attachment.original_name == "晨读.png" and attachment.content_type_name == "image/png"
    assert response.json()["attachments"][0]["url"] == f"/files/{attachment.pk}/"
    task.refresh_from_db()
    assert task.progress == 60

    response = staff.upload(
        f"/tasks/{task.pk}/reports", {"percent": 100, "text": "全部完成", "complete": "true"}
    )
    assert response.status_code == 201, response.content
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED

    response = office.post(
        f"/tasks/{task.pk}/verify", {"decision": "return", "reason": "缺少签到表"}
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and task.returned_count == 1

    staff.upload(f"/tasks/{task.pk}/reports", {"percent": 100, "text": "补报", "complete": "1"})
    response = office.post(f"/tasks/{task.pk}/verify", {"decision": "pass", "quality": "excellent"})
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.state == TaskState.VERIFIED and task.quality == "excellent" and task.score == 95

    assert office.post(f"/tasks/{task.pk}/close", {}).status_code == 200
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED

    timeline = office.get(f"/tasks/{task.pk}").json()["events"]
    assert [e["action"] for e in timeline] == [
        "issue", "sign", "assign", "report", "submit", "return", "submit", "verify", "close",
    ]  # fmt: skip
    assert len(office.get(f"/tasks/{task.pk}/reports").json()) == 3


def test_uploaded_evidence_downloads_for_those_in_scope_only(world, api_for, client_for):
    task = task_in_state(world, "in_progress")
    response = api_for(world.staff).upload(
        f"/tasks/{task.pk}/reports", {"percent": 30, "text": "照片", "files": [png_upload()]}
    )
    url = response.json()["attachments"][0]["url"]
    download = client_for(world.office).get(url)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert client_for(world.outsider).get(url).status_code == 404


def test_upload_of_a_forbidden_type_saves_nothing(world, api_for):
    task = task_in_state(world, "in_progress")
    fake = SimpleUploadedFile("evil.png", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/png")
    response = api_for(world.staff).upload(
        f"/tasks/{task.pk}/reports", {"percent": 50, "text": "进展", "files": [fake]}
    )
    assert response.status_code == 422
    assert "evil.png" in response.json()["detail"]
    assert not ProgressReport.objects.filter(task=task).exists()
    assert not Attachment.objects.exists()
    task.refresh_from_db()
    assert task.progress == 0


def test_completion_report_needs_100_percent(world, api_for):
    task = task_in_state(world, "in_progress")
    response = api_for(world.staff).upload(
        f"/tasks/{task.pk}/reports", {"percent": 80, "text": "基本完成", "complete": "true"}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["percent"] == ["报送办结时进度应为 100%。"]
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS


def test_decompose_into_subtasks(world, api_for):
    task = task_in_state(world, "signed")
    response = api_for(world.liaison).post(
        f"/tasks/{task.pk}/decompose",
        {
            "items": [
                {"title": "整理签到表", "owner_id": world.staff.pk},
                {"title": "撰写简报", "owner_id": world.staff2.pk, "description": "800字"},
            ]
        },
    )
    assert response.status_code == 201, response.content
    subtasks = Task.objects.filter(parent=task).order_by("id")
    assert [(s.title, s.owner) for s in subtasks] == [
        ("整理签到表", world.staff),
        ("撰写简报", world.staff2),
    ]
    assert all(s.unit == world.unit_a and s.state == TaskState.IN_PROGRESS for s in subtasks)
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS


def test_assign_refuses_a_person_outside_the_unit(world, api_for):
    task = task_in_state(world, "signed")
    response = api_for(world.liaison).post(
        f"/tasks/{task.pk}/assign", {"owner_id": world.outsider.pk}
    )
    assert response.status_code == 422
    assert "owner_id" in response.json()["errors"]
    task.refresh_from_db()
    assert task.owner is None and task.state == TaskState.SIGNED


def test_notice_reply_remind_comment(world, api_for):
    task = task_in_state(world, "in_progress")
    office = api_for(world.office)
    response = office.post(f"/tasks/{task.pk}/notices", {"content": "请于三日内补报佐证材料"})
    assert response.status_code == 201, response.content
    notice = SupervisionNotice.objects.get(pk=response.json()["id"])
    assert notice.task == task and notice.state == SupervisionNotice.State.OPEN
    assert response.json()["number"] == notice.number

    response = api_for(world.staff).post(f"/notices/{notice.pk}/reply", {"reply": "已补报"})
    assert response.status_code == 200, response.content
    notice.refresh_from_db()
    assert notice.state == SupervisionNotice.State.REPLIED and notice.replied_by == world.staff
    again = api_for(world.staff).post(f"/notices/{notice.pk}/reply", {"reply": "再次回复"})
    assert again.status_code == 409 and "已回复" in again.json()["detail"]

    before = Notification.objects.filter(recipient=world.staff).count()
    response = office.post(f"/tasks/{task.pk}/remind", {"note": "请抓紧"})
    assert response.status_code == 200, response.content
    assert world.staff.pk in {r["id"] for r in response.json()["recipients"]}
    assert Notification.objects.filter(recipient=world.staff).count() == before + 1

    response = api_for(world.leader).post(f"/tasks/{task.pk}/comments", {"text": "要注重实效"})
    assert response.status_code == 201, response.content
    assert response.json()["action"] == "comment"
    assert task.events.filter(action="comment", actor=world.leader, note="要注重实效").exists()
    assert list(task.events.values_list("action", flat=True))[-4:] == [
        "supervise",
        "reply",
        "remind",
        "comment",
    ]


def test_record_accountability_on_a_returned_task(world, api_for):
    task = task_in_state(world, "returned")
    kind = AccountabilityKind.objects.get(name="约谈")
    response = api_for(world.office).post(
        f"/tasks/{task.pk}/accountability",
        {
            "kind_id": kind.pk,
            "reason": "多次退回仍未整改",
            "unit_id": world.unit_a.pk,
            "person_id": world.staff.pk,
            "document_number": "茫宣〔2026〕12号",
        },
    )
    assert response.status_code == 201, response.content
    action = AccountabilityAction.objects.get(pk=response.json()["id"])
    assert (action.kind, action.unit, action.person) == (kind, world.unit_a, world.staff)
    assert task.events.filter(action="accountability").exists()
    kinds = api_for(world.office).get("/tasks/accountability-kinds").json()
    assert "约谈" in {k["name"] for k in kinds}


def test_accountability_refused_on_a_task_in_good_standing(world, api_for):
    task = task_in_state(world, "in_progress")
    kind = AccountabilityKind.objects.get(name="约谈")
    response = api_for(world.office).post(
        f"/tasks/{task.pk}/accountability",
        {"kind_id": kind.pk, "reason": "无", "unit_id": world.unit_a.pk},
    )
    assert response.status_code == 409
    assert "红色预警" in response.json()["detail"]
    assert not AccountabilityAction.objects.exists()


def test_illegal_move_is_a_409_with_a_message(world, api_for):
    task = issued_task(world)[0]
    response = api_for(world.office).post(
        f"/tasks/{task.pk}/verify", {"decision": "pass", "quality": "good"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_move"
    assert "待签收" in response.json()["detail"]


# --- Edit with optimistic locking ----------------------------------------------------------------


def test_edit_task_bumps_the_version_and_audits(world, api_for):
    plan = _plan(world)
    office = api_for(world.office)
    response = office.patch(
        f"/tasks/{plan.pk}", {"version": plan.version, "title": "组织专题读书班（修订）"}
    )
    assert response.status_code == 200, response.content
    plan.refresh_from_db()
    assert plan.title == "组织专题读书班（修订）" and plan.version == 2
    assert response.json()["version"] == 2
    audit = AuditEvent.objects.filter(
        object_type="campaigns.task", object_id=str(plan.pk), action="update"
    ).get()
    assert audit.changes["title"] == ["组织专题读书班", "组织专题读书班（修订）"]

    track = world.campaign.tracks.get(name="作风大转变")
    response = office.patch(
        f"/tasks/{plan.pk}",
        {"version": 2, "priority": 1, "kind": "rectification", "track_id": track.pk},
    )
    assert response.status_code == 200, response.content
    plan.refresh_from_db()
    assert (plan.priority, plan.kind, plan.track, plan.version) == (1, "rectification", track, 3)
    event = plan.events.filter(action="edit").last()
    assert event is not None and event.data["changes"]["priority"] == [2, 1]


def test_stale_edit_gets_409_with_the_changes_made_since(world, api_for):
    plan = _plan(world)
    loaded = api_for(world.office).get(f"/tasks/{plan.pk}").json()["version"]
    first = api_for(world.office).patch(
        f"/tasks/{plan.pk}", {"version": loaded, "deadline": "2027-03-31"}
    )
    assert first.status_code == 200
    second = api_for(world.office).patch(
        f"/tasks/{plan.pk}", {"version": loaded, "title": "另一人的修改"}
    )
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "stale"
    assert "已被他人修改" in body["detail"]
    assert body["changes"][0]["actor"] == "王建国"
    assert body["changes"][0]["changes"]["deadline"][1] == "2027-03-31"
    plan.refresh_from_db()
    assert plan.title == "组织专题读书班" and plan.deadline == datetime.date(2027, 3, 31)


def test_edit_refuses_a_deadline_before_the_start(world, api_for):
    plan = _plan(world)
    response = api_for(world.office).patch(
        f"/tasks/{plan.pk}",
        {"version": plan.version, "start_date": "2027-05-01", "deadline": "2027-04-01"},
    )
    assert response.status_code == 422
    assert "deadline" in response.json()["errors"]
    plan.refresh_from_db()
    assert plan.start_date is None and plan.version == 1


def test_actions_are_audited_with_the_callers_address(world, token_api):
    task = issued_task(world)[0]
    response = token_api(world.liaison).post(f"/tasks/{task.pk}/sign")
    assert response.status_code == 200
    audit = AuditEvent.objects.filter(
        object_type="campaigns.task", object_id=str(task.pk), verb="sign"
    ).get()
    assert audit.actor == world.liaison and audit.ip == "127.0.0.1"


def test_token_clients_download_evidence_through_the_api(world, token_api):
    task = task_in_state(world, "in_progress")
    response = token_api(world.staff).upload(
        f"/tasks/{task.pk}/reports", {"percent": 30, "text": "照片", "files": [png_upload()]}
    )
    attachment = response.json()["attachments"][0]
    assert attachment["api_url"] == f"/api/files/{attachment['id']}"
    office = token_api(world.office)
    download = office.client.get(attachment["api_url"], headers=office.headers)
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")
    outsider = token_api(world.outsider)
    assert outsider.client.get(attachment["api_url"], headers=outsider.headers).status_code == 404


def test_malformed_request_gets_422_naming_the_fields(world, api_for):
    response = api_for(world.office).post("/tasks", {"campaign_id": "一", "title": ""})
    assert response.status_code == 422
    body = response.json()
    assert set(body["errors"]) == {"campaign_id", "title"}
    assert "请求数据格式有误" in body["detail"]
    assert not Task.objects.exists()


@pytest.mark.parametrize("body", [b"\x00", b"v\xef\xbf\xbd0{\t/\x17", b'{"title": '])
def test_unparsable_body_gets_the_same_422(world, api_for, body):
    office = api_for(world.office)
    response = office.client.post(
        "/api/tasks", body, content_type="application/json", headers=office.headers
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "请求内容无法解析：请按接口说明以 UTF-8 编码的 JSON 或表单发送。",
        "errors": {"__all__": ["请求内容无法解析：请按接口说明以 UTF-8 编码的 JSON 或表单发送。"]},
    }
    assert not Task.objects.exists()


def test_malformed_multipart_body_gets_the_same_422(world, api_for):
    task = issued_task(world)[0]
    liaison = api_for(world.liaison)
    response = liaison.client.post(
        f"/api/tasks/{task.pk}/reports",
        b"--x\r\nnot a part",
        content_type="multipart/form-data",  # no boundary
        headers=liaison.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "__all__": ["请求内容无法解析：请按接口说明以 UTF-8 编码的 JSON 或表单发送。"]
    }
    assert not task.reports.exists()


def test_withdraw_an_unsigned_task(world, api_for):
    task = issued_task(world)[0]
    assert (
        api_for(world.office).post(f"/tasks/{task.pk}/withdraw", {"reason": ""}).status_code == 422
    )
    response = api_for(world.office).post(f"/tasks/{task.pk}/withdraw", {"reason": "下发有误"})
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.state == TaskState.WITHDRAWN
    assert task.events.filter(action="withdraw", note="下发有误").exists()
    assert api_for(world.liaison).post(f"/tasks/{task.pk}/sign").status_code == 409
