"""Every ledger page renders for the people who use it; file and unit fields; list query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.files.models import Attachment
from luoshi.ledgers import services
from luoshi.ledgers.models import Activity, Category

from .conftest import png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(world):
    return services.create_activity_type(
        actor=world.office,
        name="文化市场检查",
        category=Category.INSPECTION,
        fields=[
            {"key": "sheet", "label": "检查记录表", "kind": "file", "required": True},
            {"key": "owner", "label": "责任单位", "kind": "unit", "required": True},
        ],
    )


def _post(world, inspection, **extra):
    data = {
        "type": inspection.pk,
        "title": "网吧疫情防控检查",
        "unit": world.unit_a.pk,
        "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "x_owner": str(world.section_a.pk),
    }
    data.update(extra)
    return data


def test_file_and_unit_fields(world, client_for, inspection):
    client = client_for(world.liaison)
    response = client.post(reverse("ledgers:activity-record"), _post(world, inspection))
    assert "请上传“检查记录表”。" in response.content.decode()
    response = client.post(
        reverse("ledgers:activity-record"), _post(world, inspection, x_owner=str(world.unit_b.pk))
    )
    assert "“责任单位”所选单位不在您的数据范围内。" in response.content.decode()
    assert not Activity.objects.exists()
    response = client.post(
        reverse("ledgers:activity-record"),
        _post(world, inspection, x_sheet=png_upload("记录表.png")),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    sheet = Attachment.objects.get()
    assert activity.values == {"sheet": sheet.pk, "owner": world.section_a.pk}
    assert sheet.owner == activity
    detail = client.get(reverse("ledgers:activity-detail", args=[activity.pk])).content.decode()
    assert "记录表.png" in detail and "办公室" in detail
    # Editing without a new file keeps the stored one.
    response = client.post(
        reverse("ledgers:activity-edit", args=[activity.pk]),
        _post(world, inspection, title="网吧检查（复查）"),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "网吧检查（复查）" and activity.values["sheet"] == sheet.pk


@pytest.mark.parametrize("persona", ["office", "liaison", "leader", "staff"])
def test_pages_render(world, client_for, lecture, meeting, reading, persona):
    activity = services.record_activity(
        actor=world.liaison,
        activity_type=meeting,
        unit=world.unit_a,
        title="周例会",
        starts_at=timezone.now(),
        participants=[world.staff],
    )
    client = client_for(getattr(world, persona))
    for url in (
        reverse("ledgers:ledger"),
        reverse("ledgers:activity-list"),
        reverse("ledgers:checkin"),
        reverse("ledgers:activity-detail", args=[activity.pk]),
    ):
        assert client.get(url).status_code == 200, url
    record = client.get(reverse("ledgers:activity-record"))
    # the office records its own unit's activities (the role table of docs/architecture.md)
    assert record.status_code == (200 if persona in ("office", "liaison", "staff") else 403)
    if persona in ("liaison", "staff"):
        for activity_type in (lecture, meeting, reading):
            page = client.get(reverse("ledgers:activity-record") + f"?type={activity_type.pk}")
            assert page.status_code == 200


def test_list_query_count_does_not_grow(world, client_for, lecture, django_assert_max_num_queries):
    for day in range(30):
        services.record_activity(
            actor=world.liaison,
            activity_type=lecture,
            unit=world.unit_a,
            title=f"宣讲 {day}",
            starts_at=timezone.now() - datetime.timedelta(days=day),
            venue_category="campus",
            values={"topic": "宣讲"},
            participants=[world.staff],
            campaigns=[world.campaign],
        )
    client = client_for(world.liaison)
    client.get(reverse("ledgers:activity-list"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("ledgers:activity-list"))
    assert len(response.context["activities"]) == 30
    with django_assert_max_num_queries(20):
        assert client.get(reverse("ledgers:ledger")).status_code == 200


def test_activity_list_pages(world, client_for, lecture, monkeypatch):
    from luoshi.ledgers.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    for day in range(5):
        services.record_activity(
            actor=world.liaison,
            activity_type=lecture,
            unit=world.unit_a,
            title=f"宣讲 {day}",
            starts_at=timezone.now() - datetime.timedelta(days=day),
            venue_category="campus",
            values={"topic": "宣讲"},
        )
    client = client_for(world.liaison)
    first = client.get(reverse("ledgers:activity-list") + f"?type={lecture.pk}")
    assert [a.title for a in first.context["activities"]] == ["宣讲 0", "宣讲 1"]
    assert "第 1 / 3 页，共 5 条" in first.content.decode()
    last = client.get(reverse("ledgers:activity-list") + f"?type={lecture.pk}&page=3")
    assert [a.title for a in last.context["activities"]] == ["宣讲 4"]
    export = client.get(reverse("ledgers:activity-list") + f"?type={lecture.pk}&export=xlsx")
    import io

    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(export.content)).worksheets[0].max_row == 3 + 5


def test_unit_filter_searches_when_many_units(world, client_for, lecture, monkeypatch):
    from luoshi.ledgers.views import filters

    monkeypatch.setattr(filters, "UNIT_LIST_LIMIT", 1)
    client = client_for(world.office)
    for name in ("ledger", "activity-list", "people"):
        page = client.get(reverse(f"ledgers:{name}") + f"?unit={world.unit_a.pk}")
        html = page.content.decode()
        assert "perm=ledger.view" in html and "org/org.js" in html, name
        assert [u.pk for u in page.context["units"]] == [world.unit_a.pk]
