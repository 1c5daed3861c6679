"""A 整改时限 in the past is refused for a listed problem and for an inspection's finding (raised
by the office or by the unit's liaison), on the page and the API; today is accepted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns.models import Task
from luoshi.rectification.models import Finding, Problem

from .conftest import record_inspection

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def yesterday() -> datetime.date:
    return today() - datetime.timedelta(days=1)


def refused() -> str:
    return f"整改时限不能早于今天（{today().isoformat()}）。"


def test_a_problem_due_in_the_past_is_refused(world, client_for, api_for):
    url = reverse("rectification:problem-create")
    form = {
        "campaign": world.campaign.pk,
        "title": "宣传宣讲不解渴",
        "unit": world.unit_a.pk,
        "deadline": yesterday().isoformat(),
    }
    response = client_for(world.office).post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [refused()]
    assert refused() in response.content.decode()
    body = {
        "campaign_id": world.campaign.pk,
        "title": "宣传宣讲不解渴",
        "unit_id": world.unit_a.pk,
        "deadline": str(yesterday()),
    }
    response = api_for(world.office).post("/rectification/problems", body)
    assert response.status_code == 422 and response.json()["errors"]["deadline"] == [refused()]
    assert not Problem.objects.exists()
    assert not Task.objects.filter(kind=Task.Kind.RECTIFICATION).exists()

    assert client_for(world.office).post(url, {**form, "deadline": str(today())}).status_code == 302
    body.update(title="学习形式单一", deadline=str(today()))
    assert api_for(world.office).post("/rectification/problems", body).status_code == 201
    assert list(Problem.objects.values_list("task__deadline", flat=True)) == [today(), today()]


@pytest.mark.parametrize("persona", ["office", "liaison"])
def test_a_finding_due_in_the_past_is_refused(world, client_for, api_for, inspection_type, persona):
    actor = getattr(world, persona)
    inspection = record_inspection(world, inspection_type, days_ago=10)
    url = reverse("rectification:inspection-detail", args=[inspection.pk])
    form = {
        "campaign": world.campaign.pk,
        "description": "未成年人上网登记不全",
        "unit": world.unit_a.pk,
        "deadline": yesterday().isoformat(),
    }
    response = client_for(actor).post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [refused()]
    assert refused() in response.content.decode()
    api_url = f"/rectification/inspections/{inspection.pk}/findings"
    body = {
        "campaign_id": world.campaign.pk,
        "description": "未成年人上网登记不全",
        "unit_id": world.unit_a.pk,
        "deadline": str(yesterday()),
    }
    response = api_for(actor).post(api_url, body)
    assert response.status_code == 422 and response.json()["errors"]["deadline"] == [refused()]
    assert not Finding.objects.exists()

    assert client_for(actor).post(url, {**form, "deadline": str(today())}).status_code == 302
    body.update(description="未悬挂禁入标志", deadline=str(today()))
    assert api_for(actor).post(api_url, body).status_code == 201
    assert list(Finding.objects.values_list("task__deadline", flat=True)) == [today(), today()]
