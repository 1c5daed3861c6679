"""通报: numbers in sequence and never given twice, read receipts per unit, scope, Word."""

import pytest
from django.core.exceptions import PermissionDenied

from luoshi.assessment import services
from luoshi.assessment.models import Notice, NoticeReceipt
from luoshi.lib.errors import Conflict
from luoshi.lib.tests.docx_checks import check_official_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(world):
    return services.create_series(
        actor=world.office, name="行动办通报", prefix="茫宣通", office_unit=world.office_unit
    )


def draft(world, series, title="关于“晨读+分享”开展情况的通报", units=None):
    return services.create_notice(
        actor=world.office,
        series=series,
        kind=Notice.Kind.SITUATION,
        title=title,
        body="各单位认真开展“晨读+分享”活动。\n市文体旅游广电局坚持每日晨读。",
        units=units or [world.unit_a],
    )


def test_numbers_follow_one_another_and_are_never_given_twice(world, series):
    first = services.issue_notice(actor=world.office, notice=draft(world, series))
    second = services.issue_notice(actor=world.office, notice=draft(world, series, "第二份"))
    year = first.issued_at.year
    assert (first.number, second.number) == (f"茫宣通〔{year}〕1号", f"茫宣通〔{year}〕2号")
    with pytest.raises(Conflict):
        services.issue_notice(actor=world.office, notice=first)
    first.refresh_from_db()
    assert first.serial == 1
    with pytest.raises(PermissionDenied):
        services.issue_notice(actor=world.liaison, notice=draft(world, series, "第三份"))


def test_read_receipts_and_scope(world, series, client_for):
    notice = draft(world, series)
    # a draft is the office's only
    assert client_for(world.liaison).get(f"/assessment/notices/{notice.pk}/").status_code == 404
    client_for(world.office).post(f"/assessment/notices/{notice.pk}/issue/")
    notice.refresh_from_db()
    assert notice.state == Notice.State.ISSUED
    office = client_for(world.office)
    page = office.get(f"/assessment/notices/{notice.pk}/").content.decode()
    assert "未阅" in page
    assert client_for(world.staff2).get(f"/assessment/notices/{notice.pk}/").status_code == 200
    client_for(world.staff2).get(f"/assessment/notices/{notice.pk}/")  # a second opening
    receipt = NoticeReceipt.objects.get()
    assert (receipt.person, receipt.unit) == (world.staff2, world.unit_a)
    page = office.get(f"/assessment/notices/{notice.pk}/").content.decode()
    assert "赵敏" in page and "未阅" not in page
    assert client_for(world.outsider).get(f"/assessment/notices/{notice.pk}/").status_code == 404
    assert NoticeReceipt.objects.count() == 1  # the office's own opening is no unit's receipt
    listing = client_for(world.liaison).get("/assessment/notices/").content.decode()
    assert notice.title in listing
    assert (
        notice.title not in client_for(world.outsider).get("/assessment/notices/").content.decode()
    )


def test_the_notice_as_a_word_document(world, series, client_for):
    notice = services.issue_notice(actor=world.office, notice=draft(world, series))
    response = client_for(world.liaison).get(f"/assessment/notices/{notice.pk}/document.docx")
    document = check_official_document(response.content, author="市委宣传部", title=notice.title)
    text = "\n".join(p.text for p in document.paragraphs)
    assert notice.number in text and "市文体旅游广电局：" in text


def test_the_office_adds_a_numbering_rule_on_the_page(world, client_for):
    office = client_for(world.office)
    response = office.post(
        "/assessment/notices/", {"name": "行动办通报", "number_prefix": "茫宣通"}
    )
    assert response.status_code == 302
    response = office.post("/assessment/notices/", {"name": "再一个", "number_prefix": "茫宣通"})
    assert "已有前缀为“茫宣通”的发文字号规则。" in response.content.decode()
    assert (
        client_for(world.liaison)
        .post("/assessment/notices/", {"name": "x", "number_prefix": "y"})
        .status_code
        == 403
    )
