"""A meeting's decision is not turned into a task due in the past — by the office (a task issued
to the unit) or a liaison (a task of their own unit), on the page and the API — even when the
meeting itself was held before that day; today is accepted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.api.tests.conftest import Api
from luoshi.campaigns.models import Task
from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import Category
from luoshi.meetings import services
from luoshi.meetings.models import Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client_for):
    return lambda user: Api(client_for(user))


def today() -> datetime.date:
    return timezone.localdate()


def refused() -> str:
    return f"完成时限不能早于今天（{today().isoformat()}）。"


@pytest.fixture
def meeting(world):
    weekly = ledger.create_activity_type(
        actor=world.office, name="周例会", category=Category.MEETING, campaign=world.campaign
    )
    return services.create_meeting(
        actor=world.liaison,
        activity_type=weekly,
        unit=world.unit_a,
        title="第12周例会",
        starts_at=timezone.now() - datetime.timedelta(days=7),
        participants=[world.liaison, world.staff],
        campaign=world.campaign,
        minutes="会议研究了专项行动推进中的问题。",
    )


@pytest.mark.parametrize("persona", ["office", "liaison"])
def test_a_decision_due_in_the_past_is_refused(world, client_for, api_for, meeting, persona):
    actor = getattr(world, persona)
    url = reverse("meetings:meeting-detail", args=[meeting.activity_id])
    after_the_meeting = today() - datetime.timedelta(days=2)
    form = {
        "text": "完善宣讲台账",
        "unit": world.unit_a.pk,
        "owner": world.staff.pk,
        "deadline": after_the_meeting.isoformat(),
    }
    response = client_for(actor).post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [refused()]
    assert refused() in response.content.decode()
    body = {
        "text": "完善宣讲台账",
        "unit_id": world.unit_a.pk,
        "owner_id": world.staff.pk,
        "deadline": str(after_the_meeting),
    }
    response = api_for(actor).post(f"/meetings/{meeting.activity_id}/decisions", body)
    assert response.status_code == 422 and response.json()["errors"]["deadline"] == [refused()]
    assert not Decision.objects.exists()
    assert not Task.objects.filter(kind=Task.Kind.DECISION).exists()

    response = client_for(actor).post(url, {**form, "deadline": today().isoformat()})
    assert response.status_code == 302
    body["deadline"] = str(today())
    response = api_for(actor).post(f"/meetings/{meeting.activity_id}/decisions", body)
    assert response.status_code == 201
    assert list(Decision.objects.values_list("task__deadline", flat=True)) == [today(), today()]
