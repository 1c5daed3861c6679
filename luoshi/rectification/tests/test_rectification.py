"""The problem list, task forces, market inspections and findings: pages, API, services."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.audit.models import AuditEvent
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task, TaskState
from luoshi.rectification import services
from luoshi.rectification.models import Finding, Problem, TaskForce

from .conftest import record_inspection

pytestmark = pytest.mark.django_db


def _deadline(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)


def _problem(world, *, title="宣传宣讲不解渴", unit=None, task_force=None, days=30):
    return services.create_problem(
        actor=world.office,
        campaign=world.campaign,
        title=title,
        description="宣讲形式单一，群众参与度不高。",
        source="专项行动查摆",
        unit=unit or world.unit_a,
        task_force=task_force,
        deadline=_deadline(days),
    )


def _rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


# --- Problems -------------------------------------------------------------------------------------


def test_office_lists_a_problem_and_its_rectification_task_is_issued_in_one_step(world, client_for):
    force = services.create_task_force(
        actor=world.office,
        campaign=world.campaign,
        name="宣传宣讲攻坚组",
        lead=world.office,
        members=[world.liaison, world.outsider],
    )
    response = client_for(world.office).post(
        reverse("rectification:problem-create"),
        {
            "campaign": world.campaign.pk,
            "title": "宣传宣讲不解渴",
            "description": "宣讲形式单一。",
            "source": "专项行动查摆",
            "unit": world.unit_a.pk,
            "task_force": force.pk,
            "deadline": _deadline(45).isoformat(),
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    task = problem.task
    assert task.kind == Task.Kind.RECTIFICATION
    assert task.unit == world.unit_a
    assert task.state == TaskState.ISSUED
    assert task.deadline == _deadline(45)
    assert task.parent is not None and task.parent.kind == Task.Kind.RECTIFICATION
    assert problem.task_force == force and "宣传宣讲攻坚组" in task.description
    assert AuditEvent.objects.filter(object_type="rectification.problem").exists()


def test_problem_with_errors_saves_nothing(world, client_for):
    response = client_for(world.office).post(
        reverse("rectification:problem-create"),
        {"campaign": world.campaign.pk, "title": "", "unit": world.unit_a.pk, "deadline": ""},
    )
    assert response.status_code == 200
    assert not Problem.objects.exists()
    assert not Task.objects.filter(kind=Task.Kind.RECTIFICATION).exists()


def test_liaison_may_not_list_problems(world, client_for):
    assert client_for(world.liaison).get(reverse("rectification:problem-create")).status_code == 403
    with pytest.raises(PermissionDenied):
        _problem(world.__class__(**{**world.__dict__, "office": world.liaison}))


def test_problem_walks_the_chain_to_closed_and_the_list_shows_it(world, client_for):
    problem = _problem(world)
    task = problem.task
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=100, text="已整改", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.GOOD)
    chain.close_task(actor=world.office, task=task)
    page = client_for(world.office).get(reverse("rectification:problem-list"))
    assert "已销号" in page.content.decode()
    done = client_for(world.office).get(reverse("rectification:problem-list") + "?state=done")
    assert [p.pk for p in done.context["problems"]] == [problem.pk]
    still_open = client_for(world.office).get(reverse("rectification:problem-list") + "?state=open")
    assert list(still_open.context["problems"]) == []


def test_problem_list_scope_filters_and_export(world, client_for):
    mine = _problem(world)
    other = _problem(world, title="网络管控缺手段", unit=world.unit_b)
    Task.objects.filter(pk=other.task.pk).update(warning="red")
    office = client_for(world.office)
    assert {
        p.pk for p in office.get(reverse("rectification:problem-list")).context["problems"]
    } == {
        mine.pk,
        other.pk,
    }
    red = office.get(reverse("rectification:problem-list") + "?warning=red").context["problems"]
    assert [p.pk for p in red] == [other.pk]
    liaison = client_for(world.liaison).get(reverse("rectification:problem-list"))
    assert [p.pk for p in liaison.context["problems"]] == [mine.pk]
    outsider = client_for(world.outsider)
    assert [
        p.pk for p in outsider.get(reverse("rectification:problem-list")).context["problems"]
    ] == [other.pk]
    export = outsider.get(reverse("rectification:problem-list") + "?export=xlsx")
    text = str(_rows(export))
    assert "网络管控缺手段" in text and "宣传宣讲不解渴" not in text
    assert (
        outsider.get(reverse("rectification:problem-list") + f"?unit={world.unit_a.pk}").status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="export", object_type="rectification.problem").exists()


def test_problem_api_create_and_scope(world, api_for):
    response = api_for(world.office).post(
        "/rectification/problems",
        {
            "campaign_id": world.campaign.pk,
            "title": "文艺创作精品少",
            "unit_id": world.unit_a.pk,
            "deadline": _deadline(20).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = Task.objects.get(pk=body["task"]["id"])
    assert task.kind == "rectification" and task.unit == world.unit_a
    assert body["task"]["state"] == "issued"
    assert api_for(world.liaison).get("/rectification/problems").json()["count"] == 1
    assert api_for(world.outsider).get("/rectification/problems").json()["count"] == 0
    denied = api_for(world.liaison).post(
        "/rectification/problems",
        {
            "campaign_id": world.campaign.pk,
            "title": "x",
            "unit_id": world.unit_a.pk,
            "deadline": _deadline().isoformat(),
        },
    )
    assert denied.status_code == 404
    assert Problem.objects.count() == 1


# --- Task forces ----------------------------------------------------------------------------------


def test_task_force_create_edit_and_scope(world, client_for, api_for):
    office = client_for(world.office)
    response = office.post(
        reverse("rectification:task-force-create"),
        {
            "campaign": world.campaign.pk,
            "name": "媒体融合攻坚组",
            "lead": world.office.pk,
            "members": [world.liaison.pk, world.outsider.pk],
            "description": "推动媒体融合发展。",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    force = TaskForce.objects.get()
    assert set(force.members.all()) == {world.office, world.liaison, world.outsider}
    response = office.post(
        reverse("rectification:task-force-edit", args=[force.pk]),
        {"name": "媒体融合发展攻坚组", "lead": world.liaison.pk, "members": [world.staff.pk]},
    )
    assert response.status_code == 302
    force.refresh_from_db()
    assert force.name == "媒体融合发展攻坚组" and force.lead == world.liaison
    assert set(force.members.all()) == {world.liaison, world.staff}
    assert AuditEvent.objects.filter(
        object_type="rectification.taskforce", action="update"
    ).exists()
    # The outsider is no longer a member: the task force is out of reach.
    outsider = client_for(world.outsider)
    assert (
        outsider.get(reverse("rectification:task-force-edit", args=[force.pk])).status_code == 404
    )
    assert api_for(world.outsider).get("/rectification/task-forces").json() == []
    # A member sees it but may not change it.
    staff = client_for(world.staff)
    assert staff.get(reverse("rectification:task-force-list")).context["task_forces"]
    assert staff.get(reverse("rectification:task-force-edit", args=[force.pk])).status_code == 403
    created = api_for(world.office).post(
        "/rectification/task-forces",
        {
            "campaign_id": world.campaign.pk,
            "name": "网络管控攻坚组",
            "lead_id": world.office.pk,
            "member_ids": [world.liaison.pk],
        },
    )
    assert created.status_code == 201
    assert {m["id"] for m in created.json()["members"]} == {world.office.pk, world.liaison.pk}


# --- Inspections and findings ---------------------------------------------------------------------


def test_inspection_list_filters_by_venue_kind_and_result_and_exports(
    world, client_for, inspection_type
):
    cafe = record_inspection(world, inspection_type)
    cinema = record_inspection(
        world, inspection_type, venue="花土沟影院", kind="影院", result="合格"
    )
    liaison = client_for(world.liaison)
    url = reverse("rectification:inspection-list")
    assert {a.pk for a in liaison.get(url).context["inspections"]} == {cafe.pk, cinema.pk}
    assert [a.pk for a in liaison.get(url + "?venue_kind=影院").context["inspections"]] == [
        cinema.pk
    ]
    assert [a.pk for a in liaison.get(url + "?result=责令整改").context["inspections"]] == [cafe.pk]
    rows = _rows(liaison.get(url + "?venue_kind=网吧&export=xlsx"))
    flat = str(rows)
    assert "星空网吧" in flat and "花土沟影院" not in flat
    outsider = client_for(world.outsider)
    assert list(outsider.get(url).context["inspections"]) == []
    assert "星空网吧" not in str(_rows(outsider.get(url + "?export=xlsx")))


def test_finding_opens_a_rectification_task_and_the_inspection_shows_it_until_closed(
    world, client_for, inspection_type
):
    inspection = record_inspection(world, inspection_type)
    office = client_for(world.office)
    url = reverse("rectification:inspection-detail", args=[inspection.pk])
    page = office.get(url)
    assert page.status_code == 200 and page.context["form"] is not None
    response = office.post(
        url,
        {
            "campaign": world.campaign.pk,
            "description": "未成年人上网登记不全",
            "unit": world.unit_a.pk,
            "deadline": _deadline(10).isoformat(),
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    task = finding.task
    assert (task.kind, task.unit, task.deadline, task.state) == (
        Task.Kind.RECTIFICATION,
        world.unit_a,
        _deadline(10),
        TaskState.ISSUED,
    )
    assert "星空网吧" in task.title
    assert "待签收" in client_for(world.liaison).get(url).content.decode()
    chain.sign_task(actor=world.liaison, task=task)
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    chain.report_progress(actor=world.staff, task=task, percent=100, text="已整改", complete=True)
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.EXCELLENT)
    chain.close_task(actor=world.office, task=task)
    assert "已销号" in client_for(world.liaison).get(url).content.decode()


def test_a_liaison_raises_a_finding_of_their_units_inspection_for_their_unit(
    world, client_for, inspection_type
):
    """The liaison's finding is their own unit's task at once (open_unit_task), never another
    unit's; plain staff are offered nothing (docs/architecture.md, the role table)."""
    inspection = record_inspection(world, inspection_type)
    liaison = client_for(world.liaison)
    url = reverse("rectification:inspection-detail", args=[inspection.pk])
    assert liaison.get(url).context["form"] is not None
    body = {
        "campaign": world.campaign.pk,
        "description": "未悬挂未成年人禁入标志",
        "unit": world.unit_b.pk,
        "deadline": _deadline().isoformat(),
    }
    refused = liaison.post(url, body)
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors
    assert not Finding.objects.exists()
    response = liaison.post(url, {**body, "unit": world.unit_a.pk})
    assert response.status_code == 302, response.context["form"].errors
    task = Finding.objects.get().task
    assert (task.unit, task.kind, task.parent) == (world.unit_a, "rectification", None)
    assert task.state == "signed" and task.signed_by == world.liaison
    staff = client_for(world.staff2)
    staff_page = staff.get(url)
    assert staff_page.status_code == 404 or staff_page.context["form"] is None
    with pytest.raises(PermissionDenied):
        services.create_finding(
            actor=world.staff,
            activity=inspection,
            campaign=world.campaign,
            description="x",
            unit=world.unit_a,
            deadline=_deadline(),
        )
    assert Finding.objects.count() == 1


