"""The campaign office does its own routine work in the pages (issue 11): it records a lecture of
its own 宣讲队, records its 周例会 with the minutes, and turns a decision of that meeting into a
task, on a phone; the pickers are the searchable ones (Tom Select asking the scoped endpoints)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from luoshi.campaigns.models import Task
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, Category
from luoshi.meetings.models import Decision, Meeting
from luoshi.outreach import services as outreach
from luoshi.outreach.models import Lecture
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_page(browser, live_server, username):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/workbench/")
    return context, page


def _pick(page, name: str, text: str) -> None:
    """Choose `text` in the searchable picker that replaced <select name=…>."""
    wrapper = page.locator(f"select[name={name}] ~ .ts-wrapper").first
    wrapper.locator("input").first.click()
    wrapper.locator("input").first.fill(text)
    page.locator(".ts-dropdown .option", has_text=text).first.click()
    page.keyboard.press("Escape")


def test_the_office_records_a_lecture_a_meeting_and_turns_a_decision_into_a_task(
    browser, live_server, world, shoot
):
    lecture_type = ledger.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        has_audience=True,
        fields=[{"key": "topic", "label": "宣讲主题", "kind": "text", "required": True}],
    )
    team = outreach.create_team(
        actor=world.office, unit=world.office_unit, name="挎包宣讲队", leader=world.office
    )
    weekly = ledger.create_activity_type(
        actor=world.office, name="周例会", category=Category.MEETING, campaign=world.campaign
    )
    context, page = _phone_page(browser, live_server, world.office.username)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    page.goto(f"{live_server.url}{reverse('outreach:lecture-record')}")
    page.locator("select[name=type]").select_option(value=str(lecture_type.pk))
    page.locator("select[name=team]").select_option(value=str(team.pk))
    page.locator("select[name=venue_category]").select_option(index=1)
    page.fill("input[name=place]", "花土沟镇阿拉尔社区")
    page.fill("input[name=starts_at]", now)
    page.fill("input[name=topic]", "党的二十大精神进社区")
    page.locator("select[name=unit]").select_option(value=str(world.office_unit.pk))
    shoot(page, "office-lecture-form-phone")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("党的二十大精神进社区")
    lecture = Lecture.objects.select_related("activity").get()
    assert lecture.team == team and lecture.activity.unit == world.office_unit

    page.goto(f"{live_server.url}{reverse('meetings:meeting-create')}")
    page.locator("select[name=type]").select_option(value=str(weekly.pk))
    page.fill("input[name=title]", "第49周例会")
    page.locator("select[name=unit]").select_option(value=str(world.office_unit.pk))
    page.fill("input[name=starts_at]", now)
    page.fill("textarea[name=minutes]", "会议议定：制定文化市场专项检查方案。")
    shoot(page, "office-meeting-form-phone")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text("制定文化市场专项检查方案")
    meeting = Meeting.objects.select_related("activity").get()
    assert meeting.activity.unit == world.office_unit
    assert meeting.minutes == "会议议定：制定文化市场专项检查方案。"

    deadline = timezone.localdate() + datetime.timedelta(days=10)
    page.fill("textarea[name=text]", "制定文化市场专项检查方案")
    _pick(page, "unit", world.unit_a.name)
    _pick(page, "owner", world.staff.name)
    page.fill("input[name=deadline]", deadline.isoformat())
    shoot(page, "office-decision-form-phone")
    page.locator("form:has(textarea[name=text]) button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("办理中")
    shoot(page, "office-decision-task-phone")
    task = Decision.objects.get().task
    assert task.kind == Task.Kind.DECISION
    assert (task.unit, task.owner, task.deadline) == (world.unit_a, world.staff, deadline)
    assert Activity.objects.filter(type=weekly).count() == 1
    context.close()
