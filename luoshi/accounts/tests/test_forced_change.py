"""While a password change is pending, the session and the account's tokens can do nothing
else: pages go to the change page, the API answers 403 with a code, no token can be created."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from luoshi.accounts import access, services
from luoshi.accounts.access import ChangePending
from luoshi.accounts.models import AccessToken, User
from luoshi.org import services as org
from luoshi.testing import PASSWORD

NEW_PASSWORD = "Qinghai#2026go"


@pytest.fixture
def pending(world):
    """staff with a valid token, then told to change the password (as after a reset)."""
    _token, secret = services.create_token(actor=world.staff, name="脚本")
    User.objects.filter(pk=world.staff.pk).update(must_change_password=True, is_demo=False)
    world.staff.refresh_from_db()
    return secret


def test_the_session_api_is_refused_with_a_code(world, client_for, pending):
    response = client_for(world.staff).get("/api/tasks")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_existing_tokens_wait_for_the_change(world, pending):
    response = Client().get("/api/tasks", headers={"Authorization": f"Bearer {pending}"})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_no_token_can_be_created_meanwhile(world, client_for, pending):
    before = AccessToken.objects.count()
    response = client_for(world.staff).post(reverse("accounts:token-create"), {"name": "绕过"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password-change") + "?expired=1"
    with pytest.raises(PermissionDenied):
        services.create_token(actor=world.staff, name="绕过")
    assert AccessToken.objects.count() == before


def test_profile_and_tokens_pages_go_to_the_change_page(world, client_for, pending):
    client = client_for(world.staff)
    for url in (reverse("accounts:profile"), reverse("accounts:notifications")):
        response = client.get(url)
        assert response.status_code == 302 and "expired=1" in response.url


def test_after_the_change_everything_works_again(world, client_for, pending):
    client = client_for(world.staff)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/api/tasks").status_code == 200
    token = Client().get("/api/tasks", headers={"Authorization": f"Bearer {pending}"})
    assert token.status_code == 200


def test_a_password_older_than_the_maximum_age_stops_tokens_too(world, settings):
    _token, secret = services.create_token(actor=world.staff, name="脚本")
    old = world.staff.date_joined - datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    User.objects.filter(pk=world.staff.pk).update(is_demo=False, password_changed_at=old)
    response = Client().get("/api/tasks", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_a_reset_by_the_system_administrator_stops_existing_tokens(world):
    _token, secret = services.create_token(actor=world.staff, name="脚本")
    User.objects.filter(pk=world.staff.pk).update(is_demo=False)
    world.staff.refresh_from_db()
    org.set_initial_password(actor=world.sysadmin, person=world.staff, password=NEW_PASSWORD)
    response = Client().get("/api/tasks", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


class _EnrolmentPending(ChangePending):
    code_name = "mfa_enrolment_required"
    url_name = "accounts:notifications"  # stands in for the enrolment page


@pytest.fixture
def enrolment_pending(world, monkeypatch):
    """Another app's pending check, registered the way the MFA app does (PENDING_CHECKS)."""
    _token, secret = services.create_token(actor=world.staff, name="脚本")
    check = lambda user: _EnrolmentPending("请先绑定动态口令。") if user == world.staff else None  # noqa: E731
    monkeypatch.setattr(access, "PENDING_CHECKS", [*access.PENDING_CHECKS, check])
    return secret


def test_a_registered_pending_check_holds_pages_api_and_tokens(
    world, client_for, enrolment_pending
):
    client = client_for(world.staff)
    assert client.get(reverse("accounts:profile")).url == reverse("accounts:notifications")
    assert client.get(reverse("accounts:notifications")).status_code == 200
    session = client.get("/api/tasks")
    token = Client().get("/api/tasks", headers={"Authorization": f"Bearer {enrolment_pending}"})
    for response in (session, token):
        assert response.status_code == 403
        assert response.json() == {"detail": "请先绑定动态口令。", "code": "mfa_enrolment_required"}
    with pytest.raises(_EnrolmentPending):
        services.create_token(actor=world.staff, name="绕过")
    # Other accounts are not held.
    assert client_for(world.liaison).get("/api/tasks").status_code == 200


def test_the_password_change_comes_before_a_registered_check(world, enrolment_pending):
    User.objects.filter(pk=world.staff.pk).update(must_change_password=True, is_demo=False)
    world.staff.refresh_from_db()
    assert access.pending_change(world.staff).code_name == "password_change_required"
