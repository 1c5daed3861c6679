"""等保 入侵防范 c): the three admin accounts and /django-admin/ only from the admin networks
(LUOSHI_ADMIN_ALLOWED_NETWORKS); empty means no limit, with a warning on the security page."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from luoshi.accounts import services
from luoshi.accounts.access import admin_address_allowed
from luoshi.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
INSIDE = "10.20.1.7"
OUTSIDE = "192.0.2.44"


@pytest.fixture
def networks(settings):
    settings.LUOSHI_ADMIN_ALLOWED_NETWORKS = ["10.20.0.0/16", "2001:db8::/32"]


def _login(username: str, ip: str):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_cidrs_of_both_families_and_single_addresses(settings):
    settings.LUOSHI_ADMIN_ALLOWED_NETWORKS = ["10.20.0.0/16", "2001:db8::/32", "172.16.5.9"]
    assert admin_address_allowed("10.20.255.1")
    assert admin_address_allowed("2001:db8::1")
    assert admin_address_allowed("172.16.5.9")
    assert not admin_address_allowed("172.16.5.10")
    assert not admin_address_allowed("10.21.0.1")
    assert not admin_address_allowed(None)
    settings.LUOSHI_ADMIN_ALLOWED_NETWORKS = ["10.20.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="LUOSHI_ADMIN_ALLOWED_NETWORKS"):
        admin_address_allowed("10.20.0.1")


@pytest.mark.parametrize("admin", ["sysadmin", "secadmin", "auditor"])
def test_an_admin_logs_in_from_inside_only(world, networks, admin):
    _client, inside = _login(admin, INSIDE)
    assert inside.status_code == 302
    client, outside = _login(admin, OUTSIDE)
    assert outside.status_code == 200
    assert "只能从指定的管理网络访问" in outside.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_business_account_logs_in_from_anywhere(world, networks):
    _client, response = _login("staff", OUTSIDE)
    assert response.status_code == 302


def test_an_admin_session_that_moves_outside_is_refused(world, networks, client_for):
    client = client_for(world.auditor)
    audit_log = reverse("accounts:profile")
    assert client.get(audit_log, REMOTE_ADDR=INSIDE).status_code == 200
    outside = client.get(audit_log, REMOTE_ADDR=OUTSIDE)
    assert outside.status_code == 403
    assert "192.0.2.44" in outside.content.decode()
    api = client.get("/api/people/me", REMOTE_ADDR=OUTSIDE)
    assert api.status_code == 403 and api.json()["code"] == "address_not_allowed"
    # Logging out still works.
    assert client.post(reverse("accounts:logout"), REMOTE_ADDR=OUTSIDE).status_code == 302


def test_an_admin_token_works_from_inside_only(world, networks):
    _token, secret = services.create_token(actor=world.secadmin, name="脚本")
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client(REMOTE_ADDR=INSIDE).get("/api/people/me", headers=headers).status_code == 200
    outside = Client(REMOTE_ADDR=OUTSIDE).get("/api/people/me", headers=headers)
    assert outside.status_code == 403
    assert outside.json()["code"] == "address_not_allowed"


def test_the_django_admin_only_from_inside(world, networks, client_for):
    admin_url = reverse("admin:index")
    assert Client(REMOTE_ADDR=OUTSIDE).get(admin_url).status_code == 403
    assert Client(REMOTE_ADDR=INSIDE).get(admin_url).status_code == 302  # to its login


def test_no_networks_means_no_limit_and_a_warning(world, settings, client_for):
    settings.LUOSHI_ADMIN_ALLOWED_NETWORKS = []
    _client, response = _login("sysadmin", OUTSIDE)
    assert response.status_code == 302
    page = client_for(world.secadmin).get(reverse("accounts:lockout-list")).content.decode()
    assert 'id="admin-networks-warning"' in page


def test_with_networks_the_security_page_lists_them(world, networks, client_for):
    page = client_for(world.secadmin).get(reverse("accounts:lockout-list"), REMOTE_ADDR=INSIDE)
    html = page.content.decode()
    assert "admin-networks-warning" not in html and "10.20.0.0/16" in html
