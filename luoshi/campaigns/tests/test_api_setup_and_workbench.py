"""The API's campaign set-up (create, edit, tracks, leading group), soft delete and restore of
tasks, the configured accountability kinds, and the workbench: each through HTTP, asserting the
database and the audit log, with the outsider's 404 and a wrong persona's 403."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import (
    AccountabilityKind,
    Campaign,
    LeadingGroupMember,
    Task,
    TaskEvent,
)
from luoshi.testing import issued_task, person

from .conftest import task_in_state

pytestmark = pytest.mark.django_db


def _plan(world) -> Task:
    return chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        title="组织专题读书班",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


def _audits(action: str, obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
    )


# --- Soft delete and restore ---------------------------------------------------------------------


def test_office_deletes_and_restores_a_plan_with_its_unit_tasks(world, api_for):
    child = issued_task(world)[0]
    plan = child.parent
    office = api_for(world.office)
    response = office.delete(f"/tasks/{plan.pk}", {"reason": "任务重复，合并到其他任务"})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == plan.pk and response.json()["deleted_at"]
    plan.refresh_from_db()
    child.refresh_from_db()
    assert plan.deleted_at is not None and child.deleted_at is not None
    assert _audits("delete", plan)[0].note == "任务重复，合并到其他任务"
    assert TaskEvent.objects.filter(task=plan, action="delete").exists()
    assert office.get(f"/tasks/{plan.pk}").status_code == 404

    response = office.post(f"/tasks/{plan.pk}/restore")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == plan.pk
    plan.refresh_from_db()
    child.refresh_from_db()
    assert plan.deleted_at is None and child.deleted_at is None
    assert len(_audits("restore", plan)) == 1
    assert office.get(f"/tasks/{plan.pk}").status_code == 200


def test_delete_needs_a_reason_and_nothing_changes_without_one(world, api_for):
    plan = _plan(world)
    response = api_for(world.office).delete(f"/tasks/{plan.pk}", {"reason": "  "})
    assert response.status_code == 422
    assert "reason" in response.json()["errors"]
    assert api_for(world.office).delete(f"/tasks/{plan.pk}").status_code == 422
    plan.refresh_from_db()
    assert plan.deleted_at is None
    assert not _audits("delete", plan)


def test_task_with_an_accountability_record_cannot_be_deleted(world, api_for):
    task = issued_task(world)[0]
    Task.objects.filter(pk=task.pk).update(warning="red")
    task.refresh_from_db()
    kind = AccountabilityKind.objects.get(name="约谈")
    chain.record_accountability(
        actor=world.office, task=task, kind=kind, reason="逾期", unit=world.unit_a
    )
    response = api_for(world.office).delete(f"/tasks/{task.pk}", {"reason": "误建"})
    assert response.status_code == 409
    assert "问责记录" in response.json()["detail"]
    task.refresh_from_db()
    assert task.deleted_at is None


def test_restoring_a_task_that_is_not_deleted_is_a_conflict(world, api_for):
    plan = _plan(world)
    response = api_for(world.office).post(f"/tasks/{plan.pk}/restore")
    assert response.status_code == 409
    assert response.json()["detail"] == "任务未被删除。"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("liaison", 403), ("leader", 403), ("staff", 404), ("outsider", 404)],
)
def test_delete_and_restore_refused_for_the_wrong_persona(world, api_for, persona, expected):
    task = issued_task(world)[0]
    client = api_for(getattr(world, persona))
    assert client.delete(f"/tasks/{task.pk}", {"reason": "越权删除"}).status_code == expected
    task.refresh_from_db()
    assert task.deleted_at is None
    chain.delete_task(actor=world.office, task=task, reason="误下发")
    assert client.post(f"/tasks/{task.pk}/restore").status_code == expected
    task.refresh_from_db()
    assert task.deleted_at is not None
    assert not AuditEvent.objects.filter(action="restore").exists()


# --- Campaign set-up ---------------------------------------------------------------------------------


def _campaign_body(world, **extra) -> dict:
    return {
        "name": "“强作风”专项行动",
        "short_name": "强作风",
        "office_unit_id": world.office_unit.pk,
        "start_date": "2026-12-01",
        "end_date": "2027-06-30",
        "tracks": ["作风大转变", " 能力大提升 ", ""],
        "notice_prefix": "茫作督",
        "blue_working_days": 5,
        **extra,
    }


def test_office_creates_a_campaign_with_tracks(world, api_for):
    response = api_for(world.office).post("/campaigns", _campaign_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.name == "“强作风”专项行动" and campaign.office_unit == world.office_unit
    assert (campaign.notice_prefix, campaign.blue_working_days) == ("茫作督", 5)
    assert [t["name"] for t in body["tracks"]] == ["作风大转变", "能力大提升"]
    assert list(campaign.tracks.values_list("name", flat=True)) == ["作风大转变", "能力大提升"]
    assert _audits("create", campaign)[0].actor == world.office


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"tracks": ["同名", "同名"]}, "tracks"),
        ({"office_unit_id": 987654}, "office_unit_id"),
        ({"yellow_lag_percent": 120}, "yellow_lag_percent"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_campaign_is_refused_at_the_field(world, api_for, extra, field):
    response = api_for(world.office).post("/campaigns", _campaign_body(world, **extra))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Campaign.objects.filter(short_name="强作风").exists()


@pytest.mark.parametrize("persona", ["liaison", "staff", "leader", "outsider", "auditor"])
def test_only_the_office_creates_campaigns(world, api_for, persona):
    response = api_for(getattr(world, persona)).post("/campaigns", _campaign_body(world))
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]
    assert not Campaign.objects.filter(short_name="强作风").exists()


def test_office_edits_a_campaign(world, api_for):
    campaign = world.campaign
    response = api_for(world.office).patch(
        f"/campaigns/{campaign.pk}",
        {"short_name": "四大", "yellow_lag_percent": 30, "status": "closed"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["short_name"] == "四大"
    campaign.refresh_from_db()
    assert (campaign.short_name, campaign.yellow_lag_percent, campaign.status) == (
        "四大",
        30,
        "closed",
    )
    event = _audits("update", campaign)[0]
    assert event.changes["yellow_lag_percent"][1] == 30


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"yellow_lag_percent": 101}, {"end_date": "2000-01-01"}, {"status": "x"}],
)
def test_bad_campaign_edit_changes_nothing(world, api_for, body):
    before = Campaign.objects.values().get(pk=world.campaign.pk)
    response = api_for(world.office).patch(f"/campaigns/{world.campaign.pk}", body)
    assert response.status_code == 422, response.content
    assert Campaign.objects.values().get(pk=world.campaign.pk) == before
    assert not _audits("update", world.campaign)


def test_office_adds_a_track(world, api_for):
    office = api_for(world.office)
    response = office.post(
        f"/campaigns/{world.campaign.pk}/tracks", {"name": "纪律大整顿", "description": "纪律"}
    )
    assert response.status_code == 201, response.content
    track = world.campaign.tracks.get(name="纪律大整顿")
    assert response.json()["id"] == track.pk
    assert _audits("create", track)
    duplicate = office.post(f"/campaigns/{world.campaign.pk}/tracks", {"name": "纪律大整顿"})
    assert duplicate.status_code == 422
    assert "name" in duplicate.json()["errors"]
    assert world.campaign.tracks.filter(name="纪律大整顿").count() == 1


def test_office_sets_the_leading_group(world, api_for):
    response = api_for(world.office).put(
        f"/campaigns/{world.campaign.pk}/leading-group",
        {
            "members": [
                {"person_id": world.leader.pk, "seat": "leader", "title": "市委常委、宣传部部长"},
                {"person_id": world.office.pk, "seat": "member"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert [row["person"]["id"] for row in response.json()] == [world.leader.pk, world.office.pk]
    members = list(world.campaign.leading_group.order_by("sort_order"))
    assert [(m.person, m.seat, m.title) for m in members] == [
        (world.leader, "leader", "市委常委、宣传部部长"),
        (world.office, "member", ""),
    ]
    assert AuditEvent.objects.filter(
        object_id=str(world.campaign.pk), verb="leading_group"
    ).exists()


def test_leading_group_people_must_be_visible_to_the_caller(world, api_for):
    far = person("far", "外州人员", world.city.parent)  # 海西州: outside the office's scope
    LeadingGroupMember.objects.create(
        campaign=world.campaign, person=world.leader, seat="leader", sort_order=1
    )
    url = f"/campaigns/{world.campaign.pk}/leading-group"
    response = api_for(world.office).put(url, {"members": [{"person_id": far.pk}]})
    assert response.status_code == 422, response.content
    assert "members" in response.json()["errors"]
    twice = {"person_id": world.leader.pk, "seat": "leader"}
    response = api_for(world.office).put(url, {"members": [twice, twice]})
    assert response.status_code == 422
    assert list(world.campaign.leading_group.values_list("person", flat=True)) == [world.leader.pk]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("liaison", 403), ("staff", 403), ("leader", 403), ("outsider", 404)],
)
def test_campaign_setup_refused_for_the_wrong_persona(world, api_for, persona, expected):
    task_in_state(world, "in_progress")  # unit A's people (staff: its owner) see the campaign
    client = api_for(getattr(world, persona))
    assert client.get(f"/campaigns/{world.campaign.pk}").status_code == (
        404 if expected == 404 else 200
    )
    campaign = world.campaign
    assert client.patch(f"/campaigns/{campaign.pk}", {"name": "改名"}).status_code == expected
    assert client.post(f"/campaigns/{campaign.pk}/tracks", {"name": "新方向"}).status_code == (
        expected
    )
    members = {"members": [{"person_id": world.liaison.pk}]}
    assert client.put(f"/campaigns/{campaign.pk}/leading-group", members).status_code == expected
    campaign.refresh_from_db()
    assert campaign.name != "改名"
    assert not campaign.tracks.filter(name="新方向").exists()
    assert not campaign.leading_group.exists()
    assert not AuditEvent.objects.filter(object_id=str(campaign.pk), action="update").exists()


# --- Accountability kinds ------------------------------------------------------------------------


def test_office_creates_and_deactivates_a_kind(world, api_for):
    office = api_for(world.office)
    response = office.post(
        "/tasks/accountability-kinds",
        {"name": "诫勉谈话", "severity": 4, "score_deduction": "6.5"},
    )
    assert response.status_code == 201, response.content
    kind = AccountabilityKind.objects.get(pk=response.json()["id"])
    assert (kind.name, kind.severity, kind.score_deduction) == ("诫勉谈话", 4, Decimal("6.5"))
    assert _audits("create", kind)[0].actor == world.office
    names = [row["name"] for row in office.get("/tasks/accountability-kinds").json()]
    assert "诫勉谈话" in names

    response = office.patch(f"/tasks/accountability-kinds/{kind.pk}", {"is_active": False})
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False
    kind.refresh_from_db()
    assert not kind.is_active
    assert _audits("update", kind)[0].verb == "deactivate"
    names = [row["name"] for row in office.get("/tasks/accountability-kinds").json()]
    assert "诫勉谈话" not in names
    everything = office.get("/tasks/accountability-kinds", {"all": "true"}).json()
    assert "诫勉谈话" in [row["name"] for row in everything]
    liaison_view = api_for(world.liaison).get("/tasks/accountability-kinds", {"all": "true"})
    assert "诫勉谈话" not in [row["name"] for row in liaison_view.json()]

    task = task_in_state(world, "returned")
    response = office.post(
        f"/tasks/{task.pk}/accountability",
        {"kind_id": kind.pk, "reason": "弄虚作假", "unit_id": world.unit_a.pk},
    )
    assert response.status_code == 422
    assert not task.accountability_actions.exists()


def test_office_edits_a_kind(world, api_for):
    kind = AccountabilityKind.objects.get(name="约谈")
    response = api_for(world.office).patch(
        f"/tasks/accountability-kinds/{kind.pk}", {"score_deduction": 4, "severity": 2}
    )
    assert response.status_code == 200, response.content
    kind.refresh_from_db()
    assert kind.score_deduction == Decimal("4.0")
    assert _audits("update", kind)[0].changes == {"score_deduction": ["3.0", "4.0"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "约谈"}, "name"),
        ({"name": "新方式", "score_deduction": 100.5}, "score_deduction"),
        ({"name": "新方式", "score_deduction": -1}, "score_deduction"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_kind_is_refused_at_the_field(world, api_for, body, field):
    before = AccountabilityKind.objects.count()
    response = api_for(world.office).post("/tasks/accountability-kinds", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert AccountabilityKind.objects.count() == before


def test_renaming_a_kind_to_an_existing_name_is_refused(world, api_for):
    kind = AccountabilityKind.objects.get(name="约谈")
    response = api_for(world.office).patch(
        f"/tasks/accountability-kinds/{kind.pk}", {"name": "通报批评"}
    )
    assert response.status_code == 422
    assert "已有名为“通报批评”的问责方式" in response.json()["errors"]["name"][0]
    kind.refresh_from_db()
    assert kind.name == "约谈"


@pytest.mark.parametrize("persona", ["liaison", "staff", "leader", "outsider", "auditor"])
def test_only_the_office_configures_kinds(world, api_for, persona):
    client = api_for(getattr(world, persona))
    kind = AccountabilityKind.objects.get(name="约谈")
    body = {"name": "越权方式", "severity": 1, "score_deduction": 1}
    assert client.post("/tasks/accountability-kinds", body).status_code == 403
    assert (
        client.patch(f"/tasks/accountability-kinds/{kind.pk}", {"is_active": False}).status_code
        == 403
    )
    assert (
        client.patch("/tasks/accountability-kinds/987654", {"is_active": False}).status_code == 403
    )
    kind.refresh_from_db()
    assert kind.is_active
    assert not AccountabilityKind.objects.filter(name="越权方式").exists()


def test_unknown_kind_is_404_for_the_office(world, api_for):
    response = api_for(world.office).patch("/tasks/accountability-kinds/987654", {"name": "x"})
    assert response.status_code == 404


# --- Workbench -----------------------------------------------------------------------------------


def _group(body: dict, key: str) -> dict:
    return next(group for group in body["todos"] if group["key"] == key)


def test_liaison_workbench_lists_tasks_to_sign(world, api_for):
    task = issued_task(world)[0]
    response = api_for(world.liaison).get("/workbench")
    assert response.status_code == 200, response.content
    body = response.json()
    sign = _group(body, "sign")
    assert sign["count"] == 1 and not sign["capped"]
    assert sign["items"][0]["id"] == task.pk and sign["items"][0]["type"] == "task"
    assert sign["items"][0]["api_url"] == f"/api/tasks/{task.pk}"
    assert body["todo_total"] >= 1
    assert body["cards"] == []
    assert body["notifications"] and body["notifications"][0]["title"]


def test_staff_workbench_lists_reports_due_and_notices_to_reply(world, api_for):
    task = task_in_state(world, "in_progress")
    notice = chain.issue_notice(actor=world.office, task=task, content="请加快进度")
    body = api_for(world.staff).get("/workbench").json()
    assert [item["id"] for item in _group(body, "report")["items"]] == [task.pk]
    reply = _group(body, "reply")
    assert reply["items"][0]["type"] == "notice" and reply["items"][0]["id"] == notice.pk
    assert reply["items"][0]["task_id"] == task.pk


def test_office_workbench_has_campaign_cards(world, api_for):
    issued_task(world)
    body = api_for(world.office).get("/workbench").json()
    card = next(card for card in body["cards"] if card["campaign"]["id"] == world.campaign.pk)
    assert card["total"] >= 1
    assert set(body["warnings"]) == {"red", "yellow", "blue"}


def test_outsider_workbench_shows_nothing_of_unit_a(world, api_for):
    issued_task(world)
    body = api_for(world.outsider).get("/workbench").json()
    assert all(group["count"] == 0 and not group["items"] for group in body["todos"])
    assert body["cards"] == []


def test_workbench_queries_do_not_grow_with_the_items(world, api_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_for(world.liaison)
    issued_task(world)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/workbench").status_code == 200
    for _ in range(3):
        issued_task(world)
    with CaptureQueriesContext(connection) as four:
        body = client.get("/workbench").json()
    assert _group(body, "sign")["count"] == 4
    assert len(four) == len(one)


def test_workbench_needs_authentication():
    assert Client().get("/api/workbench").status_code == 401


# --- Schema --------------------------------------------------------------------------------------

NEW_PATHS = {
    "/api/tasks/{task_id}": {"delete"},
    "/api/tasks/{task_id}/restore": {"post"},
    "/api/campaigns": {"post"},
    "/api/campaigns/{campaign_id}": {"patch"},
    "/api/campaigns/{campaign_id}/tracks": {"post"},
    "/api/campaigns/{campaign_id}/leading-group": {"put"},
    "/api/workbench": {"get"},
    "/api/tasks/accountability-kinds": {"get", "post"},
    "/api/tasks/accountability-kinds/{kind_id}": {"patch"},
}


def test_openapi_lists_the_new_paths():
    paths = Client().get("/api/openapi.json").json()["paths"]
    for path, methods in NEW_PATHS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
