"""The assessment pages: the office sets up a plan through the pages, the figures link to their
records, the workflow moves through the pages, and each persona sees only what it may."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from luoshi.assessment import services
from luoshi.assessment.models import Plan, ScoreRun, Stage
from luoshi.lib.tests.docx_checks import check_official_document

from .conftest import evidence, run_now

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    """The page's content without what changes per request (nonces, CSRF tokens)."""
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_office_sets_up_a_plan_through_the_pages(scenario, client_for):
    world = scenario.world
    office = client_for(world.office)
    today = timezone.localdate()
    response = office.post(
        "/assessment/plans/new/",
        {
            "campaign": world.campaign.pk,
            "name": "2026年第三季度考核",
            "period_kind": "quarter",
            "period_start": (today - datetime.timedelta(days=30)).isoformat(),
            "period_end": (today + datetime.timedelta(days=60)).isoformat(),
            "cutoff": (today + datetime.timedelta(days=60)).isoformat(),
            "publicity_days": 5,
            "excellent_quota": 30,
        },
    )
    plan = Plan.objects.get(name="2026年第三季度考核")
    assert response.status_code == 302
    form = {
        "name": "部门",
        "sort_order": 0,
        "units": [world.unit_a.pk, world.unit_b.pk],
        f"w_{scenario.on_time.pk}": "60",
        f"w_{scenario.sessions.pk}": "35",
    }
    response = office.post(f"/assessment/plans/{plan.pk}/categories/new/", form)
    assert response.status_code == 200
    assert "“部门”类计分指标的权重合计为 95 分，应为 100 分。" in response.content.decode()
    assert not plan.categories.exists()  # all or nothing: the category is not kept either
    form[f"w_{scenario.sessions.pk}"] = "40"
    form[f"w_{scenario.returns.pk}"] = "on"
    assert office.post(f"/assessment/plans/{plan.pk}/categories/new/", form).status_code == 302
    page = office.get(f"/assessment/plans/{plan.pk}/").content.decode()
    assert "得分 = 40 × 实际值 ÷ 4" in page
    assert "每次扣 2 分，最多扣 3 分。" in page
    assert office.post(f"/assessment/plans/{plan.pk}/run/").status_code == 302
    run = plan.runs.get()
    assert run.status == ScoreRun.Status.QUEUED
    progress = office.get(f"/assessment/plans/{plan.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in progress
    services.compute_run(run_id=run.pk)
    progress = office.get(f"/assessment/plans/{plan.pk}/progress/").content.decode()
    assert "every 2s" not in progress and "共 2 个单位" in progress


def test_every_figure_links_to_its_records(scenario, client_for):
    run = run_now(scenario.plan)
    services.open_self_assessment(actor=scenario.world.office, plan=scenario.plan)
    a = run.unit_scores.get(unit=scenario.world.unit_a)
    sessions = a.items.get(indicator_name="专项理论学习次数")
    liaison = client_for(scenario.world.liaison)
    table = liaison.get(f"/assessment/plans/{scenario.plan.pk}/scores/").content.decode()
    assert f"/assessment/items/{sessions.pk}/" in table  # click 1
    records = liaison.get(f"/assessment/items/{sessions.pk}/").content.decode()
    activity = scenario.theory.activities.filter(unit=scenario.world.unit_a).first()
    assert f"/ledgers/activities/{activity.pk}/" in records  # click 2
    assert liaison.get(f"/ledgers/activities/{activity.pk}/").status_code == 200


def test_a_published_figure_renders_the_same_after_the_records_change(scenario, client_for):
    from .conftest import record_session

    run = run_now(scenario.plan)
    services.open_self_assessment(actor=scenario.world.office, plan=scenario.plan)
    office = client_for(scenario.world.office)
    b = run.unit_scores.get(unit=scenario.world.unit_b)
    before = _main(office.get(f"/assessment/scores/{b.pk}/"))
    record_session(scenario.world, scenario.theory, scenario.world.unit_b, 1)
    after = _main(office.get(f"/assessment/scores/{b.pk}/"))
    assert "1 次" in before
    assert before == after


def test_scope_liaison_sees_own_unit_outsider_gets_404(scenario, client_for):
    world = scenario.world
    run = run_now(scenario.plan)
    a = run.unit_scores.get(unit=world.unit_a)
    item = a.items.first()
    # draft: only the office
    assert client_for(world.liaison).get(f"/assessment/scores/{a.pk}/").status_code == 404
    assert (
        client_for(world.liaison).get(f"/assessment/plans/{scenario.plan.pk}/").status_code == 404
    )
    services.open_self_assessment(actor=world.office, plan=scenario.plan)
    assert client_for(world.liaison).get(f"/assessment/scores/{a.pk}/").status_code == 200
    assert client_for(world.leader).get(f"/assessment/scores/{a.pk}/").status_code == 200
    outsider = client_for(world.outsider)
    assert outsider.get(f"/assessment/scores/{a.pk}/").status_code == 404
    assert outsider.get(f"/assessment/items/{item.pk}/").status_code == 404
    table = outsider.get(f"/assessment/plans/{scenario.plan.pk}/scores/").content.decode()
    assert "冷湖镇" in table and "市文体旅游广电局" not in table
    # staff hold no assessment permission: no menu entry, no pages
    staff = client_for(world.staff)
    assert 'href="/assessment/"' not in staff.get("/workbench/").content.decode()
    assert staff.get("/assessment/").status_code == 403
    assert 'href="/assessment/"' in client_for(world.liaison).get("/workbench/").content.decode()
    assert client_for(world.liaison).get(f"/assessment/items/{item.pk}/adjust/").status_code == 403


def test_the_workflow_through_the_pages(scenario, client_for, monkeypatch):
    world, plan = scenario.world, scenario.plan
    run = run_now(plan)
    a = run.unit_scores.get(unit=world.unit_a)
    b = run.unit_scores.get(unit=world.unit_b)
    office, liaison, outsider = (
        client_for(world.office),
        client_for(world.liaison),
        client_for(world.outsider),
    )
    assert liaison.post(f"/assessment/plans/{plan.pk}/move/open-self/").status_code == 404
    office.post(f"/assessment/plans/{plan.pk}/move/open-self/")
    plan.refresh_from_db()
    assert plan.stage == Stage.SELF
    page = liaison.get(f"/assessment/scores/{a.pk}/").content.decode()
    assert "提交自评" in page
    liaison.post(
        f"/assessment/scores/{a.pk}/self/",
        {"note": "各项任务按时完成", "evidence": [evidence()]},
    )
    a.refresh_from_db()
    assert a.self_note == "各项任务按时完成"
    assert outsider.post(f"/assessment/scores/{a.pk}/self/", {"note": "x"}).status_code == 404
    office.post(f"/assessment/plans/{plan.pk}/move/review/")
    office.post(f"/assessment/scores/{a.pk}/review/", {"note": "同意"})
    office.post(f"/assessment/plans/{plan.pk}/move/publicity/")
    plan.refresh_from_db()
    assert plan.stage == Stage.PUBLICITY
    publicity = outsider.get(f"/assessment/plans/{plan.pk}/publicity/").content.decode()
    assert "市文体旅游广电局" in publicity  # the list is public to the assessed units
    assert f"/assessment/scores/{a.pk}/" not in publicity  # but not A's breakdown
    outsider.post(f"/assessment/scores/{b.pk}/appeal/", {"reason": "漏统计一次学习"})
    appeal = b.appeals.get()
    sessions = b.items.get(indicator_name="专项理论学习次数")
    response = office.post(
        f"/assessment/appeals/{appeal.pk}/answer/",
        {"answer": "经核实补登一次", "item": sessions.pk, "score": "20", "evidence": [evidence()]},
    )
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.total == 20
    later = timezone.localdate() + datetime.timedelta(days=10)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    office.post(f"/assessment/plans/{plan.pk}/move/grade/")
    office.post(f"/assessment/plans/{plan.pk}/move/publish/")
    plan.refresh_from_db()
    assert plan.stage == Stage.PUBLISHED
    detail = liaison.get(f"/assessment/scores/{a.pk}/").content.decode()
    assert "良好" in detail
    response = liaison.get(f"/assessment/plans/{plan.pk}/result.docx")
    document = check_official_document(
        response.content, author="市委宣传部", title="关于2026年上半年考核结果的通报", tables=1
    )
    text = "\n".join(p.text for p in document.paragraphs)
    assert "良好等次（1个）" in text and "较差等次（1个）" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["名次", "单位", "得分", "等次"]
    assert rows[1] == ["1", "市文体旅游广电局", "88.00", "良好"]
    assert rows[2] == ["2", "冷湖镇", "20.00", "较差"]


def test_the_score_table_exports_to_excel(scenario, client_for):
    run_now(scenario.plan)
    response = client_for(scenario.world.office).get(
        f"/assessment/plans/{scenario.plan.pk}/scores/?export=xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "类别")
    assert header[:3] == ["类别", "名次", "单位"] and "总分" in header
    first = rows[rows.index(header) + 1]
    assert first[2] == "市文体旅游广电局" and first[header.index("总分")] == 88


def test_indicator_pages(world, client_for):
    office = client_for(world.office)
    response = office.post(
        "/assessment/indicators/new/",
        {
            "name": "宣讲覆盖牧区",
            "kind": "score",
            "source": "outreach.coverage",
            "rule": "tiers",
            "tiers": "3:100；1:60",
            "venues": ["pastoral"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    page = office.get("/assessment/indicators/").content.decode()
    assert "分档计分（满分 10 分）：≥ 3 个得 10 分；≥ 1 个得 6 分；其余得 0 分。" in page
    response = office.post(
        "/assessment/indicators/new/",
        {
            "name": "坏分档",
            "kind": "score",
            "source": "ledger.activities",
            "rule": "tiers",
            "tiers": "八:100",
        },
    )
    assert "分档格式不对" in response.content.decode()
    assert client_for(world.liaison).get("/assessment/indicators/new/").status_code == 403


def test_the_score_table_query_count_does_not_grow_with_the_units(scenario, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.org import services as org
    from luoshi.org.models import UnitKind

    office = client_for(scenario.world.office)

    def queries() -> int:
        run = run_now(scenario.plan)
        assert run.status == ScoreRun.Status.DONE
        with CaptureQueriesContext(connection) as captured:
            assert office.get(f"/assessment/plans/{scenario.plan.pk}/scores/").status_code == 200
        return len(captured)

    few = queries()
    category = scenario.plan.categories.get()
    more = [
        org.create_unit(
            actor=None,
            name=f"第{n}社区",
            kind=UnitKind.COMMUNITY,
            parent=scenario.world.city,
            audit=False,
        )
        for n in range(4)
    ]
    category.units.add(*more)
    assert queries() == few
