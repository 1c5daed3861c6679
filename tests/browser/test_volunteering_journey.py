"""Volunteer service end to end on phone-sized windows: a resident orders a service without
logging in and gets a code; the centre accepts and dispatches it to a team; the team's liaison
takes it; a volunteer signs up for an activity and checks in with its six-digit code; the unit
certifies the volunteer's confirmed hours, the certificate downloads and its verification page
opens. Screenshots go to test-artifacts/screenshots/."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from luoshi.testing import PASSWORD
from luoshi.volunteering import services
from luoshi.volunteering.models import Certificate, ServiceHours, ServiceOrder, SignUp
from luoshi.volunteering.tests.conftest import network as network  # noqa: F401 — the fixture
from luoshi.volunteering.tests.conftest import publish, register
from luoshi.volunteering.tests.conftest import service_type as service_type  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def _open(username: str | None = None):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
        contexts.append(context)
        page = context.new_page()
        if username:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{live_server.url}/workbench/")
        return page

    yield _open
    for context in contexts:
        context.close()


def test_order_dispatch_sign_up_check_in_and_certificate(
    network, service_type, phone, live_server, shoot
):
    from luoshi.campaigns import services as chain

    today = timezone.localdate()
    campaign = chain.create_campaign(
        actor=network.centre,
        name="新时代文明实践志愿服务",
        office_unit=network.centre_unit,
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=300),
    )
    volunteer = register(network, network.staff)
    team = services.create_team(
        actor=network.liaison, unit=network.unit_a, name="文体局志愿服务队", leaders=[volunteer]
    )

    # 点单 without login.
    resident = phone()
    resident.goto(f"{live_server.url}/volunteering/order/")
    resident.fill("input[name=name]", "马秀英")
    resident.fill("input[name=phone]", "13897001234")
    resident.fill("input[name=community]", "阿拉尔社区")
    resident.fill("textarea[name=need]", "家中老人行动不便，需要志愿者帮忙理发")
    a, b = (
        int(n)
        for n in resident.locator("#question").inner_text().split("：")[1].split("=")[0].split("+")
    )
    resident.fill("input[name=answer]", str(a + b))
    resident.click("button[type=submit]")
    code = resident.locator("#order-code")
    expect(code).to_be_visible()
    order = ServiceOrder.objects.get(code=code.inner_text())
    shoot(resident, "volunteering-order-placed")

    # 审核, 派单 by the centre; 接单 by the team's unit.
    centre = phone("wmzx")
    centre.goto(f"{live_server.url}/volunteering/orders/{order.pk}/")
    centre.select_option("#review select[name=accept]", "1")
    centre.select_option("#review select[name=category]", "助老助残")
    centre.click("#review button")
    expect(centre.locator("#dispatch")).to_be_visible()
    centre.select_option("#dispatch select[name=team]", str(team.pk))
    centre.select_option("#dispatch select[name=campaign]", str(campaign.pk))
    centre.fill("#dispatch input[name=deadline]", (today + datetime.timedelta(days=5)).isoformat())
    centre.click("#dispatch button")
    expect(centre.locator("h1 .badge")).to_have_text("已派单")
    liaison = phone("wtl")
    liaison.goto(f"{live_server.url}/volunteering/orders/{order.pk}/")
    liaison.get_by_role("button", name="接单").click()
    expect(liaison.locator("h1 .badge")).to_have_text("已接单")

    # A volunteer signs up and checks in with the code.
    service = publish(network, service_type, starts_in=0.25, hours=2, recruit_in=0.2)
    staff = phone("staff")
    staff.goto(f"{live_server.url}/volunteering/activities/{service.pk}/")
    staff.locator("#positions button").first.click()
    expect(staff.locator("#my-signup")).to_contain_text("已录用")
    staff.goto(f"{live_server.url}/volunteering/checkin/")
    staff.fill("input[name=code]", service.activity.checkin_code)
    staff.get_by_role("button", name="签到", exact=True).click()
    expect(staff.locator("#my-signup")).to_contain_text("签到")
    assert SignUp.objects.get(service=service).checked_in_at is not None
    shoot(staff, "volunteering-checked-in")

    # Confirmed hours (past publicity) are certified by the recording unit.
    ServiceHours.objects.create(
        service=service,
        volunteer=volunteer,
        unit=network.unit_a,
        hours=Decimal("2.0"),
        method="timed",
        served_on=today,
        public_until=timezone.now() - datetime.timedelta(minutes=1),
    )
    liaison.goto(f"{live_server.url}/volunteering/volunteers/{volunteer.pk}/certificate/")
    liaison.get_by_role("button", name="保存").click()
    expect(liaison.locator("#certificates")).to_contain_text("ZYZM-")
    certificate = Certificate.objects.get()
    with liaison.expect_download() as download:
        liaison.locator("#certificates a", has_text="Word").click()
    assert download.value.suggested_filename.endswith(".docx")
    check = phone()
    check.goto(f"{live_server.url}/volunteering/verify/{certificate.token}/")
    expect(check.locator("#genuine")).to_be_visible()
    expect(check.locator("#certificate")).to_contain_text(certificate.number)
    shoot(check, "volunteering-certificate-verified")
