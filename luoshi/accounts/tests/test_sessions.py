"""Login sessions: a person sees and ends their own; the 安全管理员 ends someone's (audited);
disabling an account ends its sessions and revokes its tokens; a session ends at its absolute
lifetime however active."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts import services
from luoshi.accounts.models import LoginSession
from luoshi.audit.models import AuditEvent
from luoshi.org import services as org
from luoshi.testing import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PROFILE = reverse("accounts:profile")
NEW_PASSWORD = "Qinghai#2026go"


def _logged_in(username: str, *, ua: str, ip: str) -> Client:
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _is_logged_out(client: Client) -> bool:
    response = client.get(PROFILE)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_person_sees_their_sessions_with_device_and_address(world):
    phone = _logged_in("staff", ua="Mozilla/5.0 (iPhone) 微信", ip="10.1.0.5")
    _logged_in("staff", ua="Mozilla/5.0 (Windows NT 10.0) Chrome", ip="10.1.0.6")
    page = phone.get(reverse("accounts:session-list"))
    assert page.status_code == 200
    assert "登录 12 小时后" in page.content.decode()  # the lifetime as people write it
    rows = list(page.context["sessions"])
    assert {(row.user_agent, row.ip_address) for row in rows} == {
        ("Mozilla/5.0 (iPhone) 微信", "10.1.0.5"),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome", "10.1.0.6"),
    }
    html = page.content.decode()
    assert "10.1.0.6" in html and "本会话" in html


def test_ending_another_session_logs_it_out_and_is_audited(world):
    phone = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    desktop = _logged_in("staff", ua="Windows", ip="10.1.0.6")
    other = LoginSession.objects.get(user=world.staff, user_agent="Windows")
    response = phone.post(reverse("accounts:session-end", args=[other.pk]))
    assert response.status_code == 302
    assert _is_logged_out(desktop)
    assert not _is_logged_out(phone)
    assert AuditEvent.objects.filter(verb="session_end", object_id=str(world.staff.pk)).exists()


def test_ending_the_current_session_logs_out(world):
    phone = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    own = LoginSession.objects.get(user=world.staff)
    phone.post(reverse("accounts:session-end", args=[own.pk]))
    assert _is_logged_out(phone)


def test_nobody_ends_someone_elses_session_from_their_own_list(world):
    _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    theirs = LoginSession.objects.get(user=world.staff)
    liaison = _logged_in("wtl", ua="Windows", ip="10.1.0.6")
    assert liaison.post(reverse("accounts:session-end", args=[theirs.pk])).status_code == 404
    assert LoginSession.objects.filter(pk=theirs.pk).exists()


def test_logout_removes_the_session(world):
    client = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    client.post(reverse("accounts:logout"))
    assert not LoginSession.objects.filter(user=world.staff).exists()


def test_a_session_ends_at_its_absolute_lifetime_however_active(world, settings):
    settings.LUOSHI_SESSION_MAX_HOURS = 12
    client = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    # Active a minute ago, logged in eleven hours ago: still in.
    LoginSession.objects.update(created_at=timezone.now() - datetime.timedelta(hours=11))
    assert not _is_logged_out(client)
    # Twelve hours after the login it ends, although it was just used.
    LoginSession.objects.update(created_at=timezone.now() - datetime.timedelta(hours=12, seconds=1))
    assert _is_logged_out(client)
    assert not LoginSession.objects.filter(user=world.staff).exists()


def test_last_seen_is_refreshed(world):
    client = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    earlier = timezone.now() - datetime.timedelta(minutes=5)
    LoginSession.objects.update(last_seen_at=earlier)
    client.get(PROFILE)
    assert LoginSession.objects.get(user=world.staff).last_seen_at > earlier


def test_a_session_without_its_row_is_logged_out(world):
    client = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    LoginSession.objects.all().delete()  # e.g. a session from before the table existed
    assert _is_logged_out(client)


def test_security_admin_ends_a_persons_sessions_audited(world, client_for):
    staff = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    secadmin = client_for(world.secadmin)
    page = secadmin.get(reverse("accounts:person-security", args=[world.staff.pk]))
    assert page.status_code == 200 and "10.1.0.5" in page.content.decode()
    response = secadmin.post(reverse("accounts:person-sessions-end", args=[world.staff.pk]))
    assert response.status_code == 302
    assert _is_logged_out(staff)
    event = AuditEvent.objects.get(verb="sessions_end")
    assert event.actor == world.secadmin and event.object_id == str(world.staff.pk)


def test_security_admin_revokes_a_persons_token(world, client_for):
    token, _secret = services.create_token(actor=world.staff, name="脚本")
    secadmin = client_for(world.secadmin)
    url = reverse("accounts:person-token-revoke", args=[world.staff.pk, token.pk])
    assert secadmin.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_security_admin_sees_no_sessions_of_another_admin(world, client_for):
    _logged_in("sysadmin", ua="iPhone", ip="10.1.0.5")
    secadmin = client_for(world.secadmin)
    page = secadmin.get(reverse("accounts:person-security", args=[world.sysadmin.pk]))
    assert page.status_code == 403
    assert "三员分立" in page.content.decode() and "10.1.0.5" not in page.content.decode()
    assert (
        secadmin.post(reverse("accounts:person-sessions-end", args=[world.sysadmin.pk])).status_code
        == 403
    )
    assert LoginSession.objects.filter(user=world.sysadmin).exists()
    detail = secadmin.get(reverse("org:person-detail", args=[world.sysadmin.pk])).content.decode()
    assert reverse("accounts:person-security", args=[world.sysadmin.pk]) not in detail
    detail = secadmin.get(reverse("org:person-detail", args=[world.staff.pk])).content.decode()
    assert reverse("accounts:person-security", args=[world.staff.pk]) in detail


@pytest.mark.parametrize("persona", ["sysadmin", "auditor", "office", "liaison"])
def test_only_the_security_admin_opens_a_persons_sessions(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(reverse("accounts:person-security", args=[world.staff.pk])).status_code == 404
    url = reverse("accounts:person-sessions-end", args=[world.staff.pk])
    assert client.post(url).status_code == 404


def test_disabling_an_account_ends_its_sessions_and_revokes_its_tokens(world):
    staff = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    token, _secret = services.create_token(actor=world.staff, name="脚本")
    org.update_person(actor=world.sysadmin, person=world.staff, is_active=False)
    assert not LoginSession.objects.filter(user=world.staff).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _is_logged_out(staff)
    assert AuditEvent.objects.filter(verb="access_withdrawn").exists()


def test_changing_the_password_keeps_this_session_and_ends_the_others(world):
    phone = _logged_in("staff", ua="iPhone", ip="10.1.0.5")
    desktop = _logged_in("staff", ua="Windows", ip="10.1.0.6")
    response = phone.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _is_logged_out(phone)
    assert _is_logged_out(desktop)
    assert list(LoginSession.objects.values_list("user_agent", flat=True)) == ["iPhone"]
