"""点单-派单-接单-评单 from the public page to the rating: no login for the resident, a sum to
solve, limits per address and phone, nothing personal shown back; the centre reviews and
dispatches (a chain task of the team's unit), the unit takes it, publishes an activity and
closes the order with it as evidence, the resident rates it with the code."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.campaigns.models import TaskState
from luoshi.volunteering import services
from luoshi.volunteering.models import ServiceOrder

from .conftest import register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _order(client: Client, **values):
    page = client.get(reverse("volunteering:public-order"))
    a, b = (int(n) for n in re.findall(r"\d+", page.context["question"]))
    data = {
        "name": "马秀英",
        "phone": "13897001234",
        "community": "花土沟镇阿拉尔社区",
        "need": "家中老人行动不便，需要志愿者帮助采购生活用品",
        "preferred_time": "周六上午",
        "challenge": page.context["form"].initial["challenge"],
        "answer": a + b,
        **values,
    }
    return client.post(reverse("volunteering:public-order"), data)


def test_the_order_flow_from_the_public_page_to_the_rating(
    network, service_type, centre_campaign, client_for
):
    resident = Client()
    response = _order(resident)
    order = ServiceOrder.objects.get()
    page = response.content.decode()
    assert order.code in page and "马秀英" not in page and "13897001234" not in page
    assert order.status == ServiceOrder.Status.SUBMITTED and order.entered_by is None
    # 审核 and 派单 by the centre.
    centre = client_for(network.centre)
    move = lambda who, step, **data: who.post(  # noqa: E731
        reverse("volunteering:order-move", args=[order.pk, step]), data
    )
    move(centre, "review", accept="1", category="助老助残")
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.ACCEPTED
    leader = register(network, network.staff)
    team = services.create_team(
        actor=network.liaison, unit=network.unit_a, name="文体局志愿服务队", leaders=[leader]
    )
    deadline = timezone.localdate() + datetime.timedelta(days=7)
    move(
        centre, "dispatch", team=team.pk, campaign=centre_campaign.pk, deadline=deadline.isoformat()
    )
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.DISPATCHED and order.team == team
    assert order.task.unit == network.unit_a and order.task.deadline == deadline
    # 接单 by the unit: the task is signed and taken on.
    liaison = client_for(network.liaison)
    assert (
        team.name
        in liaison.get(reverse("volunteering:order-detail", args=[order.pk])).content.decode()
    )
    move(liaison, "take")
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.TAKEN
    assert order.task.state == TaskState.IN_PROGRESS
    # The activity for it is the task's evidence; closing sends the completion report.
    service = services.publish_activity(
        actor=network.liaison,
        activity_type=service_type,
        unit=network.unit_a,
        title="为阿拉尔社区老人代购生活用品",
        place="阿拉尔社区",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=2),
        planned_hours=2,
        recruit_until=timezone.now() + datetime.timedelta(hours=12),
        positions=[services.PositionSpec("代购", 2)],
        order=order,
    )
    assert service.activity.evidence_task_id == order.task_id and service.team == team
    move(liaison, "close", service=service.pk)
    order.refresh_from_db()
    assert order.status == ServiceOrder.Status.CLOSED
    assert order.task.state == TaskState.SUBMITTED
    # 评单 with the code, once.
    status_url = reverse("volunteering:public-status")
    page = resident.get(status_url, {"code": order.code}).content.decode()
    assert "已办结" in page and "马秀英" not in page
    resident.post(
        status_url + f"?code={order.code}", {"code": order.code, "rating": "5", "comment": "很及时"}
    )
    order.refresh_from_db()
    assert (order.rating, order.rating_comment) == (5, "很及时")
    resident.post(status_url + f"?code={order.code}", {"code": order.code, "rating": "1"})
    order.refresh_from_db()
    assert order.rating == 5


def test_a_declined_order_shows_its_reason_by_code(network, client_for):
    _order(Client())
    order = ServiceOrder.objects.get()
    client_for(network.centre).post(
        reverse("volunteering:order-move", args=[order.pk, "review"]),
        {"accept": "0", "reason": "不属于志愿服务范围，已转社区居委会"},
    )
    page = (
        Client().get(reverse("volunteering:public-status"), {"code": order.code}).content.decode()
    )
    assert "不属于志愿服务范围" in page and "未受理" in page


def test_a_wrong_sum_and_too_many_orders_are_refused(network):
    client = Client()
    response = _order(client, answer=999)
    assert "answer" in response.context["form"].errors and not ServiceOrder.objects.exists()
    for _attempt in range(3):
        _order(client, phone="13897005678")
    assert ServiceOrder.objects.count() == 3
    response = _order(client, phone="13897005678")
    assert "phone" in response.context["form"].errors and ServiceOrder.objects.count() == 3
    _order(client, phone="13897000001")  # the fifth attempt from this address
    assert ServiceOrder.objects.count() == 4
    assert "频繁" in _order(client, phone="13897009999").content.decode()
    assert ServiceOrder.objects.count() == 4


def test_the_outsider_and_volunteers_do_not_see_orders(network, client_for):
    _order(Client())
    order = ServiceOrder.objects.get()
    for who in (network.outsider, network.staff, network.resident):
        assert (
            client_for(who).get(reverse("volunteering:order-detail", args=[order.pk])).status_code
            == 404
        )
    assert (
        client_for(network.liaison)
        .post(reverse("volunteering:order-move", args=[order.pk, "review"]), {"accept": "1"})
        .status_code
        == 404
    )
