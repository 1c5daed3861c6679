"""Meetings: recording with agenda and minutes, the agenda from red and yellow tasks, decisions
that become 督办事项 tasks in one step; pages, API, export and scope."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task, TaskEvent, TaskState
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, Category
from luoshi.meetings import services
from luoshi.meetings.models import Decision, Meeting
from luoshi.org import services as org
from luoshi.org.access import forget_grants
from luoshi.org.models import Role, Scope
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly(world):
    return ledger.create_activity_type(
        actor=world.office,
        name="周例会",
        category=Category.MEETING,
        campaign=world.campaign,
        takes_checkin=True,
    )


@pytest.fixture
def monthly(world):
    return ledger.create_activity_type(
        actor=world.office, name="月调度会", category=Category.MEETING, campaign=world.campaign
    )


def _meeting(world, activity_type, *, unit=None, actor=None, title="第12周例会"):
    return services.create_meeting(
        actor=actor or world.liaison,
        activity_type=activity_type,
        unit=unit or world.unit_a,
        title=title,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        participants=[world.liaison, world.staff],
        campaign=world.campaign,
        agenda="一、通报本周进度",
        minutes="会议研究了专项行动推进中的问题。",
    )


def _deadline(days=14):
    return timezone.localdate() + datetime.timedelta(days=days)


class Api:
    def __init__(self, client):
        self.client = client

    def get(self, path, params=None):
        return self.client.get(f"/api{path}", params or {})

    def post(self, path, body):
        return self.client.post(f"/api{path}", json.dumps(body), content_type="application/json")


# --- Recording ------------------------------------------------------------------------------------


def test_liaison_records_a_meeting_with_agenda_minutes_and_participants(world, client_for, weekly):
    client = client_for(world.liaison)
    response = client.post(
        reverse("meetings:meeting-create"),
        {
            "type": weekly.pk,
            "title": "第12周例会",
            "unit": world.unit_a.pk,
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "participants": [world.liaison.pk, world.staff.pk],
            "campaign": world.campaign.pk,
            "agenda": "一、通报进度",
            "minutes": "会议议定三项工作。",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.select_related("activity").get()
    assert meeting.activity.type == weekly and meeting.activity.unit == world.unit_a
    assert meeting.agenda == "一、通报进度" and meeting.campaign == world.campaign
    assert set(meeting.activity.participations.values_list("person", flat=True)) == {
        world.liaison.pk,
        world.staff.pk,
    }
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.activity_id]))
    assert "会议议定三项工作。" in page.content.decode()


def test_a_non_meeting_type_is_refused_and_nothing_is_saved(world):
    study = ledger.create_activity_type(actor=world.office, name="晨读", category=Category.STUDY)
    with pytest.raises(ValidationError):
        services.create_meeting(
            actor=world.liaison,
            activity_type=study,
            unit=world.unit_a,
            title="x",
            starts_at=timezone.now(),
        )
    assert not Activity.objects.exists() and not Meeting.objects.exists()


def test_minutes_are_edited_and_audited_and_a_ledger_meeting_gets_minutes(
    world, client_for, weekly
):
    activity = ledger.record_activity(
        actor=world.liaison,
        activity_type=weekly,
        unit=world.unit_a,
        title="例会",
        starts_at=timezone.now(),
    )
    client = client_for(world.liaison)
    response = client.post(
        reverse("meetings:meeting-edit", args=[activity.pk]),
        {"campaign": world.campaign.pk, "agenda": "议程", "minutes": "纪要"},
    )
    assert response.status_code == 302
    assert Meeting.objects.get(activity=activity).minutes == "纪要"
    assert (
        client_for(world.outsider)
        .get(reverse("meetings:meeting-edit", args=[activity.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world.leader)
        .get(reverse("meetings:meeting-edit", args=[activity.pk]))
        .status_code
        == 403
    )
    assert AuditEvent.objects.filter(object_type="meetings.meeting").exists()


# --- Agenda from red and yellow tasks -------------------------------------------------------------


def _red_and_yellow(world):
    red = issued_task(world, title="读书班未按期举办")[0]
    Task.objects.filter(pk=red.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    yellow = issued_task(world, title="宣讲覆盖不足")[0]
    Task.objects.filter(pk=yellow.pk).update(returned_count=1)
    other = issued_task(world, title="冷湖镇宣讲", units=[world.unit_b])[0]
    Task.objects.filter(pk=other.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    chain.refresh_warnings(tasks=list(Task.objects.filter(pk__in=[red.pk, yellow.pk, other.pk])))
    assert Task.objects.get(pk=red.pk).warning == "red"
    assert Task.objects.get(pk=yellow.pk).warning == "yellow"
    return red, yellow, other


def test_new_meeting_agenda_is_prefilled_with_red_and_yellow_tasks_in_scope(
    world, client_for, weekly
):
    _red_and_yellow(world)
    url = reverse("meetings:meeting-create") + f"?campaign={world.campaign.pk}&prefill=1"
    page = client_for(world.liaison).get(url)
    mine = page.context["form"].initial["agenda"]
    assert "读书班未按期举办" in mine and "宣讲覆盖不足" in mine
    assert mine.index("红色预警") < mine.index("黄色预警")
    assert "冷湖镇宣讲" not in mine  # unit B's task is outside the organiser's scope
    assert "读书班未按期举办" in page.content.decode()
    everything = (
        Api(client_for(world.office))
        .get("/meetings/agenda", {"campaign": world.campaign.pk})
        .json()["agenda"]
    )
    assert "冷湖镇宣讲" in everything and "读书班未按期举办" in everything


def test_agenda_api(world, client_for):
    _red_and_yellow(world)
    body = (
        Api(client_for(world.liaison))
        .get("/meetings/agenda", {"campaign": world.campaign.pk})
        .json()
    )
    assert (body["red"], body["yellow"]) == (1, 1)


# --- Decisions ------------------------------------------------------------------------------------


def test_decision_becomes_an_assigned_task_in_one_step(world, client_for, weekly):
    meeting = _meeting(world, weekly)
    url = reverse("meetings:meeting-detail", args=[meeting.activity_id])
    office = client_for(world.office)
    response = office.post(
        url,
        {
            "text": "制定文化市场专项检查方案",
            "unit": world.unit_a.pk,
            "owner": world.staff.pk,
            "deadline": _deadline(10).isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    decision = Decision.objects.get()
    task = decision.task
    assert task.kind == Task.Kind.DECISION
    assert (task.unit, task.owner, task.deadline) == (world.unit_a, world.staff, _deadline(10))
    assert task.state == TaskState.IN_PROGRESS
    assert task.parent is not None and task.parent.kind == Task.Kind.DECISION
    assert list(task.events.values_list("action", flat=True)) == ["issue", "assign"]
    assert AuditEvent.objects.filter(object_type="campaigns.task", verb="assign").exists()
    assert AuditEvent.objects.filter(object_type="meetings.decision").exists()
    assert world.staff.notifications.filter(task=task).exists()
    page = client_for(world.liaison).get(url).content.decode()
    assert "制定文化市场专项检查方案" in page and "办理中" in page
    # The owner carries it on through the chain; the meeting page follows.
    chain.report_progress(
        actor=world.staff, task=task, percent=100, text="方案已印发", complete=True
    )
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.GOOD)
    chain.close_task(actor=world.office, task=task)
    assert "已销号" in client_for(world.liaison).get(url).content.decode()


def test_a_recorder_who_signs_for_the_unit_uses_the_chain_moves(world, weekly):
    org.grant_role(
        actor=None,
        person=world.office,
        role=Role.LIAISON,
        unit=world.unit_a,
        scope=Scope.SUBTREE,
        audit=False,
    )
    forget_grants(world.office)
    meeting = _meeting(world, weekly)
    decision = services.create_decision(
        actor=world.office,
        activity=meeting.activity,
        text="完善台账",
        unit=world.unit_a,
        owner=world.staff2,
        deadline=_deadline(),
    )
    actions = list(decision.task.events.values_list("action", flat=True))
    assert actions == [TaskEvent.Action.ISSUE, TaskEvent.Action.SIGN, TaskEvent.Action.ASSIGN]
    assert decision.task.owner == world.staff2


def test_decision_errors_save_nothing(world, weekly):
    meeting = _meeting(world, weekly)
    with pytest.raises(ValidationError) as error:
        services.create_decision(
            actor=world.office,
            activity=meeting.activity,
            text="",
            unit=world.unit_a,
            owner=world.outsider,  # not of unit A
            deadline=timezone.localdate() - datetime.timedelta(days=5),
        )
    assert set(error.value.message_dict) == {"text", "owner", "deadline"}
    assert not Decision.objects.exists()
    assert not Task.objects.filter(kind=Task.Kind.DECISION).exists()


def test_a_liaison_turns_decisions_into_tasks_of_their_own_unit_only(world, client_for, weekly):
    meeting = _meeting(world, weekly)
    url = reverse("meetings:meeting-detail", args=[meeting.activity_id])
    liaison = client_for(world.liaison)
    assert liaison.get(url).context["form"] is not None
    refused = liaison.post(
        url,
        {
            "text": "冷湖镇完善台账",
            "unit": world.unit_b.pk,
            "owner": world.outsider.pk,
            "deadline": _deadline().isoformat(),
        },
    )
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors
    response = liaison.post(
        url,
        {
            "text": "本单位完善宣讲台账",
            "unit": world.unit_a.pk,
            "owner": world.staff.pk,
            "deadline": _deadline().isoformat(),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    task = Decision.objects.get().task
    assert (task.unit, task.owner, task.kind) == (world.unit_a, world.staff, Task.Kind.DECISION)
    assert task.state == TaskState.IN_PROGRESS and task.parent is None
    # the office sees it and verifies it like any unit task
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.GOOD)
    staff = client_for(world.staff)
    assert staff.get(url).context["form"] is None
    assert staff.post(url, {"text": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_decision(
            actor=world.staff,
            activity=meeting.activity,
            text="x",
            unit=world.unit_a,
            owner=world.staff,
            deadline=_deadline(),
        )


# --- List, export, API, scope ---------------------------------------------------------------------


def test_meeting_list_filters_export_and_outsider(world, client_for, weekly, monthly):
    week = _meeting(world, weekly)
    month = _meeting(world, monthly, title="4月调度会")
    url = reverse("meetings:meeting-list")
    liaison = client_for(world.liaison)
    assert {a.pk for a in liaison.get(url).context["meetings"]} == {
        week.activity_id,
        month.activity_id,
    }
    only = liaison.get(url + f"?type={monthly.pk}").context["meetings"]
    assert [a.pk for a in only] == [month.activity_id]
    export = liaison.get(url + "?export=xlsx")
    cells = str(
        [
            [c.value for c in row]
            for row in load_workbook(io.BytesIO(export.content)).active.iter_rows()
        ]
    )
    assert "4月调度会" in cells and "第12周例会" in cells
    outsider = client_for(world.outsider)
    assert list(outsider.get(url).context["meetings"]) == []
    out_export = outsider.get(url + "?export=xlsx")
    assert "4月调度会" not in str(
        [
            [c.value for c in row]
            for row in load_workbook(io.BytesIO(out_export.content)).active.iter_rows()
        ]
    )
    assert (
        outsider.get(reverse("meetings:meeting-detail", args=[week.activity_id])).status_code == 404
    )
    assert outsider.get(url + f"?unit={world.unit_a.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="export", object_type="meetings.meeting").exists()


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "outsider"])
def test_meeting_list_page_and_api_agree(world, client_for, weekly, monthly, persona):
    _meeting(world, weekly)
    _meeting(world, monthly, title="4月调度会")
    client = client_for(getattr(world, persona))
    today = timezone.localdate().isoformat()
    for page_query, api_query in [
        ({}, {}),
        ({"type": monthly.pk}, {"type": monthly.pk}),
        ({"q": " 调度 "}, {"q": " 调度 "}),
        ({"from": today, "to": today}, {"date_from": today, "date_to": today}),
    ]:
        page = client.get(reverse("meetings:meeting-list"), page_query)
        api = Api(client).get("/meetings", {**api_query, "page_size": 100})
        assert [a.pk for a in page.context["meetings"]] == [
            item["id"] for item in api.json()["items"]
        ], page_query


def test_meeting_and_decision_api(world, client_for, weekly):
    office = Api(client_for(world.office))
    created = office.post(
        "/meetings",
        {
            "type_id": weekly.pk,
            "unit_id": world.office_unit.pk,
            "title": "第13周例会",
            "starts_at": timezone.now().isoformat(),
            "participant_ids": [],
            "campaign_id": world.campaign.pk,
            "agenda": "议程",
        },
    )
    # The office records its own unit's meetings (docs/architecture.md, the role table).
    assert created.status_code == 201, created.content
    meeting = _meeting(world, weekly)
    response = office.post(
        f"/meetings/{meeting.activity_id}/decisions",
        {
            "text": "开展网吧专项检查",
            "unit_id": world.unit_a.pk,
            "owner_id": world.staff.pk,
            "deadline": _deadline(5).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["task_id"])
    assert (task.kind, task.owner, task.deadline) == ("decision", world.staff, _deadline(5))
    detail = Api(client_for(world.liaison)).get(f"/meetings/{meeting.activity_id}").json()
    assert detail["decisions"][0]["task_state"] == "in_progress"
    assert detail["agenda"] == "一、通报本周进度"
    outsider = Api(client_for(world.outsider))
    assert outsider.get(f"/meetings/{meeting.activity_id}").status_code == 404
    assert outsider.get(f"/meetings/{meeting.activity_id}/decisions").status_code == 404
    assert outsider.get("/meetings").json()["count"] == 0
    refused = outsider.post(
        f"/meetings/{meeting.activity_id}/decisions",
        {
            "text": "x",
            "unit_id": world.unit_b.pk,
            "owner_id": world.outsider.pk,
            "deadline": _deadline().isoformat(),
        },
    )
    assert refused.status_code == 404
    assert Decision.objects.count() == 1


def test_liaison_records_a_meeting_by_api(world, client_for, weekly):
    response = Api(client_for(world.liaison)).post(
        "/meetings",
        {
            "type_id": weekly.pk,
            "unit_id": world.unit_a.pk,
            "title": "第14周例会",
            "starts_at": timezone.now().isoformat(),
            "participant_ids": [world.staff.pk],
            "campaign_id": world.campaign.pk,
            "agenda": "议程",
            "minutes": "纪要",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["participants"][0]["id"] == world.staff.pk
    assert Meeting.objects.get().minutes == "纪要"


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "leader", "outsider"])
def test_pages_render_for_each_persona(world, client_for, weekly, persona):
    meeting = _meeting(world, weekly)
    client = client_for(getattr(world, persona))
    assert client.get(reverse("meetings:meeting-list")).status_code == 200
    detail = client.get(reverse("meetings:meeting-detail", args=[meeting.activity_id]))
    assert detail.status_code == (404 if persona == "outsider" else 200)
    create = client.get(reverse("meetings:meeting-create"))
    assert create.status_code == (200 if persona in ("office", "liaison", "outsider") else 403)


def test_meeting_pages_do_not_query_per_row(world, client_for, weekly):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = client_for(world.office)

    def grow():
        meeting = _meeting(world, weekly)
        services.create_decision(
            actor=world.office,
            activity=meeting.activity,
            text="事项",
            unit=world.unit_a,
            owner=world.staff,
            deadline=_deadline(),
        )
        return meeting

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert office.get(url).status_code == 200
        return len(captured)

    meeting = grow()
    detail = reverse("meetings:meeting-detail", args=[meeting.activity_id])
    before = (count(reverse("meetings:meeting-list")), count(detail))
    for _ in range(3):
        grow()
    services.create_decision(
        actor=world.office,
        activity=meeting.activity,
        text="第二项",
        unit=world.unit_a,
        owner=world.staff2,
        deadline=_deadline(),
    )
    assert (count(reverse("meetings:meeting-list")), count(detail)) == before


def test_openapi_schema_lists_the_meeting_and_rectification_endpoints(world, client_for):
    paths = client_for(world.office).get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/meetings",
        "/api/meetings/{pk}/decisions",
        "/api/meetings/agenda",
        "/api/rectification/problems",
        "/api/rectification/task-forces",
        "/api/rectification/inspections/{pk}/findings",
    ):
        assert path in paths, path
