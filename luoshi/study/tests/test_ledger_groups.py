"""The ledger's record form adds a whole study group at once: study registers its group picker
as a participant source (luoshi.ledgers.hooks) from StudyConfig.ready()."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.ledgers import hooks
from luoshi.ledgers import services as ledger
from luoshi.ledgers.forms import ActivityForm
from luoshi.ledgers.models import Activity, ActivityType, Category
from luoshi.study.models import GroupMember, StudyGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(world) -> ActivityType:
    return ledger.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        fields=[{"key": "topic", "label": "宣讲主题", "kind": "text", "required": True}],
    )


def _when(days: int = 0) -> str:
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_whole_study_group_at_once(world, client_for, lecture):
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


def test_the_group_picker_follows_the_participants(world, lecture, monkeypatch):
    StudyGroup.objects.create(name="马克思主义学习小组", unit=world.unit_a)
    assert "study_groups" in ActivityForm(user=world.liaison, activity_type=lecture).fields
    editing = ActivityForm(user=world.liaison, activity_type=lecture, editing=True)
    assert "study_groups" not in editing.fields  # no participants on the edit form: no groups
    monkeypatch.setattr(hooks, "PARTICIPANT_SOURCES", [])
    assert "study_groups" not in ActivityForm(user=world.liaison, activity_type=lecture).fields
