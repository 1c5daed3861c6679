"""The briefing in a browser, on a phone: the office has configured a briefing line, the liaison
recorded three “晨读+分享” sessions; the leader reads the briefing of unit A, follows the figure
to the three records behind it, and downloads the Word document."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category
from luoshi.reports import services
from luoshi.reports.models import Metric, Rounding
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_a_briefing_follow_a_figure_and_download_word(browser, live_server, world, shoot):
    morning = ledger.create_activity_type(
        actor=world.office, name="晨读+分享", category=Category.STUDY
    )
    template = services.create_template(
        actor=world.office, name="工作简报", title="{unit}“四大”专项行动工作简报"
    )
    section = services.create_section(
        actor=world.office, template=template, heading="突出“活”字，力学深悟添动力。"
    )
    services.create_line(
        actor=world.office,
        section=section,
        metric=Metric.ACTIVITIES,
        activity_type=morning,
        pattern="共计开展“晨读+分享”学习会{n}次。",
        rounding=Rounding.APPROX,
    )
    earlier = timezone.now() - datetime.timedelta(hours=3)
    for number in range(3):
        ledger.record_activity(
            actor=world.liaison,
            activity_type=morning,
            unit=world.unit_a,
            title=f"晨读+分享（第{number + 1}期）",
            starts_at=earlier,
            participants=[world.liaison, world.staff],
        )

    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/workbench/")

    page.goto(f"{live_server.url}/reports/?unit={world.unit_a.pk}")
    briefing = page.locator("#briefing")
    expect(briefing).to_contain_text("市文体旅游广电局“四大”专项行动工作简报")
    expect(briefing).to_contain_text(
        "（一）突出“活”字，力学深悟添动力。共计开展“晨读+分享”学习会3次。"
    )
    shoot(page, "briefing-01-leader-reads-on-phone")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载Word").click()
    assert download.value.suggested_filename.endswith(".docx")

    briefing.locator("a[data-figure]").first.click()
    expect(page.locator("#activities tbody tr")).to_have_count(3)
    shoot(page, "briefing-02-records-behind-the-figure")
    context.close()
