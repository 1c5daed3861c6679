"""Login, logout and lockout through HTTP, and their audit records."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.testing import PASSWORD

LOGIN = reverse("accounts:login")


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_login_page_renders_in_chinese_with_site_name(client, world, settings):
    response = client.get(LOGIN + "?next=/audit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert settings.SITE_NAME in page
    assert "登录" in page and 'name="next" value="/audit/"' in page
    assert 'name="viewport"' in page


def test_login_follows_next_and_is_audited(client, world):
    response = client.post(
        LOGIN + "?next=/accounts/profile/",
        {"username": "staff", "password": PASSWORD, "next": "/accounts/profile/"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302 and response.url == "/accounts/profile/"
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == world.staff and event.ip == "10.1.2.3"


def test_login_refuses_unsafe_next(client, world):
    response = client.post(
        LOGIN, {"username": "staff", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil" not in response.url


def test_failed_login_is_audited_with_username_and_ip(client, world):
    response = login(client, "staff", "wrong-password", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.ip == "10.9.8.7"
    assert event.object_repr == "staff" and "staff" in event.note
    assert event.object_id == str(world.staff.pk)


def test_failed_login_of_unknown_account_is_audited(client, world):
    login(client, "nobody", "wrong-password")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.object_repr == "nobody" and event.object_id == ""


def test_logout_is_post_only_and_audited(client_for, world):
    client = client_for(world.staff)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=world.staff).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302


def fail_five_times(client, username="staff", **extra):
    for _ in range(5):
        response = login(client, username, "wrong-password", **extra)
    return response


def test_five_failures_lock_the_account_at_that_address(client, world):
    response = fail_five_times(client, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429
    # Locked: even the right password is refused, with a clear message.
    response = login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5")
    page = response.content.decode()
    assert response.status_code == 429
    assert "账号已被临时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 6
    assert "锁定" in AuditEvent.objects.filter(action="login_failed").first().note


def test_four_failures_do_not_lock(client, world):
    for _ in range(4):
        login(client, "staff", "wrong-password", REMOTE_ADDR="10.0.0.5")
    assert login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code == 302


def test_lockout_is_per_account_and_address(client, world):
    fail_five_times(client, REMOTE_ADDR="10.0.0.5")
    # The same account from another address, another account from the same address: not locked.
    assert login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.6").status_code == 302
    other = type(client)()
    assert login(other, "wtl", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code == 302


def test_behind_a_proxy_lockout_uses_the_forwarded_client_address(client, world, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1  # LUOSHI_PROXY_COUNT=1: one reverse proxy in front
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    fail_five_times(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    locked = login(client, "staff", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5", username="staff").exists()
    assert AuditEvent.objects.filter(action="login_failed", ip="203.0.113.5").count() == 6
    # A forged entry in front of the one the proxy appended changes nothing.
    forged = login(
        client, "staff", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5", **proxy
    )
    assert forged.status_code == 429
    # Another client behind the same proxy is not locked out.
    other = login(client, "staff", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert other.status_code == 302


def test_without_a_proxy_a_forged_forwarded_header_is_ignored(client, world, settings):
    settings.AXES_IPWARE_PROXY_COUNT = None  # LUOSHI_PROXY_COUNT unset
    for index in range(5):
        login(
            client,
            "staff",
            "wrong-password",
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )
    response = login(
        client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.77"
    )
    assert response.status_code == 429
    assert set(AuditEvent.objects.filter(action="login_failed").values_list("ip", flat=True)) == {
        "10.0.0.5"
    }


def test_lock_lifts_after_fifteen_minutes(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(hours=settings.AXES_COOLOFF_TIME) == datetime.timedelta(minutes=15)
    fail_five_times(client, REMOTE_ADDR="10.0.0.5")
    assert login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code == 302


@pytest.mark.parametrize(
    "url_name", ["profile", "notifications", "password-change", "session-list"]
)
def test_account_pages_need_login(client, db, url_name):
    response = client.get(reverse(f"accounts:{url_name}"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_security_admin_sees_and_releases_a_lockout(client, client_for, world):
    fail_five_times(client, REMOTE_ADDR="10.0.0.5")
    admin = client_for(world.secadmin)
    page = admin.get(reverse("accounts:lockout-list")).content.decode()
    assert "staff" in page and "10.0.0.5" in page
    response = admin.post(
        reverse("accounts:lockout-release"), {"username": "staff", "ip": "10.0.0.5"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="staff").exists()
    event = AuditEvent.objects.get(verb="unlock")
    assert event.actor == world.secadmin and "10.0.0.5" in event.note
    assert login(client, "staff", PASSWORD, REMOTE_ADDR="10.0.0.5").status_code == 302


@pytest.mark.parametrize("persona", ["staff", "office", "sysadmin", "auditor", "outsider"])
def test_only_the_security_admin_manages_lockouts(client, client_for, world, persona):
    fail_five_times(client, REMOTE_ADDR="10.0.0.5")
    other = client_for(getattr(world, persona))
    assert other.get(reverse("accounts:lockout-list")).status_code == 404
    response = other.post(
        reverse("accounts:lockout-release"), {"username": "staff", "ip": "10.0.0.5"}
    )
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username="staff").exists()
