"""The three separated administrators (三员分立) land on their own consoles — the system
administrator on units and accounts, the security administrator on role grants, the auditor on the
audit log — after login, on `/` and on the workbench, instead of an empty task workbench; every
other persona keeps the workbench."""

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.testing import PASSWORD

pytestmark = pytest.mark.django_db

CONSOLES = {
    "sysadmin": "org:unit-list",
    "secadmin": "org:grant-list",
    "auditor": "audit:event-list",
}


@pytest.fixture(autouse=True)
def _demo_accounts_exempt_from_mfa(settings):
    settings.MFA_EXEMPT_DEMO_ACCOUNTS = True


@pytest.mark.parametrize("persona", sorted(CONSOLES))
def test_admin_lands_on_its_console_after_login(world, persona):
    client = Client()
    user = getattr(world, persona)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    console = reverse(CONSOLES[persona])
    assert response.redirect_chain[-1][0] == console
    assert response.status_code == 200
    for start in ("/", reverse("campaigns:workbench")):
        landed = client.get(start, follow=True)
        assert landed.redirect_chain[-1][0] == console
        assert landed.status_code == 200


@pytest.mark.parametrize("persona", ["office", "liaison", "staff", "leader", "outsider"])
def test_others_keep_the_workbench(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get("/")["Location"] == reverse("campaigns:workbench")
    assert client.get(reverse("campaigns:workbench")).status_code == 200
