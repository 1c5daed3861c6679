"""Certificates (民政部令第67号): only the recording organisation certifies its final hours; the
Word document states the number, the masked identity, the services and the total, with a QR
code; the public verification page shows the number, masked name, hours and issuer only."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from luoshi.volunteering.models import Certificate, ServiceHours

from .conftest import publish, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(network, service_type):
    """Staff has 2.5 final hours recorded by unit A."""
    service = publish(network, service_type)
    volunteer = register(network, network.staff)
    ServiceHours.objects.create(
        service=service,
        volunteer=volunteer,
        unit=network.unit_a,
        hours=Decimal("2.5"),
        method=ServiceHours.Method.TIMED,
        served_on=timezone.localdate(),
        public_until=timezone.now() - datetime.timedelta(days=1),
    )
    return volunteer


def _issue(client, volunteer, unit):
    today = timezone.localdate()
    return client.post(
        reverse("volunteering:certificate-create", args=[volunteer.pk]),
        {
            "issuer": unit.pk,
            "date_from": (today - datetime.timedelta(days=30)).isoformat(),
            "date_to": today.isoformat(),
        },
    )


def test_the_recording_unit_issues_a_certificate_as_word(network, served, client_for):
    client = client_for(network.liaison)
    assert _issue(client, served, network.unit_a).status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.hours, certificate.services, certificate.issuer) == (
        Decimal("2.5"),
        1,
        network.unit_a,
    )
    response = client.get(reverse("volunteering:certificate-download", args=[certificate.pk]))
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "志愿服务证明" in text and certificate.number in text
    assert served.masked_id in text and served.id_number not in text and "张*" in text
    assert "2.5" in text and network.unit_a.name in text
    assert document.tables[0].rows[1].cells[4].text == "计时"
    assert document.inline_shapes  # the QR code


def test_only_the_recording_unit_may_certify(network, served, client_for):
    # Unit B's liaison does not even see the volunteer; the centre sees them but recorded nothing.
    assert _issue(client_for(network.outsider), served, network.unit_a).status_code == 404
    assert _issue(client_for(network.centre), served, network.unit_a).status_code == 302
    assert not Certificate.objects.filter(issuer=network.centre_unit).exists()
    response = _issue(client_for(network.centre), served, network.centre_unit)
    assert response.status_code == 302 or "issuer" in response.context["form"].errors
    assert not Certificate.objects.filter(issuer=network.centre_unit).exists()


def test_hours_in_publicity_are_not_certified(network, served, client_for):
    ServiceHours.objects.update(public_until=timezone.now() + datetime.timedelta(days=3))
    response = _issue(client_for(network.liaison), served, network.unit_a)
    assert "issuer" in response.context["form"].errors and not Certificate.objects.exists()


def test_the_verification_page_shows_no_more_than_it_should(network, served, client_for):
    _issue(client_for(network.liaison), served, network.unit_a)
    certificate = Certificate.objects.get()
    page = Client().get(reverse("volunteering:verify", args=[certificate.token]))
    text = page.content.decode()
    assert page.status_code == 200 and "真实有效" in text
    assert certificate.number in text and "张*" in text and "2.5" in text
    for secret in (
        served.real_name,
        served.id_number,
        served.phone,
        served.masked_id,
        served.number,
    ):
        assert secret not in text
    forged = Client().get(reverse("volunteering:verify", args=["not-a-token"]))
    assert forged.status_code == 404 and "未查到" in forged.content.decode()
