"""ASVS 6.1.1: one address cannot lock out every account. The lockout counts per account *and*
address, so failures from one address lock nobody out elsewhere; and an address that fails too
often, over whatever accounts, is refused further attempts for the window (password spraying)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from luoshi.audit.models import AuditEvent
from luoshi.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ATTACKER = "10.9.9.9"


def _login(username: str, password: str, ip: str):
    return Client().post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _spray(usernames, ip: str = ATTACKER) -> None:
    for username in usernames:
        _login(username, "wrong-password", ip)


def test_an_address_past_its_budget_is_refused_even_the_right_password(world, settings):
    settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    _spray(["nobody1", "nobody2", "staff", "wtl", "leader", "office"])
    response = _login("outsider", PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert "本机地址登录失败次数过多" in response.content.decode()
    assert "15 分钟" in response.content.decode()
    # The refusal is audited, and it checked no password (no new attempt counted).
    assert AuditEvent.objects.filter(note__contains="已暂停登录").count() == 1
    assert not AccessAttempt.objects.filter(username="outsider").exists()


def test_under_the_budget_logins_from_the_address_work(world, settings):
    settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    _spray(["nobody1", "nobody2", "staff", "wtl", "leader"])
    assert _login("outsider", PASSWORD, ATTACKER).status_code == 302


def test_the_accounts_still_log_in_from_their_own_addresses(world, settings):
    settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    # The attacker fails five times on each of several accounts: each pair is locked...
    for _ in range(5):
        _spray(["staff", "wtl", "office"])
    assert _login("staff", PASSWORD, ATTACKER).status_code == 429
    # ...but the people themselves, from their own addresses, are not locked out.
    for username, ip in (("staff", "10.1.0.5"), ("wtl", "10.1.0.6"), ("office", "10.1.0.7")):
        assert _login(username, PASSWORD, ip).status_code == 302


def test_the_security_admin_sees_the_throttled_address(world, settings, client_for):
    settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    _spray(["nobody1", "nobody2", "staff"])
    page = client_for(world.secadmin).get(reverse("accounts:lockout-list"))
    assert [(row["ip_address"], row["accounts"]) for row in page.context["addresses"]] == [
        (ATTACKER, 3)
    ]


def test_a_budget_of_zero_switches_it_off(world, settings):
    settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT = 0
    _spray(["nobody1", "nobody2", "nobody3"])
    assert _login("outsider", PASSWORD, ATTACKER).status_code == 302
