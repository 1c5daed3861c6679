"""The office runs a small assessment to 定档 and 发布 in the browser; the liaison of unit A
self-assesses on a phone and drills from a figure to its records. Screenshots go to
test-artifacts/screenshots/."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luoshi.assessment import services
from luoshi.assessment.models import Stage
from luoshi.assessment.tests.conftest import scenario  # noqa: F401 (fixture)
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def _open(username: str, *, phone: bool = False):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options |= {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/workbench/")
        return page

    yield _open
    for context in contexts:
        context.close()


def test_the_office_runs_an_assessment_to_grading(
    open_as,
    live_server,
    scenario,  # noqa: F811
    shoot,
    monkeypatch,
):
    plan = scenario.plan
    run = services.start_run(actor=scenario.world.office, plan=plan)
    services.compute_run(run_id=run.pk)  # the job, as the queue's worker would run it

    office = open_as("office")
    office.goto(f"{live_server.url}/assessment/")
    office.get_by_role("link", name="2026年上半年考核").click()
    expect(office.locator("#run")).to_contain_text("共 2 个单位")
    office.get_by_role("button", name="组织单位自评").click()
    expect(office.locator("h1 .badge")).to_have_text("单位自评")

    liaison = open_as("wtl", phone=True)
    liaison.goto(f"{live_server.url}/assessment/plans/{plan.pk}/scores/")
    liaison.get_by_role("link", name="市文体旅游广电局").click()
    expect(liaison.locator("h1")).to_contain_text("市文体旅游广电局")
    liaison.get_by_role("link", name="3 次").click()  # the figure → its records
    expect(liaison.locator("#records li")).to_have_count(3)
    liaison.go_back()
    liaison.fill("#id_note", "各项任务按时完成，专项理论学习开展 3 次。")
    liaison.get_by_role("button", name="提交自评").click()
    expect(liaison.locator("main")).to_contain_text("自评已提交")
    shoot(liaison, "assessment-phone-unit")

    office.get_by_role("button", name="结束自评，开始审核").click()
    expect(office.locator("h1 .badge")).to_have_text("审核")
    office.get_by_role("button", name="审核完毕，开始公示").click()
    expect(office.locator("h1 .badge")).to_have_text("公示")
    later = timezone.localdate() + datetime.timedelta(days=plan.publicity_days + 1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    office.get_by_role("button", name="公示期满，定档").click()
    expect(office.locator("h1 .badge")).to_have_text("定档")
    office.get_by_role("link", name="得分", exact=True).click()
    expect(office.locator("table.scores")).to_contain_text("良好")
    shoot(office, "assessment-score-table")
    office.get_by_role("link", name="方案", exact=True).click()
    office.get_by_role("button", name="发布考核结果").click()
    expect(office.locator("h1 .badge")).to_have_text("已发布")
    plan.refresh_from_db()
    assert plan.stage == Stage.PUBLISHED