def test_finding_validation_is_in_chinese_and_saves_nothing(world, inspection_type):
    inspection = record_inspection(world, inspection_type)
    with pytest.raises(ValidationError) as error:
        services.create_finding(
            actor=world.office,
            activity=inspection,
            campaign=world.campaign,
            description="",
            unit=world.unit_a,
            deadline=None,
        )
    assert set(error.value.message_dict) == {"description", "deadline"}
    assert not Task.objects.filter(kind=Task.Kind.RECTIFICATION).exists()


def test_outsider_gets_404_on_unit_a_inspections_and_findings(
    world, client_for, api_for, inspection_type
):
    inspection = record_inspection(world, inspection_type)
    services.create_finding(
        actor=world.office,
        activity=inspection,
        campaign=world.campaign,
        description="消防通道堵塞",
        unit=world.unit_a,
        deadline=_deadline(),
    )
    outsider = client_for(world.outsider)
    url = reverse("rectification:inspection-detail", args=[inspection.pk])
    assert outsider.get(url).status_code == 404
    api = api_for(world.outsider)
    assert api.get(f"/rectification/inspections/{inspection.pk}").status_code == 404
    assert api.get("/rectification/inspections").json()["count"] == 0
    response = api.post(
        f"/rectification/inspections/{inspection.pk}/findings",
        {
            "campaign_id": world.campaign.pk,
            "description": "x",
            "unit_id": world.unit_b.pk,
            "deadline": _deadline().isoformat(),
        },
    )
    assert response.status_code == 404
    assert Finding.objects.count() == 1


