"""Signing in on a PC and on a phone-sized screen."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_lands_on_the_workbench(page, live_server, world, login, shoot):
    login(page, "wtl")
    expect(page).to_have_url(f"{live_server.url}/workbench/")
    expect(page.locator("nav")).to_contain_text("李晓梅")
    shoot(page, "workbench-liaison")


def test_wrong_password_is_refused_in_chinese(page, live_server, world, login, shoot):
    login(page, "wtl", password="wrong-Password1")
    expect(page.locator("body")).to_contain_text("密码")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    shoot(page, "login-refused")


def test_phone_sized_menu(browser, live_server, world, shoot):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "office")
    from luoshi.testing import PASSWORD

    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/workbench/")  # loaded: Bootstrap's menu script runs
    page.click("button.navbar-toggler")
    expect(page.locator("#mainnav")).to_be_visible()
    shoot(page, "phone-menu-office")
    context.close()
