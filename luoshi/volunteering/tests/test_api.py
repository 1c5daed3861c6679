"""The API over the same selectors and scope as the pages: page and API list the same
activities and volunteers; the outsider gets 404 on unit A's volunteer; the public endpoints
take an order with the sum solved, show its state by code and verify a certificate, with nothing
personal in any answer."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.volunteering import services
from luoshi.volunteering.models import ServiceHours, ServiceOrder, SignUp

from .conftest import publish, register, resident_id

pytestmark = pytest.mark.django_db


def _ids(response):
    return {row["id"] for row in response.json()}


def test_page_and_api_list_the_same_activities_and_volunteers(network, service_type, client_for):
    first = publish(network, service_type)
    publish(network, service_type, title="义诊", starts_in=24 * 40)
    register(network, network.staff)
    for who in (network.liaison, network.resident, network.outsider):
        client = client_for(who)
        for query in ("", f"?month={first.activity.starts_at.astimezone():%Y-%m}", "?place=阿拉尔"):
            page = client.get(reverse("volunteering:activity-list") + query)
            api = client.get("/api/volunteering/activities" + query)
            assert {s.pk for s in page.context["services"]} == _ids(api), (who, query)
    for who in (network.liaison, network.outsider, network.centre):
        client = client_for(who)
        page = client.get(reverse("volunteering:volunteer-list"))
        assert {v.pk for v in page.context["volunteers"]} == _ids(
            client.get("/api/volunteering/volunteers")
        )


def test_api_sign_up_check_in_and_the_outsiders_404(network, service_type, client_for):
    service = publish(network, service_type, starts_in=0.25, hours=2, recruit_in=0.2)
    client = client_for(network.staff)
    registered = client.post(
        "/api/volunteering/volunteers",
        json.dumps(
            {
                "unit_id": network.unit_a.pk,
                "real_name": "张三",
                "id_number": resident_id(),
                "consent": True,
            }
        ),
        content_type="application/json",
    )
    assert registered.status_code == 201 and registered.json()["masked_name"] == "张*"
    position = service.positions.first()
    signed = client.post(
        f"/api/volunteering/activities/{service.pk}/sign-ups",
        json.dumps({"position_id": position.pk}),
        content_type="application/json",
    )
    assert signed.status_code == 201 and signed.json()["status"] == "accepted"
    checked = client.post(
        "/api/volunteering/checkin",
        json.dumps({"code": service.activity.checkin_code, "move": "in"}),
        content_type="application/json",
    )
    assert checked.status_code == 200 and SignUp.objects.get().checked_in_at is not None
    volunteer_id = registered.json()["id"]
    assert (
        client_for(network.outsider).get(f"/api/volunteering/volunteers/{volunteer_id}").status_code
        == 404
    )
    record = client_for(network.liaison).get(f"/api/volunteering/volunteers/{volunteer_id}").json()
    assert "id_number" not in json.dumps(record) and record["volunteer"]["number"].startswith("ZY")


def test_public_order_status_and_verification(network, service_type, client_for):
    cache.clear()
    anonymous = Client()
    challenge = anonymous.get("/api/volunteering/public/orders/challenge").json()
    a, b = (int(n) for n in re.findall(r"\d+", challenge["question"]))
    body = {
        "name": "马秀英",
        "phone": "13897001234",
        "community": "阿拉尔社区",
        "need": "需要志愿者帮助老人理发",
        "challenge": challenge["challenge"],
        "answer": a + b + 1,
    }
    wrong = anonymous.post(
        "/api/volunteering/public/orders", json.dumps(body), content_type="application/json"
    )
    assert wrong.status_code == 422 and not ServiceOrder.objects.exists()
    body["answer"] = a + b
    placed = anonymous.post(
        "/api/volunteering/public/orders", json.dumps(body), content_type="application/json"
    )
    assert placed.status_code == 201
    text = json.dumps(placed.json(), ensure_ascii=False)
    assert "马秀英" not in text and "13897001234" not in text
    code = placed.json()["code"]
    status = anonymous.get(f"/api/volunteering/public/orders/{code}").json()
    assert status["status"] == "submitted" and "马秀英" not in json.dumps(
        status, ensure_ascii=False
    )
    assert anonymous.get("/api/volunteering/public/orders/NOSUCH00").status_code == 404
    # A certificate's verification, without login.
    service = publish(network, service_type)
    volunteer = register(network, network.staff)
    ServiceHours.objects.create(
        service=service,
        volunteer=volunteer,
        unit=network.unit_a,
        hours=Decimal("3"),
        method="timed",
        served_on=timezone.localdate(),
        public_until=timezone.now() - datetime.timedelta(days=1),
    )
    certificate = services.issue_certificate(
        actor=network.liaison,
        volunteer=volunteer,
        issuer=network.unit_a,
        date_from=timezone.localdate() - datetime.timedelta(days=1),
        date_to=timezone.localdate(),
    )
    verified = anonymous.get(f"/api/volunteering/public/certificates/{certificate.token}").json()
    assert verified["genuine"] and verified["number"] == certificate.number
    assert set(verified) == {"genuine", "number", "masked_name", "hours", "issuer", "issued_on"}
    assert anonymous.get("/api/volunteering/public/certificates/forged").status_code == 404