def test_finding_api_creates_the_task(world, api_for, inspection_type):
    inspection = record_inspection(world, inspection_type)
    api = api_for(world.office)
    response = api.post(
        f"/rectification/inspections/{inspection.pk}/findings",
        {
            "campaign_id": world.campaign.pk,
            "description": "经营许可证未悬挂",
            "unit_id": world.unit_a.pk,
            "deadline": _deadline(7).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    task = Task.objects.get(pk=response.json()["task"]["id"])
    assert task.kind == "rectification" and task.deadline == _deadline(7)
    detail = api_for(world.liaison).get(f"/rectification/inspections/{inspection.pk}").json()
    assert detail["venue_kind"] == "网吧"
    assert detail["findings"][0]["task"]["state"] == "issued"
    listed = api_for(world.liaison).get("/rectification/inspections", {"result": "合格"}).json()
    assert listed["count"] == 0


# --- Every page renders for each persona ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "leader", "outsider"])
def test_pages_render_for_each_persona(world, client_for, inspection_type, persona):
    inspection = record_inspection(world, inspection_type)
    _problem(world)
    client = client_for(getattr(world, persona))
    for name in ("problem-list", "task-force-list", "inspection-list"):
        response = client.get(reverse(f"rectification:{name}"))
        assert response.status_code == 200, name
    detail = client.get(reverse("rectification:inspection-detail", args=[inspection.pk]))
    assert detail.status_code == (404 if persona == "outsider" else 200)
    for name in ("problem-create", "task-force-create"):
        response = client.get(reverse(f"rectification:{name}"))
        assert response.status_code == (200 if persona == "office" else 403), name


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_do_not_query_per_row(world, client_for, inspection_type):
    office = client_for(world.office)

    def grow():
        inspection = record_inspection(world, inspection_type)
        services.create_finding(
            actor=world.office,
            activity=inspection,
            campaign=world.campaign,
            description="问题",
            unit=world.unit_a,
            deadline=_deadline(),
        )
        force = services.create_task_force(
            actor=world.office,
            campaign=world.campaign,
            name=f"攻坚组{TaskForce.objects.count()}",
            lead=world.office,
            members=[world.liaison],
        )
        _problem(world, task_force=force)

    grow()
    urls = [
        reverse("rectification:inspection-list"),
        reverse("rectification:problem-list"),
        reverse("rectification:task-force-list"),
    ]
    before = [_queries(office, url) for url in urls]
    for _ in range(3):
        grow()
    assert [_queries(office, url) for url in urls] == before


# --- The pages and the API list the same records --------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "outsider"])
def test_problem_list_page_and_api_agree(world, client_for, persona):
    _problem(world)
    other = _problem(world, title="网络管控缺手段", unit=world.unit_b)
    Task.objects.filter(pk=other.task.pk).update(warning="red")
    client = client_for(getattr(world, persona))
    for query in [{}, {"warning": "red"}, {"state": "open"}, {"q": " 网络 "}]:
        page = client.get(reverse("rectification:problem-list"), query)
        api = client.get("/api/rectification/problems", {**query, "page_size": 100})
        assert page.status_code == api.status_code == 200, query
        assert [p.pk for p in page.context["problems"]] == [
            item["id"] for item in api.json()["items"]
        ], query


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "outsider"])
def test_inspection_list_page_and_api_agree(world, client_for, inspection_type, persona):
    record_inspection(world, inspection_type)
    record_inspection(world, inspection_type, venue="花土沟影院", kind="影院", result="合格")
    client = client_for(getattr(world, persona))
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=3)).isoformat()
    for page_query, api_query in [
        ({}, {}),
        ({"venue_kind": "影院"}, {"venue_kind": "影院"}),
        ({"result": "责令整改"}, {"result": "责令整改"}),
        ({"q": "网吧"}, {"q": "网吧"}),
        (
            {"from": since, "to": today.isoformat()},
            {"date_from": since, "date_to": today.isoformat()},
        ),
    ]:
        page = client.get(reverse("rectification:inspection-list"), page_query)
        api = client.get("/api/rectification/inspections", {**api_query, "page_size": 100})
        assert page.status_code == api.status_code == 200, page_query
        assert [a.pk for a in page.context["inspections"]] == [
            item["id"] for item in api.json()["items"]
        ], page_query
