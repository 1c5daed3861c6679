"""典型推广: a unit submits a case linked to its records, the office reviews and publishes it, pins
it on the dashboard and promotes it in a notice; who sees what; Excel and the API."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from luoshi.api.tests.conftest import api_for  # noqa: F401 (fixture)
from luoshi.assessment import services
from luoshi.assessment.models import Notice, TypicalCase
from luoshi.audit.models import AuditEvent
from luoshi.lib.errors import Conflict

from .conftest import record_session, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(scenario):
    """Unit A's liaison submits a case told from two of A's 专项理论学习 sessions."""
    world = scenario.world
    sessions = list(scenario.theory.activities.filter(unit=world.unit_a).order_by("starts_at")[:2])
    return services.submit_case(
        actor=world.liaison,
        campaign=world.campaign,
        unit=world.unit_a,
        title="“晨读+分享”带动全员学",
        summary="每周一晨读，每月一分享，干部职工参学率保持在九成以上。",
        activities=sessions,
        track=world.campaign.tracks.first(),
        practice="晨读分享",
    )


def test_a_case_is_submitted_reviewed_and_published(scenario, case, client_for):
    world = scenario.world
    assert case.state == TypicalCase.State.SUBMITTED and case.activities.count() == 2
    # Under review: the unit and the office see it; another unit does not.
    assert client_for(world.liaison).get(f"/assessment/cases/{case.pk}/").status_code == 200
    assert client_for(world.outsider).get(f"/assessment/cases/{case.pk}/").status_code == 404
    page = client_for(world.office).get(f"/assessment/cases/{case.pk}/").text
    records = page[page.index('id="case-records"') :]
    assert records.count('href="/ledgers/activities/') == 2
    with pytest.raises(ValidationError) as caught:
        services.review_case(actor=world.office, case=case, publish=False, note="")
    assert "退回须写明理由。" in str(caught.value)
    with pytest.raises(PermissionDenied):
        services.review_case(actor=world.liaison, case=case, publish=True)
    response = client_for(world.office).post(
        f"/assessment/cases/{case.pk}/review/", {"decision": "publish", "note": "可在全市推广"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == TypicalCase.State.PUBLISHED and case.reviewed_by == world.office
    assert AuditEvent.objects.filter(verb="publish_case", object_id=str(case.pk)).exists()
    with pytest.raises(Conflict):
        services.review_case(actor=world.office, case=case, publish=True)
    # Published: everyone signed in reads it (it is there to be promoted).
    for user in (world.outsider, world.staff):
        assert client_for(user).get(f"/assessment/cases/{case.pk}/").status_code == 200


def test_records_must_be_the_units_and_seen(scenario):
    world = scenario.world
    b_session = record_session(world, scenario.theory, world.unit_b, 2)
    with pytest.raises(ValidationError) as caught:
        services.submit_case(
            actor=world.liaison,
            campaign=world.campaign,
            unit=world.unit_a,
            title="跨单位案例",
            summary="……",
            activities=[b_session],
        )
    assert f"以下记录不是市文体旅游广电局的或您无权查看：{b_session.title}。" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        services.submit_case(
            actor=world.liaison,
            campaign=world.campaign,
            unit=world.unit_a,
            title="没有记录",
            summary="……",
            activities=[],
        )
    assert "请至少关联一条台账记录" in str(caught.value)
    with pytest.raises(PermissionDenied):
        services.submit_case(
            actor=world.outsider,
            campaign=world.campaign,
            unit=world.unit_a,
            title="替别人报送",
            summary="……",
            activities=[b_session],
        )


def test_promotion_is_counted_where_it_was_used(scenario, case, client_for):
    world = scenario.world
    services.review_case(actor=world.office, case=case, publish=True)
    services.pin_case(actor=world.office, case=case, pinned=True)
    run_now(scenario.plan)
    services.open_self_assessment(actor=world.office, plan=scenario.plan)
    board = client_for(world.leader).get("/assessment/dashboard/").text
    assert f'href="/assessment/cases/{case.pk}/"' in board[board.index('id="dashboard-cases"') :]
    series = services.create_series(
        actor=world.office, name="通报", prefix="茫宣通", office_unit=world.office_unit
    )
    notice = services.create_notice(
        actor=world.office,
        series=series,
        kind=Notice.Kind.PRAISE,
        title="关于推广“晨读+分享”经验做法的通报",
        body="现将市文体旅游广电局经验做法予以通报。",
        units=[world.unit_a, world.unit_b],
        cases=[case],
    )
    listed = client_for(world.office).get("/assessment/cases/").text
    assert "通报推广 0 次" in listed  # a draft is not a use
    services.issue_notice(actor=world.office, notice=notice)
    listed = client_for(world.office).get("/assessment/cases/?practice=晨读分享").text
    assert "通报推广 1 次" in listed
    detail = client_for(world.outsider).get(f"/assessment/cases/{case.pk}/").text
    uses = detail[detail.index('id="case-uses"') :]
    assert "考核驾驶舱置顶" in uses and f'href="/assessment/notices/{notice.pk}/"' in uses
    shown = client_for(world.outsider).get(f"/assessment/notices/{notice.pk}/").text
    assert f'href="/assessment/cases/{case.pk}/"' in shown
    other = services.submit_case(
        actor=world.liaison,
        campaign=world.campaign,
        unit=world.unit_a,
        title="未审核的案例",
        summary="……",
        activities=list(case.activities.all()[:1]),
    )
    with pytest.raises(ValidationError):
        services.create_notice(
            actor=world.office,
            series=series,
            kind=Notice.Kind.PRAISE,
            title="x",
            body="y",
            units=[world.unit_a],
            cases=[other],
        )
    with pytest.raises(Conflict):
        services.pin_case(actor=world.office, case=other, pinned=True)


def test_the_case_library_filters_and_exports(scenario, case, client_for):
    world = scenario.world
    services.review_case(actor=world.office, case=case, publish=True)
    office = client_for(world.office)
    assert "“晨读+分享”带动全员学" not in office.get("/assessment/cases/?state=returned").text
    response = office.get("/assessment/cases/?q=文体&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "标题")
    assert rows[rows.index(header) + 1][:8] == [
        "“晨读+分享”带动全员学",
        "市文体旅游广电局",
        "全员大学习",
        "晨读分享",
        "已发布",
        2,
        0,
        "否",
    ]


def test_cases_through_the_api(scenario, api_for):  # noqa: F811
    world = scenario.world
    session = scenario.theory.activities.filter(unit=world.unit_a).first()
    liaison = api_for(world.liaison)
    response = liaison.post(
        "/assessment/cases",
        {
            "campaign_id": world.campaign.pk,
            "unit_id": world.unit_a.pk,
            "title": "接口报送的案例",
            "summary": "……",
            "activity_ids": [session.pk],
        },
    )
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert response.json()["records"][0]["url"] == f"/ledgers/activities/{session.pk}/"
    assert api_for(world.outsider).get(f"/assessment/cases/{case_id}").status_code == 404
    assert liaison.post(f"/assessment/cases/{case_id}/review", {"publish": True}).status_code == 403
    published = api_for(world.office).post(f"/assessment/cases/{case_id}/review", {"publish": True})
    assert published.json()["state"] == "published"
    listed = api_for(world.outsider).get("/assessment/cases").json()
    assert [row["id"] for row in listed] == [case_id]
