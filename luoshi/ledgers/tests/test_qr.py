"""The check-in QR code: the activity page shows it, and it carries the check-in link."""

import xml.etree.ElementTree as ET

import segno
from django.urls import reverse
from django.utils import timezone

from luoshi.ledgers import qr, services


def test_svg_is_the_qr_code_of_the_text():
    text = "http://testserver/ledgers/checkin/?code=123456"
    markup = qr.svg(text, label="签到<二维码>")
    root = ET.fromstring(markup)
    assert root.get("class") == "qr-code d-block" and root.get("width") is None
    assert root.find("title").text == "签到<二维码>"
    expected = segno.make(text, error="m", micro=False, boost_error=False)
    size = expected.symbol_size(scale=1, border=4)[0]
    assert root.get("viewBox") == f"0 0 {size} {size}"


def test_detail_page_shows_the_qr_code(world, client_for, meeting):
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="周例会",
        starts_at=timezone.now(),
    )
    page = client_for(world.liaison).get(reverse("ledgers:activity-detail", args=[activity.pk]))
    html = page.content.decode()
    assert 'class="qr-code d-block"' in html and "签到二维码" in html
    assert f"/ledgers/checkin/?code={activity.checkin_code}" in html
