"""The assessment API: the same scope and services as the pages."""

import re

import pytest

from luoshi.api.tests.conftest import api_for  # noqa: F401 (fixture)
from luoshi.assessment import services
from luoshi.assessment.models import Stage

from .conftest import run_now

pytestmark = pytest.mark.django_db


def test_the_score_list_matches_the_page(scenario, api_for, client_for):  # noqa: F811
    world = scenario.world
    run_now(scenario.plan)
    services.open_self_assessment(actor=world.office, plan=scenario.plan)
    for user in (world.office, world.liaison, world.outsider, world.leader):
        for query in ("", "?q=冷湖", "?grade=good"):
            page = client_for(user).get(f"/assessment/plans/{scenario.plan.pk}/scores/{query}")
            page_ids = sorted(
                int(pk)
                for pk in re.findall(r'href="/assessment/scores/(\d+)/"', page.content.decode())
            )
            params = dict(part.split("=") for part in query.lstrip("?").split("&") if part)
            api = api_for(user).get(f"/assessment/plans/{scenario.plan.pk}/scores", params)
            assert api.status_code == 200
            assert sorted(row["id"] for row in api.json()) == page_ids, (user, query)


def test_scope_and_moves_through_the_api(scenario, api_for):  # noqa: F811
    world = scenario.world
    office = api_for(world.office)
    response = office.post(f"/assessment/plans/{scenario.plan.pk}/runs")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    services.compute_run(run_id=response.json()["id"])
    assert office.get(f"/assessment/plans/{scenario.plan.pk}/runs/latest").json()["percent"] == 100
    a = scenario.plan.runs.get().unit_scores.get(unit=world.unit_a)
    assert api_for(world.liaison).get(f"/assessment/scores/{a.pk}").status_code == 404  # draft
    assert (
        api_for(world.liaison)
        .post(f"/assessment/plans/{scenario.plan.pk}/moves/open-self")
        .status_code
        == 404
    )
    assert (
        office.post(f"/assessment/plans/{scenario.plan.pk}/moves/open-self").json()["stage"]
        == Stage.SELF
    )
    detail = api_for(world.liaison).get(f"/assessment/scores/{a.pk}").json()
    assert detail["total"] == "88.00"
    sessions = next(i for i in detail["items"] if i["indicator"] == "专项理论学习次数")
    assert sessions["record_count"] == 3 and sessions["records"][0]["url"].startswith("/ledgers/")
    assert api_for(world.outsider).get(f"/assessment/scores/{a.pk}").status_code == 404
    response = api_for(world.liaison).post(f"/assessment/scores/{a.pk}/self", {"note": ""})
    assert response.status_code == 422 and "note" in response.json()["errors"]
    assert (
        api_for(world.liaison)
        .post(f"/assessment/scores/{a.pk}/self", {"note": "已完成"})
        .status_code
        == 200
    )
    assert api_for(world.staff).get("/assessment/plans").status_code == 403


def test_weights_error_on_the_api_is_422(world, api_for):  # noqa: F811
    response = api_for(world.office).post(
        "/assessment/indicators",
        {"name": "平台覆盖", "source": "nope", "rule": "linear", "target": 1},
    )
    assert response.status_code == 422
    assert "没有这个数据来源" in response.json()["errors"]["source"][0]
