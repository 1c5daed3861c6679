"""The chain end to end in a browser: the office issues a task to two units, the `wtl` liaison signs
and assigns it, the owner reports progress with an uploaded file, the office returns it once and
then verifies it; the timeline shows every step. Screenshots go to test-artifacts/screenshots/."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from luoshi.campaigns.models import Task, TaskState
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(out, format="PNG")
    return out.getvalue()


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


def submit_action(page, name: str, fill: dict[str, str], *, check: tuple[str, ...] = ()):
    """Open the action panel `name` on the task page, fill it, submit it (the caller then
    expects the state it needs)."""
    panel = page.locator(f"#action-{name}")
    panel.locator("summary").click()
    for field, value in fill.items():
        control = panel.locator(f"[name={field}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    for field in check:
        panel.locator(f"[name={field}]").check()
    panel.locator("button[type=submit]").click()


def test_issue_sign_assign_report_return_verify(open_as, live_server, world, shoot, tmp_path):
    # The office writes a task in the breakdown and issues it to two units at once.
    office = open_as("office")
    office.goto(f"{live_server.url}/campaigns/{world.campaign.pk}/tasks/new/")
    office.fill("input[name=title]", "开展“每月读一本好书”活动")
    office.fill("textarea[name=description]", "每名干部职工每月读一本好书并撰写心得。")
    office.locator("input[name=deadline_mode][value=date]").check()
    office.fill("input[name=deadline]", "2099-12-31")
    office.click("form button[type=submit]")
    expect(office.locator("h1")).to_contain_text("每月读一本好书")
    plan = Task.objects.get(title="开展“每月读一本好书”活动", parent__isnull=True)
    office.goto(f"{live_server.url}/tasks/{plan.pk}/issue/")
    office.check(f"#unit-{world.unit_a.pk}")
    office.check(f"#unit-{world.unit_b.pk}")
    shoot(office, "01-office-issues-to-two-units")
    office.click("form button[type=submit]")
    expect(office.locator("#unit-tasks")).to_contain_text(world.unit_a.name)
    expect(office.locator("#unit-tasks")).to_contain_text(world.unit_b.name)
    task = Task.objects.get(parent=plan, unit=world.unit_a)
    assert Task.objects.filter(parent=plan).count() == 2

    # The liaison finds it on the workbench, signs it and names the owner.
    liaison = open_as("wtl")
    expect(liaison.locator("main")).to_contain_text("开展“每月读一本好书”活动")
    liaison.goto(f"{live_server.url}/tasks/{task.pk}/")
    submit_action(liaison, "sign", {})
    expect(liaison.locator("#task-state")).to_have_text("待分派")
    submit_action(liaison, "assign", {"owner": world.staff.name})
    expect(liaison.locator("#task-state")).to_have_text("办理中")

    # The owner reports from a phone, with a photo as evidence, and submits the completion.
    staff = open_as("staff", phone=True)
    staff.goto(f"{live_server.url}/tasks/{task.pk}/")
    photo = tmp_path / "读书会.png"
    photo.write_bytes(png_bytes())
    panel = staff.locator("#action-report")
    panel.locator("summary").click()
    panel.locator("[name=percent]").fill("100")
    panel.locator("[name=text]").fill("全局 23 人均已完成本月读书并提交心得。")
    panel.locator("[name=files]").set_input_files(str(photo))
    panel.locator("[name=complete]").check()
    shoot(staff, "02-staff-reports-on-phone")
    panel.locator("button[type=submit]").click()
    expect(staff.locator("#task-state")).to_have_text("待复核")

    # The office returns it once, with a reason …
    office.goto(f"{live_server.url}/tasks/{task.pk}/")
    panel = office.locator("#action-verify")
    panel.locator("summary").click()
    panel.locator("input[name=decision][value=return]").check()
    panel.locator("[name=reason]").fill("请补充读书心得汇编。")
    panel.locator("button[type=submit]").click()
    expect(office.locator("#task-state")).to_have_text("办理中")

    # … the owner completes it again, and the office verifies it.
    staff.reload()
    panel = staff.locator("#action-report")
    panel.locator("summary").click()
    panel.locator("[name=percent]").fill("100")
    panel.locator("[name=text]").fill("已补充心得汇编。")
    panel.locator("[name=complete]").check()
    panel.locator("button[type=submit]").click()
    expect(staff.locator("#task-state")).to_have_text("待复核")

    office.reload()
    panel = office.locator("#action-verify")
    panel.locator("summary").click()
    panel.locator("input[name=decision][value=pass]").check()
    panel.locator("[name=quality]").select_option(label="优")
    panel.locator("button[type=submit]").click()
    expect(office.locator("#task-state")).to_have_text("已办结")

    timeline = office.locator("#timeline")
    for step in ["下发", "签收", "分派责任人", "报送办结", "退回", "复核通过"]:
        expect(timeline).to_contain_text(step)
    expect(office.locator("main img").first).to_be_visible()  # the uploaded photo as a thumbnail
    shoot(office, "03-office-timeline-verified")

    task.refresh_from_db()
    assert task.state == TaskState.VERIFIED and task.returned_count == 1
    assert task.reports.filter(is_completion=True).count() == 2
