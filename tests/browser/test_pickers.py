"""The searchable person picker on the leading group's page, and the first-steps card closed in
place, in a real browser (issue 11)."""

import pytest
from playwright.sync_api import expect

from luoshi.campaigns.models import LeadingGroupMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_picks_a_leading_group_member_by_pinyin(
    page, live_server, world, login, pick, shoot
):
    login(page, "office")
    card = page.locator("#first-steps")
    expect(card).to_be_visible()
    card.get_by_role("button", name="知道了，不再显示").click()
    expect(page.locator("#first-steps")).to_have_count(0)
    page.goto(f"{live_server.url}/campaigns/{world.campaign.pk}/leading-group/")
    select = page.locator("select[name=lg-0-person]")
    expect(select.locator("option")).to_have_count(1)  # nobody listed: found by searching
    pick(select, "cz", "陈志强")
    page.locator("select[name=lg-0-seat]").select_option("leader")
    shoot(page, "leading-group-picker")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("领导小组已保存")
    assert list(LeadingGroupMember.objects.values_list("person__username", "seat")) == [
        ("leader", "leader")
    ]
    page.goto(f"{live_server.url}/workbench/")
    expect(page.locator("#first-steps")).to_have_count(0)
