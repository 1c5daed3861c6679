"""An activity held at a heritage site; custom field definitions typed in English."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from luoshi.heritage.models import Site
from luoshi.ledgers import forms
from luoshi.ledgers.models import Activity

pytestmark = pytest.mark.django_db


def _when(days: int = 0) -> str:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_activity_held_at_a_heritage_site(world, client_for, lecture):
    site = Site.objects.create(name="狮20井", kind="oil_well")
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-record") + f"?type={lecture.pk}").content.decode()
    assert "红色资源点位" in page and "狮20井" in page
    response = client.post(
        reverse("ledgers:activity-record"),
        {
            "type": lecture.pk,
            "title": "红色教育现场教学",
            "unit": world.unit_a.pk,
            "starts_at": _when(1),
            "site": site.pk,
            "venue_category": "other",
            "x_topic": "石油精神",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.site == site and activity.place == "狮20井"  # the place defaults to the site
    detail = client.get(reverse("ledgers:activity-detail", args=[activity.pk])).content.decode()
    assert "红色资源点位" in detail


def test_inactive_site_is_refused(world, lecture):
    from django.core.exceptions import ValidationError

    from luoshi.ledgers.services import record_activity

    site = Site.objects.create(name="旧点位", is_active=False)
    with pytest.raises(ValidationError) as error:
        record_activity(
            actor=world.liaison,
            activity_type=lecture,
            unit=world.unit_a,
            title="参观",
            starts_at=timezone.now(),
            site=site,
            venue_category="other",
            values={"topic": "石油精神"},
        )
    assert "已停用" in str(error.value.message_dict["site"])
    assert not Activity.objects.exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_field_definitions_round_trip_in_either_language(language):
    fields = [
        {"key": "book", "label": "书名", "kind": "text", "required": True, "choices": []},
        {"key": "day", "label": "日期", "kind": "date", "required": False, "choices": []},
        {
            "key": "form",
            "label": "形式",
            "kind": "choice",
            "required": False,
            "choices": ["甲", "乙"],
        },
    ]
    with translation.override(language):
        text = forms.fields_to_text(fields)
        assert forms.text_to_fields(text) == fields


def test_a_whole_study_group_at_once(world, client_for, lecture):
    from luoshi.study.models import GroupMember, StudyGroup

    group = StudyGroup.objects.create(name="马克思主义学习小组", unit=world.unit_a)
    GroupMember.objects.create(group=group, person=world.staff)
    GroupMember.objects.create(group=group, person=world.staff2)
    client = client_for(world.liaison)
    page = client.get(reverse("ledgers:activity-record") + f"?type={lecture.pk}").content.decode()
    assert "整组添加学习小组" in page and "马克思主义学习小组" in page
    response = client.post(
        reverse("ledgers:activity-record"),
        {
            "type": lecture.pk,
            "title": "集中宣讲",
            "unit": world.unit_a.pk,
            "starts_at": _when(1),
            "venue_category": "community",
            "x_topic": "党的创新理论",
            "participants": [world.liaison.pk, world.staff.pk],
            "study_groups": [group.pk],
        },
    )
    assert response.status_code == 302
    people = set(Activity.objects.get().participations.values_list("person__username", flat=True))
    assert people == {"wtl", "staff", "staff2"}  # picked ones and the group, once each
    # The outsider never sees unit A's group.
    outsider = client_for(world.outsider).get(reverse("ledgers:activity-record")).content.decode()
    assert "马克思主义学习小组" not in outsider


def test_moving_a_record_to_an_inactive_site_is_refused(world, lecture):
    from django.core.exceptions import ValidationError

    from luoshi.ledgers.services import record_activity, update_activity

    activity = record_activity(
        actor=world.liaison,
        activity_type=lecture,
        unit=world.unit_a,
        title="参观",
        starts_at=timezone.now(),
        venue_category="other",
        values={"topic": "石油精神"},
    )
    closed = Site.objects.create(name="旧点位", is_active=False)
    with pytest.raises(ValidationError) as error:
        update_activity(actor=world.liaison, activity=activity, site=closed)
    assert "已停用" in str(error.value.message_dict["site"])
    activity.refresh_from_db()
    assert activity.site is None


def test_campaigns_default_to_the_types_own(world, lecture):
    from luoshi.ledgers.services import record_activity

    lecture.campaign = world.campaign
    lecture.save(update_fields=["campaign"])
    common = {
        "actor": world.liaison,
        "activity_type": lecture,
        "unit": world.unit_a,
        "title": "宣讲",
        "starts_at": timezone.now(),
        "venue_category": "other",
        "values": {"topic": "石油精神"},
    }
    assert list(record_activity(**common).campaigns.all()) == [world.campaign]
    assert not record_activity(**common, campaigns=[]).campaigns.exists()  # e.g. 2022 records
