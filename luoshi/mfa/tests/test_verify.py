"""The second step of the login: nothing before it, a wrong code counted, a code's time step
used once, recovery codes used up, and at most five wrong codes in ten minutes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from luoshi.audit.models import AuditEvent
from luoshi.mfa.models import CodeFailure
from luoshi.testing import PASSWORD

from .conftest import VERIFY, code_for, enrol, next_step

LOGIN = reverse("accounts:login")


def wrong(device) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def enrolled(world):
    return enrol(world.liaison)


def logged_in(username: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_after_the_password_everything_waits_for_the_code(world, enrolled):
    device, _codes = enrolled
    client = logged_in("wtl")
    page = client.get("/workbench/")
    assert page.status_code == 302
    assert page.url == VERIFY + "?next=%2Fworkbench%2F"
    api = client.get("/api/tasks")
    assert api.status_code == 403 and api.json()["code"] == "mfa_required"
    assert client.post(reverse("accounts:token-create"), {"name": "绕过"}).status_code == 302
    assert not world.liaison.access_tokens.exists()

    response = client.post(VERIFY, {"code": code_for(device), "next": "/workbench/"})
    assert response.status_code == 302 and response.url == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    assert client.get("/api/tasks").status_code == 200
    assert AuditEvent.objects.filter(verb="mfa_verify", actor=world.liaison).count() == 1


def test_a_wrong_code_is_refused_counted_and_audited(world, enrolled):
    device, _codes = enrolled
    client = logged_in("wtl")
    response = client.post(VERIFY, {"code": wrong(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/api/tasks").json()["code"] == "mfa_required"
    assert CodeFailure.objects.filter(user=world.liaison).count() == 1
    event = AuditEvent.objects.get(verb="mfa_code_failed")
    assert event.actor == world.liaison and event.action == AuditEvent.Action.LOGIN_FAILED


def test_an_unsafe_next_is_not_followed(world, enrolled):
    device, _codes = enrolled
    client = logged_in("wtl")
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == reverse("home")


def test_a_code_of_a_time_step_already_used_is_refused(world, enrolled):
    device, _codes = enrolled
    code = code_for(device)
    first = logged_in("wtl")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second = logged_in("wtl")
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "已使用过" in response.content.decode()
    assert second.get("/api/tasks").json()["code"] == "mfa_required"


def test_a_recovery_code_works_once(world, enrolled):
    _device, codes = enrolled
    client = logged_in("wtl")
    response = client.post(VERIFY, {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get("/api/tasks").status_code == 200
    assert StaticToken.objects.filter(device__user=world.liaison).count() == 9
    assert "剩余 9 个" in AuditEvent.objects.get(verb="mfa_verify").note

    again = logged_in("wtl")
    response = again.post(VERIFY, {"code": codes[3]})
    assert response.status_code == 200
    assert again.get("/api/tasks").json()["code"] == "mfa_required"
    assert again.post(VERIFY, {"code": codes[4]}).status_code == 302


def test_five_wrong_codes_in_ten_minutes_stop_all_codes_until_the_window_passes(
    world, enrolled, settings
):
    device, codes = enrolled
    client = logged_in("wtl")
    for _attempt in range(settings.MFA_FAILURE_LIMIT):
        assert client.post(VERIFY, {"code": wrong(device)}).status_code == 200
    for code in (code_for(device), codes[0]):
        response = client.post(VERIFY, {"code": code})
        assert response.status_code == 200
        assert "验证码错误次数过多（10 分钟内 5 次）" in response.content.decode()
    # Refused attempts are not checked and not counted: the wait does not grow.
    assert CodeFailure.objects.filter(user=world.liaison).count() == 5
    assert StaticToken.objects.filter(device__user=world.liaison).count() == 10
    assert client.get("/api/tasks").json()["code"] == "mfa_required"

    CodeFailure.objects.filter(user=world.liaison).update(
        at=timezone.now() - timedelta(minutes=settings.MFA_FAILURE_WINDOW_MINUTES, seconds=1)
    )
    next_step(device)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.get("/api/tasks").status_code == 200
