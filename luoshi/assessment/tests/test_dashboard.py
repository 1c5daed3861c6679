"""The leaders' dashboard (考核驾驶舱): a campaign's results in the reader's scope, the trend over
its plans, every figure a link, Excel, and a query count that does not grow with the data."""

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.assessment import services
from luoshi.assessment.models import Grade, Plan, UnitScore
from luoshi.org import services as org
from luoshi.org.models import UnitKind

from .conftest import evidence, run_now

pytestmark = pytest.mark.django_db


def assessed(plan: Plan, *, open_self: bool = True):
    run = run_now(plan)
    if open_self:
        services.open_self_assessment(actor=plan.created_by, plan=plan)
    return run


def second_plan(scenario, *, units=()) -> Plan:
    """The next plan of the campaign over the same records (a day later), with more units."""
    first = scenario.plan
    plan = services.copy_plan(
        actor=scenario.world.office,
        source=first,
        name="第二期考核",
        period_start=first.period_start + datetime.timedelta(days=1),
        period_end=first.period_end,
        cutoff=first.cutoff,
    )
    if units:
        plan.categories.get().units.add(*units)
    return plan


def standings(html: str) -> list[tuple[str, str, str]]:
    table = html[html.index('id="standings"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(
        r'<tr>\s*<td[^>]*>[^<]*</td><td>(\d+)</td>\s*<td><a href="/assessment/scores/\d+/">([^<]+)</a></td>'
        r'\s*<td class="text-end fw-bold">([\d.]+)</td>',
        table,
    )
    return [(name, rank, total) for rank, name, total in rows]


def test_the_leader_reads_the_standings_and_their_trend(scenario, client_for):
    world = scenario.world
    assessed(scenario.plan)
    plan = second_plan(scenario)
    run = run_now(plan)
    # The inspection team marks unit A down in the second period (0 + 5 − 2): B goes first.
    a = run.unit_scores.get(unit=world.unit_a)
    for name, score in (("任务按时办结率", 0), ("专项理论学习次数", 5)):
        services.adjust_item(
            actor=world.office,
            item=a.items.get(indicator_name=name),
            score=score,
            reason="抽查发现台账不实",
            evidence=[evidence()],
        )
    services.open_self_assessment(actor=world.office, plan=plan)
    page = client_for(world.leader).get("/assessment/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert standings(html) == [("冷湖镇", "1", "10.00"), ("市文体旅游广电局", "2", "3.00")]
    rows = html[html.index('id="standings"') :]
    assert '<span class="text-success">↑1</span>' in rows  # 冷湖镇: 2nd → 1st
    assert '<span class="text-danger">↓1</span>' in rows
    first_a = UnitScore.objects.get(run__plan=scenario.plan, unit=world.unit_a)
    assert f'<a href="/assessment/scores/{first_a.pk}/">88.00</a>' in rows  # the earlier period
    # The figures link to what they count; the charts come from the same figures.
    assert f'href="/assessment/plans/{plan.pk}/scores/?grade=excellent"' in html
    bars = json.loads(re.search(r'id="bar-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert bars["yAxis"]["data"] == ["冷湖镇", "市文体旅游广电局"]
    assert bars["series"][0]["data"] == [10.0, 3.0]
    line = json.loads(re.search(r'id="line-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert line["xAxis"]["data"] == ["2026年上半年考核", "第二期考核"]
    assert line["series"][0]["data"] == [49.0, 6.5]
    assert 'hx-trigger="every 300s"' in html
    # An earlier plan can be chosen; the filter narrows the table.
    earlier = client_for(world.leader).get(f"/assessment/dashboard/?plan={scenario.plan.pk}")
    assert standings(earlier.content.decode())[0] == ("市文体旅游广电局", "1", "88.00")
    narrowed = client_for(world.leader).get(f"/assessment/dashboard/?plan={plan.pk}&q=冷湖")
    assert [row[0] for row in standings(narrowed.content.decode())] == ["冷湖镇"]


def test_each_reader_sees_their_scope(scenario, client_for):
    world = scenario.world
    assessed(scenario.plan)
    assert standings(client_for(world.outsider).get("/assessment/dashboard/").content.decode()) == [
        ("冷湖镇", "2", "10.00")
    ]
    assert [
        row[0] for row in standings(client_for(world.liaison).get("/assessment/dashboard/").text)
    ] == ["市文体旅游广电局"]
    assert client_for(world.staff).get("/assessment/dashboard/").status_code == 403
    # A plan still being drawn up is nobody's result yet.
    draft = second_plan(scenario)
    run_now(draft)
    office = client_for(world.office).get(f"/assessment/dashboard/?plan={draft.pk}").text
    assert "第二期考核" not in office


def test_grades_and_the_excel_export(scenario, client_for):
    world = scenario.world
    assessed(scenario.plan)
    UnitScore.objects.filter(run__plan=scenario.plan, unit=world.unit_a).update(
        grade=Grade.EXCELLENT
    )
    html = client_for(world.leader).get("/assessment/dashboard/").content.decode()
    figures = html[html.index('id="figures"') : html.index('class="row g-3 mb-3"')]
    assert re.search(r"优秀</div><div class=\"h5 mb-0\">1<", figures)
    assert re.search(r"未定档</div><div class=\"h5 mb-0\">1<", figures)
    assert re.search(r"平均分</div><div class=\"h4 mb-0\">49.00<", figures)
    response = client_for(world.leader).get("/assessment/dashboard/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "类别")
    assert header == ["类别", "名次", "单位", "总分", "等次", "名次变化", "2026年上半年考核总分"]
    assert rows[rows.index(header) + 1] == ["部门", 1, "市文体旅游广电局", 88, "优秀", None, 88]


def test_the_dashboard_query_count_does_not_grow_with_units_or_plans(scenario, client_for):
    leader = client_for(scenario.world.leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert leader.get("/assessment/dashboard/").status_code == 200
        return len(captured)

    assessed(scenario.plan)
    few = queries()
    more = [
        org.create_unit(
            actor=None, name=f"第{n}社区", kind=UnitKind.COMMUNITY, parent=scenario.world.city
        )
        for n in range(4)
    ]
    assessed(second_plan(scenario, units=more))
    assert queries() == few
