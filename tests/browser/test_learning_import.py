"""Learning-platform import end to end in a browser, on a phone: the `wtl` liaison uploads a
学习强国 export as the platform writes it (title row, merged header, 合计 row), finds one name the
platform spells differently, matches it by hand through the person search, confirms, and the
import stands confirmed with its counts. Screenshots go to test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from luoshi.learning.models import ImportRow, PersonAlias, PointImport, PointRecord
from luoshi.learning.tests.import_files import strong_nation_rows, xlsx_export
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A = "市文体旅游广电局"


def test_liaison_uploads_fixes_a_name_and_confirms_on_phone(
    browser, live_server, world, shoot, tmp_path, pick
):
    export = tmp_path / "学习强国2026年10月积分.xlsx"
    export.write_bytes(
        xlsx_export(
            strong_nation_rows(
                [
                    ("张三", A, "13900005678", 320),
                    ("赵小敏", A, "", "１２０"),  # the platform's spelling of 赵敏
                    ("李晓梅", A, "", 80),
                ]
            )
        )
    )
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", world.liaison.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/workbench/")

    page.goto(f"{live_server.url}/learning/imports/upload/")
    expect(page.locator("#upload-form")).to_have_attribute("data-progress", "")
    page.select_option("select[name=platform]", "xuexi")
    page.set_input_files("input[name=file]", str(export))
    shoot(page, "learning-import-1-upload")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r"/learning/imports/\d+/$"))  # loaded: the picker's script runs
    expect(page.locator('[data-count="matched"]')).to_have_text("2")
    expect(page.locator('[data-count="pending"]')).to_have_text("1")
    shoot(page, "learning-import-2-preview")

    card = page.locator('#pending-rows [data-name="赵小敏"]')
    expect(card).to_be_visible()
    select = card.locator("select[name=person]")
    pick(select, "赵敏", "赵敏")
    expect(select.locator("option:checked", has_text="赵敏")).to_have_count(1)
    card.locator("button[value=match]").click()
    expect(page.locator('[data-count="matched"]')).to_have_text("3")
    expect(page.locator('[data-count="pending"]')).to_have_text("0")
    page.wait_for_load_state()  # the new page's scripts (the confirm dialog) are wired at load

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        page.click("#confirm-import")
    assert dialogs and "确认导入" in dialogs[0]
    expect(page.locator("#import-status")).to_have_attribute("data-status", "confirmed")
    expect(page.locator('[data-count="records"]')).to_have_text("3")
    shoot(page, "learning-import-3-confirmed")

    point_import = PointImport.objects.get()
    assert point_import.status == PointImport.Status.CONFIRMED
    assert (point_import.row_count, point_import.matched_count, point_import.record_count) == (
        3,
        3,
        3,
    )
    assert point_import.rows.get(name="赵小敏").match == ImportRow.Match.MATCHED
    assert PersonAlias.objects.get(name="赵小敏").person == world.staff2
    assert PointRecord.objects.get(person=world.staff2).value == 120
    context.close()
