"""A resident who only volunteers (志愿者, no task work) lands on their own volunteering page —
sign-ups, hours, certificates — after login, on `/` and on the workbench, with the first-steps
card there; not on an empty task workbench of red/yellow/blue tiles."""

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo_accounts_exempt_from_mfa(settings):
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = True


def test_a_resident_volunteer_lands_on_the_volunteering_page(network):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": network.resident.username, "password": PASSWORD},
        follow=True,
    )
    home = reverse("volunteering:home")
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200
    assert 'id="first-steps"' in response.content.decode()
    for start in ("/", reverse("campaigns:workbench")):
        landed = client.get(start, follow=True)
        assert landed.redirect_chain[-1][0] == home
        assert landed.status_code == 200


def test_a_volunteer_with_task_work_keeps_the_workbench(network, client_for):
    """The centre's staff volunteer too, but they have tasks: the workbench stays theirs."""
    client = client_for(network.centre)
    assert client.get("/")["Location"] == reverse("campaigns:workbench")
