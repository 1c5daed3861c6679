"""Everyday flows that were broken in the pages (issue 11), in a browser on a phone and a desk:
the check-in QR code is drawn at a size a phone can scan, and 登记稿件 saves from the page.

The QR test measures the rendered box of the code (square, at least 150 CSS px, inside the
viewport) and reads the code back from a screenshot of that part of the page with zxing-cpp (a
test dependency), as a phone's camera would: it must decode to the activity's check-in URL."""

import datetime
import io

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category
from luoshi.media import services as media
from luoshi.media.models import Publication
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
        else:
            options |= {"viewport": {"width": 1366, "height": 900}}
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


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_checkin_qr_is_drawn_at_a_scannable_size(open_as, live_server, world, shoot, phone):
    meeting = ledger.create_activity_type(
        actor=world.office,
        name="专项理论学习",
        category=Category.STUDY,
        takes_attendance=True,
        takes_checkin=True,
    )
    now = timezone.now()
    activity = ledger.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="专项理论学习会",
        starts_at=now,
        checkin_opens_at=now - datetime.timedelta(minutes=5),
        checkin_closes_at=now + datetime.timedelta(hours=2),
    )
    page = open_as("wtl", phone=phone)
    page.goto(f"{live_server.url}/ledgers/activities/{activity.pk}/")
    svg = page.locator("#checkin-qr svg")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] >= 150 and box["height"] >= 150, box
    assert abs(box["width"] - box["height"]) < 2, box  # square, not squashed
    viewport = page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)
    shoot(page, f"daily-checkin-qr-{'phone' if phone else 'desktop'}")
    # the code as drawn on the page, with a little of the page around it, read like a camera would
    margin = 16
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    assert box is not None
    shot = page.screenshot(
        clip={
            "x": max(box["x"] - margin, 0),
            "y": max(box["y"] - margin, 0),
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        }
    )
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    checkin = f"{live_server.url}{reverse('ledgers:checkin')}?code={activity.checkin_code}"
    assert [(code.format, code.text) for code in found] == [
        (zxingcpp.BarcodeFormat.QRCode, checkin)
    ]


def test_publication_saves_from_the_page(open_as, live_server, world, shoot, pick):
    ledger.create_activity_type(actor=world.office, name="宣传报道", category=Category.MEDIA)
    media.create_channel(actor=world.office, name="茫崖发布")
    page = open_as("wtl", phone=True)
    page.goto(f"{live_server.url}/media/publications/new/")
    page.fill("input[name=title]", "我市挎包宣讲队走进牧区")
    page.locator("select[name=unit]").select_option(value=str(world.unit_a.pk))
    authors = page.locator("select[name=authors]")
    pick(authors, "李晓梅", "李晓梅")
    expect(authors.locator("option:checked", has_text="李晓梅")).to_have_count(1)
    shoot(page, "daily-publication-form-phone")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("我市挎包宣讲队走进牧区")
    shoot(page, "daily-publication-saved-phone")
    publication = Publication.objects.get()
    assert publication.activity.unit == world.unit_a
    assert publication.activity.recorded_by == world.liaison
