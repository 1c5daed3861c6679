"""The activity page leads to the parts other apps keep about it (meeting minutes, inspection
findings; the heritage site: luoshi/heritage/tests/test_site_visits.py) and shows a record rated
优秀."""

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.ledgers import services
from luoshi.ledgers.models import Category

pytestmark = pytest.mark.django_db


def _record(world, activity_type, **extra):
    return services.record_activity(
        actor=world.liaison,
        activity_type=activity_type,
        unit=world.unit_a,
        title="记录",
        starts_at=timezone.now(),
        **extra,
    )


def test_meeting_and_inspection_pages_are_linked(world, client_for):
    meeting_type = services.create_activity_type(
        actor=world.office, name="周例会", category=Category.MEETING
    )
    inspection_type = services.create_activity_type(
        actor=world.office, name="文化市场检查", category=Category.INSPECTION
    )
    client = client_for(world.liaison)
    meeting = _record(world, meeting_type)
    page = client.get(reverse("ledgers:activity-detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:meeting-detail", args=[meeting.pk]) in page
    inspection = _record(world, inspection_type)
    page = client.get(reverse("ledgers:activity-detail", args=[inspection.pk])).content.decode()
    assert reverse("rectification:inspection-detail", args=[inspection.pk]) in page
    assert reverse("meetings:meeting-detail", args=[meeting.pk]) not in page


def test_commended_badge(world, client_for):
    visit_type = services.create_activity_type(
        actor=world.office, name="红色教育", category=Category.STUDY
    )
    visit = _record(world, visit_type)
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-detail", args=[visit.pk])).content.decode()
    assert "text-bg-warning" not in page
    visit.commended_at, visit.commended_by = timezone.now(), world.liaison
    visit.save(update_fields=["commended_at", "commended_by"])
    page = client.get(reverse("ledgers:activity-detail", args=[visit.pk])).content.decode()
    assert "text-bg-warning" in page


def test_activity_list_filters_by_field_value_and_rating(world, client_for):
    reading = services.create_activity_type(
        actor=world.office,
        name="每月读一本好书",
        category=Category.STUDY,
        is_personal=True,
        fields=[
            {"key": "book", "label": "书名", "kind": "text", "required": True},
            {"key": "designated", "label": "指定读本", "kind": "choice", "choices": ["是", "否"]},
        ],
    )
    visit_type = services.create_activity_type(
        actor=world.office, name="红色教育", category=Category.STUDY
    )
    listed = _record(world, reading, values={"book": "中国共产党简史", "designated": "是"})
    other = _record(world, reading, values={"book": "平凡的世界", "designated": "否"})
    visit = _record(world, visit_type)
    away = _record(world, visit_type)
    other.commended_at = timezone.now()
    other.save(update_fields=["commended_at"])
    client = client_for(world.liaison)
    url = reverse("ledgers:activity-list")

    def titles(query: str) -> set[int]:
        page = client.get(f"{url}?{query}").content.decode()
        ids = {a.pk for a in (listed, other, visit, away)}
        return {pk for pk in ids if reverse("ledgers:activity-detail", args=[pk]) in page}

    assert titles("field=designated&value=是") == {listed.pk}
    assert titles("commended=1") == {other.pk}
    assert titles("field=Bad Key&value=是") == {listed.pk, other.pk, visit.pk, away.pk}
