"""Study on a phone: a staff member records a designated book and writes an essay from 我的学习,
the liaison rates the essay 优秀, and the study counts show it. Screenshots go to
test-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Activity, Category
from luoshi.study import services
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_as(browser, live_server):
    """open_as(username, phone=False) → a page of a fresh browser context, logged in."""
    contexts = []

    def _open(username: str, *, phone: bool = False):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options |= {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/workbench/")
        return page

    yield _open
    for context in contexts:
        context.close()


def test_book_essay_and_excellent_on_phone(open_as, live_server, world, shoot):
    office = world.office
    reading = ledger.create_activity_type(
        actor=office,
        name="每月读一本好书",
        category=Category.STUDY,
        is_personal=True,
        fields=[
            {"key": "book", "label": "书名", "kind": "text", "required": True},
            {"key": "designated", "label": "指定读本", "kind": "choice", "choices": ["是", "否"]},
        ],
    )
    essay = ledger.create_activity_type(
        actor=office, name="心得体会", category=Category.STUDY, is_personal=True
    )
    services.set_study_settings(
        actor=office, campaign=world.campaign, reading_type=reading, essay_type=essay
    )
    book = services.add_reading(actor=office, campaign=world.campaign, title="中国共产党简史")

    page = open_as("staff", phone=True)
    page.goto(f"{live_server.url}/study/")
    page.get_by_role("link", name="记录读书").click()
    page.select_option("#id_reading", str(book.pk))
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#my-books")).to_contain_text("《中国共产党简史》")
    page.get_by_role("link", name="写心得体会").click()
    page.fill("#id_title", "作风大转变从我做起")
    page.fill("#id_text", "通过集中学习，体会到……")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#my-essays")).to_contain_text("作风大转变从我做起")
    shoot(page, "study-phone-my-study")
    written = Activity.objects.get(type=essay)
    assert written.participations.get().person == world.staff

    liaison = open_as("wtl", phone=True)
    liaison.goto(f"{live_server.url}/study/essays/")
    liaison.get_by_role("button", name="评为优秀").click()
    expect(liaison.locator("#essays")).to_contain_text("优秀")
    liaison.goto(f"{live_server.url}/study/counts/")
    row = liaison.locator("#study-counts tbody tr", has_text="张三")
    expect(row).to_contain_text("1")
    shoot(liaison, "study-phone-counts")
    written.refresh_from_db()
    assert written.commended_by == world.liaison
