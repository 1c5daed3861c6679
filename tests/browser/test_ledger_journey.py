"""The ledger end to end in a browser, on a phone: the `wtl` liaison records a 挎包宣讲 with two
participants and a photo, a colleague checks in with the six-digit code, and the ledger view counts
the activity for unit A in this month. Screenshots go to test-artifacts/screenshots/."""

import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from luoshi.files.models import Attachment
from luoshi.ledgers import services
from luoshi.ledgers.models import Activity, Category, Participation
from luoshi.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPE_NAME = "挎包宣讲"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="PNG")
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


def ledger_count(page, unit_name: str, type_name: str, month: str) -> int:
    """The number in the ledger pivot for (unit, type, month), read from the page; 0 if no row.
    The unit's own records are the row named after it (marked 本单位)."""
    pivot = page.locator("#ledger-pivot")
    expect(pivot).to_be_visible()
    headers = [text.strip() for text in pivot.locator("thead th").all_inner_texts()]
    assert month in headers, headers
    column = headers.index(month)
    for row in pivot.locator("tbody tr").all():
        cells = [text.strip() for text in row.locator("td").all_inner_texts()]
        if len(cells) > column and cells[0].startswith(unit_name) and cells[1] == type_name:
            return int(cells[column])
    return 0


def test_record_checkin_and_count_on_phone(open_as, live_server, world, shoot, tmp_path):
    # The office configures the activity type through the service layer.
    lecture = services.create_activity_type(
        actor=world.office,
        name=TYPE_NAME,
        category=Category.LECTURE,
        takes_attendance=True,
        takes_checkin=True,
        has_venue_category=True,
        has_audience=True,
    )
    unit = world.unit_a
    month = f"{timezone.localdate():%Y-%m}"
    ledger_url = f"{live_server.url}/ledgers/?unit={unit.pk}"

    # The liaison, on a phone, reads the ledger count before recording.
    liaison = open_as("wtl", phone=True)
    liaison.goto(ledger_url)
    before = ledger_count(liaison, unit.name, TYPE_NAME, month)

    # … picks the type, fills the record form, ticks two colleagues and adds a photo.
    liaison.goto(f"{live_server.url}/ledgers/activities/new/")
    liaison.locator("#type-picker").get_by_role("link", name=TYPE_NAME).click()
    expect(liaison.locator("h1")).to_contain_text(TYPE_NAME)
    liaison.fill("input[name=title]", "“文明实践进牧区”挎包宣讲")
    liaison.locator("select[name=unit]").select_option(value=str(unit.pk))
    liaison.fill("input[name=place]", "托拉海村牧民定居点")
    liaison.locator("select[name=venue_category]").select_option(label="牧区")
    liaison.fill("input[name=audience]", "45")
    liaison.locator(f"#id_participants_{world.liaison.pk}").check()
    liaison.locator(f"#id_participants_{world.staff.pk}").check()
    liaison.fill("textarea[name=notes]", "入户宣讲文明实践政策，发放宣传册 60 份。")
    photo = tmp_path / "宣讲现场.png"
    photo.write_bytes(png_bytes())
    liaison.locator("input[name=files]").set_input_files(str(photo))
    shoot(liaison, "ledger-01-liaison-records-on-phone")
    liaison.locator("form[data-progress] button[type=submit]").click()

    # The activity page shows the six-digit check-in code.
    expect(liaison.locator("h1")).to_contain_text("文明实践进牧区")
    code_box = liaison.locator("#checkin-code")
    expect(code_box).to_have_text(re.compile(r"^\s*\d{6}\s*$"))
    code = code_box.inner_text().strip()
    shoot(liaison, "ledger-02-activity-shows-checkin-code")

    # A colleague of unit A's section checks in by typing the code on their own phone.
    colleague = open_as("staff2", phone=True)
    colleague.goto(f"{live_server.url}/ledgers/checkin/")
    colleague.fill("input[name=code]", code)
    colleague.locator("main form button[type=submit]").click()
    expect(colleague.locator("#checkin-result")).to_contain_text("签到成功")
    shoot(colleague, "ledger-03-colleague-checks-in")

    # The ledger view counts one more 挎包宣讲 for unit A this month.
    liaison.goto(ledger_url)
    after = ledger_count(liaison, unit.name, TYPE_NAME, month)
    assert after == before + 1
    # On a phone the month columns scroll sideways: bring this month's column into view.
    liaison.locator("#ledger-pivot thead th", has_text=month).scroll_into_view_if_needed()
    shoot(liaison, "ledger-04-ledger-counts")

    # The database agrees.
    activity = Activity.objects.get(type=lecture)
    assert Activity.objects.filter(type=lecture).count() == 1
    assert activity.unit == unit and activity.recorded_by == world.liaison
    assert activity.venue_category == "pastoral" and activity.audience == 45
    assert activity.checkin_code == code
    sources = {p.person_id: p.source for p in activity.participations.all()}
    assert sources == {
        world.liaison.pk: Participation.Source.HAND,
        world.staff.pk: Participation.Source.HAND,
        world.staff2.pk: Participation.Source.CHECKIN,
    }
    owner_type = ContentType.objects.get_for_model(Activity)
    assert Attachment.objects.filter(owner_type=owner_type, owner_id=activity.pk).count() == 1
