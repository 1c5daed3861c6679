"""Volunteer service deadlines are not set in the past: a prescribed action's 完成时限, a
dispatched order's 办理时限 and a published activity's 报名截止 (to the minute), on the page and
the API; today (the current minute) is accepted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from luoshi.api.tests.conftest import Api
from luoshi.volunteering import services
from luoshi.volunteering.models import PrescribedAction, ServiceActivity, ServiceOrder
from luoshi.volunteering.services import orders as order_moves

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(client_for):
    return lambda user: Api(client_for(user))


def today() -> datetime.date:
    return timezone.localdate()


def yesterday() -> datetime.date:
    return today() - datetime.timedelta(days=1)


def refused(field: str) -> str:
    return f"{field}不能早于今天（{today().isoformat()}）。"


def test_a_prescribed_action_due_in_the_past_is_refused(network, centre_campaign, client_for):
    theme = services.create_theme(
        actor=network.centre,
        campaign=centre_campaign,
        year=today().year,
        month=today().month,
        title="学雷锋志愿服务月",
    )
    url = reverse("volunteering:action-create", args=[theme.pk])
    form = {"title": "“学雷锋”便民服务", "expected_activities": 1, "deadline": str(yesterday())}
    response = client_for(network.centre).post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == [refused("完成时限")]
    assert not PrescribedAction.objects.exists()
    response = client_for(network.centre).post(url, {**form, "deadline": str(today())})
    assert response.status_code == 302
    assert PrescribedAction.objects.get().plan_task.deadline == today()


def _accepted_order(network) -> ServiceOrder:
    order = order_moves.place_order(
        actor=None,
        name="马秀英",
        phone="13897001234",
        community="花土沟镇阿拉尔社区",
        need="家中老人行动不便，需要志愿者帮助采购生活用品",
        preferred_time="周六上午",
    )
    return order_moves.review_order(
        actor=network.centre, order=order, accept=True, category="助老助残"
    )


def test_an_order_dispatched_with_a_past_deadline_is_refused(
    network, centre_campaign, client_for, api_for
):
    order = _accepted_order(network)
    team = services.create_team(
        actor=network.liaison,
        unit=network.unit_a,
        name="文体局志愿服务队",
        leaders=[register(network, network.staff)],
    )
    url = reverse("volunteering:order-move", args=[order.pk, "dispatch"])
    form = {"team": team.pk, "campaign": centre_campaign.pk, "deadline": str(yesterday())}
    response = client_for(network.centre).post(url, form, follow=True)
    assert refused("办理时限") in response.content.decode()
    body = {"team_id": team.pk, "campaign_id": centre_campaign.pk, "deadline": str(yesterday())}
    response = api_for(network.centre).post(f"/volunteering/orders/{order.pk}/dispatch", body)
    assert response.status_code == 422
    assert response.json()["errors"]["deadline"] == [refused("办理时限")]
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.ACCEPTED and order.task is None

    client_for(network.centre).post(url, {**form, "deadline": str(today())})
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.DISPATCHED and order.task.deadline == today()
    second = _accepted_order(network)
    body["deadline"] = str(today())
    response = api_for(network.centre).post(f"/volunteering/orders/{second.pk}/dispatch", body)
    assert response.status_code == 200 and response.json()["deadline"] == str(today())


def test_an_activity_whose_sign_up_closed_already_is_not_published(
    network, service_type, client_for, api_for, clock
):
    clock.moment = clock.moment.replace(second=30, microsecond=0)
    minute = timezone.localtime(clock.moment).replace(second=0)
    reason = f"报名截止时间不能早于当前时间（{minute:%Y-%m-%d %H:%M}）。"
    start = minute + datetime.timedelta(days=3)
    closed = minute - datetime.timedelta(minutes=1)
    form = {
        "type": service_type.pk,
        "unit": network.unit_a.pk,
        "title": "关爱空巢老人",
        "place": "石棉矿社区",
        "starts_at": f"{start:%Y-%m-%dT09:00}",
        "ends_at": f"{start:%Y-%m-%dT12:00}",
        "planned_hours": "3",
        "recruit_until": f"{closed:%Y-%m-%dT%H:%M}",
        "positions": "陪伴聊天 6",
    }
    url = reverse("volunteering:activity-create")
    response = client_for(network.liaison).post(url, form)
    assert response.status_code == 200
    assert response.context["form"].errors["recruit_until"] == [reason]
    body = {
        "unit_id": network.unit_a.pk,
        "title": "关爱空巢老人",
        "starts_at": start.replace(hour=9, minute=0).isoformat(),
        "ends_at": start.replace(hour=12, minute=0).isoformat(),
        "planned_hours": "3",
        "recruit_until": closed.isoformat(),
        "positions": [{"name": "陪伴聊天", "capacity": 6}],
    }
    response = api_for(network.liaison).post("/volunteering/activities", body)
    assert response.status_code == 422 and response.json()["errors"]["recruit_until"] == [reason]
    assert not ServiceActivity.objects.exists()

    response = client_for(network.liaison).post(
        url, {**form, "recruit_until": f"{minute:%Y-%m-%dT%H:%M}"}
    )
    assert response.status_code == 302
    body["recruit_until"] = minute.isoformat()
    assert api_for(network.liaison).post("/volunteering/activities", body).status_code == 201
    assert set(ServiceActivity.objects.values_list("recruit_until", flat=True)) == {minute}
